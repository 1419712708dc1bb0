-- The author profiles lose their primary key, as the rollups did (0009): the store
-- MERGEs each batch's authors on (platform, handle) under its one write lock, and a
-- ranking finds a profile by its integer key_hash (0007), never by the index. The
-- index's upkeep cost a bulk import as much as writing the mentions.
CREATE TABLE authors_new (
    platform     VARCHAR NOT NULL,
    handle       VARCHAR NOT NULL,
    native_id    VARCHAR,
    name         VARCHAR,
    followers    BIGINT,
    last_seen_at TIMESTAMP NOT NULL,
    key_hash     UBIGINT
);
INSERT INTO authors_new SELECT platform, handle, native_id, name, followers, last_seen_at, key_hash
FROM authors ORDER BY platform, handle;
DROP TABLE authors;
ALTER TABLE authors_new RENAME TO authors;

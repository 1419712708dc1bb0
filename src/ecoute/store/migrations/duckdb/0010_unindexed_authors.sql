-- The author profiles (0001, 0007), rollups and totals (0003, 0004, 0008) lose their
-- primary keys. Most authors of a listening workspace post once or twice, so these
-- tables hold about a row per mention, and indexes over several strings made a
-- million-post import pay more for them than for the mentions: merging a bulk load's
-- author rollup changes took 10.2 s and 815 MB with the indexes, 2.8 s and 593 MB
-- without, and the workspace shrank from 772 MB to 414 (BENCHMARKS.md). Nothing reads
-- them by those keys (profiles are found by key_hash). The store merges changes by
-- joins that keep one row per key (ecoute.store.duckdb `_write_authors`,
-- ecoute.store._duckdb_measures `_merge`), rollups matching an author by author_key:
-- a 20-post batch into the million-post workspace takes as long as with the indexes.
CREATE TABLE authors_0010 (
    platform     VARCHAR NOT NULL,
    handle       VARCHAR NOT NULL,
    native_id    VARCHAR,
    name         VARCHAR,
    followers    BIGINT,
    last_seen_at TIMESTAMP NOT NULL,
    key_hash     UBIGINT
);
INSERT INTO authors_0010
SELECT platform, handle, native_id, name, followers, last_seen_at, key_hash FROM authors;
DROP TABLE authors;
ALTER TABLE authors_0010 RENAME TO authors;

CREATE TABLE rollup_author_daily_0010 (
    day            TIMESTAMP NOT NULL,
    query          VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    author_handle  VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL,
    author_key     UBIGINT
);
INSERT INTO rollup_author_daily_0010
SELECT day, query, platform, author_handle, sentiment, mentions, reach, engagement, author_key
FROM rollup_author_daily ORDER BY day, query;
DROP TABLE rollup_author_daily;
ALTER TABLE rollup_author_daily_0010 RENAME TO rollup_author_daily;

CREATE TABLE rollup_author_monthly_0010 (
    month          TIMESTAMP NOT NULL,
    query          VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    author_handle  VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL,
    author_key     UBIGINT
);
INSERT INTO rollup_author_monthly_0010
SELECT month, query, platform, author_handle, sentiment, mentions, reach, engagement, author_key
FROM rollup_author_monthly ORDER BY month, query;
DROP TABLE rollup_author_monthly;
ALTER TABLE rollup_author_monthly_0010 RENAME TO rollup_author_monthly;

CREATE TABLE rollup_author_total_0010 (
    query          VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    author_handle  VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL,
    negative       BIGINT NOT NULL,
    neutral        BIGINT NOT NULL,
    positive       BIGINT NOT NULL,
    author_key     UBIGINT
);
INSERT INTO rollup_author_total_0010
SELECT query, sentiment, platform, author_handle, mentions, reach, engagement, negative,
       neutral, positive, author_key
FROM rollup_author_total ORDER BY query, sentiment;
DROP TABLE rollup_author_total;
ALTER TABLE rollup_author_total_0010 RENAME TO rollup_author_total;

-- Changes to the author rollups (0003, 0004) put off by a bulk load: the signed sums
-- of each batch per day, query, platform, author and sentiment, appended without an
-- index. A million posts by half a million authors change millions of rollup rows;
-- merging them once when the load ends, instead of into the indexed rollups at every
-- batch, makes such an import about a fifth faster (BENCHMARKS.md). While a row is
-- pending, reads of author rankings scan the mentions (the same answers, slower); a
-- load that stopped before its merge is merged when the workspace is next opened.
CREATE TABLE IF NOT EXISTS rollup_author_pending (
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

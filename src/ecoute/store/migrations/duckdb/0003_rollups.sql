-- Rollups: sums of the visible mentions per hour or day, kept in step with every write
-- (upsert, update_enrichment, set_query_matches, remove_query) so that whole-period
-- charts and rankings read thousands of rows instead of every mention.
--
-- A key column may not be NULL, so an unknown language or sentiment is stored as ''
-- and read back as NULL. ``query = ''`` rows count every mention once (the totals);
-- rows with a query name count the mentions that query matched.
-- The store fills them from the mentions already there when it applies this migration.

-- Per UTC hour, day and month: a period reads whole months, then whole days, then
-- whole hours at its ends, then the mentions of its first and last partial hour.
CREATE TABLE rollup_hourly (
    hour        TIMESTAMP NOT NULL,
    query       VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    lang        VARCHAR NOT NULL,
    sentiment   VARCHAR NOT NULL,
    mentions    BIGINT NOT NULL,
    reach       BIGINT NOT NULL,
    engagement  BIGINT NOT NULL,
    PRIMARY KEY (hour, query, platform, lang, sentiment)
);

CREATE TABLE rollup_author_daily (
    day            TIMESTAMP NOT NULL,
    query          VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    author_handle  VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL,
    PRIMARY KEY (day, query, platform, author_handle, sentiment)
);

-- A keyword listed twice in one post counts once.
CREATE TABLE rollup_keyword_daily (
    day         TIMESTAMP NOT NULL,
    query       VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    keyword     VARCHAR NOT NULL,
    sentiment   VARCHAR NOT NULL,
    mentions    BIGINT NOT NULL,
    reach       BIGINT NOT NULL,
    engagement  BIGINT NOT NULL,
    PRIMARY KEY (day, query, platform, keyword, sentiment)
);

-- The same sums per UTC day and month, for long periods.
CREATE TABLE rollup_daily (
    day         TIMESTAMP NOT NULL,
    query       VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    lang        VARCHAR NOT NULL,
    sentiment   VARCHAR NOT NULL,
    mentions    BIGINT NOT NULL,
    reach       BIGINT NOT NULL,
    engagement  BIGINT NOT NULL,
    PRIMARY KEY (day, query, platform, lang, sentiment)
);

CREATE TABLE rollup_author_monthly (
    month          TIMESTAMP NOT NULL,
    query          VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    author_handle  VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL,
    PRIMARY KEY (month, query, platform, author_handle, sentiment)
);

CREATE TABLE rollup_keyword_monthly (
    month       TIMESTAMP NOT NULL,
    query       VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    keyword     VARCHAR NOT NULL,
    sentiment   VARCHAR NOT NULL,
    mentions    BIGINT NOT NULL,
    reach       BIGINT NOT NULL,
    engagement  BIGINT NOT NULL,
    PRIMARY KEY (month, query, platform, keyword, sentiment)
);

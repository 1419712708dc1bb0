-- The rollups lose their primary keys: a write merges its sums into them with MERGE,
-- matching on the same keys, under the store's one write lock. A primary key's index
-- cost more than the rows it guarded: every batch of a bulk import looked up and
-- updated millions of index entries of author rollups as large as the mentions, and
-- every checkpoint wrote them again (a million-post import: 63 s, 12 s less without).
-- Each table is rewritten in the order its reads filter on.

CREATE TABLE rollup_hourly_new (
    hour           TIMESTAMP NOT NULL,
    query          VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    lang           VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL
);
INSERT INTO rollup_hourly_new SELECT * FROM rollup_hourly ORDER BY hour, query;
DROP TABLE rollup_hourly;
ALTER TABLE rollup_hourly_new RENAME TO rollup_hourly;

CREATE TABLE rollup_daily_new (
    day            TIMESTAMP NOT NULL,
    query          VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    lang           VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL
);
INSERT INTO rollup_daily_new SELECT * FROM rollup_daily ORDER BY day, query;
DROP TABLE rollup_daily;
ALTER TABLE rollup_daily_new RENAME TO rollup_daily;

CREATE TABLE rollup_author_daily_new (
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
INSERT INTO rollup_author_daily_new SELECT * FROM rollup_author_daily ORDER BY day, query;
DROP TABLE rollup_author_daily;
ALTER TABLE rollup_author_daily_new RENAME TO rollup_author_daily;

CREATE TABLE rollup_author_monthly_new (
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
INSERT INTO rollup_author_monthly_new SELECT * FROM rollup_author_monthly ORDER BY month, query;
DROP TABLE rollup_author_monthly;
ALTER TABLE rollup_author_monthly_new RENAME TO rollup_author_monthly;

CREATE TABLE rollup_keyword_daily_new (
    day            TIMESTAMP NOT NULL,
    query          VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    keyword        VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL
);
INSERT INTO rollup_keyword_daily_new SELECT * FROM rollup_keyword_daily ORDER BY day, query;
DROP TABLE rollup_keyword_daily;
ALTER TABLE rollup_keyword_daily_new RENAME TO rollup_keyword_daily;

CREATE TABLE rollup_keyword_monthly_new (
    month          TIMESTAMP NOT NULL,
    query          VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    keyword        VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL
);
INSERT INTO rollup_keyword_monthly_new SELECT * FROM rollup_keyword_monthly ORDER BY month, query;
DROP TABLE rollup_keyword_monthly;
ALTER TABLE rollup_keyword_monthly_new RENAME TO rollup_keyword_monthly;

CREATE TABLE rollup_author_total_new (
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
INSERT INTO rollup_author_total_new SELECT * FROM rollup_author_total ORDER BY query, sentiment;
DROP TABLE rollup_author_total;
ALTER TABLE rollup_author_total_new RENAME TO rollup_author_total;

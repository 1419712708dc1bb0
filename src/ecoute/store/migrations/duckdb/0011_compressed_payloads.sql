-- The posts' payloads (mentions.raw) are compressed with zstd. They are most of a
-- workspace's bytes and are read only to show or export a post, while DuckDB's own
-- choice left them nearly as large as received: the import benchmark's million posts
-- take 325 MB instead of 414, and their five main columns alone were written in 3.1 s
-- instead of 4.5 (BENCHMARKS.md). DuckDB sets a column's compression only when the
-- table is made, hence the copy.
CREATE TABLE mentions_0011 (
    platform         VARCHAR NOT NULL,
    native_id        VARCHAR NOT NULL,
    url              VARCHAR,
    author_handle    VARCHAR NOT NULL,
    author_id        VARCHAR,
    author_name      VARCHAR,
    author_followers BIGINT,
    text             VARCHAR NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    collected_at     TIMESTAMP NOT NULL,
    likes            BIGINT,
    reposts          BIGINT,
    replies          BIGINT,
    views            BIGINT,
    thread_id        VARCHAR,
    parent_id        VARCHAR,
    raw              VARCHAR USING COMPRESSION zstd,  -- the payload as received, verbatim
    lang             VARCHAR,
    lang_by          VARCHAR,
    sentiment        VARCHAR,
    sentiment_score  DOUBLE,
    sentiment_by     VARCHAR,
    sentiment_explanation VARCHAR[],
    keywords         VARCHAR[],
    keywords_by      VARCHAR,
    care             VARCHAR[],
    care_by          VARCHAR,
    story_id         VARCHAR,
    story_by         VARCHAR,
    reach            BIGINT,
    influence        DOUBLE,
    is_vip           BOOLEAN NOT NULL DEFAULT false,
    influence_by     VARCHAR,
    content_hash     UBIGINT NOT NULL,
    first_seen_at    TIMESTAMP NOT NULL,
    is_deleted       BOOLEAN NOT NULL DEFAULT false,
    deleted_by       VARCHAR,
    deleted_at       TIMESTAMP,
    PRIMARY KEY (platform, native_id)
);
INSERT INTO mentions_0011 (platform, native_id, url, author_handle, author_id, author_name, author_followers, text, created_at, collected_at, likes, reposts, replies, views, thread_id, parent_id, raw, lang, lang_by, sentiment, sentiment_score, sentiment_by, sentiment_explanation, keywords, keywords_by, care, care_by, story_id, story_by, reach, influence, is_vip, influence_by, content_hash, first_seen_at, is_deleted, deleted_by, deleted_at)
SELECT platform, native_id, url, author_handle, author_id, author_name, author_followers, text, created_at, collected_at, likes, reposts, replies, views, thread_id, parent_id, raw, lang, lang_by, sentiment, sentiment_score, sentiment_by, sentiment_explanation, keywords, keywords_by, care, care_by, story_id, story_by, reach, influence, is_vip, influence_by, content_hash, first_seen_at, is_deleted, deleted_by, deleted_at FROM mentions;
DROP TABLE mentions;
ALTER TABLE mentions_0011 RENAME TO mentions;

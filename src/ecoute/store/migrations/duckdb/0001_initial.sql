-- Mentions, authors, queries, matches and source cursors.
-- Timestamps are UTC, stored without a time zone.

CREATE TABLE mentions (
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
    raw              VARCHAR,  -- the payload as received (JSON text), verbatim
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

CREATE TABLE authors (
    platform    VARCHAR NOT NULL,
    handle      VARCHAR NOT NULL,
    native_id   VARCHAR,
    name        VARCHAR,
    followers   BIGINT,
    last_seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (platform, handle)
);

CREATE TABLE queries (
    name        VARCHAR PRIMARY KEY,
    expr        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    "group"     VARCHAR,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- No foreign keys: DuckDB cannot update a row that a foreign key points at.
CREATE TABLE mention_queries (
    platform   VARCHAR NOT NULL,
    native_id  VARCHAR NOT NULL,
    query      VARCHAR NOT NULL,
    PRIMARY KEY (query, platform, native_id)
);

CREATE TABLE cursors (
    source_key  VARCHAR PRIMARY KEY,
    cursor      JSON NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- Configured collectors. Secrets live here in clear: the workspace file is the
-- deployment's own; keep its permissions tight.
CREATE TABLE sources (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,
    config      JSON NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT true,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

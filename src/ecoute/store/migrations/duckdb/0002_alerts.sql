-- Alerts: rules, channels, the alerts raised and their delivery outbox.
-- Timestamps are UTC, stored without a time zone.

CREATE SEQUENCE alert_ids START 1;
CREATE SEQUENCE delivery_ids START 1;

CREATE TABLE alert_rules (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,      -- volume, negative, influencer, keyword
    query       VARCHAR,               -- NULL: every query
    params      JSON NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT true,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- Channel secrets (webhook secrets, SMTP passwords) live here in clear, like the
-- sources' tokens: the workspace file is the deployment's own; keep it private.
CREATE TABLE alert_channels (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,      -- webhook, slack, email
    config      JSON NOT NULL,
    routing     JSON NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT true,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE alerts (
    id           BIGINT PRIMARY KEY DEFAULT nextval('alert_ids'),
    query        VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    kinds        VARCHAR[] NOT NULL,
    severity     VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,     -- open, resolved
    opened_at    TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    resolved_at  TIMESTAMP,
    observed     DOUBLE NOT NULL,
    expected     DOUBLE NOT NULL,
    score        DOUBLE NOT NULL,
    updates      INTEGER NOT NULL,
    explanation  JSON NOT NULL
);

-- The outbox: written with the alert in one transaction, emptied by the delivery worker.
-- No foreign key to alerts: DuckDB cannot update a row that a foreign key points at.
CREATE TABLE alert_deliveries (
    id               BIGINT PRIMARY KEY DEFAULT nextval('delivery_ids'),
    alert_id         BIGINT,
    channel          VARCHAR NOT NULL,
    event            VARCHAR NOT NULL,  -- opened, escalated, resolved, digest, test
    payload          JSON NOT NULL,
    status           VARCHAR NOT NULL,  -- pending, held, retrying, delivered, failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    last_error       VARCHAR,
    created_at       TIMESTAMP NOT NULL,
    delivered_at     TIMESTAMP,
    dedup_key        VARCHAR UNIQUE
);

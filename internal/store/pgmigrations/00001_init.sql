-- +goose Up
CREATE TABLE subscriptions (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL DEFAULT '',
    plan_enabled    BIGINT NOT NULL DEFAULT 0,
    mode            TEXT NOT NULL DEFAULT 'detect',
    prompt_evidence BIGINT NOT NULL DEFAULT 0,
    data_security   BIGINT NOT NULL DEFAULT 0,
    model_security  BIGINT NOT NULL DEFAULT 0,
    source          TEXT NOT NULL DEFAULT 'config',
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE alerts (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    severity      TEXT NOT NULL,
    subscription  TEXT NOT NULL,
    resource      TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,
    confidence    DOUBLE PRECISION NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'new',
    -- the whole alert as JSON; the columns above are for filtering
    body          TEXT NOT NULL
);
CREATE INDEX alerts_by_time ON alerts (last_seen DESC);
CREATE INDEX alerts_by_subscription ON alerts (subscription, last_seen DESC);
CREATE INDEX alerts_by_fingerprint ON alerts (fingerprint);

-- +goose Down
DROP TABLE alerts;
DROP TABLE subscriptions;

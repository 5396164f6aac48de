-- +goose Up
-- One audit record per interaction of a subscription with data security
-- for AI interactions on (never the prompt or the answer). Times are
-- fixed-width UTC text, so that text order is time order; the type lists
-- are wrapped in commas for exact matching of one type.
CREATE TABLE interactions (
    id              TEXT PRIMARY KEY,
    at              TEXT NOT NULL,
    subscription    TEXT NOT NULL,
    application     TEXT NOT NULL DEFAULT '',
    user_id         TEXT NOT NULL DEFAULT '',
    user_context    BIGINT NOT NULL DEFAULT 0,
    verdict         TEXT NOT NULL,
    finding_types   TEXT NOT NULL DEFAULT '',
    sensitive_types TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL
);
CREATE INDEX interactions_by_time ON interactions (at, id);
CREATE INDEX interactions_by_subscription ON interactions (subscription, at, id);
CREATE INDEX interactions_by_user ON interactions (user_id, at, id);
CREATE INDEX interactions_by_application ON interactions (application, at, id);

-- +goose Down
DROP TABLE interactions;

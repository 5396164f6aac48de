-- +goose Up
-- Sign-in: local accounts (argon2id password hashes) and sessions, kept
-- by the SHA-256 of their cookie, never the cookie.
CREATE TABLE accounts (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    subscriptions TEXT NOT NULL DEFAULT '',
    hash          TEXT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE TABLE sessions (
    key        TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE accounts;

-- +goose Up
-- Legal holds: interactions of a user, application or subscription (any
-- of them, "" for all) within a time range ("" for open) are kept whatever
-- retention says, content included, until the hold is released.
CREATE TABLE holds (
    id           TEXT PRIMARY KEY,
    subscription TEXT NOT NULL DEFAULT '',
    application  TEXT NOT NULL DEFAULT '',
    user_id      TEXT NOT NULL DEFAULT '',
    from_at      TEXT NOT NULL DEFAULT '',
    to_at        TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
-- What the lifecycle job deleted, run by run.
CREATE TABLE lifecycle_runs (
    at           TEXT NOT NULL,
    interactions INTEGER NOT NULL,
    contents     INTEGER NOT NULL,
    held         INTEGER NOT NULL
);

-- +goose Down
DROP TABLE lifecycle_runs;
DROP TABLE holds;

-- +goose Up
ALTER TABLE alerts ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN classification TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN incident TEXT NOT NULL DEFAULT '';
CREATE TABLE incidents (
    id             TEXT PRIMARY KEY,
    subscription   TEXT NOT NULL,
    title          TEXT NOT NULL,
    severity       TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'new',
    assignee       TEXT NOT NULL DEFAULT '',
    classification TEXT NOT NULL DEFAULT '',
    first_seen     TEXT NOT NULL,
    last_seen      TEXT NOT NULL,
    alerts         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX incidents_by_time ON incidents (last_seen DESC);
-- What incidents are keyed on: the users, addresses and resources of
-- their alerts, for correlation.
CREATE TABLE incident_keys (
    incident TEXT NOT NULL,
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (kind, value, incident)
);
CREATE TABLE comments (
    target     TEXT NOT NULL, -- alert:<id> or incident:<id>
    author     TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX comments_by_target ON comments (target, created_at);

-- +goose Down
DROP TABLE comments;
DROP TABLE incident_keys;
DROP TABLE incidents;
ALTER TABLE alerts DROP COLUMN incident;
ALTER TABLE alerts DROP COLUMN classification;
ALTER TABLE alerts DROP COLUMN assignee;

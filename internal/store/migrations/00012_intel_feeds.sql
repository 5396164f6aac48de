-- +goose Up
-- Threat-intelligence feeds as the elected replica last fetched and
-- validated them; the other replicas load them from here.
CREATE TABLE intel_feeds (
    name       TEXT PRIMARY KEY,
    body       BLOB NOT NULL,
    fetched_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE intel_feeds;

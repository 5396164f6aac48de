-- +goose Up
-- Suppression rules added through the API (the configuration file's rules
-- are not stored: the file stays their source).
CREATE TABLE suppressions (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    body       TEXT NOT NULL
);

-- +goose Down
DROP TABLE suppressions;

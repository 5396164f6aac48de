-- +goose Up
-- Detection policies as data: the current version of each (JSON of
-- policy.Policy), and every version ever written, deletions included, so
-- a policy's history reads back with who changed it and when.
CREATE TABLE policies (
    id         TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE policy_versions (
    id        TEXT NOT NULL,
    version   INTEGER NOT NULL,
    body      TEXT NOT NULL,
    principal TEXT NOT NULL,
    at        TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (id, version)
);

-- +goose Down
DROP TABLE policy_versions;
DROP TABLE policies;

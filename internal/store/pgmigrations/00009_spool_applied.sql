-- +goose Up
-- Keys of alert batches replayed from the local spool: a replay that a
-- crash interrupts is not counted twice.
CREATE TABLE spool_applied (
    key        TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
);

-- One row that readiness rewrites: a write that proves the store takes
-- writes (a locked or full database fails it; a read would not).
CREATE TABLE heartbeat (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
);

-- +goose Down
DROP TABLE heartbeat;
DROP TABLE spool_applied;

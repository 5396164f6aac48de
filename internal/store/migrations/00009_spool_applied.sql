-- +goose Up
-- Keys of alert batches replayed from the local spool: a replay that a
-- crash interrupts is not counted twice.
CREATE TABLE spool_applied (
    key        TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE spool_applied;

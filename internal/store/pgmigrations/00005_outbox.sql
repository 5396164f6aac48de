-- +goose Up
-- Every alert recorded is also an outbox event, in the same transaction;
-- each export sink keeps its position in the outbox and parks what it can
-- never deliver.
CREATE TABLE outbox (
    seq        BIGSERIAL PRIMARY KEY,
    event_id   TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE sink_positions (
    sink TEXT PRIMARY KEY,
    seq  BIGINT NOT NULL
);
CREATE TABLE sink_parked (
    sink      TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    event_id  TEXT NOT NULL,
    error     TEXT NOT NULL,
    parked_at TEXT NOT NULL,
    PRIMARY KEY (sink, seq)
);

-- +goose Down
DROP TABLE sink_parked;
DROP TABLE sink_positions;
DROP TABLE outbox;

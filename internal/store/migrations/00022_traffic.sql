-- +goose Up
-- What the gateway did, per minute and subscription: requests, scanned,
-- blocked, and detection time as a histogram (l0..l9: up to 1, 2, 5, 10,
-- 20, 50, 100, 200, 500 ms, and slower). Replicas add to the same rows.
CREATE TABLE traffic_minutes (
    minute       TEXT NOT NULL,
    subscription TEXT NOT NULL,
    requests     INTEGER NOT NULL DEFAULT 0,
    scanned      INTEGER NOT NULL DEFAULT 0,
    blocked      INTEGER NOT NULL DEFAULT 0,
    l0 INTEGER NOT NULL DEFAULT 0, l1 INTEGER NOT NULL DEFAULT 0, l2 INTEGER NOT NULL DEFAULT 0,
    l3 INTEGER NOT NULL DEFAULT 0, l4 INTEGER NOT NULL DEFAULT 0, l5 INTEGER NOT NULL DEFAULT 0,
    l6 INTEGER NOT NULL DEFAULT 0, l7 INTEGER NOT NULL DEFAULT 0, l8 INTEGER NOT NULL DEFAULT 0,
    l9 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (minute, subscription)
);

-- +goose Down
DROP TABLE traffic_minutes;

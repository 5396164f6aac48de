-- +goose Up
-- Behaviour counts every replica adds to (identical requests per window),
-- so that a wallet attack spread over replicas is counted whole, and the
-- windows already alerted on, claimed by exactly one replica.
CREATE TABLE behaviour_counts (
    key          TEXT NOT NULL,
    window_start TEXT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE TABLE behaviour_alerted (
    key          TEXT NOT NULL,
    window_start TEXT NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- +goose Down
DROP TABLE behaviour_alerted;
DROP TABLE behaviour_counts;

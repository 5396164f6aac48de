-- +goose Up
-- What sensitive information types each resource has returned, and since
-- when the resource has been watched: the baseline for the anomaly alert.
CREATE TABLE resource_watch (
    subscription TEXT NOT NULL,
    resource     TEXT NOT NULL,
    first_seen   TEXT NOT NULL,
    PRIMARY KEY (subscription, resource)
);
CREATE TABLE sensitive_seen (
    subscription TEXT NOT NULL,
    resource     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    first_seen   TEXT NOT NULL,
    PRIMARY KEY (subscription, resource, kind)
);

-- +goose Down
DROP TABLE sensitive_seen;
DROP TABLE resource_watch;

-- +goose Up
-- Habits every replica learns into: the values (networks, user agents,
-- authentication methods, tools, argument shapes) seen per key, so that a
-- value one replica has seen is not new to another.
CREATE TABLE behaviour_seen (
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (key, value)
);

-- +goose Down
DROP TABLE behaviour_seen;

-- +goose Up
-- Each user's insider-risk level per subscription, as last assessed.
CREATE TABLE insider_risk (
    subscription TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    level        TEXT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (subscription, user_id)
);

-- +goose Down
DROP TABLE insider_risk;

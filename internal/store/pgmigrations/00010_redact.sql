-- +goose Up
-- What a subscription redacts and continues (comma-separated: credentials,
-- personal_data or kind ids).
ALTER TABLE subscriptions ADD COLUMN redact TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE subscriptions DROP COLUMN redact;

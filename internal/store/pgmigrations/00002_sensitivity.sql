-- +goose Up
ALTER TABLE subscriptions ADD COLUMN sensitivity TEXT NOT NULL DEFAULT 'medium';

-- +goose Down
ALTER TABLE subscriptions DROP COLUMN sensitivity;

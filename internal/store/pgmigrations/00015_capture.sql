-- +goose Up
-- Content capture for data security: what prompt and response text a
-- subscription keeps (off, findings, all), and the kept text, encrypted
-- (AES-256-GCM) with the key named beside it.
ALTER TABLE subscriptions ADD COLUMN capture TEXT NOT NULL DEFAULT 'off';
ALTER TABLE interactions ADD COLUMN content BYTEA;
ALTER TABLE interactions ADD COLUMN content_key TEXT NOT NULL DEFAULT '';
CREATE TABLE content_reveals (
    interaction TEXT NOT NULL,
    principal   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX content_reveals_by_interaction ON content_reveals (interaction, at);

-- +goose Down
DROP TABLE content_reveals;
ALTER TABLE interactions DROP COLUMN content_key;
ALTER TABLE interactions DROP COLUMN content;
ALTER TABLE subscriptions DROP COLUMN capture;

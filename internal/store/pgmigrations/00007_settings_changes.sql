-- +goose Up
-- The audit log of changes to subscriptions' settings: who, from where,
-- before and after. The anomalous-operation check reads a principal's past
-- changes from it.
CREATE TABLE settings_changes (
    id           TEXT PRIMARY KEY,
    subscription TEXT NOT NULL,
    principal    TEXT NOT NULL,
    at           TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX settings_changes_by_subscription ON settings_changes (subscription, at);

-- +goose Down
DROP TABLE settings_changes;

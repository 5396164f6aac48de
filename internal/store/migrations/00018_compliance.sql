-- +goose Up
-- Communication compliance: policies (kept as JSON), the review queue
-- (one item per interaction and policy met, with why; the user is shown to
-- reviewers as a pseudonym), and a general audit log of the actions people
-- take on compliance and eDiscovery records.
CREATE TABLE compliance_policies (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE review_items (
    id           TEXT PRIMARY KEY,
    interaction  TEXT NOT NULL,
    policy       TEXT NOT NULL,
    subscription TEXT NOT NULL,
    application  TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    reasons      TEXT NOT NULL,
    status       TEXT NOT NULL,
    at           TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (interaction, policy)
);
CREATE INDEX review_items_by_status ON review_items (status, at);
CREATE TABLE pseudonyms (
    user_id   TEXT PRIMARY KEY,
    pseudonym TEXT NOT NULL UNIQUE
);
CREATE TABLE audit_events (
    at        TEXT NOT NULL,
    principal TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX audit_events_by_target ON audit_events (target, at);
CREATE INDEX audit_events_by_at ON audit_events (at);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE pseudonyms;
DROP TABLE review_items;
DROP TABLE compliance_policies;

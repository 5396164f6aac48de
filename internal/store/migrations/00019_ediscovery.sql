-- +goose Up
-- eDiscovery: cases, the searches saved in them (what an export holds),
-- and holds placed for a case (released when it closes). The search index
-- over captured content is blind: keyed hashes of its words, in order,
-- never the words (interaction.Sealer.Terms). Each engine keeps it in its
-- own full-text form, between the dialect marks.
CREATE TABLE ediscovery_cases (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    closed_at   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE case_searches (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_searches_by_case ON case_searches (case_id, created_at);
ALTER TABLE holds ADD COLUMN case_id TEXT NOT NULL DEFAULT '';
-- dialect: begin
-- SQLite: FTS5, each row's rowid that of its interaction.
CREATE VIRTUAL TABLE content_index USING fts5(terms);
-- dialect: end

-- +goose Down
DROP TABLE content_index;
ALTER TABLE holds DROP COLUMN case_id;
DROP TABLE case_searches;
DROP TABLE ediscovery_cases;

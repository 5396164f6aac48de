-- +goose Up
-- The last scan of each model version of each configured model source,
-- and what it recommends.
CREATE TABLE model_scans (
    subscription TEXT NOT NULL,
    source       TEXT NOT NULL,
    model        TEXT NOT NULL,
    version      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    scanned_at   TEXT NOT NULL,
    files        BIGINT NOT NULL,
    highest      TEXT NOT NULL,
    error        TEXT NOT NULL,
    PRIMARY KEY (subscription, source, model, version)
);
CREATE TABLE model_recommendations (
    subscription   TEXT NOT NULL,
    source         TEXT NOT NULL,
    model          TEXT NOT NULL,
    version        TEXT NOT NULL,
    path           TEXT NOT NULL,
    member         TEXT NOT NULL,
    severity       TEXT NOT NULL,
    rule           TEXT NOT NULL,
    detail         TEXT NOT NULL,
    recommendation TEXT NOT NULL
);
CREATE INDEX model_recommendations_version ON model_recommendations (subscription, source, model, version);

-- +goose Down
DROP TABLE model_recommendations;
DROP TABLE model_scans;

-- +goose Up
CREATE TABLE watched_parties (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    name       TEXT NOT NULL,
    country    TEXT NOT NULL,
    type       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organisations (id),
    party_id        TEXT NOT NULL REFERENCES watched_parties (id) ON DELETE CASCADE,
    party_name      TEXT NOT NULL,
    list_id         TEXT NOT NULL,
    list_version    INTEGER NOT NULL,
    entry_id        TEXT NOT NULL,
    entry_hash      TEXT NOT NULL,
    entry_name      TEXT NOT NULL,
    meaning         TEXT NOT NULL,
    score           DOUBLE PRECISION NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by TEXT NOT NULL,
    UNIQUE (party_id, list_id, entry_id, entry_hash)
);
CREATE INDEX alerts_org ON alerts (org_id, created_at);

-- +goose Down
DROP TABLE alerts;
DROP TABLE watched_parties;

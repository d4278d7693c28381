-- +goose Up
CREATE TABLE screening_lists (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    format      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    entries     INTEGER NOT NULL,
    names       INTEGER NOT NULL,
    imported_at TEXT NOT NULL
) STRICT;

CREATE TABLE list_versions (
    list_id     TEXT NOT NULL REFERENCES screening_lists (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    entries     INTEGER NOT NULL,
    names       INTEGER NOT NULL,
    added       INTEGER NOT NULL,
    removed     INTEGER NOT NULL,
    changed     INTEGER NOT NULL,
    diff        TEXT NOT NULL,
    forced      INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (list_id, version)
) STRICT;

CREATE TABLE list_entries (
    list_id  TEXT NOT NULL REFERENCES screening_lists (id) ON DELETE CASCADE,
    entry_id TEXT NOT NULL,
    hash     TEXT NOT NULL,
    data     BLOB NOT NULL,
    PRIMARY KEY (list_id, entry_id)
) STRICT;

CREATE TABLE clearances (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    party      TEXT NOT NULL,
    list_id    TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    entry_hash TEXT NOT NULL,
    reason     TEXT NOT NULL,
    cleared_by TEXT NOT NULL,
    cleared_at TEXT NOT NULL,
    UNIQUE (org_id, party, list_id, entry_id, entry_hash)
) STRICT;
CREATE INDEX clearances_org ON clearances (org_id, cleared_at);

-- +goose Down
DROP TABLE clearances;
DROP TABLE list_entries;
DROP TABLE list_versions;
DROP TABLE screening_lists;

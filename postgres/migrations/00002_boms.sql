-- +goose Up
CREATE TABLE boms (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    name       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    parts      INTEGER NOT NULL,
    edges      INTEGER NOT NULL
);
CREATE INDEX boms_org ON boms (org_id, created_at);

CREATE TABLE bom_parts (
    bom_id        TEXT NOT NULL REFERENCES boms (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    part_id       TEXT NOT NULL,
    description   TEXT NOT NULL,
    class         TEXT NOT NULL,
    elements      TEXT NOT NULL,
    hs_code       TEXT NOT NULL,
    origin        TEXT NOT NULL,
    unit_value    TEXT NOT NULL,
    cn_technology TEXT NOT NULL,
    PRIMARY KEY (bom_id, seq),
    UNIQUE (bom_id, part_id)
);

CREATE TABLE bom_edges (
    bom_id    TEXT NOT NULL REFERENCES boms (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    parent_id TEXT NOT NULL,
    child_id  TEXT NOT NULL,
    quantity  TEXT NOT NULL,
    PRIMARY KEY (bom_id, seq)
);

-- +goose Down
DROP TABLE bom_edges;
DROP TABLE bom_parts;
DROP TABLE boms;

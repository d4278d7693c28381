-- +goose Up
-- Named counters: application and licence numbers per year, and the audit
-- sequence. Incrementing a row locks it until commit, so numbers and event
-- sequence numbers are handed out in commit order.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) STRICT;

CREATE TABLE applications (
    id         TEXT PRIMARY KEY,
    number     TEXT NOT NULL UNIQUE,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    state      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    green      INTEGER NOT NULL,
    due        TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    doc        TEXT NOT NULL
) STRICT;
CREATE INDEX applications_org ON applications (org_id, created_at);
CREATE INDEX applications_state ON applications (state, due);

CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    org_id         TEXT NOT NULL REFERENCES organisations (id),
    kind           TEXT NOT NULL,
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    uploaded_by    TEXT NOT NULL,
    uploaded_at    TEXT NOT NULL,
    data           BLOB NOT NULL
) STRICT;
CREATE INDEX documents_application ON documents (application_id, uploaded_at);

-- The used amounts can never pass the limits: the draw-down's conditional
-- update enforces it, and this check is the last line.
CREATE TABLE licences (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    application_id TEXT NOT NULL UNIQUE REFERENCES applications (id),
    org_id         TEXT NOT NULL REFERENCES organisations (id),
    status         TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_to       TEXT NOT NULL,
    quantity_limit INTEGER NOT NULL,
    quantity_used  INTEGER NOT NULL,
    value_limit    INTEGER NOT NULL,
    value_used     INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    version        INTEGER NOT NULL,
    updated_at     TEXT NOT NULL,
    doc            TEXT NOT NULL,
    CHECK (quantity_used >= 0 AND quantity_used <= quantity_limit AND value_used >= 0 AND value_used <= value_limit)
) STRICT;
CREATE INDEX licences_org ON licences (org_id);

CREATE TABLE shipments (
    id         TEXT PRIMARY KEY,
    licence_id TEXT NOT NULL REFERENCES licences (id),
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    date       TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    value      INTEGER NOT NULL,
    consignee  TEXT NOT NULL,
    reference  TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX shipments_licence ON shipments (licence_id, date);

-- Append-only: rarex never updates or deletes a row here.
CREATE TABLE audit_events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    org_id     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    action     TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    at         TEXT NOT NULL,
    before     TEXT NOT NULL,
    after      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_org ON audit_events (org_id, seq);
CREATE INDEX audit_events_subject ON audit_events (subject_id, seq);

CREATE TABLE validated_end_users (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    country  TEXT NOT NULL,
    note     TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    UNIQUE (name, country)
) STRICT;

CREATE TABLE exporter_profiles (
    org_id         TEXT PRIMARY KEY REFERENCES organisations (id),
    icp_reference  TEXT NOT NULL,
    icp_registered TEXT NOT NULL,
    last_violation TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

-- A POST sent with an Idempotency-Key runs once: its response is kept for
-- a day and replayed to a retry of the same request (status 0: running).
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;

-- Per-organisation webhooks: each new audit event of the organisation is
-- queued for every active hook (last_seq: the last event queued) and sent,
-- signed, until it is accepted or the attempts run out.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    last_seq   INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX webhooks_org ON webhooks (org_id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    org_id          TEXT NOT NULL,
    event_seq       INTEGER NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_code       INTEGER NOT NULL,
    last_error      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT,
    UNIQUE (webhook_id, event_seq)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

-- The public log's outbox: a decision and its log entry commit together; the
-- appender puts pending entries in the log and records their index. The
-- opening (salt and full record) is the exporter's and never leaves here
-- but through the exporter's download.
CREATE TABLE log_outbox (
    id         TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    entry      BLOB NOT NULL UNIQUE,
    opening    BLOB NOT NULL,
    log_index  INTEGER UNIQUE,
    created_at TEXT NOT NULL,
    logged_at  TEXT
) STRICT;
CREATE INDEX log_outbox_pending ON log_outbox (log_index, created_at);
CREATE INDEX log_outbox_subject ON log_outbox (subject_id);

-- +goose Down
DROP TABLE log_outbox;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE idempotency_keys;
DROP TABLE exporter_profiles;
DROP TABLE validated_end_users;
DROP TABLE audit_events;
DROP TABLE shipments;
DROP TABLE licences;
DROP TABLE documents;
DROP TABLE applications;
DROP TABLE counters;

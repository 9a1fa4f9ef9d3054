-- The API contract's data: accounts and sessions, drafts, tus uploads, applications with their
-- tracking, idempotency records. Times are Unix seconds (INTEGER); secrets are stored as SHA-256
-- hex only. Plain SQL that PostgreSQL also accepts (with BIGINT for INTEGER), so a second store
-- can share the schema.

-- People signed in through the app platform. `subject` is the platform's user id.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    id_number TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- One-time login tickets (single use: `used_at` is set by the exchange).
CREATE TABLE tickets (
    hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE TABLE sessions (
    hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    service_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX drafts_account ON drafts (account_id);

-- tus uploads. `upload_offset` is only ever raised after the bytes below it were fsynced.
-- state: partial | complete | rejected. `application_id` is set once an application uses it
-- (then it no longer expires).
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    upload_length INTEGER NOT NULL,
    upload_offset INTEGER NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'partial',
    content_type TEXT,
    blob_name TEXT,
    sha256 TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    completed_at INTEGER,
    application_id TEXT
);
CREATE INDEX uploads_account ON uploads (account_id);

-- Exactly-once submission: one row per (account, Idempotency-Key).
-- state: in_flight | done. `request_hash` is the SHA-256 of the canonical JSON body.
CREATE TABLE idempotency_keys (
    account_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    response TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    case_number TEXT NOT NULL UNIQUE,
    service_id TEXT NOT NULL,
    body TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX applications_account ON applications (account_id);

-- Per sub-item tracking. `depends_on` is a JSON array copied from the definition at submission;
-- `resume_status` is where a 补正 returns to once answered.
CREATE TABLE application_items (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    sub_item_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    resume_status TEXT,
    depends_on TEXT NOT NULL DEFAULT '[]',
    tracking_number TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (application_id, sub_item_id)
);

CREATE TABLE timeline_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    sub_item_id TEXT,
    status TEXT,
    note TEXT
);
CREATE INDEX timeline_application ON timeline_events (application_id);

CREATE TABLE supplements (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    sub_item_id TEXT NOT NULL,
    note TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    answer_text TEXT,
    answer_upload_ids TEXT,
    answered_at INTEGER
);
CREATE INDEX supplements_application ON supplements (application_id);

-- 好差评: once per case.
CREATE TABLE ratings (
    application_id TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    scores TEXT NOT NULL,
    comment TEXT,
    rated_at INTEGER NOT NULL
);

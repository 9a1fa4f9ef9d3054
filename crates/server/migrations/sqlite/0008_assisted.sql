-- 帮办代办: staff with the agent role fill an application for a named citizen, who confirms it
-- on their own phone (or the agent records a signed paper authorisation).

-- A staff account with the agent role: an ordinary account (its own sign-in, never a
-- citizen's identity) named here. Registered by the admin (`POST /api/admin/agents`).
CREATE TABLE agents (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    label TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- One assisted case. `citizen` is sealed ({name}); the citizen's ID number is kept only as its
-- SHA-256, which is what the confirmation is bound to. `body` (sealed) is the application the
-- agent submitted for confirmation; nothing is with the departments until `application_id`.
CREATE TABLE assisted_cases (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES accounts (id),
    service_id TEXT NOT NULL,
    citizen BLOB NOT NULL,
    citizen_id_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    code TEXT UNIQUE,
    body BLOB,
    paper_upload_id TEXT,
    created_at INTEGER NOT NULL,
    submitted_at INTEGER,
    expires_at INTEGER,
    answered_at INTEGER,
    citizen_account_id TEXT,
    application_id TEXT,
    key_id TEXT,
    dek BLOB
);
CREATE INDEX assisted_cases_agent ON assisted_cases (agent_id, created_at);

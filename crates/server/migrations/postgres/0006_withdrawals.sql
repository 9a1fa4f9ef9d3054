-- PostgreSQL's schema step 0006, the twin of ../sqlite/0006_withdrawals.sql: BIGINT for INTEGER, BYTEA for
-- BLOB and for the sealed columns (ciphertext), an identity column for AUTOINCREMENT.

-- A case the citizen withdrew (撤回) before any department accepted it. The reason is the
-- citizen's own words, which may name people: sealed like every other personal column
-- (`key_id`, `dek`; see crypto.rs). The timeline's `withdrawn` event shows it to the applicant.
CREATE TABLE withdrawals (
    application_id TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    reason BYTEA NOT NULL,
    withdrawn_at BIGINT NOT NULL,
    key_id TEXT,
    dek BYTEA
);

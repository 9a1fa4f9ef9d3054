-- A case the citizen withdrew (撤回) before any department accepted it. The reason is the
-- citizen's own words, which may name people: sealed like every other personal column
-- (`key_id`, `dek`; see crypto.rs). The timeline's `withdrawn` event shows it to the applicant.
CREATE TABLE withdrawals (
    application_id TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    reason BLOB NOT NULL,
    withdrawn_at INTEGER NOT NULL,
    key_id TEXT,
    dek BLOB
);

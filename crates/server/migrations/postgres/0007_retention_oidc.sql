-- PostgreSQL's schema step 0007, the twin of ../sqlite/0007_retention_oidc.sql: BIGINT for INTEGER, BYTEA for
-- BLOB and for the sealed columns (ciphertext), an identity column for AUTOINCREMENT.

-- Retention: when the personal data of a finished case was deleted (NULL while it is held).
-- The case stays as a de-identified record: case number, service, statuses, dates, timeline
-- kinds, rating scores.
ALTER TABLE applications ADD COLUMN personal_data_deleted_at BIGINT;
CREATE INDEX applications_retention ON applications (personal_data_deleted_at, updated_at);

-- A rating's comment is the citizen's own words: sealed like every other personal column
-- (`key_id`, `dek`; rows written before this migration are sealed when the server starts).
ALTER TABLE ratings ADD COLUMN key_id TEXT;
ALTER TABLE ratings ADD COLUMN dek BYTEA;

-- OIDC sign-ins between `start` and `callback`, in the database so that a callback reaching
-- another instance, or a restarted one, completes. `state_hash` is the SHA-256 of the state
-- sent to the provider (which the browser's cookie also holds); the nonce and the PKCE
-- verifier are only useful together with the provider's one-time code.
CREATE TABLE oidc_pending (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    return_to TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_pending_expires ON oidc_pending (expires_at);

-- PostgreSQL's schema step 0003, the twin of ../sqlite/0003_consents_delivery.sql: BIGINT for INTEGER, BYTEA for
-- BLOB and for the sealed columns (ciphertext), an identity column for AUTOINCREMENT.

-- Consent requests: the holder of an e-licence (the other parent) authorises its fetch in
-- their own account. `code` is the short code shared with them (also the URL's last segment);
-- `holder_id_hash` is the SHA-256 of the holder's ID number as the applicant entered it, so
-- only the account with that number can answer, without the number stored a second time.
-- `holder_role` is the definition's `{zh, en}` name of the holder (父亲), copied at submission.
-- status: pending | approved | declined | expired.
CREATE TABLE consents (
    code TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    material_id TEXT NOT NULL,
    requester_id TEXT NOT NULL REFERENCES accounts (id),
    holder_role TEXT NOT NULL,
    holder_name BYTEA NOT NULL,
    holder_id_hash TEXT NOT NULL,
    valid_days BIGINT NOT NULL,
    status TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    answered_at BIGINT,
    answerer_id TEXT
);
CREATE INDEX consents_application ON consents (application_id);

-- How a delivered sub-item's result reached the citizen: the `Delivery` JSON.
ALTER TABLE application_items ADD COLUMN delivery TEXT;

-- The material a timeline event concerns (consent events).
ALTER TABLE timeline_events ADD COLUMN material_id TEXT;

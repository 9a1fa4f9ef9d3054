-- PostgreSQL's schema step 0010, the twin of ../sqlite/0010_privacy_consent.sql: BIGINT for INTEGER, BYTEA for
-- BLOB and for the sealed columns (ciphertext), an identity column for AUTOINCREMENT.

-- The applicant's consent to the privacy notice, recorded with the case: the notice version
-- agreed to, when the person agreed on the device (RFC 3339, as sent), whether the separate
-- consent to sensitive personal information was given, and when the server received it.
-- Not personal data itself: it stays when a finished case's personal data is deleted.
CREATE TABLE privacy_consents (
    application_id TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    agreed_at TEXT NOT NULL,
    sensitive BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);

-- The applicant's consent to the privacy notice, recorded with the case: the notice version
-- agreed to, when the person agreed on the device (RFC 3339, as sent), whether the separate
-- consent to sensitive personal information was given, and when the server received it.
-- Not personal data itself: it stays when a finished case's personal data is deleted.
CREATE TABLE privacy_consents (
    application_id TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    agreed_at TEXT NOT NULL,
    sensitive INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
);

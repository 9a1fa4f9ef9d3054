-- Personal data at rest: each record holding personal data gets its own data key, wrapped by a
-- master key. `key_id` names the master key, `dek` is the wrapped data key; the personal
-- columns then hold AES-256-GCM ciphertext (BLOB values in the TEXT columns: SQLite keeps a
-- value's own type). Rows written before this migration have `key_id` NULL and are sealed
-- when the server starts. Case numbers, statuses, dates and ids stay plain, so they stay
-- queryable.
ALTER TABLE accounts ADD COLUMN key_id TEXT;
ALTER TABLE accounts ADD COLUMN dek BLOB;
ALTER TABLE drafts ADD COLUMN key_id TEXT;
ALTER TABLE drafts ADD COLUMN dek BLOB;
ALTER TABLE applications ADD COLUMN key_id TEXT;
ALTER TABLE applications ADD COLUMN dek BLOB;
ALTER TABLE consents ADD COLUMN key_id TEXT;
ALTER TABLE consents ADD COLUMN dek BLOB;
ALTER TABLE supplements ADD COLUMN key_id TEXT;
ALTER TABLE supplements ADD COLUMN dek BLOB;
ALTER TABLE uploads ADD COLUMN key_id TEXT;
ALTER TABLE uploads ADD COLUMN dek BLOB;

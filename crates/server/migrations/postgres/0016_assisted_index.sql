-- PostgreSQL's schema step 0013, the twin of ../sqlite/0013_assisted_index.sql.

-- The citizen of an assisted case (帮办代办) was kept as the bare SHA-256 of their ID number,
-- which a search of the few possible numbers reverses. It becomes a blind index, as the
-- accounts' (0012, `crate::crypto`, "Blind index"): the HMAC-SHA256 of the normalised number
-- under a key derived from a master key, hex, with that master key's id; recomputed under the
-- new key when the master key is rotated. An empty index is a case whose personal data
-- retention erased.
--
-- The index is computed at start from the sealed citizen record (`store::keys::reindex`), so
-- the bare digests go here at once; `citizen_id_hash` stays, always empty, for replicas of the
-- previous version still running during a rolling start.
ALTER TABLE assisted_cases ADD COLUMN citizen_id_index TEXT;
ALTER TABLE assisted_cases ADD COLUMN citizen_id_index_key TEXT;
UPDATE assisted_cases SET citizen_id_index = '' WHERE citizen_id_hash = '';
UPDATE assisted_cases SET citizen_id_hash = '';

-- The account made for a citizen who confirmed on paper had the subject
-- `assisted-citizen:<SHA-256 of the ID number>`. Its subject becomes `assisted-citizen:` and
-- the account's own blind index (`accounts.id_index`), rewritten with it at every rotation:
-- here a neutral one, and the index marked as not computed, so the start writes the final one.
-- Those accounts are found by their blind index, never by the subject's form.
UPDATE accounts SET subject = 'assisted-citizen:account:' || id, id_index_key = NULL
WHERE subject LIKE 'assisted-citizen:%';

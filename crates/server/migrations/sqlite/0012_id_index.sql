-- A blind index of each account's ID number (`crate::crypto`, "Blind index"): the HMAC-SHA256
-- of the normalised number under a key derived from a master key, hex, and the id of that
-- master key. The ID number itself stays sealed; the index lets a consent request find the
-- holder's account when it is made, without opening every account. Filled at start for the
-- accounts written before, recomputed under the new key when the master key is rotated.
ALTER TABLE accounts ADD COLUMN id_index TEXT;
ALTER TABLE accounts ADD COLUMN id_index_key TEXT;
CREATE INDEX accounts_id_index ON accounts (id_index);

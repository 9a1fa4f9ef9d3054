-- A ticket's exchange whose answer was lost (a weak network, a page left while it ran) may be
-- asked again with the same `Idempotency-Key` until the ticket expires: the hash of that key is
-- kept with the used ticket. A ticket exchanged at the app platform is recorded here too, so
-- its retry does not ask the platform again (its tickets are single use there as well).
ALTER TABLE tickets ADD COLUMN used_by TEXT;

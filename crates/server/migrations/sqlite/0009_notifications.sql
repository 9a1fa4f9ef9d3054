-- Notices that find the person (消息中心 and the outbox). One row per event, written in the
-- same transaction as the event it reports; `event_key` is unique, so an event is noticed once
-- however often its writer runs. The row is the citizen's message (`read_at`) and the outbox's
-- entry at the same time: the sender marks it `sent_at` only after the configured sender
-- accepted it, and retries with exponential backoff (`attempts`, `next_attempt_at`) until then.
-- No personal data: kinds, ids, case numbers and dates only; texts are made from the service
-- definitions when shown or sent.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    application_id TEXT REFERENCES applications (id) ON DELETE CASCADE,
    sub_item_id TEXT,
    material_id TEXT,
    due_on TEXT,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    sent_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT
);
CREATE INDEX notifications_account ON notifications (account_id, id);
CREATE INDEX notifications_outbox ON notifications (next_attempt_at) WHERE sent_at IS NULL;

-- A deferred material's (容缺) supplement request: which material, and its last day
-- (YYYY-MM-DD, working days of China's calendar), so the sweeper can warn 3 and 1 working
-- days before.
ALTER TABLE supplements ADD COLUMN material_id TEXT;
ALTER TABLE supplements ADD COLUMN due_on TEXT;

-- A request to withdraw one sub-item of a case a department has partly accepted (撤回申请):
-- the citizen's reason (their own words: sealed, `key_id`/`dek`, see crypto.rs), and the
-- department's answer. status: pending | approved | declined. One pending request per
-- sub-item; after a refusal the citizen may ask again.
CREATE TABLE item_withdrawals (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    sub_item_id TEXT NOT NULL,
    reason BLOB NOT NULL,
    requested_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    answered_at INTEGER,
    key_id TEXT,
    dek BLOB
);
CREATE INDEX item_withdrawals_item ON item_withdrawals (application_id, sub_item_id);
CREATE UNIQUE INDEX item_withdrawals_pending ON item_withdrawals (application_id, sub_item_id)
    WHERE status = 'pending';

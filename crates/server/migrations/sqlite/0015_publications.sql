-- 亮晒: the public list of resolved problems (涉企问题闭环). When a sub-item whose outcome is of
-- kind `publication` completes, one entry is written in the same transaction as the move. An
-- entry is de-identified when written: a random public id (not the case's id or number), the
-- service, the date, the choice facts the sub-item receives (by their labels) and what the
-- department recorded for the public, as JSON (`entry`). Nothing of it is personal data, so
-- retention leaves it. `application_id` stays internal (the list never shows it): it keeps one
-- entry per sub-item and hides the entry of a withdrawn case.
CREATE TABLE publications (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    sub_item_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    published_on TEXT NOT NULL,
    entry TEXT NOT NULL,
    UNIQUE (application_id, sub_item_id)
);
CREATE INDEX publications_newest ON publications (published_at, id);
CREATE INDEX publications_service_newest ON publications (service_id, published_at, id);

-- The public's 好差评 of a published entry: one per account and entry, a score of 1 to 5 and an
-- optional reason from a fixed list (no free text: nothing to moderate).
CREATE TABLE publication_ratings (
    publication_id TEXT NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    score INTEGER NOT NULL,
    reason TEXT,
    rated_at INTEGER NOT NULL,
    PRIMARY KEY (publication_id, account_id)
);

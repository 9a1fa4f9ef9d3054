-- The store's own bookkeeping. Drafts, uploads and applications arrive with the API contract.
CREATE TABLE IF NOT EXISTS server_starts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    version TEXT NOT NULL
);

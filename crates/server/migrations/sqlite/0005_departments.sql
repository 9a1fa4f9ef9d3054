-- Departments receive the cases. A department token (issued by the admin, stored as its SHA-256
-- only) names the department as the service definitions write it; it sees the sub-items whose
-- definition names that department.
CREATE TABLE department_tokens (
    hash TEXT PRIMARY KEY,
    department TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Who read which personal data or moved what, when (PIPL). Append-only: the triggers refuse
-- every change and deletion, also of the server itself.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    application_id TEXT,
    case_number TEXT,
    sub_item_id TEXT,
    detail TEXT
);
CREATE INDEX audit_log_application ON audit_log (application_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- The department that made a move, on its timeline event.
ALTER TABLE timeline_events ADD COLUMN department TEXT;

-- The last day of a sub-item's legal time limit (YYYY-MM-DD), for the departments' queues.
ALTER TABLE application_items ADD COLUMN due_on TEXT;
CREATE INDEX application_items_queue ON application_items (sub_item_id, status);

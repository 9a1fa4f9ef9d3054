//! Departments' tokens, their queues (the sub-items they handle, across cases), and the audit
//! log of every read of personal data and every move.

use super::Conn;
use onething_core::api::{AuditEntry, QueueEntry, SubItemStatus};
use onething_core::wire;

use super::Pool;
use crate::clock::rfc3339;

/// Records a department token (by its hash).
///
/// # Errors
/// The database fails.
pub async fn insert_token(
    db: &Pool,
    hash: &str,
    department: &str,
    label: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO department_tokens (hash, department, label, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash)
    .bind(department)
    .bind(label)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The department and label of a live token with this hash.
///
/// # Errors
/// The database fails.
pub async fn token(db: &Pool, hash: &str, now: i64) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "SELECT department, label FROM department_tokens WHERE hash = $1 AND expires_at > $2",
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// The filters of a queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter<'a> {
    /// Only this status.
    pub status: Option<SubItemStatus>,
    /// Only due on or before this day (`YYYY-MM-DD`).
    pub due_before: Option<&'a str>,
}

type QueueRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
);

/// `(service_id, sub_item_id) IN (VALUES ($1, $2), …)` for `n` pairs (parameters `$1` to
/// `$2n`).
fn scope_sql(n: usize) -> String {
    let pairs = (0..n)
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    format!("(a.service_id, i.sub_item_id) IN (VALUES {pairs})")
}

/// A page of the sub-items in `scope` (`(service_id, sub_item_id)` pairs), soonest due first,
/// and how many there are in all.
///
/// # Errors
/// The database fails.
pub async fn queue(
    conn: &mut Conn,
    scope: &[(String, String)],
    filter: &QueueFilter<'_>,
    limit: u32,
    offset: u64,
) -> sqlx::Result<(Vec<QueueEntry>, u64)> {
    if scope.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let status = filter.status.map(|s| wire::name(&s));
    // The scope's pairs are `$1` to `$2n`; the filters follow.
    let p = 2 * scope.len();
    let from = format!(
        "FROM application_items i JOIN applications a ON a.id = i.application_id
         WHERE {} AND (${} IS NULL OR i.status = ${}) AND (${} IS NULL OR i.due_on <= ${})",
        scope_sql(scope.len()),
        p + 1,
        p + 2,
        p + 3,
        p + 4,
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for (service, sub) in scope {
        count = count.bind(service).bind(sub);
    }
    let total = count
        .bind(status)
        .bind(status)
        .bind(filter.due_before)
        .bind(filter.due_before)
        .fetch_one(&mut *conn)
        .await?;
    let rows_sql = format!(
        "SELECT a.id, a.case_number, a.service_id, i.sub_item_id, i.status, a.submitted_at,
         i.updated_at, i.due_on {from}
         ORDER BY i.due_on IS NULL, i.due_on, a.submitted_at, a.id, i.sub_item_id
         LIMIT ${} OFFSET ${}",
        p + 5,
        p + 6,
    );
    let mut rows = sqlx::query_as::<_, QueueRow>(&rows_sql);
    for (service, sub) in scope {
        rows = rows.bind(service).bind(sub);
    }
    let rows = rows
        .bind(status)
        .bind(status)
        .bind(filter.due_before)
        .bind(filter.due_before)
        .bind(i64::from(limit))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(conn)
        .await?;
    let entries = rows
        .into_iter()
        .map(
            |(
                application_id,
                case_number,
                service_id,
                sub_item_id,
                status,
                submitted,
                updated,
                due_on,
            )| {
                QueueEntry {
                    application_id,
                    case_number,
                    service_id,
                    sub_item_id,
                    status: wire::parse(&status).unwrap_or(SubItemStatus::Received),
                    submitted_at: rfc3339(submitted),
                    updated_at: rfc3339(updated),
                    due_on,
                }
            },
        )
        .collect();
    Ok((entries, u64::try_from(total).unwrap_or(0)))
}

/// An application's plain head: id, case number, service, submission time.
///
/// # Errors
/// The database fails.
pub async fn head(
    conn: &mut Conn,
    application_id: &str,
) -> sqlx::Result<Option<(String, String, String, i64)>> {
    sqlx::query_as(
        "SELECT id, case_number, service_id, submitted_at FROM applications WHERE id = $1",
    )
    .bind(application_id)
    .fetch_optional(conn)
    .await
}

/// One line of the audit log to write.
#[derive(Debug, Clone, Default)]
pub struct AuditRecord<'a> {
    /// Who.
    pub actor: &'a str,
    /// What.
    pub action: &'a str,
    /// The application.
    pub application_id: Option<&'a str>,
    /// Its case number.
    pub case_number: Option<&'a str>,
    /// The sub-item.
    pub sub_item_id: Option<&'a str>,
    /// Which fields or file, or the move.
    pub detail: Option<&'a str>,
}

/// Appends a line to the audit log (the table refuses changes and deletions).
///
/// # Errors
/// The database fails.
pub async fn audit(conn: &mut Conn, now: i64, r: &AuditRecord<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, application_id, case_number, sub_item_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now)
    .bind(r.actor)
    .bind(r.action)
    .bind(r.application_id)
    .bind(r.case_number)
    .bind(r.sub_item_id)
    .bind(r.detail)
    .execute(conn)
    .await?;
    Ok(())
}

type AuditRow = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The audit log after `after`, oldest first, of one application when given.
///
/// # Errors
/// The database fails.
pub async fn audit_entries(
    db: &Pool,
    application_id: Option<&str>,
    after: i64,
    limit: u32,
) -> sqlx::Result<Vec<AuditEntry>> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, at, actor, action, application_id, case_number, sub_item_id, detail
         FROM audit_log WHERE id > $1 AND ($2 IS NULL OR application_id = $3) ORDER BY id LIMIT $4",
    )
    .bind(after)
    .bind(application_id)
    .bind(application_id)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, at, actor, action, application_id, case_number, sub_item_id, detail)| {
                AuditEntry {
                    id: u64::try_from(id).unwrap_or(0),
                    at: rfc3339(at),
                    actor,
                    action,
                    application_id,
                    case_number,
                    sub_item_id,
                    detail,
                }
            },
        )
        .collect())
}

/// Whether the case was rated (好差评).
///
/// # Errors
/// The database fails.
pub async fn rated(conn: &mut Conn, application_id: &str) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ratings WHERE application_id = $1")
        .bind(application_id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

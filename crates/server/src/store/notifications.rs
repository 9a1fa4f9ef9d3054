//! Notices and their outbox (migration 0009): one row per event, for the citizen's message
//! centre and for the sender. Written in the transaction of the event it reports, with a unique
//! event key, so an event is noticed exactly once; marked sent only once the sender succeeded.

use super::Conn;
use onething_core::api::MessageKind;

use super::Pool;

/// A notice to record.
#[derive(Debug, Clone)]
pub struct NewNotice<'a> {
    /// Unique per event (`supplement:<id>`, `result:<app>:<sub>:<status>` …).
    pub event_key: &'a str,
    /// Whom it is for.
    pub account_id: &'a str,
    /// What it is about.
    pub kind: MessageKind,
    /// The case.
    pub application_id: &'a str,
    /// The sub-item, if one.
    pub sub_item_id: Option<&'a str>,
    /// The material, if one.
    pub material_id: Option<&'a str>,
    /// A deadline, if one (`YYYY-MM-DD`).
    pub due_on: Option<&'a str>,
}

/// Records a notice unless its event was noticed already. Returns whether it is new.
///
/// # Errors
/// The database fails.
pub async fn enqueue(conn: &mut Conn, n: &NewNotice<'_>, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO notifications (event_key, account_id, kind, application_id, sub_item_id,
         material_id, due_on, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_key) DO NOTHING",
    )
    .bind(n.event_key)
    .bind(n.account_id)
    .bind(n.kind.as_str())
    .bind(n.application_id)
    .bind(n.sub_item_id)
    .bind(n.material_id)
    .bind(n.due_on)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a notice for the owner of `application_id` (nothing when the case is gone).
///
/// # Errors
/// The database fails.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_for_owner(
    conn: &mut Conn,
    event_key: &str,
    kind: MessageKind,
    application_id: &str,
    sub_item_id: Option<&str>,
    material_id: Option<&str>,
    due_on: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let Some(owner) = super::applications::owner(conn, application_id).await? else {
        return Ok(false);
    };
    enqueue(
        conn,
        &NewNotice {
            event_key,
            account_id: &owner,
            kind,
            application_id,
            sub_item_id,
            material_id,
            due_on,
        },
        now,
    )
    .await
}

/// A stored notice with what its text is made from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    /// Row id.
    pub id: i64,
    /// Unique event key.
    pub event_key: String,
    /// Whom it is for.
    pub account_id: String,
    /// The account's platform subject (the platform's user id, the address of a message).
    pub subject: String,
    /// Wire name of its [`MessageKind`].
    pub kind: String,
    /// The case.
    pub application_id: Option<String>,
    /// Its case number.
    pub case_number: Option<String>,
    /// Its service.
    pub service_id: Option<String>,
    /// The sub-item.
    pub sub_item_id: Option<String>,
    /// The material.
    pub material_id: Option<String>,
    /// A deadline.
    pub due_on: Option<String>,
    /// When it was made.
    pub created_at: i64,
    /// When the citizen read it.
    pub read_at: Option<i64>,
    /// How many times sending failed.
    pub attempts: i64,
}

const SELECT: &str = "SELECT n.id, n.event_key, n.account_id, c.subject, n.kind, n.application_id,
    a.case_number, a.service_id, n.sub_item_id, n.material_id, n.due_on, n.created_at, n.read_at,
    n.attempts
    FROM notifications n JOIN accounts c ON c.id = n.account_id
    LEFT JOIN applications a ON a.id = n.application_id";

/// The account's latest notices, newest first.
///
/// # Errors
/// The database fails.
pub async fn list(conn: &mut Conn, account_id: &str, limit: u32) -> sqlx::Result<Vec<NoticeRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE n.account_id = $1 ORDER BY n.id DESC LIMIT $2"
    ))
    .bind(account_id)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await
}

/// How many of the account's notices are unread.
///
/// # Errors
/// The database fails.
pub async fn unread(conn: &mut Conn, account_id: &str) -> sqlx::Result<u32> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(conn)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Marks one of the account's notices read. `false` when it has no such notice.
///
/// # Errors
/// The database fails.
pub async fn mark_read(conn: &mut Conn, account_id: &str, id: i64, now: i64) -> sqlx::Result<bool> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM notifications WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_none() {
        return Ok(false);
    }
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(true)
}

/// Marks every notice of the account read.
///
/// # Errors
/// The database fails.
pub async fn mark_all_read(conn: &mut Conn, account_id: &str, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Unsent notices whose (next) attempt is due, oldest first.
///
/// # Errors
/// The database fails.
pub async fn due(db: &Pool, now: i64, limit: u32) -> sqlx::Result<Vec<NoticeRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE n.sent_at IS NULL AND n.next_attempt_at <= $1 ORDER BY n.id LIMIT $2"
    ))
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await
}

/// The sender accepted it.
///
/// # Errors
/// The database fails.
pub async fn mark_sent(db: &Pool, id: i64, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE notifications SET sent_at = $1, last_error = NULL WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Sending failed: try again at `next` (the error is the sender's, without the body).
///
/// # Errors
/// The database fails.
pub async fn mark_failed(db: &Pool, id: i64, next: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2
         WHERE id = $3",
    )
    .bind(next)
    .bind(error)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// How many notices wait to be sent (the outbox's depth).
///
/// # Errors
/// The database fails.
pub async fn depth(db: &Pool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE sent_at IS NULL")
        .fetch_one(db)
        .await
}

/// Records which deferred material a supplement request is for and its last day.
///
/// # Errors
/// The database fails.
pub async fn set_supplement_deadline(
    conn: &mut Conn,
    supplement_id: &str,
    material_id: &str,
    due_on: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE supplements SET material_id = $1, due_on = $2 WHERE id = $3")
        .bind(material_id)
        .bind(due_on)
        .bind(supplement_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// An open deferred-material request with a deadline: supplement id, case, sub-item,
/// material, last day.
pub type OpenDeadline = (String, String, String, Option<String>, String);

/// Unanswered supplement requests with a deadline on or after `from` (`YYYY-MM-DD`), of
/// sub-items not withdrawn, rejected or done.
///
/// # Errors
/// The database fails.
pub async fn open_deadlines(db: &Pool, from: &str) -> sqlx::Result<Vec<OpenDeadline>> {
    sqlx::query_as(
        "SELECT s.id, s.application_id, s.sub_item_id, s.material_id, s.due_on
         FROM supplements s JOIN application_items i
           ON i.application_id = s.application_id AND i.sub_item_id = s.sub_item_id
         WHERE s.answered_at IS NULL AND s.due_on IS NOT NULL AND s.due_on >= $1
           AND i.status NOT IN ('withdrawn', 'rejected', 'completed', 'delivered')
         ORDER BY s.due_on, s.id",
    )
    .bind(from)
    .fetch_all(db)
    .await
}

/// A pending consent request the account has not been noticed of: code, case, material.
pub type UnnoticedConsent = (String, String, String);

/// Consent requests still waiting for an answer at `now`, asked by someone else than
/// `account_id`, of which `account_id` has no `consent:<code>:asked:<account>` notice yet:
/// the candidates to match against the account's ID number (see
/// `crate::notify::notice_consents_asked`).
///
/// # Errors
/// The database fails.
pub async fn unnoticed_consents(
    conn: &mut Conn,
    account_id: &str,
    now: i64,
) -> sqlx::Result<Vec<UnnoticedConsent>> {
    sqlx::query_as(
        "SELECT c.code, c.application_id, c.material_id FROM consents c
         WHERE c.requester_id <> $1 AND c.status = 'pending' AND c.expires_at > $2
           AND c.holder_id_hash <> ''
           AND NOT EXISTS (SELECT 1 FROM notifications n
                           WHERE n.event_key = 'consent:' || c.code || ':asked:' || $3)
         ORDER BY c.requested_at, c.code",
    )
    .bind(account_id)
    .bind(now)
    .bind(account_id)
    .fetch_all(conn)
    .await
}

//! Requests to withdraw one sub-item of a partly accepted case (撤回申请, migration 0009): the
//! citizen's reason, sealed under the row's data key, and the department's answer.

use super::Conn;
use onething_core::api::{ItemWithdrawal, ItemWithdrawalStatus};
use onething_core::wire;

use super::keys::{open_text, record_key};
use crate::clock::{new_id, rfc3339};
use crate::crypto::Keys;

/// The sealed column's label.
const REASON: &str = "item_withdrawals.reason";

/// Records a pending request. `false` when one is pending already.
///
/// # Errors
/// The database fails.
pub async fn insert(
    conn: &mut Conn,
    keys: &Keys,
    application_id: &str,
    sub_item_id: &str,
    reason: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let rk = keys.fresh();
    let done = sqlx::query(
        "INSERT INTO item_withdrawals (id, application_id, sub_item_id, reason, requested_at,
         status, key_id, dek) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)
         ON CONFLICT DO NOTHING",
    )
    .bind(new_id())
    .bind(application_id)
    .bind(sub_item_id)
    .bind(rk.seal(REASON, reason.as_bytes()))
    .bind(now)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

type Row = (
    Vec<u8>,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<Vec<u8>>,
);

/// The latest request for a sub-item, opened.
///
/// # Errors
/// The database fails, or the reason does not open.
pub async fn latest(
    conn: &mut Conn,
    keys: &Keys,
    application_id: &str,
    sub_item_id: &str,
) -> sqlx::Result<Option<ItemWithdrawal>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT reason, requested_at, status, note, answered_at, key_id, dek
         FROM item_withdrawals WHERE application_id = $1 AND sub_item_id = $2
         ORDER BY requested_at DESC, CASE WHEN status = 'pending' THEN 1 ELSE 0 END DESC,
         COALESCE(answered_at, 0) DESC, id DESC LIMIT 1",
    )
    .bind(application_id)
    .bind(sub_item_id)
    .fetch_optional(conn)
    .await?;
    row.map(
        |(reason, requested_at, status, note, answered_at, key_id, dek)| {
            let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?;
            Ok(ItemWithdrawal {
                reason: open_text(rk.as_ref(), REASON, reason)?,
                requested_at: rfc3339(requested_at),
                status: wire::parse(&status).unwrap_or(ItemWithdrawalStatus::Declined),
                note,
                answered_at: answered_at.map(rfc3339),
            })
        },
    )
    .transpose()
}

/// Whether a request for the sub-item waits for an answer.
///
/// # Errors
/// The database fails.
pub async fn pending(
    conn: &mut Conn,
    application_id: &str,
    sub_item_id: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM item_withdrawals
         WHERE application_id = $1 AND sub_item_id = $2 AND status = 'pending'",
    )
    .bind(application_id)
    .bind(sub_item_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Answers the pending request. `false` when none is pending.
///
/// # Errors
/// The database fails.
pub async fn answer(
    conn: &mut Conn,
    application_id: &str,
    sub_item_id: &str,
    status: ItemWithdrawalStatus,
    note: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE item_withdrawals SET status = $1, note = $2, answered_at = $3
         WHERE application_id = $4 AND sub_item_id = $5 AND status = 'pending'",
    )
    .bind(wire::name(&status))
    .bind(note)
    .bind(now)
    .bind(application_id)
    .bind(sub_item_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

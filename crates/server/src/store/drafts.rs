//! Drafts: owned by an account, versioned for optimistic concurrency, expiring.

use onething_core::api::Draft;

use super::Pool;
use super::keys::{open_text, record_key};
use crate::clock::rfc3339;
use crate::crypto::Keys;

type Row = (
    String,
    String,
    i64,
    Vec<u8>,
    i64,
    i64,
    i64,
    Option<String>,
    Option<Vec<u8>>,
);

const COLUMNS: &str =
    "id, service_id, version, data, created_at, updated_at, expires_at, key_id, dek";

fn to_draft(
    keys: &Keys,
    (id, service_id, version, data, created_at, updated_at, expires_at, key_id, dek): Row,
) -> sqlx::Result<Draft> {
    let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?;
    let data = open_text(rk.as_ref(), "drafts.data", data)?;
    Ok(Draft {
        id,
        service_id,
        version: u64::try_from(version).unwrap_or(0),
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        created_at: rfc3339(created_at),
        updated_at: rfc3339(updated_at),
        expires_at: rfc3339(expires_at),
    })
}

/// What an update did.
#[derive(Debug)]
pub enum Update {
    /// Written; the new state.
    Done(Draft),
    /// The draft is at another version.
    Conflict(u64),
    /// No such draft of this account (or it expired).
    NotFound,
}

/// Creates a draft at version 1.
///
/// # Errors
/// The database fails.
#[expect(clippy::too_many_arguments, reason = "one column each, and the keys")]
pub async fn insert(
    db: &Pool,
    keys: &Keys,
    id: &str,
    account_id: &str,
    service_id: &str,
    data: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<Draft> {
    let rk = keys.fresh();
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO drafts (id, account_id, service_id, version, data, created_at, updated_at, expires_at, key_id, dek)
         VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(account_id)
    .bind(service_id)
    .bind(rk.seal("drafts.data", data.as_bytes()))
    .bind(now)
    .bind(now)
    .bind(expires_at)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .fetch_one(db)
    .await?;
    to_draft(keys, row)
}

/// One draft of this account, unless expired.
///
/// # Errors
/// The database fails.
pub async fn get(
    db: &Pool,
    keys: &Keys,
    id: &str,
    account_id: &str,
    now: i64,
) -> sqlx::Result<Option<Draft>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM drafts WHERE id = $1 AND account_id = $2 AND expires_at > $3"
    ))
    .bind(id)
    .bind(account_id)
    .bind(now)
    .fetch_optional(db)
    .await?;
    row.map(|r| to_draft(keys, r)).transpose()
}

/// The account's live drafts, most recently written first.
///
/// # Errors
/// The database fails.
pub async fn list(db: &Pool, keys: &Keys, account_id: &str, now: i64) -> sqlx::Result<Vec<Draft>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM drafts WHERE account_id = $1 AND expires_at > $2
         ORDER BY updated_at DESC, id"
    ))
    .bind(account_id)
    .bind(now)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(|r| to_draft(keys, r)).collect()
}

/// Replaces the data if the draft is still at `expected` (any version when `None`). The check
/// and the write are one statement, so two writers of the same version cannot both win.
///
/// # Errors
/// The database fails.
#[expect(clippy::too_many_arguments, reason = "one column each, and the keys")]
pub async fn update(
    db: &Pool,
    keys: &Keys,
    id: &str,
    account_id: &str,
    expected: Option<u64>,
    data: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<Update> {
    let expected = expected.map(|v| i64::try_from(v).unwrap_or(-1));
    // Each write seals under a fresh data key (and so under the active master key).
    let rk = keys.fresh();
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE drafts SET data = $1, key_id = $2, dek = $3, version = version + 1, updated_at = $4,
         expires_at = $5
         WHERE id = $6 AND account_id = $7 AND expires_at > $8 AND ($9 IS NULL OR version = $10)
         RETURNING {COLUMNS}"
    ))
    .bind(rk.seal("drafts.data", data.as_bytes()))
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .bind(now)
    .bind(expires_at)
    .bind(id)
    .bind(account_id)
    .bind(now)
    .bind(expected)
    .bind(expected)
    .fetch_optional(db)
    .await?;
    if let Some(row) = row {
        return Ok(Update::Done(to_draft(keys, row)?));
    }
    Ok(match get(db, keys, id, account_id, now).await? {
        Some(d) => Update::Conflict(d.version),
        None => Update::NotFound,
    })
}

/// Deletes a draft of this account; whether there was one.
///
/// # Errors
/// The database fails.
pub async fn delete(db: &Pool, id: &str, account_id: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query("DELETE FROM drafts WHERE id = $1 AND account_id = $2 AND expires_at > $3")
        .bind(id)
        .bind(account_id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(r.rows_affected() > 0)
}

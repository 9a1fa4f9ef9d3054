//! Drafts: owned by an account, versioned for optimistic concurrency, expiring.

use onething_core::api::Draft;

use super::Pool;
use crate::clock::rfc3339;

type Row = (String, String, i64, String, i64, i64, i64);

const COLUMNS: &str = "id, service_id, version, data, created_at, updated_at, expires_at";

fn to_draft((id, service_id, version, data, created_at, updated_at, expires_at): Row) -> Draft {
    Draft {
        id,
        service_id,
        version: u64::try_from(version).unwrap_or(0),
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        created_at: rfc3339(created_at),
        updated_at: rfc3339(updated_at),
        expires_at: rfc3339(expires_at),
    }
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
pub async fn insert(
    db: &Pool,
    id: &str,
    account_id: &str,
    service_id: &str,
    data: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<Draft> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO drafts (id, account_id, service_id, version, data, created_at, updated_at, expires_at)
         VALUES (?, ?, ?, 1, ?, ?, ?, ?) RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(account_id)
    .bind(service_id)
    .bind(data)
    .bind(now)
    .bind(now)
    .bind(expires_at)
    .fetch_one(db)
    .await?;
    Ok(to_draft(row))
}

/// One draft of this account, unless expired.
///
/// # Errors
/// The database fails.
pub async fn get(db: &Pool, id: &str, account_id: &str, now: i64) -> sqlx::Result<Option<Draft>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM drafts WHERE id = ? AND account_id = ? AND expires_at > ?"
    ))
    .bind(id)
    .bind(account_id)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.map(to_draft))
}

/// The account's live drafts, most recently written first.
///
/// # Errors
/// The database fails.
pub async fn list(db: &Pool, account_id: &str, now: i64) -> sqlx::Result<Vec<Draft>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM drafts WHERE account_id = ? AND expires_at > ?
         ORDER BY updated_at DESC, id"
    ))
    .bind(account_id)
    .bind(now)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(to_draft).collect())
}

/// Replaces the data if the draft is still at `expected` (any version when `None`). The check
/// and the write are one statement, so two writers of the same version cannot both win.
///
/// # Errors
/// The database fails.
pub async fn update(
    db: &Pool,
    id: &str,
    account_id: &str,
    expected: Option<u64>,
    data: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<Update> {
    let expected = expected.map(|v| i64::try_from(v).unwrap_or(-1));
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE drafts SET data = ?, version = version + 1, updated_at = ?, expires_at = ?
         WHERE id = ? AND account_id = ? AND expires_at > ? AND (? IS NULL OR version = ?)
         RETURNING {COLUMNS}"
    ))
    .bind(data)
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
        return Ok(Update::Done(to_draft(row)));
    }
    Ok(match get(db, id, account_id, now).await? {
        Some(d) => Update::Conflict(d.version),
        None => Update::NotFound,
    })
}

/// Deletes a draft of this account; whether there was one.
///
/// # Errors
/// The database fails.
pub async fn delete(db: &Pool, id: &str, account_id: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query("DELETE FROM drafts WHERE id = ? AND account_id = ? AND expires_at > ?")
        .bind(id)
        .bind(account_id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(r.rows_affected() > 0)
}

//! Idempotency records for `POST /api/applications` (one per account and key).

use super::{Pool, Tx};

/// What a new request with a key finds.
#[derive(Debug, PartialEq, Eq)]
pub enum Begin {
    /// The key is new (or its earlier attempt was abandoned): go ahead.
    Started,
    /// Done before with the same body: replay this status and body.
    Replay(u16, String),
    /// Used before with another body.
    Mismatch,
    /// Another request with this key is being processed.
    InFlight,
}

/// An in-flight record older than this is taken to be abandoned (its process died).
const ABANDONED_AFTER: i64 = 120;

/// Claims `key` for a request whose canonical body hashes to `hash`.
///
/// # Errors
/// The database fails.
pub async fn begin(
    db: &Pool,
    account_id: &str,
    key: &str,
    hash: &str,
    now: i64,
) -> sqlx::Result<Begin> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (account_id, idem_key, request_hash, state, created_at)
         VALUES (?, ?, ?, 'in_flight', ?) ON CONFLICT (account_id, idem_key) DO NOTHING",
    )
    .bind(account_id)
    .bind(key)
    .bind(hash)
    .bind(now)
    .execute(db)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Begin::Started);
    }
    let (stored_hash, state, status, response, created_at): (
        String,
        String,
        Option<i64>,
        Option<String>,
        i64,
    ) = sqlx::query_as(
        "SELECT request_hash, state, status, response, created_at FROM idempotency_keys
         WHERE account_id = ? AND idem_key = ?",
    )
    .bind(account_id)
    .bind(key)
    .fetch_one(db)
    .await?;
    if stored_hash != hash {
        return Ok(Begin::Mismatch);
    }
    if state == "done" {
        let status = status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200);
        return Ok(Begin::Replay(status, response.unwrap_or_default()));
    }
    if created_at <= now - ABANDONED_AFTER {
        let taken = sqlx::query(
            "UPDATE idempotency_keys SET created_at = ? WHERE account_id = ? AND idem_key = ?
             AND state = 'in_flight' AND created_at = ?",
        )
        .bind(now)
        .bind(account_id)
        .bind(key)
        .bind(created_at)
        .execute(db)
        .await?
        .rows_affected();
        if taken == 1 {
            return Ok(Begin::Started);
        }
    }
    Ok(Begin::InFlight)
}

/// Stores the response, in the transaction that wrote the result: both or neither.
///
/// # Errors
/// The database fails.
pub async fn finish(
    tx: &mut Tx<'_>,
    account_id: &str,
    key: &str,
    status: u16,
    response: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET state = 'done', status = ?, response = ?
         WHERE account_id = ? AND idem_key = ?",
    )
    .bind(i64::from(status))
    .bind(response)
    .bind(account_id)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets an in-flight key whose request failed, so the client may retry with it.
///
/// # Errors
/// The database fails.
pub async fn release(db: &Pool, account_id: &str, key: &str) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE account_id = ? AND idem_key = ? AND state = 'in_flight'",
    )
    .bind(account_id)
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets every in-flight key: called when the server starts, when no request can be running.
/// A request cut by a crash wrote nothing (its result and its record commit together), so its
/// client may retry at once instead of hearing "in flight" until the record counts as abandoned.
///
/// # Errors
/// The database fails.
pub async fn release_all_in_flight(db: &Pool) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE state = 'in_flight'")
            .execute(db)
            .await?
            .rows_affected(),
    )
}

/// Deletes records older than `before`.
///
/// # Errors
/// The database fails.
pub async fn sweep(db: &Pool, before: i64) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at <= ?")
            .bind(before)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

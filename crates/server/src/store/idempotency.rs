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

/// The lease of an in-flight record: older than this, it is taken to be abandoned whoever
/// holds it, and a retry takes it over.
const ABANDONED_AFTER: i64 = 120;

/// A replica whose heartbeat ([`heartbeat`]) is older than this many seconds of the wall clock
/// is taken to be gone: a retry takes its in-flight keys over at once, without waiting for
/// [`ABANDONED_AFTER`]. The replicas' clocks must agree to within a few seconds.
pub const GONE_AFTER: i64 = 10;

/// Seconds since the Unix epoch, of the wall clock (heartbeats are not the server's clock,
/// which `--dev-clock` may move).
pub fn wall_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Records that replica `instance` is alive now (every few seconds, see `AppState::open`).
///
/// # Errors
/// The database fails.
pub async fn heartbeat(db: &Pool, instance: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO replicas (instance, seen_at) VALUES ($1, $2)
         ON CONFLICT (instance) DO UPDATE SET seen_at = excluded.seen_at",
    )
    .bind(instance)
    .bind(wall_now())
    .execute(db)
    .await?;
    Ok(())
}

/// A stored record: request hash, state, status, response, claimed at, holder, and the holder's
/// last heartbeat.
type Stored = (
    String,
    String,
    Option<i64>,
    Option<String>,
    i64,
    Option<String>,
    Option<i64>,
);

/// Claims `key` for a request whose canonical body hashes to `hash`, on behalf of replica
/// `holder` (its instance id).
///
/// # Errors
/// The database fails.
pub async fn begin(
    db: &Pool,
    account_id: &str,
    key: &str,
    hash: &str,
    now: i64,
    holder: &str,
) -> sqlx::Result<Begin> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (account_id, idem_key, request_hash, state, created_at, holder)
         VALUES ($1, $2, $3, 'in_flight', $4, $5) ON CONFLICT (account_id, idem_key) DO NOTHING",
    )
    .bind(account_id)
    .bind(key)
    .bind(hash)
    .bind(now)
    .bind(holder)
    .execute(db)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Begin::Started);
    }
    let stored: Stored = sqlx::query_as(
        "SELECT k.request_hash, k.state, k.status, k.response, k.created_at, k.holder, r.seen_at
         FROM idempotency_keys k LEFT JOIN replicas r ON r.instance = k.holder
         WHERE k.account_id = $1 AND k.idem_key = $2",
    )
    .bind(account_id)
    .bind(key)
    .fetch_one(db)
    .await?;
    let (stored_hash, state, status, response, created_at, stored_holder, seen_at) = stored;
    if stored_hash != hash {
        return Ok(Begin::Mismatch);
    }
    if state == "done" {
        let status = status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200);
        return Ok(Begin::Replay(status, response.unwrap_or_default()));
    }
    // Abandoned: its lease ran out, or the replica that holds it is gone (its heartbeat
    // stopped; a holder never seen is one from before heartbeats, left to the lease).
    let holder_gone = seen_at.is_some_and(|seen| seen <= wall_now() - GONE_AFTER);
    if created_at <= now - ABANDONED_AFTER || holder_gone {
        let taken = sqlx::query(
            "UPDATE idempotency_keys SET created_at = $1, holder = $2
             WHERE account_id = $3 AND idem_key = $4 AND state = 'in_flight' AND created_at = $5
             AND COALESCE(holder, '') = $6",
        )
        .bind(now)
        .bind(holder)
        .bind(account_id)
        .bind(key)
        .bind(created_at)
        .bind(stored_holder.unwrap_or_default())
        .execute(db)
        .await?
        .rows_affected();
        if taken == 1 {
            return Ok(Begin::Started);
        }
    }
    Ok(Begin::InFlight)
}

/// Stores the response, in the transaction that wrote the result: both or neither. Only while
/// replica `holder` still holds the key: if another took it over (this one was taken for
/// gone), the transaction must not commit, and this fails.
///
/// # Errors
/// The database fails, or the key is no longer held by `holder`
/// ([`sqlx::Error::RowNotFound`]).
pub async fn finish(
    tx: &mut Tx<'_>,
    account_id: &str,
    key: &str,
    status: u16,
    response: &str,
    holder: &str,
) -> sqlx::Result<()> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET state = 'done', status = $1, response = $2
         WHERE account_id = $3 AND idem_key = $4 AND state = 'in_flight' AND holder = $5",
    )
    .bind(i64::from(status))
    .bind(response)
    .bind(account_id)
    .bind(key)
    .bind(holder)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(sqlx::Error::RowNotFound)
    }
}

/// Forgets an in-flight key whose request failed, so the client may retry with it (only while
/// replica `holder` holds it: a key taken over by another replica is that one's).
///
/// # Errors
/// The database fails.
pub async fn release(db: &Pool, account_id: &str, key: &str, holder: &str) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE account_id = $1 AND idem_key = $2
         AND state = 'in_flight' AND holder = $3",
    )
    .bind(account_id)
    .bind(key)
    .bind(holder)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets every in-flight key: called when the server starts on SQLite, when no request can be
/// running (one process serves the file; never on PostgreSQL, where other replicas may be).
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
    // Replicas gone for a day are forgotten (their keys are long past their lease).
    sqlx::query("DELETE FROM replicas WHERE seen_at <= $1")
        .bind(wall_now() - 86_400)
        .execute(db)
        .await?;
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at <= $1")
            .bind(before)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

//! Accounts, one-time tickets and sessions.

use onething_core::api::Account;

use super::Pool;

/// The account with this platform subject, created (with `fresh`'s data) when new. An existing
/// account keeps its data: the platform vouched for it once.
///
/// # Errors
/// The database fails.
pub async fn upsert_by_subject(
    db: &Pool,
    subject: &str,
    fresh: &Account,
    now: i64,
) -> sqlx::Result<Account> {
    sqlx::query(
        "INSERT INTO accounts (id, subject, name, phone, id_number, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING",
    )
    .bind(&fresh.id)
    .bind(subject)
    .bind(&fresh.name)
    .bind(&fresh.phone)
    .bind(&fresh.id_number)
    .bind(now)
    .execute(db)
    .await?;
    let (id, name, phone, id_number): (String, String, String, String) =
        sqlx::query_as("SELECT id, name, phone, id_number FROM accounts WHERE subject = ?")
            .bind(subject)
            .fetch_one(db)
            .await?;
    Ok(Account {
        id,
        name,
        phone,
        id_number,
    })
}

/// One account.
///
/// # Errors
/// The database fails.
pub async fn get(db: &Pool, id: &str) -> sqlx::Result<Option<Account>> {
    let row: Option<(String, String, String, String)> =
        sqlx::query_as("SELECT id, name, phone, id_number FROM accounts WHERE id = ?")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id, name, phone, id_number)| Account {
        id,
        name,
        phone,
        id_number,
    }))
}

/// Records a ticket (by hash) for an account.
///
/// # Errors
/// The database fails.
pub async fn insert_ticket(
    db: &Pool,
    hash: &str,
    account_id: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO tickets (hash, account_id, expires_at) VALUES (?, ?, ?)")
        .bind(hash)
        .bind(account_id)
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok(())
}

/// Uses a ticket up: the account it was for, if it existed, was unused and had not expired. One
/// statement, so two exchanges of the same ticket cannot both succeed.
///
/// # Errors
/// The database fails.
pub async fn consume_ticket(db: &Pool, hash: &str, now: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE tickets SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?
         RETURNING account_id",
    )
    .bind(now)
    .bind(hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Starts a session (by the hash of its token).
///
/// # Errors
/// The database fails.
pub async fn insert_session(
    db: &Pool,
    hash: &str,
    account_id: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(hash)
    .bind(account_id)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The account and end of the live session whose token has this hash.
///
/// # Errors
/// The database fails.
pub async fn session(db: &Pool, hash: &str, now: i64) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as("SELECT account_id, expires_at FROM sessions WHERE hash = ? AND expires_at > ?")
        .bind(hash)
        .bind(now)
        .fetch_optional(db)
        .await
}

/// Ends a session.
///
/// # Errors
/// The database fails.
pub async fn delete_session(db: &Pool, hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE hash = ?")
        .bind(hash)
        .execute(db)
        .await?;
    Ok(())
}

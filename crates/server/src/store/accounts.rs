//! Accounts, one-time tickets and sessions.

use onething_core::api::Account;

use super::Pool;
use super::keys::{open_text, record_key};
use crate::crypto::Keys;

/// The account with this platform subject, created (with `fresh`'s data) when new. An existing
/// account keeps its data: the platform vouched for it once. Name, phone and ID number are
/// sealed under the account's data key.
///
/// # Errors
/// The database fails, or the stored account does not open.
pub async fn upsert_by_subject(
    db: &Pool,
    keys: &Keys,
    subject: &str,
    fresh: &Account,
    now: i64,
) -> sqlx::Result<Account> {
    let rk = keys.fresh();
    sqlx::query(
        "INSERT INTO accounts (id, subject, name, phone, id_number, created_at, key_id, dek)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING",
    )
    .bind(&fresh.id)
    .bind(subject)
    .bind(rk.seal("accounts.name", fresh.name.as_bytes()))
    .bind(rk.seal("accounts.phone", fresh.phone.as_bytes()))
    .bind(rk.seal("accounts.id_number", fresh.id_number.as_bytes()))
    .bind(now)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .execute(db)
    .await?;
    let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE subject = ?"))
        .bind(subject)
        .fetch_one(db)
        .await?;
    to_account(keys, row)
}

type Row = (
    String,
    Vec<u8>,
    Vec<u8>,
    Vec<u8>,
    Option<String>,
    Option<Vec<u8>>,
);

const COLUMNS: &str = "id, name, phone, id_number, key_id, dek";

fn to_account(
    keys: &Keys,
    (id, name, phone, id_number, key_id, dek): Row,
) -> sqlx::Result<Account> {
    let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?;
    Ok(Account {
        id,
        name: open_text(rk.as_ref(), "accounts.name", name)?,
        phone: open_text(rk.as_ref(), "accounts.phone", phone)?,
        id_number: open_text(rk.as_ref(), "accounts.id_number", id_number)?,
    })
}

/// One account.
///
/// # Errors
/// The database fails, or the account does not open.
pub async fn get(db: &Pool, keys: &Keys, id: &str) -> sqlx::Result<Option<Account>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|r| to_account(keys, r)).transpose()
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

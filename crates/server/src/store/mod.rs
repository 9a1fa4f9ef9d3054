//! The data layer: every SQL statement of the server lives in this module, one file per
//! resource, as plain functions over a pool or a transaction. Handlers never write SQL, so a
//! PostgreSQL store is this module again with `$n` placeholders (the schema in `migrations/` is
//! portable SQL), selected at start by the database URL.

pub mod accounts;
pub mod applications;
pub mod consents;
pub mod drafts;
pub mod idempotency;
pub mod uploads;

/// The pool type of the store.
pub type Pool = sqlx::SqlitePool;
/// A transaction on the store.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

/// Deletes what has expired: tickets, sessions, drafts. Returns the number of rows deleted.
/// Uploads are swept by [`uploads::expired`] since their files go too.
///
/// # Errors
/// The database fails.
pub async fn sweep(db: &Pool, now: i64) -> sqlx::Result<u64> {
    let mut n = 0;
    for sql in [
        "DELETE FROM tickets WHERE expires_at <= ? OR used_at IS NOT NULL",
        "DELETE FROM sessions WHERE expires_at <= ?",
        "DELETE FROM drafts WHERE expires_at <= ?",
    ] {
        n += sqlx::query(sql)
            .bind(now)
            .execute(db)
            .await?
            .rows_affected();
    }
    Ok(n)
}

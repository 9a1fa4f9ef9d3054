//! The data layer: every SQL statement of the server lives in this module, one file per
//! resource, as plain async functions on SQLite through sqlx (over a pool, a transaction or a
//! connection). There is no storage trait: handlers, background jobs and tracking call these
//! functions and never write SQL. The statements and the schema (`migrations/`) are SQLite's
//! (`?` placeholders, `AUTOINCREMENT`, `strftime`, `BEGIN IMMEDIATE`), so another database
//! means writing this module again for it; outside it, only where `AppState::open` connects
//! would change.

pub mod accounts;
pub mod applications;
pub mod assisted;
pub mod consents;
pub mod departments;
pub mod drafts;
pub mod idempotency;
pub mod item_withdrawals;
pub mod keys;
pub mod notifications;
pub mod privacy;
pub mod retention;
pub mod uploads;

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

/// The pool type of the store.
pub type Pool = sqlx::SqlitePool;
/// A transaction on the store.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;
/// A connection of the store (a transaction dereferences to one).
pub type Conn = sqlx::SqliteConnection;

/// Opens (or creates) the database file: write-ahead log, foreign keys on, and a busy timeout
/// so writers queue instead of failing.
///
/// # Errors
/// The file cannot be opened or created.
pub async fn connect(file: &Path) -> sqlx::Result<Pool> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
}

/// Brings the schema up to date (`migrations/`).
///
/// # Errors
/// A migration fails, or the database holds migrations this build does not know.
pub async fn migrate(db: &Pool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("./migrations").run(db).await
}

/// Records that a server of this version started on the database.
///
/// # Errors
/// The database fails.
pub async fn record_start(db: &Pool, version: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO server_starts (version) VALUES (?)")
        .bind(version)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether the database answers (the health check).
///
/// # Errors
/// The database fails.
pub async fn ping(db: &Pool) -> sqlx::Result<()> {
    sqlx::query("SELECT 1").execute(db).await?;
    Ok(())
}

/// A transaction that takes the write lock at its start (`BEGIN IMMEDIATE`), so reading then
/// writing cannot race another writer: SQLite would otherwise fail the upgrade of a read
/// transaction with `SQLITE_BUSY` instead of waiting.
///
/// # Errors
/// The database fails.
pub async fn begin_immediate(db: &Pool) -> sqlx::Result<Tx<'static>> {
    db.begin_with("BEGIN IMMEDIATE").await
}

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

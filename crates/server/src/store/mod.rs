//! The data layer: every SQL statement of the server lives in this module, one file per
//! resource, as plain async functions through sqlx's `Any` driver (over a pool, a transaction
//! or a connection), on SQLite (the default: a file in the data directory, one process) or
//! PostgreSQL (`--database-url postgres://…`, shared by several replicas). There is no storage
//! trait: handlers, background jobs and tracking call these functions and never write SQL.
//!
//! One set of statements serves both: `$1` placeholders (SQLite reads them too), `ON CONFLICT`,
//! `RETURNING`, `CASE` instead of the two-argument `MAX`, integers as `i64`, booleans stored and
//! read as `0`/`1` integers, sealed values as bytes (the `Any` driver reads a column only as the
//! Rust type of its stored kind: no `u64`, no `bool` from an integer). What differs is in
//! [`Backend`]-matched places only: the schema (`migrations/sqlite`, `migrations/postgres`, the
//! same steps), [`connect`], [`begin_immediate`] (SQLite's `BEGIN IMMEDIATE`; an advisory lock
//! on PostgreSQL), the right to run background work ([`try_run`]), the upload lock
//! ([`uploads::lock`]) and live updates across replicas ([`changes`]).

pub mod accounts;
pub mod applications;
pub mod assisted;
pub mod changes;
pub mod consents;
pub mod departments;
pub mod drafts;
pub mod idempotency;
pub mod item_withdrawals;
pub mod keys;
pub mod notifications;
pub mod privacy;
pub mod publications;
pub mod retention;
pub mod uploads;

use std::time::Duration;

use sqlx::Executor as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;

/// The pool type of the store (SQLite or PostgreSQL, chosen by the URL).
pub type Pool = sqlx::AnyPool;
/// A transaction on the store.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;
/// A connection of the store (a transaction dereferences to one).
pub type Conn = sqlx::AnyConnection;

/// The database behind a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (the default).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The backend a database URL names (`sqlite:…`, `postgres://…` or `postgresql://…`).
    ///
    /// # Errors
    /// Another scheme.
    pub fn of_url(url: &str) -> Result<Self, String> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(format!(
                "the database URL must begin with sqlite: or postgres:// (got {scheme:?})"
            )),
        }
    }
}

/// The backend of an open pool.
pub fn backend(db: &Pool) -> Backend {
    match db.connect_options().database_url.scheme() {
        "sqlite" => Backend::Sqlite,
        _ => Backend::Postgres,
    }
}

/// The URL of the SQLite file `file`, created when missing. The path is made absolute first: in
/// `sqlite://dir/file` the first directory would be read as a host name (and lowercased).
pub fn sqlite_url(file: &std::path::Path) -> String {
    use sqlx::ConnectOptions as _;
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true)
        .to_url_lossy()
        .to_string()
}

/// Opens the database at `url`. SQLite: the file is created when missing, with write-ahead
/// log, foreign keys on, and a busy timeout so writers queue instead of failing. PostgreSQL:
/// a pool of connections to the server (the database must exist).
///
/// # Errors
/// The URL is not understood, or the database cannot be opened.
pub async fn connect(url: &str) -> sqlx::Result<Pool> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url).map_err(|e| sqlx::Error::Configuration(e.into()))?;
    let options: AnyConnectOptions = url.parse()?;
    match backend {
        Backend::Sqlite => {
            AnyPoolOptions::new()
                .max_connections(8)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;
                             PRAGMA journal_mode = WAL;",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await
        }
        Backend::Postgres => {
            AnyPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // A statement waiting on a lock longer than this fails instead of
                        // holding a connection (and its request) indefinitely.
                        conn.execute("SET lock_timeout = '20s'").await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await
        }
    }
}

/// Brings the schema up to date (`migrations/sqlite` or `migrations/postgres`).
///
/// # Errors
/// A migration fails, or the database holds migrations this build does not know.
pub async fn migrate(db: &Pool) -> Result<(), sqlx::migrate::MigrateError> {
    match backend(db) {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(db).await,
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(db).await,
    }
}

/// Records that a server of this version started on the database.
///
/// # Errors
/// The database fails.
pub async fn record_start(db: &Pool, version: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO server_starts (version) VALUES ($1)")
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

/// The key of the transaction-scoped advisory lock [`begin_immediate`] takes on PostgreSQL.
const WRITER_LOCK: i64 = 0x6f6e_6574_0001;

/// A transaction that takes the write lock at its start, so reading then writing cannot race
/// another writer. SQLite: `BEGIN IMMEDIATE` (it would otherwise fail the upgrade of a read
/// transaction with `SQLITE_BUSY` instead of waiting). PostgreSQL: a transaction that first
/// takes one transaction-scoped advisory lock, so these transactions run one at a time across
/// every replica, as on SQLite, and are released by the commit or rollback (or the
/// connection's end). Other reads and writes are not blocked.
///
/// # Errors
/// The database fails (on PostgreSQL also: the lock was not had within the lock timeout).
pub async fn begin_immediate(db: &Pool) -> sqlx::Result<Tx<'static>> {
    match backend(db) {
        Backend::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => {
            let mut tx = db.begin().await?;
            // The outer SELECT: `void` is no type the driver reads.
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS l")
                .bind(WRITER_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// Deletes what has expired: tickets, sessions, drafts. Returns the number of rows deleted.
/// Uploads are swept by [`uploads::expired`] since their files go too.
///
/// # Errors
/// The database fails.
pub async fn sweep(db: &Pool, now: i64) -> sqlx::Result<u64> {
    let mut n = 0;
    for sql in [
        // A used ticket stays until it expires: its exchange may be asked again with the same key.
        "DELETE FROM tickets WHERE expires_at <= $1",
        "DELETE FROM sessions WHERE expires_at <= $1",
        "DELETE FROM drafts WHERE expires_at <= $1",
    ] {
        n += sqlx::query(sql)
            .bind(now)
            .execute(db)
            .await?
            .rows_affected();
    }
    Ok(n)
}

/// The key of the session advisory lock held by the replica that runs the background work.
const RUNNER_LOCK: i64 = 0x6f6e_6574_0002;

/// The right to run the background work of a database (the sweeper, the demo timer): one
/// replica holds it. SQLite: the one process that serves the file. PostgreSQL: a session
/// advisory lock on a connection of its own, released when this value is dropped or the
/// connection (or the process) dies, so another replica takes over.
pub struct Runner {
    conn: Option<Conn>,
}

impl Runner {
    /// Whether it still holds the right (its connection answers).
    pub async fn holds(&mut self) -> bool {
        match &mut self.conn {
            None => true,
            Some(conn) => sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok(),
        }
    }
}

/// Takes the right to run the background work if no other replica holds it.
///
/// # Errors
/// The database fails.
pub async fn try_run(db: &Pool) -> sqlx::Result<Option<Runner>> {
    if backend(db) == Backend::Sqlite {
        return Ok(Some(Runner { conn: None }));
    }
    // Out of the pool: the lock lives as long as this connection.
    let mut conn = db.acquire().await?.detach();
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(RUNNER_LOCK)
        .fetch_one(&mut conn)
        .await?;
    Ok(got.then_some(Runner { conn: Some(conn) }))
}

#[cfg(test)]
mod tests {
    use super::Backend;

    #[test]
    fn the_url_names_the_database() {
        assert_eq!(Backend::of_url("sqlite:data/x.sqlite"), Ok(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("sqlite:///srv/x.sqlite?mode=rwc"),
            Ok(Backend::Sqlite)
        );
        assert_eq!(
            Backend::of_url("postgres://u:p@db:5432/onething"),
            Ok(Backend::Postgres)
        );
        assert_eq!(
            Backend::of_url("postgresql://db/onething?sslmode=require"),
            Ok(Backend::Postgres)
        );
        let refused = Backend::of_url("mysql://u:secret@db/x").expect_err("refused");
        assert!(refused.contains("\"mysql\""), "{refused}");
        assert!(
            !refused.contains("secret"),
            "the URL's password is not repeated"
        );
    }

    #[test]
    fn a_relative_sqlite_file_becomes_an_absolute_url() {
        let url = super::sqlite_url(std::path::Path::new("Some Dir/onething.sqlite"));
        assert!(url.starts_with("sqlite:///"), "{url}");
        assert!(url.contains("Some%20Dir/onething.sqlite"), "{url}");
    }
}

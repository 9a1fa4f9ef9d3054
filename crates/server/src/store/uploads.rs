//! tus uploads: owned, with a durable offset that only grows after the bytes below it were
//! synced to disk.

use std::sync::Arc;

use super::keys::{open_text, record_key};
use super::{Pool, Tx};
use crate::clock::random_bytes;
use crate::crypto::{Keys, NONCE_LEN, RecordKey};

/// An upload as stored (its metadata opened).
#[derive(Debug, Clone)]
pub struct Upload {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub account_id: String,
    /// Declared length.
    pub upload_length: i64,
    /// Bytes durably received.
    pub upload_offset: i64,
    /// The `Upload-Metadata` header as received (validated), echoed by `HEAD`.
    pub metadata: String,
    /// `partial`, `complete` or `rejected`.
    pub state: String,
    /// Sniffed type, once complete.
    pub content_type: Option<String>,
    /// Blob name, once complete.
    pub blob_name: Option<String>,
    /// Expiry (Unix seconds), unless used by an application.
    pub expires_at: i64,
    /// The application that uses it.
    pub application_id: Option<String>,
    /// Its data key, which seals its metadata and its bytes (`None`: written before
    /// encryption, plain).
    pub key: Option<Arc<RecordKey>>,
    /// The nonce its stored file is sealed under, whose keystream its bytes are written with
    /// as they arrive ([`RecordKey::apply_file_stream`]); `None`: begun before, its bytes
    /// written with the older stream key ([`RecordKey::apply_stream`]) and sealed anew when
    /// complete.
    pub file_nonce: Option<[u8; NONCE_LEN]>,
}

#[derive(sqlx::FromRow)]
struct Raw {
    id: String,
    account_id: String,
    upload_length: i64,
    upload_offset: i64,
    metadata: Vec<u8>,
    state: String,
    content_type: Option<String>,
    blob_name: Option<String>,
    expires_at: i64,
    application_id: Option<String>,
    key_id: Option<String>,
    dek: Option<Vec<u8>>,
    file_nonce: Option<Vec<u8>>,
}

fn open_row(keys: &Keys, r: Raw) -> sqlx::Result<Upload> {
    let rk = record_key(keys, r.key_id.as_deref(), r.dek.as_deref())?;
    let file_nonce = match r.file_nonce {
        // Without a key nothing is encrypted, whatever the row says.
        Some(n) if rk.is_some() => {
            Some(<[u8; NONCE_LEN]>::try_from(n.as_slice()).map_err(|_| {
                sqlx::Error::Decode(
                    format!("upload {}: a file nonce of {} bytes", r.id, n.len()).into(),
                )
            })?)
        }
        _ => None,
    };
    Ok(Upload {
        file_nonce,
        metadata: open_text(rk.as_ref(), "uploads.metadata", r.metadata)?,
        key: rk.map(Arc::new),
        id: r.id,
        account_id: r.account_id,
        upload_length: r.upload_length,
        upload_offset: r.upload_offset,
        state: r.state,
        content_type: r.content_type,
        blob_name: r.blob_name,
        expires_at: r.expires_at,
        application_id: r.application_id,
    })
}

impl Upload {
    /// Whether it is gone for tus (410): expired while unused, or rejected.
    pub fn is_gone(&self, now: i64) -> bool {
        self.state == "rejected" || (self.application_id.is_none() && self.expires_at <= now)
    }
}

const COLUMNS: &str = "id, account_id, upload_length, upload_offset, metadata, state, content_type, blob_name, expires_at, application_id, key_id, dek, file_nonce";

/// Creates an empty upload.
///
/// # Errors
/// The database fails.
#[expect(clippy::too_many_arguments, reason = "one column each, and the keys")]
pub async fn insert(
    db: &Pool,
    keys: &Keys,
    id: &str,
    account_id: &str,
    length: u64,
    metadata: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    let rk = keys.fresh();
    sqlx::query(
        "INSERT INTO uploads (id, account_id, upload_length, metadata, created_at, expires_at, key_id, dek, file_nonce)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(account_id)
    .bind(i64::try_from(length).unwrap_or(i64::MAX))
    .bind(rk.seal("uploads.metadata", metadata.as_bytes()))
    .bind(now)
    .bind(expires_at)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .bind(random_bytes::<NONCE_LEN>().to_vec())
    .execute(db)
    .await?;
    Ok(())
}

/// An upload of this account.
///
/// # Errors
/// The database fails.
pub async fn get(
    db: &Pool,
    keys: &Keys,
    id: &str,
    account_id: &str,
) -> sqlx::Result<Option<Upload>> {
    let raw: Option<Raw> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM uploads WHERE id = $1 AND account_id = $2"
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    raw.map(|r| open_row(keys, r)).transpose()
}

/// A complete upload used by this application, whoever owns it (a department reads the
/// materials of the cases it receives).
///
/// # Errors
/// The database fails, or the upload does not open.
pub async fn of_application(
    conn: &mut super::Conn,
    keys: &Keys,
    id: &str,
    application_id: &str,
) -> sqlx::Result<Option<Upload>> {
    let raw: Option<Raw> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM uploads WHERE id = $1 AND application_id = $2 AND state = 'complete'"
    ))
    .bind(id)
    .bind(application_id)
    .fetch_optional(conn)
    .await?;
    raw.map(|r| open_row(keys, r)).transpose()
}

/// Moves the durable offset from `from` to `to`; false if it was not at `from`.
///
/// # Errors
/// The database fails.
pub async fn advance(db: &Pool, id: &str, from: u64, to: u64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE uploads SET upload_offset = $1 WHERE id = $2 AND upload_offset = $3 AND state = 'partial'",
    )
    .bind(i64::try_from(to).unwrap_or(i64::MAX))
    .bind(id)
    .bind(i64::try_from(from).unwrap_or(i64::MAX))
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks an upload complete and stored.
///
/// # Errors
/// The database fails.
pub async fn complete(
    db: &Pool,
    id: &str,
    content_type: &str,
    blob_name: &str,
    sha256: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE uploads SET state = 'complete', content_type = $1, blob_name = $2, sha256 = $3,
         completed_at = $4, expires_at = $5 WHERE id = $6",
    )
    .bind(content_type)
    .bind(blob_name)
    .bind(sha256)
    .bind(now)
    .bind(expires_at)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks an upload refused (its bytes are deleted).
///
/// # Errors
/// The database fails.
pub async fn reject(db: &Pool, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE uploads SET state = 'rejected' WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes an upload row.
///
/// # Errors
/// The database fails.
pub async fn delete(db: &Pool, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM uploads WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Uploads that are gone (expired unused, or rejected): to delete with their files.
///
/// # Errors
/// The database fails.
pub async fn expired(db: &Pool, keys: &Keys, now: i64) -> sqlx::Result<Vec<Upload>> {
    let raw: Vec<Raw> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM uploads
         WHERE application_id IS NULL AND (expires_at <= $1 OR state = 'rejected')"
    ))
    .bind(now)
    .fetch_all(db)
    .await?;
    raw.into_iter().map(|r| open_row(keys, r)).collect()
}

/// Checks, inside the application's transaction, that each upload is the account's, complete
/// and live, and marks it used by the application. Returns the ids that are not usable.
///
/// # Errors
/// The database fails.
pub async fn attach(
    tx: &mut Tx<'_>,
    ids: &[String],
    account_id: &str,
    application_id: &str,
    now: i64,
) -> sqlx::Result<Vec<String>> {
    let mut bad = Vec::new();
    for id in ids {
        let r = sqlx::query(
            "UPDATE uploads SET application_id = COALESCE(application_id, $1)
             WHERE id = $2 AND account_id = $3 AND state = 'complete'
               AND (application_id IS NOT NULL OR expires_at > $4)",
        )
        .bind(application_id)
        .bind(id)
        .bind(account_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        if r.rows_affected() == 0 {
            bad.push(id.clone());
        }
    }
    Ok(bad)
}

/// The stored type and declared length of a complete upload.
///
/// # Errors
/// The database fails.
pub async fn describe(conn: &mut super::Conn, id: &str) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as(
        "SELECT content_type, upload_length FROM uploads WHERE id = $1 AND state = 'complete'",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Takes the write lock of upload `id` for as long as `tx` lives, waiting at most `wait`;
/// `false` when another request (on any replica) kept it longer. PostgreSQL: a
/// transaction-scoped advisory lock keyed by the id (not a lock on the upload's row, which the
/// request itself updates from other connections as the bytes arrive). SQLite: always `true`,
/// one process serves the database and its in-process lock is enough.
///
/// # Errors
/// The database fails.
pub async fn lock(
    tx: &mut super::Tx<'_>,
    id: &str,
    wait: std::time::Duration,
) -> sqlx::Result<bool> {
    if tx.backend_name() != "PostgreSQL" {
        return Ok(true);
    }
    let millis = wait.as_millis().max(1);
    sqlx::query(&format!("SET LOCAL lock_timeout = '{millis}ms'"))
        .execute(&mut **tx)
        .await?;
    // The outer SELECT: `void` is no type the driver reads.
    let taken =
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l")
            .bind(id)
            .execute(&mut **tx)
            .await;
    match taken {
        Ok(_) => Ok(true),
        // lock_not_available: the wait ran out.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55P03") => Ok(false),
        Err(e) => Err(e),
    }
}

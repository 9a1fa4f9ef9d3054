//! tus uploads: owned, with a durable offset that only grows after the bytes below it were
//! synced to disk.

use std::sync::Arc;

use super::keys::{open_text, record_key};
use super::{Pool, Tx};
use crate::crypto::{Keys, RecordKey};

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
}

fn open_row(keys: &Keys, r: Raw) -> sqlx::Result<Upload> {
    let rk = record_key(keys, r.key_id.as_deref(), r.dek.as_deref())?;
    Ok(Upload {
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

const COLUMNS: &str = "id, account_id, upload_length, upload_offset, metadata, state, content_type, blob_name, expires_at, application_id, key_id, dek";

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
        "INSERT INTO uploads (id, account_id, upload_length, metadata, created_at, expires_at, key_id, dek)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(account_id)
    .bind(i64::try_from(length).unwrap_or(i64::MAX))
    .bind(rk.seal("uploads.metadata", metadata.as_bytes()))
    .bind(now)
    .bind(expires_at)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
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
        "SELECT {COLUMNS} FROM uploads WHERE id = ? AND account_id = ?"
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
    conn: &mut sqlx::SqliteConnection,
    keys: &Keys,
    id: &str,
    application_id: &str,
) -> sqlx::Result<Option<Upload>> {
    let raw: Option<Raw> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM uploads WHERE id = ? AND application_id = ? AND state = 'complete'"
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
        "UPDATE uploads SET upload_offset = ? WHERE id = ? AND upload_offset = ? AND state = 'partial'",
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
        "UPDATE uploads SET state = 'complete', content_type = ?, blob_name = ?, sha256 = ?,
         completed_at = ?, expires_at = ? WHERE id = ?",
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
    sqlx::query("UPDATE uploads SET state = 'rejected' WHERE id = ?")
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
    sqlx::query("DELETE FROM uploads WHERE id = ?")
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
         WHERE application_id IS NULL AND (expires_at <= ? OR state = 'rejected')"
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
            "UPDATE uploads SET application_id = COALESCE(application_id, ?)
             WHERE id = ? AND account_id = ? AND state = 'complete'
               AND (application_id IS NOT NULL OR expires_at > ?)",
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
pub async fn describe(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as(
        "SELECT content_type, upload_length FROM uploads WHERE id = ? AND state = 'complete'",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

//! Background work of a running server: deleting what expired (tickets, sessions, drafts,
//! pending OIDC sign-ins, unused uploads with their bytes, old idempotency records), recording
//! overdue consent requests as expired, retention (the personal data of cases finished longer
//! ago than `--retention-days`, see [`store::retention`]), the sweep of orphaned files, and the
//! demo timer.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use onething_core::api::ErrorCode;

use crate::{ApiError, AppState, Result, store, tracking};

/// How often expired data is deleted.
const SWEEP_EVERY: Duration = Duration::from_mins(5);
/// How long idempotency records are kept (a client retries within minutes, not days).
const IDEMPOTENCY_KEEP_SECS: i64 = 24 * 3600;

/// A file in the files directory that no upload names is deleted once it is this old: the
/// stored file of a completion cut between writing it and recording it, the partial file of a
/// creation cut before its row, a temporary file of an interrupted write. Each of those steps
/// takes milliseconds, so an hour never touches an upload in flight.
pub const ORPHAN_GRACE: Duration = Duration::from_hours(1);
/// Cases erased per sweep at most (the rest wait for the next sweep), so one sweep stays short.
const RETENTION_BATCH: i64 = 500;

/// 410 `personal_data_deleted`: what a request for a case's personal data answers once
/// retention deleted it.
pub fn personal_data_deleted() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        ErrorCode::PersonalDataDeleted,
        "the case is finished and its personal data was deleted after the retention period",
    )
}

/// What one sweep deleted under retention (for the log and the tests).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Cases whose personal data was deleted.
    pub cases: u64,
    /// Orphaned files deleted.
    pub orphans: u64,
}

/// Deletes everything expired, now.
///
/// # Errors
/// The database or blob store fails.
pub async fn sweep(state: &AppState) -> Result<Swept> {
    let now = state.clock.now();
    store::sweep(&state.db, now).await?;
    store::accounts::sweep_oidc_pending(&state.db, now).await?;
    store::consents::key_legacy_holder_digests(&state.db, &state.keys).await?;
    store::idempotency::sweep(&state.db, now - IDEMPOTENCY_KEEP_SECS).await?;
    tracking::expire_consents(state).await?;
    store::assisted::sweep_expired(&state.db, now).await?;
    crate::notify::warn_deadlines(state).await?;
    for up in store::uploads::expired(&state.db, &state.keys, now).await? {
        state.remove_upload_files(&up).await?;
        store::uploads::delete(&state.db, &up.id).await?;
    }
    let cases = retention(state, now).await?;
    let orphans = sweep_orphans(state, ORPHAN_GRACE).await?;
    state.metrics.retention(cases, orphans);
    if cases > 0 || orphans > 0 {
        tracing::info!(
            cases,
            orphans,
            "retention: personal data of finished cases and orphaned files deleted"
        );
    }
    Ok(Swept { cases, orphans })
}

/// Deletes the personal data of the cases finished (last changed) more than
/// `--retention-days` ago; returns how many. The rows go first, in one transaction per case,
/// then the files: a stop in between leaves orphans, which [`sweep_orphans`] deletes.
///
/// # Errors
/// The database or the file system fails.
pub async fn retention(state: &AppState, now: i64) -> Result<u64> {
    let days = state.config.retention_days;
    if days == 0 {
        return Ok(0);
    }
    let period = i64::try_from(days.saturating_mul(86_400)).unwrap_or(i64::MAX);
    let before = now.saturating_sub(period);
    let mut n = 0;
    for id in store::retention::due(&state.db, before, RETENTION_BATCH).await? {
        let Some(uploads) =
            store::retention::erase(&state.db, &state.keys, &id, before, now).await?
        else {
            continue;
        };
        for up in uploads {
            remove_file(&state.partial_path(&up.id)).await?;
            if let Some(name) = &up.blob_name {
                state.blobs.delete(name).await?;
            }
        }
        state.notify(&id);
        n += 1;
    }
    Ok(n)
}

/// Deletes the files in the files directory (`partial/`, `blobs/`) that no upload names and
/// that were last written more than `grace` ago; returns how many. The age is the file
/// system's (its modification time against the real clock, not the server's, which
/// `--dev-clock` may move).
///
/// # Errors
/// The database or the file system fails.
pub async fn sweep_orphans(state: &AppState, grace: Duration) -> Result<u64> {
    // The directories are listed before the rows are read: a file whose row appears in
    // between is young, and the grace keeps it.
    let partial = old_files(&state.files_dir.join("partial"), grace).await?;
    let blobs = old_files(&state.files_dir.join("blobs"), grace).await?;
    if partial.is_empty() && blobs.is_empty() {
        return Ok(0);
    }
    let (ids, names) = store::retention::referenced_files(&state.db).await?;
    let mut n = 0;
    for (dir, files, known) in [("partial", partial, ids), ("blobs", blobs, names)] {
        for name in files.into_iter().filter(|f| !known.contains(f)) {
            remove_file(&state.files_dir.join(dir).join(&name)).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// The names of the plain files in `dir` last modified more than `grace` ago.
async fn old_files(dir: &Path, grace: Duration) -> std::io::Result<HashSet<String>> {
    let mut out = HashSet::new();
    let mut entries = match tokio::fs::read_dir(dir).await {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        r => r?,
    };
    let now = SystemTime::now();
    while let Some(entry) = entries.next_entry().await? {
        let Ok(meta) = entry.metadata().await else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > grace);
        if meta.is_file()
            && old
            && let Some(name) = entry.file_name().to_str()
        {
            out.insert(name.to_owned());
        }
    }
    Ok(out)
}

async fn remove_file(path: &Path) -> std::io::Result<()> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        r => r,
    }
}

/// Starts the sweeper and, when configured, the demo timer.
pub fn spawn(state: AppState) {
    let s = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = sweep(&s).await {
                tracing::error!(error = %e, "sweep failed");
            }
        }
    });
    if let Some(secs) = state.config.demo_advance_secs.filter(|s| *s > 0) {
        tracing::info!(secs, "demo mode: sub-items advance on a timer");
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(secs));
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = tracking::advance_all(&state).await {
                    tracing::error!(error = %e, "demo advance failed");
                }
            }
        });
    }
}

//! Background work of a running server: deleting what expired (tickets, sessions, drafts,
//! pending OIDC sign-ins, unused uploads with their bytes, old idempotency records), recording
//! overdue consent requests as expired, retention (the personal data of cases finished longer
//! ago than `--retention-days`, see [`store::retention`]), the sweep of orphaned files, and the
//! demo timer. One replica of a database runs them ([`store::try_run`]).

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use onething_core::api::ErrorCode;

use crate::blob::Listed;
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
            state.remove_files(&up.id, up.blob_name.as_deref()).await?;
        }
        state.notify(&id);
        n += 1;
    }
    Ok(n)
}

/// Deletes the stored objects (`partial/…`, `blobs/…`, in the local directory or in object
/// storage) that no upload names (a partial file only an upload still arriving does) and that
/// were last written more than `grace` ago; returns how many. The age is the store's (its
/// modification time against the real clock, not the server's, which `--dev-clock` may move).
///
/// # Errors
/// The database or the blob store fails.
pub async fn sweep_orphans(state: &AppState, grace: Duration) -> Result<u64> {
    // The store is listed before the rows are read: an object whose row appears in between is
    // young, and the grace keeps it.
    let partial: Vec<Listed> = state.blobs.list("partial/").await?;
    let blobs: Vec<Listed> = state.blobs.list("blobs/").await?;
    let old = |l: &Listed| l.older_than(grace);
    if !partial.iter().chain(&blobs).any(old) {
        return Ok(0);
    }
    let (arriving, names) = store::retention::referenced_files(&state.db).await?;
    let mut n = 0;
    // `partial/<upload>` (a local file) or `partial/<upload>/<offset>` (a piece).
    let orphan_partial = |l: &Listed| {
        l.key
            .strip_prefix("partial/")
            .and_then(|rest| rest.split('/').next())
            .is_none_or(|id| !arriving.contains(id))
    };
    let orphan_blob = |l: &Listed| {
        l.key
            .strip_prefix("blobs/")
            .is_none_or(|name| !names.contains(name))
    };
    let doomed = partial
        .iter()
        .filter(|l| orphan_partial(l))
        .chain(blobs.iter().filter(|l| orphan_blob(l)))
        .filter(|l| old(l));
    for l in doomed {
        state.blobs.delete(&l.key).await?;
        n += 1;
    }
    Ok(n)
}

/// Starts the sweeper and, when configured, the demo timer.
pub fn spawn(state: AppState) {
    // One replica of a database runs them (see `store::try_run`); the others try again on
    // every tick, so one takes over when the runner stops.
    let runner = Arc::new(Elected::default());
    let (s, r) = (state.clone(), runner.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tick.tick().await;
            if r.is_runner(&s).await
                && let Err(e) = sweep(&s).await
            {
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
                if runner.is_runner(&state).await
                    && let Err(e) = tracking::advance_all(&state).await
                {
                    tracing::error!(error = %e, "demo advance failed");
                }
            }
        });
    }
}

/// This replica's hold on the right to run the background work, once it has it.
#[derive(Default)]
struct Elected(tokio::sync::Mutex<Option<store::Runner>>);

impl Elected {
    /// Whether this replica runs the background work now: it keeps the right while its
    /// connection lives, and takes it when nobody holds it.
    async fn is_runner(&self, state: &AppState) -> bool {
        let mut held = self.0.lock().await;
        if let Some(runner) = held.as_mut() {
            if runner.holds().await {
                return true;
            }
            tracing::warn!("lost the right to run the sweeper and the demo timer");
            *held = None;
        }
        match store::try_run(&state.db).await {
            Ok(Some(runner)) => {
                tracing::info!("this replica runs the sweeper and the demo timer");
                *held = Some(runner);
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::error!(error = %e, "cannot take the right to run the sweeper");
                false
            }
        }
    }
}

//! Background work of a running server: deleting what expired (tickets, sessions, drafts,
//! unused uploads with their bytes, old idempotency records), recording overdue consent
//! requests as expired, and the demo timer.

use std::time::Duration;

use crate::{AppState, Result, store, tracking};

/// How often expired data is deleted.
const SWEEP_EVERY: Duration = Duration::from_mins(5);
/// How long idempotency records are kept (a client retries within minutes, not days).
const IDEMPOTENCY_KEEP_SECS: i64 = 24 * 3600;

/// Deletes everything expired, now.
///
/// # Errors
/// The database or blob store fails.
pub async fn sweep(state: &AppState) -> Result<()> {
    let now = state.clock.now();
    store::sweep(&state.db, now).await?;
    store::idempotency::sweep(&state.db, now - IDEMPOTENCY_KEEP_SECS).await?;
    tracking::expire_consents(state).await?;
    for up in store::uploads::expired(&state.db, &state.keys, now).await? {
        state.remove_upload_files(&up).await?;
        store::uploads::delete(&state.db, &up.id).await?;
    }
    Ok(())
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

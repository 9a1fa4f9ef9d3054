//! The lock registry of uploads being written: one lock per upload id, so concurrent PATCH
//! requests on the same upload are serialized (the loser then sees the new offset and gets 409),
//! and an entry is forgotten as soon as nobody holds or waits for it. On PostgreSQL the lock is
//! also taken in the database (`store::uploads::lock`), so requests on other replicas wait too.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use axum::http::StatusCode;
use onething_core::api::ErrorCode;

use crate::{ApiError, AppState, Result};

/// How long a PATCH waits for another one on the same upload before answering 423.
const LOCK_WAIT: Duration = Duration::from_secs(20);

/// The per-upload lock, held while writing. Dropping it forgets the lock when nobody waits.
pub(super) struct UploadLock {
    state: AppState,
    id: String,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// The database's lock (PostgreSQL), held by this open transaction; released by its
    /// rollback when dropped.
    row: Option<crate::store::Tx<'static>>,
}

impl Drop for UploadLock {
    fn drop(&mut self) {
        let mut map = self
            .state
            .upload_locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // The map's reference, and this lock's guard when it still holds one (a lock handed
        // over holds none): nobody else holds or waits for it.
        let own = usize::from(self.guard.is_some());
        if let Some(m) = map.get(&self.id)
            && Arc::strong_count(m) <= 1 + own
        {
            map.remove(&self.id);
        }
        self.guard.take();
    }
}

impl UploadLock {
    /// Moves the holding of the lock to a new value (for a task that outlives the request);
    /// this one then holds nothing.
    pub(super) fn hand_over(&mut self) -> UploadLock {
        UploadLock {
            state: self.state.clone(),
            id: self.id.clone(),
            guard: self.guard.take(),
            row: self.row.take(),
        }
    }
}

/// Takes the lock of upload `id`, waiting at most [`LOCK_WAIT`].
///
/// # Errors
/// 423 `upload_locked` when another request keeps it longer.
pub(super) async fn lock_upload(state: &AppState, id: &str) -> Result<UploadLock> {
    let mutex = {
        let mut map = state
            .upload_locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.entry(id.to_owned()).or_default().clone()
    };
    let guard = tokio::time::timeout(LOCK_WAIT, mutex.lock_owned())
        .await
        .map_err(|_| locked())?;
    let row = if crate::store::backend(&state.db) == crate::store::Backend::Postgres {
        let mut tx = state.db.begin().await?;
        if !crate::store::uploads::lock(&mut tx, id, LOCK_WAIT).await? {
            return Err(locked());
        }
        Some(tx)
    } else {
        None
    };
    Ok(UploadLock {
        state: state.clone(),
        id: id.to_owned(),
        guard: Some(guard),
        row,
    })
}

/// 423 `upload_locked`.
fn locked() -> ApiError {
    ApiError::new(
        StatusCode::LOCKED,
        ErrorCode::UploadLocked,
        "another request is writing to this upload",
    )
}

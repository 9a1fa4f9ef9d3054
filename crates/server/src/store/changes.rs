//! Live updates across replicas: on PostgreSQL, the id of an application that changed is
//! published with `NOTIFY` on one channel, and every replica `LISTEN`s and hands it to its own
//! Server-Sent Event streams. SQLite has one process: nothing to publish.

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

use super::{Backend, Pool, backend};

/// The channel of changed application ids.
const CHANNEL: &str = "onething_changes";

/// Publishes that application `id` changed, for the other replicas (`instance` is this one's
/// id, so it skips its own notices: its streams heard of the change directly).
///
/// # Errors
/// The database fails.
pub async fn publish(db: &Pool, instance: &str, id: &str) -> sqlx::Result<()> {
    if backend(db) != Backend::Postgres {
        return Ok(());
    }
    // The outer SELECT: `void` is no type the driver reads.
    sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS n")
        .bind(CHANNEL)
        .bind(format!("{instance} {id}"))
        .execute(db)
        .await?;
    Ok(())
}

/// Listens for the other replicas' changes and sends their application ids to `changes`, until
/// nobody holds the sender any more. A lost connection is opened again after a pause; what
/// changed meanwhile reaches the streams through their slow poll.
pub async fn listen(url: String, instance: String, changes: broadcast::WeakSender<String>) {
    loop {
        match listen_once(&url, &instance, &changes).await {
            Ok(()) => return,
            Err(e) => tracing::warn!(error = %e, "live updates: listening failed; retrying"),
        }
        if changes.upgrade().is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// One listening connection; `Ok` when the state is gone.
async fn listen_once(
    url: &str,
    instance: &str,
    changes: &broadcast::WeakSender<String>,
) -> sqlx::Result<()> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    loop {
        // Woken now and then to notice that the state was dropped.
        let Ok(notice) = tokio::time::timeout(Duration::from_secs(5), listener.recv()).await else {
            if changes.upgrade().is_none() {
                return Ok(());
            }
            continue;
        };
        let notice = notice?;
        let Some(sender) = changes.upgrade() else {
            return Ok(());
        };
        if let Some((from, id)) = notice.payload().split_once(' ')
            && from != instance
        {
            // No receiver is fine: nobody is watching here.
            let _ = sender.send(id.to_owned());
        }
    }
}

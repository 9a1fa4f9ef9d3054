//! The state every handler shares.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use crate::blob::BlobStore;
use crate::catalogue::Catalogue;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::Keys;
use crate::store::uploads::Upload;
use crate::store::{self, Pool};

/// Shared, cheaply cloned state.
#[derive(Clone)]
pub struct AppState {
    /// The loaded service definitions.
    pub catalogue: Arc<Catalogue>,
    /// The store (SQLite or PostgreSQL).
    pub db: Pool,
    /// This process's id among the replicas on one database (it skips its own change notices).
    pub instance: Arc<str>,
    /// How often a live stream looks at its case without being told of a change: the safety
    /// net (every change is told: in this process directly, from other replicas through the
    /// database's notices).
    pub live_poll: std::time::Duration,
    /// The local files directory (`partial/` while uploading, `blobs/` once complete), when
    /// files are kept locally; unused with object storage.
    pub files_dir: PathBuf,
    /// The built SPA, when served.
    pub static_dir: Option<PathBuf>,
    /// The configuration it was opened with.
    pub config: Arc<Config>,
    /// Now (tests move it forward to check expiry).
    pub clock: Clock,
    /// Where uploaded files are kept: the local `files_dir` or object storage.
    pub blobs: Arc<dyn BlobStore>,
    /// One lock per upload being written, so concurrent PATCH requests are serialized.
    pub upload_locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Ids of applications that just changed, for their Server-Sent Event streams.
    pub changes: broadcast::Sender<String>,
    /// The master keys of personal data at rest.
    pub keys: Keys,
    /// Operations' figures (`GET /api/admin/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Wakes the notification sender when an event may have added a notice.
    pub outbox_wake: Arc<tokio::sync::Notify>,
}

/// Why the server could not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

impl AppState {
    /// Loads the catalogue, opens (or creates) the store in the data directory and migrates it.
    ///
    /// # Errors
    /// A definition is invalid, or the data directory or database cannot be opened.
    pub async fn open(config: &Config) -> Result<Self, StartError> {
        if config.dev_clock.is_some() && !config.dev_tickets {
            return Err(StartError(
                "--dev-clock is for development only: it needs --dev-tickets".into(),
            ));
        }
        let catalogue =
            Catalogue::load(&config.services_dir).map_err(|e| StartError(e.to_string()))?;
        let files_dir = config.data_dir.join("files");
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| StartError(format!("cannot create the data directory: {e}")))?;
        let blobs = crate::blob::open(&config.files, &files_dir).map_err(StartError)?;
        let url = match &config.database_url {
            Some(url) => url.clone(),
            None => store::sqlite_url(&config.data_dir.join("onething.sqlite")),
        };
        let db = store::connect(&url)
            .await
            .map_err(|e| StartError(format!("cannot open the database: {e}")))?;
        store::migrate(&db)
            .await
            .map_err(|e| StartError(format!("cannot migrate the database: {e}")))?;
        // The keys are checked against what is stored before anything is written: a wrong key
        // stops the start with the ids it should have had, and the data stays as it was.
        let stored = store::keys::stored_ids(&db)
            .await
            .map_err(|e| StartError(format!("cannot read the database: {e}")))?;
        let keys = Keys::load(
            config.master_key_file.as_deref(),
            config.master_key.as_deref(),
            &config.data_dir,
            &stored,
        )
        .map_err(StartError)?;
        keys.check_covers(&stored).map_err(StartError)?;
        seal_and_index(&db, &keys).await?;
        // The definition versions open cases were submitted under, beside the files' current ones.
        let remembered = store::applications::remembered_definitions(&db)
            .await
            .map_err(|e| StartError(format!("cannot read the database: {e}")))?;
        catalogue.remember(&remembered);
        store::record_start(&db, env!("CARGO_PKG_VERSION"))
            .await
            .map_err(|e| StartError(format!("cannot write to the database: {e}")))?;
        // On SQLite one process serves the database: nothing is in flight before it starts. On
        // PostgreSQL other replicas may be working: a starting replica frees none of their
        // in-flight keys; a retry takes over those of a replica whose heartbeat stopped, or
        // whose lease ran out (`store::idempotency`).
        if store::backend(&db) == store::Backend::Sqlite {
            let released = store::idempotency::release_all_in_flight(&db)
                .await
                .map_err(|e| StartError(format!("cannot write to the database: {e}")))?;
            if released > 0 {
                tracing::warn!(released, "released submissions cut by the last stop");
            }
        }
        let instance: Arc<str> = crate::clock::new_id().into();
        let changes = broadcast::channel(256).0;
        let live_poll = if store::backend(&db) == store::Backend::Postgres {
            // Alive from the start, so no retry takes this replica's keys for a gone one's.
            store::idempotency::heartbeat(&db, &instance)
                .await
                .map_err(|e| StartError(format!("cannot write to the database: {e}")))?;
            tokio::spawn(heartbeats(
                db.clone(),
                instance.to_string(),
                broadcast::Sender::downgrade(&changes),
            ));
            // Changes of other replicas arrive by `LISTEN`: the poll only covers a lost notice.
            tokio::spawn(store::changes::listen(
                url.clone(),
                instance.to_string(),
                broadcast::Sender::downgrade(&changes),
            ));
            std::time::Duration::from_secs(15)
        } else {
            std::time::Duration::from_secs(2)
        };
        let clock = Clock::default();
        if let Some(at) = config.dev_clock {
            clock.set(at);
            tracing::warn!(
                now = crate::clock::rfc3339(at),
                "DEVELOPMENT clock set: the server's today is not the real one"
            );
        }
        Ok(AppState {
            catalogue: Arc::new(catalogue),
            db,
            instance,
            live_poll,
            files_dir,
            static_dir: config.static_dir.clone(),
            config: Arc::new(config.clone()),
            clock,
            blobs,
            upload_locks: Arc::default(),
            changes,
            keys,
            metrics: Arc::default(),
            outbox_wake: Arc::default(),
        })
    }

    /// The file that holds an upload's bytes while it is incomplete, on a local store.
    pub fn partial_path(&self, upload_id: &str) -> PathBuf {
        self.files_dir.join("partial").join(upload_id)
    }

    /// Deletes an upload's bytes: what arrived of it (its partial file, or its pieces in
    /// object storage) and its stored file (the row is the caller's).
    ///
    /// # Errors
    /// The file system or the blob store fails.
    pub async fn remove_upload_files(&self, up: &Upload) -> std::io::Result<()> {
        self.remove_files(&up.id, up.blob_name.as_deref()).await
    }

    /// Deletes the bytes of upload `id`: what arrived and its stored file `blob_name`.
    ///
    /// # Errors
    /// The file system or the blob store fails.
    pub async fn remove_files(&self, id: &str, blob_name: Option<&str>) -> std::io::Result<()> {
        self.remove_partial(id).await?;
        if let Some(name) = blob_name {
            self.blobs.delete(&blob_key(name)).await?;
        }
        Ok(())
    }

    /// Deletes what arrived of an upload still arriving.
    ///
    /// # Errors
    /// The file system or the blob store fails.
    pub async fn remove_partial(&self, id: &str) -> std::io::Result<()> {
        if self.blobs.local_dir().is_some() {
            return match tokio::fs::remove_file(self.partial_path(id)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        for piece in self.blobs.list(&partial_prefix(id)).await? {
            self.blobs.delete(&piece.key).await?;
        }
        Ok(())
    }

    /// The bytes of a completed upload as the citizen's file was stored (metadata removed),
    /// opened with the upload's data key.
    ///
    /// # Errors
    /// Not complete, the blob store fails, or the file does not open (altered, wrong key).
    pub async fn read_upload(&self, up: &Upload) -> std::io::Result<Vec<u8>> {
        let name = up
            .blob_name
            .as_deref()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not complete"))?;
        let stored = self.blobs.get(&blob_key(name)).await?;
        match up.key.as_deref() {
            Some(key) => key
                .open(crate::crypto::FILE_LABEL, &stored)
                .map_err(std::io::Error::other),
            None => Ok(stored),
        }
    }

    /// Tells live streams that an application changed.
    pub fn notify(&self, application_id: &str) {
        // No receiver is fine: nobody is watching.
        let _ = self.changes.send(application_id.to_owned());
        // The other replicas' streams (PostgreSQL; nothing to do on SQLite).
        if store::backend(&self.db) == store::Backend::Postgres {
            let (db, instance, id) = (
                self.db.clone(),
                self.instance.clone(),
                application_id.to_owned(),
            );
            tokio::spawn(async move {
                if let Err(e) = store::changes::publish(&db, &instance, &id).await {
                    tracing::warn!(error = %e, "live updates: cannot tell the other replicas");
                }
            });
        }
        // The change may have added a notice (written in its transaction): send it now.
        self.outbox_wake.notify_one();
    }
}

/// The key of a stored file named `name` (the `blob_name` of its upload).
pub fn blob_key(name: &str) -> String {
    format!("blobs/{name}")
}

/// The folder of an upload's pieces in object storage (`partial/<id>/`).
pub fn partial_prefix(id: &str) -> String {
    format!("partial/{id}/")
}

/// The key of the piece of upload `id` that starts at byte `offset` (zero-padded, so pieces
/// list in order).
pub fn piece_key(id: &str, offset: u64) -> String {
    format!("partial/{id}/{offset:020}")
}

/// Writes this replica's heartbeat every 2 s while its state lives (the `changes` sender is
/// the state's), so a retry can tell its in-flight keys from a gone replica's.
async fn heartbeats(db: Pool, instance: String, alive: broadcast::WeakSender<String>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    loop {
        tick.tick().await;
        if alive.upgrade().is_none() {
            return;
        }
        if let Err(e) = store::idempotency::heartbeat(&db, &instance).await {
            tracing::warn!(error = %e, "cannot write this replica's heartbeat");
        }
    }
}

/// At start, with the keys checked: seals the rows written before encryption at rest, and
/// (re)computes the blind indexes of the accounts' ID numbers and of the assisted cases'
/// citizens not under the active key (records from before the index, or a restart with a new
/// key first: `crate::crypto`, "Blind index").
async fn seal_and_index(db: &store::Pool, keys: &Keys) -> Result<(), StartError> {
    let sealed = store::keys::seal_legacy(db, keys)
        .await
        .map_err(|e| StartError(format!("cannot seal the stored personal data: {e}")))?;
    if sealed > 0 {
        tracing::warn!(sealed, "sealed records written before encryption at rest");
    }
    let reindexed = store::keys::reindex(db, keys)
        .await
        .map_err(|e| StartError(format!("cannot index the stored ID numbers: {e}")))?;
    if reindexed > 0 {
        tracing::info!(
            reindexed,
            "blind index of the accounts' and assisted cases' ID numbers (re)computed"
        );
    }
    Ok(())
}

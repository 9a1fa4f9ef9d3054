//! The state every handler shares.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use crate::blob::{BlobStore, LocalBlobStore};
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
    /// The embedded store.
    pub db: Pool,
    /// Where uploaded files live (`partial/` while uploading, blobs once complete).
    pub files_dir: PathBuf,
    /// The built SPA, when served.
    pub static_dir: Option<PathBuf>,
    /// The configuration it was opened with.
    pub config: Arc<Config>,
    /// Now (tests move it forward to check expiry).
    pub clock: Clock,
    /// Where completed uploads are kept.
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
        for dir in [files_dir.join("partial"), files_dir.join("blobs")] {
            std::fs::create_dir_all(&dir)
                .map_err(|e| StartError(format!("cannot create {}: {e}", dir.display())))?;
        }
        let db = store::connect(&config.data_dir.join("onething.sqlite"))
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
        let sealed = store::keys::seal_legacy(&db, &keys)
            .await
            .map_err(|e| StartError(format!("cannot seal the stored personal data: {e}")))?;
        if sealed > 0 {
            tracing::warn!(sealed, "sealed records written before encryption at rest");
        }
        // The definition versions open cases were submitted under, beside the files' current ones.
        let remembered = store::applications::remembered_definitions(&db)
            .await
            .map_err(|e| StartError(format!("cannot read the database: {e}")))?;
        catalogue.remember(&remembered);
        store::record_start(&db, env!("CARGO_PKG_VERSION"))
            .await
            .map_err(|e| StartError(format!("cannot write to the database: {e}")))?;
        // One process serves a data directory: nothing is in flight before it starts.
        let released = store::idempotency::release_all_in_flight(&db)
            .await
            .map_err(|e| StartError(format!("cannot write to the database: {e}")))?;
        if released > 0 {
            tracing::warn!(released, "released submissions cut by the last stop");
        }
        let blobs = Arc::new(LocalBlobStore::new(files_dir.join("blobs")));
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
            files_dir,
            static_dir: config.static_dir.clone(),
            config: Arc::new(config.clone()),
            clock,
            blobs,
            upload_locks: Arc::default(),
            changes: broadcast::channel(256).0,
            keys,
            metrics: Arc::default(),
            outbox_wake: Arc::default(),
        })
    }

    /// The file that holds an upload's bytes while it is incomplete.
    pub fn partial_path(&self, upload_id: &str) -> PathBuf {
        self.files_dir.join("partial").join(upload_id)
    }

    /// Deletes an upload's bytes: its partial file and its blob (the row is the caller's).
    ///
    /// # Errors
    /// The file system or the blob store fails.
    pub async fn remove_upload_files(&self, up: &Upload) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.partial_path(&up.id)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        if let Some(name) = &up.blob_name {
            self.blobs.delete(name).await?;
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
        let stored = self.blobs.get(name).await?;
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
        // The change may have added a notice (written in its transaction): send it now.
        self.outbox_wake.notify_one();
    }
}

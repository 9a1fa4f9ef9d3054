//! The state every handler shares.

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use crate::catalogue::Catalogue;
use crate::config::Config;

/// Shared, cheaply cloned state.
#[derive(Clone)]
pub struct AppState {
    /// The loaded service definitions.
    pub catalogue: Arc<Catalogue>,
    /// The embedded store.
    pub db: SqlitePool,
    /// Where uploaded files live.
    pub files_dir: PathBuf,
    /// The built SPA, when served.
    pub static_dir: Option<PathBuf>,
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
        let catalogue =
            Catalogue::load(&config.services_dir).map_err(|e| StartError(e.to_string()))?;
        let files_dir = config.data_dir.join("files");
        std::fs::create_dir_all(&files_dir)
            .map_err(|e| StartError(format!("cannot create {}: {e}", files_dir.display())))?;
        let options = SqliteConnectOptions::new()
            .filename(config.data_dir.join("onething.sqlite"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let db = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| StartError(format!("cannot open the database: {e}")))?;
        sqlx::migrate!("./migrations")
            .run(&db)
            .await
            .map_err(|e| StartError(format!("cannot migrate the database: {e}")))?;
        sqlx::query("INSERT INTO server_starts (version) VALUES (?)")
            .bind(env!("CARGO_PKG_VERSION"))
            .execute(&db)
            .await
            .map_err(|e| StartError(format!("cannot write to the database: {e}")))?;
        Ok(AppState {
            catalogue: Arc::new(catalogue),
            db,
            files_dir,
            static_dir: config.static_dir.clone(),
        })
    }
}

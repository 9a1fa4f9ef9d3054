//! Serving the built SPA: files as they are, and `index.html` (status 200) for every other path
//! so that deep links such as `/services/newborn` work after a reload.

use std::path::Path;

use tower_http::services::{ServeDir, ServeFile};

/// The static-file service with the SPA fallback.
pub fn service(dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))
}

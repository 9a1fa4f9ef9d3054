//! An upload's state as the API shows it (the upload itself speaks tus 1.0).

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `GET /api/uploads/{id}`: an upload's state (tus itself uses `HEAD`; this is for display).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UploadInfo {
    /// Opaque id, the last segment of the tus URL.
    pub id: String,
    /// Declared length in bytes.
    pub length: u64,
    /// Bytes durably received.
    pub offset: u64,
    /// All bytes arrived and the file passed the checks.
    pub complete: bool,
    /// The type found in the bytes (`image/jpeg`, `image/png`, `image/heic`, `application/pdf`)
    /// once complete.
    pub content_type: Option<String>,
    /// When an incomplete upload is deleted.
    pub expires_at: String,
}

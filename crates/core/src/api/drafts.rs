//! Drafts saved on the server: the SPA's in-progress answers, opaque to the server, written
//! with optimistic concurrency (`If-Match` on the version).

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `POST /api/drafts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DraftCreate {
    /// The service the draft is for.
    pub service_id: String,
    /// The SPA's in-progress answers, opaque to the server.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// `PUT /api/drafts/{id}` (with `If-Match: "<version>"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DraftUpdate {
    /// The new content; replaces the old one.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// A saved draft. Its `ETag` header is `"<version>"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Draft {
    /// Opaque id.
    pub id: String,
    /// The service it is for.
    pub service_id: String,
    /// Starts at 1, grows by 1 on every update.
    pub version: u64,
    /// The SPA's in-progress answers.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
    /// When it was created.
    pub created_at: String,
    /// When it was last written.
    pub updated_at: String,
    /// When it is deleted unless written again.
    pub expires_at: String,
}

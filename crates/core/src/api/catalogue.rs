//! What the server offers as a whole: its service catalogue (`GET /api/services`) and its
//! health (`GET /api/health`).

use serde::{Deserialize, Serialize};

use crate::definition::ServiceDefinition;
use crate::text::Text;

#[cfg(feature = "openapi")]
use super::schema::TextSchema;
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// One entry of the service catalogue (`GET /api/services`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ServiceSummary {
    /// Stable id, used in URLs (`newborn`).
    pub id: String,
    /// The one-thing's name.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub title: Text,
    /// One sentence on what it is.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub summary: Text,
    /// How many departmental items it bundles.
    pub sub_item_count: usize,
}

/// `POST /api/admin/services/reload`: what the reload changed, by service id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ServicesReloaded {
    /// How many services are loaded now.
    pub services: usize,
    /// New services.
    pub added: Vec<String>,
    /// Services whose definition has a new version; open cases keep the one they were
    /// submitted under.
    pub changed: Vec<ServiceVersion>,
    /// Services no longer offered (their open cases keep their version).
    pub removed: Vec<String>,
}

/// A service id and a definition version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ServiceVersion {
    /// The service id.
    pub id: String,
    /// The definition's version.
    pub version: String,
}

impl From<&ServiceDefinition> for ServiceSummary {
    fn from(d: &ServiceDefinition) -> Self {
        ServiceSummary {
            id: d.id.clone(),
            title: d.title.clone(),
            summary: d.summary.clone(),
            sub_item_count: d.sub_items.len(),
        }
    }
}

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// `ok` when the store answers.
    pub status: String,
    /// How many service definitions are loaded.
    pub services: usize,
}

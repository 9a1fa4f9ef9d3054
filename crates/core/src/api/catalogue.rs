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

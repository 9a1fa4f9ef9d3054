//! Types that cross the HTTP API, shared by the server (which renders them) and the SPA (which
//! reads them). The contract's source of truth is this module plus `docs/`.

use serde::{Deserialize, Serialize};

use crate::{ServiceDefinition, Text};

/// One entry of the service catalogue (`GET /api/services`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSummary {
    /// Stable id, used in URLs (`newborn`).
    pub id: String,
    /// The one-thing's name.
    pub title: Text,
    /// One sentence on what it is.
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

/// Every error the API returns: a stable code the SPA translates, an English message for
/// developers, and the field paths it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// Stable `snake_case` code, e.g. `service_not_found`.
    pub code: String,
    /// Developer-facing explanation (never shown to citizens).
    pub message: String,
    /// Field paths the error concerns (empty when none).
    #[serde(default)]
    pub fields: Vec<String>,
}

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the store answers.
    pub status: String,
    /// How many service definitions are loaded.
    pub services: usize,
}

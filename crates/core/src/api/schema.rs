//! Schema stand-ins for the OpenAPI document, compiled with the `openapi` feature only: the
//! [`text`](crate::text) module stays free of utoipa, so its [`Text`] is described here.

use utoipa::ToSchema;

// For the doc links only: the stand-in's description, which is also the schema's, names it.
#[cfg(doc)]
use crate::text::Text;

/// Schema stand-in for [`Text`] in the OpenAPI document: `{zh, en}`.
#[derive(ToSchema)]
#[schema(as = Text)]
pub struct TextSchema {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

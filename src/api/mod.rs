//! The HTTP client for OneThing's API contract. Errors are typed; the pages map them to
//! translated text and never show what the server wrote.

use onething_core::ServiceDefinition;
use onething_core::api::{ApiErrorBody, ServiceSummary};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Messages;

/// Where the API lives, relative to the page's origin.
const API_BASE: &str = "/api";

/// Why a request failed, as the person needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No answer: offline, DNS, connection reset.
    Network,
    /// The server answered with an error code from the contract.
    Api {
        /// HTTP status.
        status: u16,
        /// The stable code (`service_not_found`).
        code: String,
    },
    /// The answer was not what the contract says.
    Decode,
}

impl FetchError {
    /// The translated explanation.
    pub fn message(&self, t: &'static Messages) -> &'static str {
        match self {
            FetchError::Network => t.load_failed_network,
            FetchError::Api { code, .. } if code == "service_not_found" => t.service_not_found,
            FetchError::Api { .. } | FetchError::Decode => t.load_failed_server,
        }
    }
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let window = web_sys::window().ok_or(FetchError::Network)?;
    let url = format!("{API_BASE}{path}");
    let response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(|_| FetchError::Network)?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| FetchError::Decode)?;
    let text_promise = response.text().map_err(|_| FetchError::Decode)?;
    let text = JsFuture::from(text_promise)
        .await
        .map_err(|_| FetchError::Network)?;
    let text = text.as_string().ok_or(FetchError::Decode)?;
    if !response.ok() {
        let code =
            serde_json::from_str::<ApiErrorBody>(&text).map_or_else(|_| String::new(), |b| b.code);
        return Err(FetchError::Api {
            status: response.status(),
            code,
        });
    }
    serde_json::from_str(&text).map_err(|_| FetchError::Decode)
}

/// `GET /api/services`: the catalogue.
///
/// # Errors
/// See [`FetchError`].
pub async fn list_services() -> Result<Vec<ServiceSummary>, FetchError> {
    get_json("/services").await
}

/// `GET /api/services/{id}`: one definition.
///
/// # Errors
/// See [`FetchError`]; an unknown id is `Api { code: "service_not_found" }`.
pub async fn get_service(id: &str) -> Result<ServiceDefinition, FetchError> {
    // Ids are checked by the core (`[a-z0-9_-]`), so they need no escaping; refuse anything else.
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(FetchError::Api {
            status: 404,
            code: "service_not_found".into(),
        });
    }
    get_json(&format!("/services/{id}")).await
}

//! The draft on the device, so a reload or a killed webview loses nothing: sealed in IndexedDB
//! (see `crate::storage`). The submission key and the receipt (no personal data) stay in
//! `localStorage`, where they can be read synchronously.

use onething_core::engine::Application;
use serde::{Deserialize, Serialize};

use crate::storage::{self, Store};

/// What is kept of a draft: the answers and the step the person was on.
#[derive(Serialize, Deserialize, Clone, Default, Debug, PartialEq)]
pub struct Saved {
    /// The application as filled in so far.
    pub app: Application,
    /// The path of the last step shown (`/apply/newborn/materials`), to continue there.
    pub step: Option<String>,
    /// The server's copy (save and return on another device), when signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<Remote>,
}

/// The server's copy a draft was last in step with (see [`super::sync`]).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    /// The server's draft id.
    pub id: String,
    /// Its version when this device last read or wrote it.
    pub version: u64,
    /// This device has changes the server has not got yet.
    pub pending: bool,
}

fn legacy_key(service: &str) -> String {
    format!("onething.draft.{service}")
}

/// `localStorage`, when the page may use it.
pub(crate) fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The saved draft of `service`, if any and readable.
pub async fn load(service: &str) -> Option<Saved> {
    // Earlier versions kept drafts in plaintext localStorage: never leave one behind.
    if let Some(s) = local_storage() {
        let _ = s.remove_item(&legacy_key(service));
    }
    storage::get(Store::Drafts, service).await
}

/// Saves the draft of `service` (sealed, in IndexedDB).
pub async fn save(service: &str, saved: &Saved) {
    storage::put(Store::Drafts, service, saved).await;
}

/// Removes the saved draft of `service`.
pub async fn remove(service: &str) {
    storage::remove(Store::Drafts, service).await;
}

/// The Idempotency-Key of this service's pending submission: made once (128 random bits from
/// the platform's CSPRNG) and reused on every retry until the submission succeeds.
pub fn submission_key(service: &str) -> String {
    let k = format!("onething.submit-key.{service}");
    if let Some(existing) = local_storage().and_then(|s| s.get_item(&k).ok().flatten()) {
        return existing;
    }
    let key = crate::random::random_hex();
    if let Some(s) = local_storage() {
        let _ = s.set_item(&k, &key);
    }
    key
}

/// Forgets the key after the submission succeeded.
pub fn forget_submission_key(service: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(&format!("onething.submit-key.{service}"));
    }
}

/// What the confirmation page shows after a reload: the case and what was applied for.
#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub struct Receipt {
    /// The API's id of the application.
    pub id: String,
    /// 办件编号.
    pub case_number: String,
    /// When it was received (RFC 3339).
    pub submitted_at: String,
    /// The sub-items applied for.
    pub sub_items: Vec<String>,
    /// Materials supplied later (容缺), with their due days.
    pub deferred: Vec<(String, u16)>,
}

/// Keeps the receipt of the latest submission of `service`.
pub fn save_receipt(
    service: &str,
    created: &onething_core::api::ApplicationCreated,
    app: &Application,
    deferred: Vec<(String, u16)>,
) {
    let receipt = Receipt {
        id: created.id.clone(),
        case_number: created.case_number.clone(),
        submitted_at: created.submitted_at.clone(),
        sub_items: app.sub_items.clone(),
        deferred,
    };
    if let (Some(s), Ok(text)) = (local_storage(), crate::json::to_string(&receipt)) {
        let _ = s.set_item(&format!("onething.receipt.{service}"), &text);
    }
}

/// The receipt of the latest submission of `service`.
pub fn receipt(service: &str) -> Option<Receipt> {
    let text = local_storage()?
        .get_item(&format!("onething.receipt.{service}"))
        .ok()??;
    crate::json::from_str(&text).ok()
}

//! The draft on the device, so a reload or a killed webview loses nothing: sealed in IndexedDB
//! (see `crate::storage`). The submission key and the receipt (no personal data) stay in
//! `localStorage`, where they can be read synchronously.
//!
//! Drafts are per application, not per service (a second child, a grandparent helping two
//! families): each has a *key*, which is also the wizard's URL segment (`/apply/{key}/…`): the
//! service id for the first one (`newborn`), the service id, `~` and a suffix for the others
//! (`newborn~3f9a01c2`, or `newborn~` and the server's draft id for one started on another
//! device).

use onething_core::ServiceDefinition;
use onething_core::api::PrivacyConsent;
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
    /// The person's consent to the privacy notice: until given, nothing of the draft leaves
    /// the device (see [`super::privacy`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<PrivacyConsent>,
    /// The person chose to fill in on the device first, without consenting yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub device_only: bool,
    /// What the person recognises it by (a child's name, else the first answer), for the list
    /// of drafts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// When it last changed on this device (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The version of the service's definition it was last saved under (see
    /// [`under_version`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_version: Option<String>,
}

/// Whether the draft on screen was started under an earlier version of its definition (a
/// context of the wizard).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefinitionChanged(pub bool);

/// A draft opened under `def`: when it was saved under another version of the definition, it
/// keeps what still applies ([`ServiceDefinition::retain_applicable`]) and forgets the step it
/// was on, so the wizard starts at the first step that needs the person; the flag says the
/// form changed (the wizard says so in one sentence).
pub fn under_version(mut saved: Saved, def: &ServiceDefinition) -> (Saved, bool) {
    let changed = saved
        .definition_version
        .as_deref()
        .is_some_and(|v| v != def.version);
    if changed {
        let a = &mut saved.app;
        def.retain_applicable(
            &mut a.sub_items,
            &mut a.eligibility,
            &mut a.answers,
            &mut a.materials,
        );
        saved.step = None;
    }
    (saved, changed)
}

/// The service of a draft key (`newborn~3f9a01c2` → `newborn`).
pub fn service_of(key: &str) -> &str {
    key.split_once('~').map_or(key, |(s, _)| s)
}

/// A key for another draft of `service`, beside those there are.
pub fn new_key(service: &str) -> String {
    let hex = crate::random::random_hex();
    format!("{service}~{}", hex.get(..8).unwrap_or(&hex))
}

/// The key of the local draft that holds the server's draft `remote_id` of `service`, or
/// the key to adopt it under.
pub fn key_for_remote(service: &str, remote_id: &str) -> String {
    format!("{service}~{remote_id}")
}

/// Every draft kept on this device, by key.
pub async fn all_local() -> Vec<(String, Saved)> {
    let mut out = Vec::new();
    for key in storage::ids("drafts", "").await {
        if let Some(saved) = storage::get::<Saved>(Store::Drafts, &key).await {
            out.push((key, saved));
        }
    }
    out
}

/// Now, as RFC 3339 (the device's clock).
pub fn now_rfc3339() -> String {
    js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
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

/// The saved draft under `key`, if any and readable.
pub async fn load(key: &str) -> Option<Saved> {
    // Earlier versions kept drafts in plaintext localStorage: never leave one behind.
    if let Some(s) = local_storage() {
        let _ = s.remove_item(&legacy_key(key));
    }
    storage::get(Store::Drafts, key).await
}

/// Saves the draft under `key` (sealed, in IndexedDB).
pub async fn save(key: &str, saved: &Saved) {
    storage::put(Store::Drafts, key, saved).await;
}

/// Removes the saved draft under `key`.
pub async fn remove(key: &str) {
    storage::remove(Store::Drafts, key).await;
}

/// The Idempotency-Key of this draft's pending submission: made once (128 random bits from
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
    /// How each sub-item's result will arrive.
    #[serde(default)]
    pub deliveries: Vec<(String, onething_core::api::DeliveryMethod)>,
}

/// Keeps the receipt of the submission of the draft `service` (its key).
pub fn save_receipt(
    service: &str,
    created: &onething_core::api::ApplicationCreated,
    app: &Application,
    deferred: Vec<(String, u16)>,
    deliveries: Vec<(String, onething_core::api::DeliveryMethod)>,
) {
    let receipt = Receipt {
        id: created.id.clone(),
        case_number: created.case_number.clone(),
        submitted_at: created.submitted_at.clone(),
        sub_items: app.sub_items.clone(),
        deferred,
        deliveries,
    };
    if let (Some(s), Ok(text)) = (local_storage(), crate::json::to_string(&receipt)) {
        let _ = s.set_item(&format!("onething.receipt.{service}"), &text);
    }
}

/// The receipt of the submission of the draft `service` (its key).
pub fn receipt(service: &str) -> Option<Receipt> {
    let text = local_storage()?
        .get_item(&format!("onething.receipt.{service}"))
        .ok()??;
    crate::json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use onething_core::engine::AnswerValue;

    fn newborn() -> ServiceDefinition {
        ServiceDefinition::from_toml("newborn.toml", include_str!("../../services/newborn.toml"))
            .expect("loads")
    }

    fn saved_under(version: Option<&str>) -> Saved {
        let mut app = Application {
            service_id: "newborn".into(),
            ..Application::default()
        };
        app.answers
            .insert("mother_name".into(), AnswerValue::Text("陈倩".into()));
        app.answers
            .insert("gone_fact".into(), AnswerValue::Text("x".into()));
        Saved {
            app,
            step: Some("/apply/newborn/materials".into()),
            definition_version: version.map(str::to_owned),
            ..Saved::default()
        }
    }

    #[test]
    fn a_draft_of_another_version_keeps_what_applies_and_forgets_its_step() {
        let def = newborn();
        let (saved, changed) = under_version(saved_under(Some("2025.9")), &def);
        assert!(changed);
        assert!(
            saved.step.is_none(),
            "the wizard starts at the first incomplete step"
        );
        assert!(saved.app.answers.contains_key("mother_name"));
        assert!(!saved.app.answers.contains_key("gone_fact"));
    }

    #[test]
    fn a_draft_of_the_same_version_or_of_none_is_left_as_it_is() {
        let def = newborn();
        let same = saved_under(Some(&def.version));
        assert_eq!(under_version(same.clone(), &def), (same, false));
        let unknown = saved_under(None);
        assert_eq!(under_version(unknown.clone(), &def), (unknown, false));
    }
}

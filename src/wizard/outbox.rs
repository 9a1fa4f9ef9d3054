//! Submissions that happen exactly once, even offline: a submission made without network is
//! queued on the device (sealed, with its Idempotency-Key) and sent by itself when the network
//! returns, on this page or the next time the app opens. Replays carry the same key, so the
//! server answers with the same case number and never makes a second application.

use std::cell::Cell;

use leptos::prelude::*;
use onething_core::api::{ApplicationCreated, DeliveryMethod, PrivacyConsent};
use onething_core::engine::Application;
use serde::{Deserialize, Serialize};

use super::draft;
use crate::api::{self, FetchError};
use crate::storage::{self, Store};

/// A submission waiting for the network (or refused by the server once it was sent).
#[derive(Serialize, Deserialize, Clone)]
struct Queued {
    key: String,
    app: Application,
    deferred: Vec<(String, u16)>,
    /// How each sub-item's result will arrive (for the receipt).
    #[serde(default)]
    deliveries: Vec<(String, DeliveryMethod)>,
    /// The consent to the privacy notice, sent with it.
    #[serde(default)]
    consent: Option<PrivacyConsent>,
    /// The server refused it when it was sent from the queue: kept (with the draft) until the
    /// person has seen why and sent it again or put it aside.
    #[serde(default)]
    refused: Option<Refusal>,
}

/// Why the server refused a queued submission: its status and error code.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// The contract's error code (`validation_failed`).
    pub code: String,
}

impl Refusal {
    fn of(e: &FetchError) -> Self {
        let (status, code) = match e {
            FetchError::Api {
                status,
                code: crate::api::Code::Known(c),
            } => (*status, c.as_str().to_owned()),
            FetchError::Api { status, .. } => (*status, String::new()),
            _ => (0, String::new()),
        };
        Refusal { status, code }
    }

    /// The error as the app reads it.
    pub fn error(&self) -> FetchError {
        FetchError::Api {
            status: self.status,
            code: crate::api::Code::parse(self.code.clone()),
        }
    }

    /// Whether the answers themselves were refused (the check page shows what to change).
    pub fn is_validation(&self) -> bool {
        self.code == "validation_failed"
    }
}

// Reference-counted signals: owned by no component, so they live as long as the page.
thread_local! {
    static QUEUED: ArcRwSignal<Vec<String>> = ArcRwSignal::new(Vec::new());
    static SENT: ArcRwSignal<Vec<String>> = ArcRwSignal::new(Vec::new());
    static REFUSED: ArcRwSignal<Vec<(String, Refusal)>> = ArcRwSignal::new(Vec::new());
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
}

/// The drafts (by key) whose submission waits for the network.
pub fn queued() -> ArcRwSignal<Vec<String>> {
    QUEUED.with(Clone::clone)
}

/// The drafts (by key) whose queued submission was sent while this page was open.
pub fn sent() -> ArcRwSignal<Vec<String>> {
    SENT.with(Clone::clone)
}

/// The drafts (by key) whose queued submission the server refused, and why: shown until the
/// person sends it again or puts the notice aside. Never dropped silently.
pub fn refused() -> ArcRwSignal<Vec<(String, Refusal)>> {
    REFUSED.with(Clone::clone)
}

/// The person has read why a queued submission was refused: forget the notice (the draft
/// stays).
pub async fn dismiss(key: &str) {
    // Only a refused one: a submission still waiting for the network is not touched.
    if storage::get::<Queued>(Store::Outbox, key)
        .await
        .is_some_and(|q| q.refused.is_some())
    {
        storage::remove(Store::Outbox, key).await;
    }
    REFUSED.with(|r| r.update(|v| v.retain(|(k, _)| k != key)));
    remember();
}

/// What became of a submission.
pub enum Outcome {
    /// Received: the case.
    Sent(ApplicationCreated),
    /// Kept on the device until the network returns.
    Queued,
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Submits now, or queues when there is no network (before or during the request).
///
/// # Errors
/// The server's refusal (e.g. `validation_failed`); network failures queue instead.
pub async fn submit(
    service: &str,
    app: Application,
    consent: Option<PrivacyConsent>,
    key: String,
    deferred: Vec<(String, u16)>,
    deliveries: Vec<(String, DeliveryMethod)>,
) -> Result<Outcome, FetchError> {
    let queued = Queued {
        key,
        app,
        deferred,
        deliveries,
        consent,
        refused: None,
    };
    // Sent again after a refusal: the old notice goes.
    if REFUSED.with(|r| r.with_untracked(|v| v.iter().any(|(k, _)| k == service))) {
        dismiss(service).await;
    }
    if online() {
        match send(service, &queued).await {
            Err(FetchError::Network) => {}
            other => return other.map(Outcome::Sent),
        }
    }
    storage::put(Store::Outbox, service, &queued).await;
    QUEUED.with(|q| {
        q.update(|v| {
            if !v.iter().any(|s| s == service) {
                v.push(service.to_owned());
            }
        });
    });
    remember();
    Ok(Outcome::Queued)
}

async fn send(service: &str, q: &Queued) -> Result<ApplicationCreated, FetchError> {
    crate::session::ensure().await?;
    let created = api::submit(&q.app, q.consent.as_ref(), &q.key).await?;
    // An embedding host learns the case number however the submission went out.
    crate::host::current().submitted(
        draft::service_of(service),
        &created.case_number,
        &created.id,
    );
    draft::save_receipt(
        service,
        &created,
        &q.app,
        q.deferred.clone(),
        q.deliveries.clone(),
    );
    draft::forget_submission_key(service);
    forget_draft(service).await;
    Ok(created)
}

/// The submitted draft `key` goes from the device and the server, with its photos on the
/// device. Done by whatever sent it, once the case exists, and not by the page: that page may
/// have been left (or the tab reloaded and the queue flushed) before the answer came, and a
/// draft left behind would start a second application with a new Idempotency-Key.
pub async fn forget_draft(key: &str) {
    if let Some(r) = draft::load(key).await.and_then(|d| d.remote) {
        api::delete_draft(&r.id).await;
    }
    draft::remove(key).await;
    for photo in storage::ids("photos", &format!("{key}/")).await {
        storage::remove_photo(&photo).await;
    }
}

const HINT: &str = "onething.outbox";

/// Keeps a hint in `localStorage` while something is queued or refused (it holds no data, only
/// `1`), so the
/// first page's small module knows at once that the whole app must start to send it
/// ([`crate::lite`]); the queue itself stays sealed in IndexedDB.
fn remember() {
    let Some(ls) = draft::local_storage() else {
        return;
    };
    if QUEUED.with(|q| q.with_untracked(Vec::is_empty))
        && REFUSED.with(|r| r.with_untracked(Vec::is_empty))
    {
        let _ = ls.remove_item(HINT);
    } else {
        let _ = ls.set_item(HINT, "1");
    }
}

/// Whether a submission may be waiting on this device (read by the first page's module).
pub fn maybe_pending() -> bool {
    draft::local_storage().is_some_and(|ls| ls.get_item(HINT).ok().flatten().is_some())
}

/// Loads the queue and sends it now and whenever the network returns. Called once at start.
pub fn start() {
    leptos::task::spawn_local(flush());
    let listener =
        window_event_listener(leptos::ev::online, |_| leptos::task::spawn_local(flush()));
    // For the page's whole life.
    std::mem::forget(listener);
}

/// Whether a failure may pass by itself (no network, no session yet, the server busy or
/// failing): the submission stays queued and is tried again.
fn transient(e: &FetchError) -> bool {
    match e {
        FetchError::Network | FetchError::Decode => true,
        FetchError::Api { status, .. } => {
            *status == 401 || *status == 408 || *status == 409 || *status >= 500
        }
    }
}

/// Sends every queued submission; stops at the first transient failure (the next `online`
/// event tries again). A refusal by the server is kept, with its reason, in [`refused`]: the
/// draft is still there, and the person is told why and how to fix it.
async fn flush() {
    if FLUSHING.with(|f| f.replace(true)) {
        return;
    }
    let mut ids = Vec::new();
    let mut refusals = Vec::new();
    for key in storage::outbox_ids().await {
        match storage::get::<Queued>(Store::Outbox, &key).await {
            Some(Queued {
                refused: Some(r), ..
            }) => refusals.push((key, r)),
            Some(_) => ids.push(key),
            None => {}
        }
    }
    REFUSED.with(|r| r.set(refusals));
    QUEUED.with(|q| q.set(ids.clone()));
    remember();
    for service in ids {
        if !online() {
            break;
        }
        let Some(mut queued) = storage::get::<Queued>(Store::Outbox, &service).await else {
            continue;
        };
        match send(&service, &queued).await {
            Err(e) if transient(&e) => break,
            Err(e) => {
                let refusal = Refusal::of(&e);
                queued.refused = Some(refusal.clone());
                storage::put(Store::Outbox, &service, &queued).await;
                REFUSED.with(|r| r.update(|v| v.push((service.clone(), refusal))));
                QUEUED.with(|q| q.update(|v| v.retain(|s| s != &service)));
                remember();
            }
            result => {
                storage::remove(Store::Outbox, &service).await;
                if result.is_ok() {
                    SENT.with(|s| s.update(|v| v.push(service.clone())));
                }
                QUEUED.with(|q| q.update(|v| v.retain(|s| s != &service)));
                remember();
            }
        }
    }
    FLUSHING.with(|f| f.set(false));
}

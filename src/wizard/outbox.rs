//! Submissions that happen exactly once, even offline: a submission made without network is
//! queued on the device (sealed, with its Idempotency-Key) and sent by itself when the network
//! returns, on this page or the next time the app opens. Replays carry the same key, so the
//! server answers with the same case number and never makes a second application.

use std::cell::Cell;

use leptos::prelude::*;
use onething_core::api::ApplicationCreated;
use onething_core::engine::Application;
use serde::{Deserialize, Serialize};

use super::draft;
use crate::api::{self, FetchError};
use crate::storage::{self, Store};

/// A submission waiting for the network.
#[derive(Serialize, Deserialize, Clone)]
struct Queued {
    key: String,
    app: Application,
    deferred: Vec<(String, u16)>,
}

// Reference-counted signals: owned by no component, so they live as long as the page.
thread_local! {
    static QUEUED: ArcRwSignal<Vec<String>> = ArcRwSignal::new(Vec::new());
    static SENT: ArcRwSignal<Vec<String>> = ArcRwSignal::new(Vec::new());
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
}

/// The services whose submission waits for the network.
pub fn queued() -> ArcRwSignal<Vec<String>> {
    QUEUED.with(Clone::clone)
}

/// The services whose queued submission was sent while this page was open.
pub fn sent() -> ArcRwSignal<Vec<String>> {
    SENT.with(Clone::clone)
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
    key: String,
    deferred: Vec<(String, u16)>,
) -> Result<Outcome, FetchError> {
    let queued = Queued { key, app, deferred };
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
    let created = api::submit(&q.app, &q.key).await?;
    // An embedding host learns the case number however the submission went out.
    crate::host::current().submitted(service, &created.case_number, &created.id);
    draft::save_receipt(service, &created, &q.app, q.deferred.clone());
    draft::forget_submission_key(service);
    Ok(created)
}

const HINT: &str = "onething.outbox";

/// Keeps a hint in `localStorage` while something is queued (it holds no data, only `1`), so the
/// first page's small module knows at once that the whole app must start to send it
/// ([`crate::lite`]); the queue itself stays sealed in IndexedDB.
fn remember() {
    let Some(ls) = draft::local_storage() else {
        return;
    };
    if QUEUED.with(|q| q.with_untracked(Vec::is_empty)) {
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

/// Sends every queued submission; stops at the first network failure (the next `online` event
/// tries again). A refusal by the server drops it from the queue: the draft is still there, and
/// submitting it again shows why.
async fn flush() {
    if FLUSHING.with(|f| f.replace(true)) {
        return;
    }
    let ids = storage::outbox_ids().await;
    QUEUED.with(|q| q.set(ids.clone()));
    remember();
    for service in ids {
        if !online() {
            break;
        }
        let Some(queued) = storage::get::<Queued>(Store::Outbox, &service).await else {
            continue;
        };
        match send(&service, &queued).await {
            Err(FetchError::Network) => break,
            result => {
                storage::remove(Store::Outbox, &service).await;
                if result.is_ok() {
                    if let Some(r) = draft::load(&service).await.and_then(|d| d.remote) {
                        api::delete_draft(&r.id).await;
                    }
                    draft::remove(&service).await;
                    for photo in storage::ids("photos", &format!("{service}/")).await {
                        storage::remove_photo(&photo).await;
                    }
                    SENT.with(|s| s.update(|v| v.push(service.clone())));
                }
                QUEUED.with(|q| q.update(|v| v.retain(|s| s != &service)));
                remember();
            }
        }
    }
    FLUSHING.with(|f| f.set(false));
}

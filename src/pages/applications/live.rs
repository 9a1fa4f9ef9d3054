//! Live updates of one application while its page is open: a Server-Sent Event stream
//! (`GET /api/applications/{id}/events`, same-origin, authenticated by the session cookie) whose
//! `application` events carry the whole `ApplicationDetail`. When the stream fails the page
//! closes it, catches up with one `GET`, polls while it is down and reconnects after a growing
//! delay; when the page returns to the foreground it catches up at once. Everything stops when
//! the page's owner is disposed (the state is dropped with it).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gloo_events::EventListener;
use leptos::prelude::*;
use onething_core::api::{ApplicationDetail, SubItemStatus};
use wasm_bindgen::JsCast;

use crate::api;

/// How often to ask while the stream is down.
const POLL: Duration = Duration::from_secs(10);

/// The wait before reconnect attempt `n` (1-based): 1, 2, 4, 8, 16, then 30 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs((1u64 << attempt.saturating_sub(1).min(5)).min(30))
}

/// Takes `new` when it is newer than what is shown: events and answers to requests can arrive
/// out of order, and the revision only grows.
pub fn apply(detail: RwSignal<ApplicationDetail>, new: ApplicationDetail) {
    let newer = detail
        .try_with_untracked(|d| new.revision > d.revision)
        .unwrap_or(false);
    if newer {
        detail.set(new);
    }
}

/// The sub-items whose state differs between `old` and `new`, with their new state.
pub fn changed(
    old: &[(String, SubItemStatus)],
    new: &ApplicationDetail,
) -> Vec<(String, SubItemStatus)> {
    new.items
        .iter()
        .filter(|i| {
            !old.iter()
                .any(|(id, s)| *id == i.sub_item_id && *s == i.status)
        })
        .map(|i| (i.sub_item_id.clone(), i.status))
        .collect()
}

/// What is kept while following: each listener is removed from its target when dropped with it.
struct Live {
    id: String,
    detail: RwSignal<ApplicationDetail>,
    source: Option<web_sys::EventSource>,
    /// The stream's `application` and `error` listeners; kept until the next stream replaces
    /// them (a closed stream fires neither).
    listeners: Option<(EventListener, EventListener)>,
    retry: Option<TimeoutHandle>,
    poll: Option<IntervalHandle>,
    on_visible: Option<EventListener>,
    failures: u32,
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(s) = self.source.take() {
            s.close();
        }
        if let Some(r) = self.retry.take() {
            r.clear();
        }
        if let Some(p) = self.poll.take() {
            p.clear();
        }
    }
}

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// Follows application `id` into `detail` for as long as the current owner lives.
pub fn follow(id: String, detail: RwSignal<ApplicationDetail>) {
    let live = Rc::new(RefCell::new(Live {
        id,
        detail,
        source: None,
        listeners: None,
        retry: None,
        poll: None,
        on_visible: None,
        failures: 0,
    }));
    if let Some(doc) = document() {
        let weak = Rc::downgrade(&live);
        let on_visible = crate::dom::listen(&doc, "visibilitychange", move |_| {
            let hidden = document().is_none_or(|d| d.hidden());
            if let (false, Some(live)) = (hidden, weak.upgrade()) {
                catch_up(&live);
                // Back in the foreground: do not wait out the backoff.
                if live.borrow().source.is_none() {
                    if let Some(r) = live.borrow_mut().retry.take() {
                        r.clear();
                    }
                    open(&live);
                }
            }
        });
        live.borrow_mut().on_visible = Some(on_visible);
    }
    open(&live);
    StoredValue::new_local(live);
}

/// One `GET` of the application, applied when newer.
fn catch_up(live: &Rc<RefCell<Live>>) {
    let (id, detail) = {
        let l = live.borrow();
        (l.id.clone(), l.detail)
    };
    leptos::task::spawn_local(async move {
        if let Ok(d) = api::get_application(&id).await {
            apply(detail, d);
        }
    });
}

fn open(live: &Rc<RefCell<Live>>) {
    let url = format!("{}/applications/{}/events", api::API_BASE, live.borrow().id);
    let Ok(source) = web_sys::EventSource::new(&url) else {
        // No EventSource in this webview: polling only.
        start_polling(live);
        return;
    };
    let weak = Rc::downgrade(live);
    let detail = live.borrow().detail;
    let on_event = crate::dom::listen(&source, "application", move |e| {
        if let Some(d) = e
            .unchecked_ref::<web_sys::MessageEvent>()
            .data()
            .as_string()
            .and_then(|t| crate::json::from_str(&t).ok())
        {
            apply(detail, d);
        }
        if let Some(live) = weak.upgrade() {
            let mut l = live.borrow_mut();
            l.failures = 0;
            if let Some(p) = l.poll.take() {
                p.clear();
            }
        }
    });
    let weak = Rc::downgrade(live);
    let on_error = crate::dom::listen(&source, "error", move |_| {
        if let Some(live) = weak.upgrade() {
            failed(&live);
        }
    });
    let mut l = live.borrow_mut();
    if let Some(old) = l.source.replace(source) {
        old.close();
    }
    l.listeners = Some((on_event, on_error));
}

/// The stream broke: close it (the browser's own retry has no backoff), catch up, poll while
/// it is down, and try again later.
fn failed(live: &Rc<RefCell<Live>>) {
    let delay = {
        let mut l = live.borrow_mut();
        if let Some(s) = l.source.take() {
            s.close();
        }
        l.failures += 1;
        backoff(l.failures)
    };
    catch_up(live);
    start_polling(live);
    let weak = Rc::downgrade(live);
    let retry = set_timeout_with_handle(
        move || {
            if let Some(live) = weak.upgrade() {
                live.borrow_mut().retry = None;
                open(&live);
            }
        },
        delay,
    )
    .ok();
    if let Some(old) = std::mem::replace(&mut live.borrow_mut().retry, retry) {
        old.clear();
    }
}

fn start_polling(live: &Rc<RefCell<Live>>) {
    if live.borrow().poll.is_some() {
        return;
    }
    let weak = Rc::downgrade(live);
    let poll = set_interval_with_handle(
        move || {
            if let Some(live) = weak.upgrade() {
                catch_up(&live);
            }
        },
        POLL,
    )
    .ok();
    live.borrow_mut().poll = poll;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_half_a_minute() {
        let secs: Vec<u64> = (1..=8).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
    }

    #[test]
    fn changed_lists_only_items_whose_state_moved() {
        let detail: ApplicationDetail = serde_json::from_str(
            r#"{"id":"a","case_number":"OT1","service_id":"s","status":"in_progress",
            "submitted_at":"2026-11-27T01:00:00Z","updated_at":"2026-11-27T01:00:00Z","revision":2,
            "items":[
              {"sub_item_id":"x","status":"accepted","waiting_for":[],"tracking_number":null,"updated_at":"2026-11-27T01:00:00Z"},
              {"sub_item_id":"y","status":"received","waiting_for":["x"],"tracking_number":null,"updated_at":"2026-11-27T01:00:00Z"}],
            "timeline":[],"supplements":[],"rating":null,"can_rate":false}"#,
        )
        .expect("detail");
        let old = [
            ("x".to_owned(), SubItemStatus::Received),
            ("y".to_owned(), SubItemStatus::Received),
        ];
        assert_eq!(
            changed(&old, &detail),
            [("x".to_owned(), SubItemStatus::Accepted)]
        );
    }
}

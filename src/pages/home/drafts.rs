//! `/drafts`: my drafts. Drafts are per application, not per service: each one kept on this
//! device and each one saved on the server from another device is listed with what the person
//! recognises it by (the service, a child's name or the first answer, when it last changed),
//! to continue or to discard (after a confirmation).

use leptos::prelude::*;
use onething_core::Text;

use crate::api;
use crate::components::title_from;
use crate::dom::focus_heading;
use crate::i18n::{t, tr};
use crate::prefs::locale;
use crate::storage;
use crate::wizard::{draft, outbox};

/// Where a draft is kept.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// On this device only (no consent yet, or never synced).
    Device,
    /// On this device and on the server.
    Both,
    /// On the server only, from another device.
    Elsewhere,
}

/// One line of the list.
#[derive(Clone, PartialEq)]
struct Entry {
    key: String,
    service_id: String,
    label: Option<String>,
    updated_at: Option<String>,
    place: Place,
    remote_id: Option<String>,
}

/// Started by the person: the first step answered (a wizard only opened, with the account's
/// prefill, is not a draft to list).
fn started(s: &draft::Saved) -> bool {
    !s.app.eligibility.is_empty() || !s.app.materials.is_empty()
}

/// The drafts on this device, and those of the account on the server that no draft here holds.
async fn entries() -> Vec<Entry> {
    let mut out: Vec<Entry> = draft::all_local()
        .await
        .into_iter()
        .filter(|(_, s)| started(s))
        .map(|(key, s)| Entry {
            service_id: draft::service_of(&key).to_owned(),
            place: if s.remote.is_some() {
                Place::Both
            } else {
                Place::Device
            },
            remote_id: s.remote.map(|r| r.id),
            key,
            label: s.label,
            updated_at: s.updated_at,
        })
        .collect();
    if api::session::token().is_some()
        && let Ok(list) = api::list_drafts::<draft::Saved>().await
    {
        for d in list {
            if out
                .iter()
                .any(|e| e.remote_id.as_deref() == Some(d.id.as_str()))
            {
                continue;
            }
            out.push(Entry {
                key: draft::key_for_remote(&d.service_id, &d.id),
                service_id: d.service_id,
                label: d.data.label,
                updated_at: Some(d.updated_at),
                place: Place::Elsewhere,
                remote_id: Some(d.id),
            });
        }
    }
    out.sort_by(|a, b| b.updated_at.cmp(&a.updated_at));
    out
}

/// Deletes a draft here and on the server, with its photos on this device.
async fn discard(e: Entry) {
    if let Some(id) = &e.remote_id {
        api::delete_draft(id).await;
    }
    draft::remove(&e.key).await;
    for photo in storage::ids("photos", &format!("{}/", e.key)).await {
        storage::remove_photo(&photo).await;
    }
    draft::forget_submission_key(&e.key);
    outbox::dismiss(&e.key).await;
}

/// An RFC 3339 instant as the device's local date and time.
fn local_time(rfc3339: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if d.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The page.
#[component]
pub fn DraftsPage() -> impl IntoView {
    title_from(|m| m.drafts_title);
    focus_heading();
    let list = RwSignal::new(None::<Vec<Entry>>);
    let titles = RwSignal::new(Vec::<(String, Text)>::new());
    let said = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        // The titles first: a card names its service from the start.
        if let Ok(services) = api::list_services().await {
            titles.set(services.into_iter().map(|s| (s.id, s.title)).collect());
        }
        list.set(Some(entries().await));
    });
    let title_of = move |id: &str| {
        titles.with(|ts| {
            ts.iter()
                .find(|(s, _)| s == id)
                .map_or_else(|| id.to_owned(), |(_, t)| t.get(locale()).to_owned())
        })
    };
    let on_discard = Callback::new(move |e: Entry| {
        let key = e.key.clone();
        list.update(|l| {
            if let Some(l) = l {
                l.retain(|x| x.key != key);
            }
        });
        said.set(true);
        crate::dom::focus_later("drafts-status");
        leptos::task::spawn_local(discard(e));
    });
    view! {
        <a href=crate::router::href("/") class="back-link">{tr(|m| m.back_to_services)}</a>
        <h1>{tr(|m| m.drafts_title)}</h1>
        <p class="lead">{tr(|m| m.drafts_intro)}</p>
        <p class="search-status" id="drafts-status" tabindex="-1" role="status">
            {move || said.get().then(|| t().drafts_discarded)}
        </p>
        {move || match list.get() {
            None => view! { <p class="loading">{t().services_loading}</p> }.into_any(),
            Some(l) if l.is_empty() => view! { <p>{t().drafts_none}</p> }.into_any(),
            Some(l) => view! {
                <ul class="cards drafts">
                    {l.into_iter().map(|e| view! { <DraftCard entry=e title=title_of on_discard /> }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

/// One draft: what it is, where it is kept, continue and discard.
#[component]
fn DraftCard(
    /// The draft.
    entry: Entry,
    /// The service's title by id.
    title: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
    /// Discards it (after the confirmation).
    on_discard: Callback<Entry>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let service = entry.service_id.clone();
    let label = entry
        .label
        .clone()
        .unwrap_or_else(|| t().drafts_unnamed.to_owned());
    let when = entry.updated_at.as_deref().map(local_time);
    let place = match entry.place {
        Place::Device => t().drafts_on_device,
        Place::Both => t().drafts_on_server,
        Place::Elsewhere => t().drafts_elsewhere,
    };
    let href = crate::router::href(&format!("/apply/{}?continue=1", entry.key));
    let key = entry.key.clone();
    let refused = move || outbox::refused().with(|r| r.iter().any(|(k, _)| *k == key));
    let id = format!("draft-{}", entry.key.replace('~', "-"));
    let heading = format!("{id}-title");
    let e = StoredValue::new(entry);
    view! {
        <li class="card draft-card" id=id>
            <h2 class="card-title" id=heading>{move || title(&service)}</h2>
            <p class="draft-label">{label.clone()}</p>
            {when.map(|w| view! { <p class="card-meta">{move || t().drafts_changed.replace("{when}", &w)}</p> })}
            <p class="card-meta">{place}</p>
            {move || refused().then(|| view! { <p class="badge badge-error">{t().outbox_refused_heading}</p> })}
            <div class="notice-actions">
                <a href=href.clone() class="button primary draft-continue">{tr(|m| m.drafts_continue)}</a>
                <button type="button" class="button secondary draft-discard" on:click=move |_| confirming.set(true)>
                    {tr(|m| m.drafts_discard)}
                </button>
            </div>
            {move || confirming.get().then(|| view! {
                <div class="notice notice-warning" role="alert">
                    <p>{t().drafts_discard_confirm}</p>
                    <div class="notice-actions">
                        <button type="button" class="button secondary draft-discard-yes"
                            on:click=move |_| on_discard.run(e.get_value())>
                            {t().drafts_discard_yes}
                        </button>
                        <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                            {t().drafts_discard_no}
                        </button>
                    </div>
                </div>
            })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opened_but_empty_draft_is_not_listed() {
        let mut s = draft::Saved::default();
        assert!(!started(&s));
        s.app.answers.insert(
            "mother_name".into(),
            onething_core::AnswerValue::Text("王芳".into()),
        );
        assert!(!started(&s), "the account's prefill alone");
        s.app.eligibility.insert(
            "born_in_province_hospital".into(),
            onething_core::AnswerValue::Bool(true),
        );
        assert!(started(&s));
    }
}

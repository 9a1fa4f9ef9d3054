//! 补正: the department's open requests, each answered in place by text and/or a photo sent
//! through the same tus upload as the wizard's materials.

use std::rc::Rc;

use leptos::html::Input;
use leptos::prelude::*;
use onething_core::ServiceDefinition;
use onething_core::api::{ApplicationDetail, Supplement, SupplementAnswer};

use super::items::title;
use super::live;
use crate::api::{self, FetchError};
use crate::components::{ProgressBar, status_text};
use crate::i18n::t;
use crate::upload::{self, Status};

/// Every request still waiting for an answer.
#[component]
pub fn Supplements(
    /// The case id.
    id: String,
    /// The live application.
    detail: RwSignal<ApplicationDetail>,
    /// Its service definition.
    def: StoredValue<ServiceDefinition>,
) -> impl IntoView {
    // A memo, so an update elsewhere in the case does not re-render a form being filled in.
    let open = Memo::new(move |_| {
        detail.with(|d| {
            // A withdrawn case needs nothing more from the person.
            let withdrawn = d.status == onething_core::api::ApplicationStatus::Withdrawn;
            d.supplements
                .iter()
                .filter(|s| s.answer.is_none() && !withdrawn)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    move || {
        open.get()
            .into_iter()
            .map(|s| view! { <SupplementForm id=id.clone() s detail def /> })
            .collect_view()
    }
}

/// Sends the answer: the photo first (when one was chosen, compressed and resumable like the
/// wizard's, with progress in `progress`), then the text and upload id.
async fn send(
    id: String,
    sid: String,
    text: String,
    file: Option<web_sys::File>,
    progress: RwSignal<Option<Status>>,
) -> Result<ApplicationDetail, String> {
    let mut upload_ids = Vec::new();
    if let Some(f) = file {
        let report: Rc<dyn Fn(Status)> = Rc::new(move |s| progress.set(Some(s)));
        let sent = upload::send_once(&f, report).await;
        progress.set(None);
        upload_ids.push(sent.map_err(|f| status_text(&Status::Failed(f)))?);
    }
    let text = Some(text.trim().to_owned()).filter(|x| !x.is_empty());
    let answer = SupplementAnswer {
        text,
        upload_ids,
        answered_at: None,
    };
    api::answer_supplement(&id, &sid, &answer)
        .await
        .map_err(|e: FetchError| e.message(t()).to_owned())
}

/// One request: what the department needs, and the answer form.
#[component]
fn SupplementForm(
    /// The case id.
    id: String,
    /// The request.
    s: Supplement,
    /// The live application, updated with the answer.
    detail: RwSignal<ApplicationDetail>,
    /// Its service definition.
    def: StoredValue<ServiceDefinition>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let photo = NodeRef::<Input>::new();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<Status>);
    let (text_id, photo_id) = (format!("sup-{}-text", s.id), format!("sup-{}-photo", s.id));
    let item = s.sub_item_id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let file = photo
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        if text.get_untracked().trim().is_empty() && file.is_none() {
            error.set(Some(t().supplement_empty.to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        let (id, sid) = (id.clone(), s.id.clone());
        leptos::task::spawn_local(async move {
            match send(id, sid, text.get_untracked(), file, progress).await {
                Ok(d) => live::apply(detail, d),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="notice notice-warning supplement" on:submit=submit>
            <h2>{move || super::pair(t().label_value, &def.with_value(|d| title(d, &item)), t().supplement_heading)}</h2>
            <p>{move || t().supplement_reason}" "{s.note.clone()}</p>
            <label class="label" for=text_id.clone()>{move || t().supplement_text}</label>
            <textarea id=text_id bind:value=text></textarea>
            <label class="label" for=photo_id.clone()>{move || t().supplement_photo}</label>
            <input id=photo_id type="file" accept="image/*,application/pdf" node_ref=photo />
            {move || progress.get().map(|p| view! {
                <p class="photo-state" role="status">{status_text(&p)}</p>
                {p.percent().map(|n| view! { <ProgressBar percent=n label=t().upload_progress /> })}
            })}
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="button primary" aria-disabled=move || busy.get().to_string()>
                {move || if busy.get() { t().photo_sending } else { t().supplement_send }}
            </button>
        </form>
    }
}

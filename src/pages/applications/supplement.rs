//! 补正: the department's open requests, each answered in place by text and/or a photo sent
//! through the same tus upload as the wizard's materials.

use leptos::html::Input;
use leptos::prelude::*;
use onething_core::ServiceDefinition;
use onething_core::api::{ApplicationDetail, Supplement, SupplementAnswer};

use super::items::title;
use super::live;
use crate::api::{self, FetchError};
use crate::i18n::t;

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
            d.supplements
                .iter()
                .filter(|s| s.answer.is_none())
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

/// Sends the answer: the photo first (when one was chosen), then the text and upload id.
async fn send(
    id: String,
    sid: String,
    text: String,
    file: Option<web_sys::File>,
) -> Result<ApplicationDetail, FetchError> {
    let mut upload_ids = Vec::new();
    if let Some(f) = file {
        upload_ids.push(api::upload::upload(&f).await?);
    }
    let text = Some(text.trim().to_owned()).filter(|x| !x.is_empty());
    let answer = SupplementAnswer {
        text,
        upload_ids,
        answered_at: None,
    };
    api::answer_supplement(&id, &sid, &answer).await
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
    let error = RwSignal::new(None::<&'static str>);
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
            error.set(Some(t().supplement_empty));
            return;
        }
        busy.set(true);
        error.set(None);
        let (id, sid) = (id.clone(), s.id.clone());
        leptos::task::spawn_local(async move {
            match send(id, sid, text.get_untracked(), file).await {
                Ok(d) => live::apply(detail, d),
                Err(e) => error.set(Some(e.message(t()))),
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
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="button primary" aria-disabled=move || busy.get().to_string()>
                {move || if busy.get() { t().photo_sending } else { t().supplement_send }}
            </button>
        </form>
    }
}

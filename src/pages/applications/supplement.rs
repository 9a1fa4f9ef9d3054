//! 补正: the department's open requests, each answered in place by text and/or a photo chosen
//! the way the materials page chooses one (the camera or the album, or the app platform's own
//! picker) and sent through the same pipeline: compressed in the browser, uploaded with tus
//! (progress, retries, resumed from the server's offset after a cut).

use std::rc::Rc;

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
    file: Option<web_sys::Blob>,
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
    // The chosen photo (a Blob stays a JS object: its bytes never enter wasm) and its name.
    let photo = RwSignal::new_local(None::<(web_sys::Blob, String)>);
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
        let file = photo.with_untracked(|p| p.as_ref().map(|(b, _)| b.clone()));
        if text.get_untracked().trim().is_empty() && file.is_none() {
            error.set(Some(t().supplement_empty.to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        let (id, sid) = (id.clone(), s.id.clone());
        leptos::task::spawn_local(async move {
            match send(id, sid, text.get_untracked(), file, progress).await {
                Ok(d) => {
                    photo.set(None);
                    live::apply(detail, d);
                }
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
            <p class="label" id=photo_id.clone()>{move || t().supplement_photo}</p>
            <SupplementPhoto dom=photo_id photo />
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

fn picked(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0);
    // Cleared, so choosing the same file again still counts as a change.
    input.set_value("");
    file
}

/// The answer's photo: the camera or the album (or the app platform's picker where it has
/// one, as on the materials page), then the chosen file's name with a way to remove it.
#[component]
fn SupplementPhoto(
    /// The id prefix of the inputs (the group's label has this id).
    dom: String,
    /// The chosen photo and its name.
    photo: RwSignal<Option<(web_sys::Blob, String)>, LocalStorage>,
) -> impl IntoView {
    let native_failed = RwSignal::new(false);
    let (camera_id, album_id) = (format!("{dom}-camera"), format!("{dom}-album"));
    let accept = "image/*,application/pdf";
    let pick = move |ev: leptos::ev::Event| {
        if let Some(f) = picked(&ev) {
            let name = f.name();
            photo.set(Some((f.into(), name)));
        }
    };
    let pickers = move || {
        if let Some((_, name)) = photo.get() {
            return view! {
                <p class="supplement-chosen">
                    <span>{format!("{}{name}", t().supplement_chosen)}</span>" "
                    <button type="button" class="link-button" on:click=move |_| photo.set(None)>{t().photo_delete}</button>
                </p>
            }
            .into_any();
        }
        let native = (crate::host::current().has_picker() && !native_failed.get()).then(|| {
            let pick_native = move |_| {
                leptos::task::spawn_local(async move {
                    match crate::host::current().pick_images(1).await {
                        Some(blobs) => {
                            if let Some(b) = blobs.into_iter().next() {
                                photo.set(Some((b, t().photo_take.to_owned())));
                            }
                        }
                        None => native_failed.set(true),
                    }
                });
            };
            view! { <button type="button" class="button secondary photo-button" on:click=pick_native>{t().photo_take}</button> }
        });
        let web = native.is_none().then(|| view! {
            <label class="button secondary photo-button" for=camera_id.clone()>{t().photo_take}</label>
            <input class="visually-hidden" type="file" id=camera_id.clone() accept=accept capture="environment" on:change=pick />
            <label class="button secondary photo-button" for=album_id.clone()>{t().photo_album}</label>
            <input class="visually-hidden" type="file" id=album_id.clone() accept=accept on:change=pick />
        });
        view! { <div class="photo-pickers" role="group" aria-labelledby=dom.clone()>{native}{web}</div> }.into_any()
    };
    view! { <div class="supplement-photo">{pickers}</div> }
}

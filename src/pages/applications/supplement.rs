//! 补正: the department's open requests, each answered in place by text and/or photos chosen
//! with the materials page's own [`PhotoPicker`] (the camera or the album, or the app
//! platform's picker): previewed, rotated, compressed in the browser and uploaded with tus
//! (progress, pause, retries, resumed from the server's offset after a cut). The chosen photos
//! are kept sealed on the device under the request's key, like a draft's, so a reload or a
//! killed webview finds them again and their uploads carry on; the answer's text is kept the
//! same way ([`TextKept`]). Both are forgotten once the answer is recorded.

use leptos::prelude::*;
use onething_core::ServiceDefinition;
use onething_core::api::{ApplicationDetail, Supplement, SupplementAnswer};
use onething_core::engine::{Application, MaterialChoice};

use super::items::title;
use super::live;
use crate::api::{self, FetchError};
use crate::i18n::{t, tr};
use crate::storage::{self, Store};
use crate::upload::{Status, Uploads};
use crate::wizard::fields::PhotoPicker;

/// The answer's photos are one "material" of the request's own upload set, named after the
/// request (the picker's element ids come from it: two open requests must not share them).
fn answer_material(sid: &str) -> String {
    format!("supplement-{sid}")
}
/// How many photos one answer takes.
const MAX_PHOTOS: usize = 5;

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

/// The key of a request's photos on the device.
fn device_key(case: &str, sid: &str) -> String {
    format!("supplement.{case}.{sid}")
}

/// The request's upload set: its photos under `supplement.<case>.<request>` on the device (the
/// key names no person), their finished upload ids in a one-material application.
fn uploads_of(case: &str, sid: &str) -> Uploads {
    let mut app = Application::default();
    app.materials.insert(
        answer_material(sid),
        MaterialChoice::Upload {
            upload_ids: Vec::new(),
        },
    );
    Uploads::new(device_key(case, sid), RwSignal::new(app))
}

/// The answer's text, sealed on the device under the request's key (in the drafts' store: the
/// key is no service's, so no draft list reads it), so a reload or a killed webview finds what
/// was typed. Written a moment after the typing stops; plain values only, as the form may go
/// while a write waits.
#[derive(Clone)]
struct TextKept {
    key: String,
    timer: std::rc::Rc<std::cell::Cell<Option<TimeoutHandle>>>,
    /// The answer was recorded: nothing is written any more.
    done: std::rc::Rc<std::cell::Cell<bool>>,
}

impl TextKept {
    /// How long after the last keystroke the text is written.
    const DELAY: std::time::Duration = std::time::Duration::from_millis(300);

    fn new(key: String) -> Self {
        Self {
            key,
            timer: std::rc::Rc::default(),
            done: std::rc::Rc::default(),
        }
    }

    /// Puts the kept text into `text`, unless the person has typed already.
    fn restore(&self, text: RwSignal<String>) {
        let key = self.key.clone();
        leptos::task::spawn_local(async move {
            if let Some(kept) = storage::get::<String>(Store::Drafts, &key).await {
                text.try_update(|t| {
                    if t.is_empty() {
                        *t = kept;
                    }
                });
            }
        });
    }

    /// Keeps `value` (an empty one removes what was kept).
    fn keep(&self, value: String) {
        if let Some(h) = self.timer.take() {
            h.clear();
        }
        let this = self.clone();
        let h = set_timeout_with_handle(
            move || {
                if this.done.get() {
                    return;
                }
                leptos::task::spawn_local(async move {
                    if value.trim().is_empty() {
                        storage::remove(Store::Drafts, &this.key).await;
                    } else {
                        storage::put(Store::Drafts, &this.key, &value).await;
                    }
                });
            },
            Self::DELAY,
        );
        self.timer.set(h.ok());
    }

    /// The answer is recorded: the kept text goes, and nothing is written again.
    async fn forget(&self) {
        self.done.set(true);
        if let Some(h) = self.timer.take() {
            h.clear();
        }
        storage::remove(Store::Drafts, &self.key).await;
    }
}

/// Why the answer cannot go yet: nothing in it, or a photo not uploaded yet (or failed).
fn not_ready(text: &str, photos: &[Option<Status>]) -> Option<&'static str> {
    let chosen: Vec<&Status> = photos.iter().flatten().collect();
    if text.trim().is_empty() && chosen.is_empty() {
        Some(t().supplement_empty)
    } else if chosen.iter().any(|s| matches!(s, Status::Failed(_))) {
        Some(t().supplement_photo_failed)
    } else if chosen.iter().any(|s| **s != Status::Done) {
        Some(t().supplement_photo_wait)
    } else {
        None
    }
}

/// Sends the answer: the text and the ids of the photos already uploaded.
async fn send(
    id: String,
    sid: String,
    text: String,
    upload_ids: Vec<String>,
) -> Result<ApplicationDetail, String> {
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
    let uploads = uploads_of(&id, &s.id);
    // Plain strings in each closure: the form goes (with its reactive values) as soon as the
    // answer is recorded, while its last tasks still run.
    let material = answer_material(&s.id);
    // The picker finds the upload set in context, as the wizard's materials page provides its own.
    provide_context(uploads);
    leptos::task::spawn_local(async move { uploads.restore().await });
    let key = device_key(&id, &s.id);
    let kept = TextKept::new(key.clone());
    kept.restore(text);
    let suspended = key.clone();
    on_cleanup(move || Uploads::suspend(&suspended));
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let (text_id, photo_id) = (format!("sup-{}-text", s.id), format!("sup-{}-photo", s.id));
    let item = s.sub_item_id.clone();
    // The slots shown: each chosen photo and one empty slot for the next, up to MAX_PHOTOS.
    let statuses = {
        let material = material.clone();
        Memo::new(move |_| {
            (0..MAX_PHOTOS)
                .map(|i| uploads.photo(&material, i).map(|p| p.status))
                .collect::<Vec<_>>()
        })
    };
    let slots = Memo::new(move |_| {
        statuses.with(|s| {
            (s.iter().rposition(Option::is_some).map_or(0, |i| i + 1) + 1).min(MAX_PHOTOS)
        })
    });
    let submit = {
        let material = material.clone();
        let kept = kept.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            if let Some(why) = not_ready(&text.get_untracked(), &statuses.get_untracked()) {
                error.set(Some(why.to_owned()));
                return;
            }
            busy.set(true);
            error.set(None);
            let upload_ids: Vec<String> = uploads
                .done_ids(&material)
                .into_iter()
                .filter(|u| !u.is_empty())
                .collect();
            let (id, sid) = (id.clone(), s.id.clone());
            let prefix = key.clone();
            let answer = text.get_untracked();
            let kept = kept.clone();
            leptos::task::spawn_local(async move {
                match send(id, sid, answer, upload_ids).await {
                    Ok(d) => {
                        // Recorded: the form goes (its cleanup stops what the page holds), and the
                        // device's copies are no longer needed.
                        live::apply(detail, d);
                        kept.forget().await;
                        for key in crate::storage::ids("photos", &format!("{prefix}/")).await {
                            crate::storage::remove_photo(&key).await;
                        }
                    }
                    Err(e) => {
                        error.try_set(Some(e));
                    }
                }
                busy.try_set(false);
            });
        }
    };
    view! {
        <form class="notice notice-warning supplement" on:submit=submit>
            <h2>{move || super::pair(t().label_value, &def.with_value(|d| title(d, &item)), t().supplement_heading)}</h2>
            <p>{tr(|m| m.supplement_reason)}" "{s.note.clone()}</p>
            <label class="label" for=text_id.clone()>{tr(|m| m.supplement_text)}</label>
            <textarea id=text_id bind:value=text on:input=move |ev| kept.keep(event_target_value(&ev))></textarea>
            <p class="label" id=photo_id.clone()>{tr(|m| m.supplement_photo)}</p>
            <div class="supplement-photos" role="group" aria-labelledby=photo_id>
                {move || (0..slots.get()).map(|i| view! {
                    <PhotoPicker material=material.clone() index=i page=None accept="image/*,application/pdf".to_owned() />
                }).collect_view()}
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="button primary" aria-disabled=move || busy.get().to_string()>
                {move || if busy.get() { t().photo_sending } else { t().supplement_send }}
            </button>
        </form>
    }
}

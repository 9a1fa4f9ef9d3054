//! One page of a material to photograph (ID card: photo side): camera or album, then a preview
//! with its upload's state and progress, and retake, rotate, pause/resume, retry and delete.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::{ProgressBar, status_text};
use crate::i18n::{t, tr};
use crate::upload::{Failure, Status, Uploads};
use crate::wizard::Wizard;

fn picked(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0);
    // Clear it, so choosing the same file again still counts as a change.
    input.set_value("");
    file
}

/// The upload set the picker adds to: one provided as context by its page (a 补正 answer's),
/// else the wizard's.
fn uploads() -> Uploads {
    use_context::<Uploads>().unwrap_or_else(|| expect_context::<Wizard>().uploads)
}

/// One slot of a material: the camera and album buttons, or the photo taken.
#[component]
pub fn PhotoPicker(
    /// The material's id.
    material: String,
    /// Which page (0-based).
    index: usize,
    /// The page's name (ID card front …), if the material has pages.
    page: Option<String>,
    /// Accepted media types (from the definition).
    accept: String,
) -> impl IntoView {
    let uploads = uploads();
    let dom = format!("material-{material}-page-{index}");
    let has_photo = {
        let material = material.clone();
        Memo::new(move |_| uploads.photo(&material, index).is_some())
    };
    let on_pick = {
        let material = material.clone();
        Callback::new(move |f: web_sys::File| uploads.add(&material, index, f.into()))
    };
    let on_blob = {
        let material = material.clone();
        Callback::new(move |b: web_sys::Blob| uploads.add(&material, index, b))
    };
    let native_failed = RwSignal::new(false);
    let (camera_id, album_id, retake) = (
        format!("{dom}-camera"),
        format!("{dom}-album"),
        format!("{dom}-retake"),
    );
    let slot = move || {
        if has_photo.get() {
            let (material, page, accept) = (material.clone(), page.clone(), accept.clone());
            let retake_id = retake.clone();
            return view! { <PhotoCard material index page accept retake_id on_pick /> }.into_any();
        }
        let title = page.clone().map_or_else(
            || t().photo_take.to_owned(),
            |p| format!("{}：{p}", t().photo_take),
        );
        let (camera_for, album_for) = (camera_id.clone(), album_id.clone());
        let pick = move |ev: leptos::ev::Event| {
            if let Some(f) = picked(&ev) {
                on_pick.run(f);
            }
        };
        // Inside an app platform, its own picker (camera or album) first; the web inputs stay
        // for when it cannot (then the platform's button gives way to them).
        let native = (crate::host::current().has_picker() && !native_failed.get()).then(|| {
            let pick_native = move |_| {
                leptos::task::spawn_local(async move {
                    match crate::host::current().pick_images(1).await {
                        Some(blobs) => {
                            if let Some(b) = blobs.into_iter().next() {
                                on_blob.run(b);
                            }
                        }
                        None => native_failed.set(true),
                    }
                });
            };
            view! {
                <button type="button" class="button secondary photo-button" on:click=pick_native>{title.clone()}</button>
            }
        });
        let web = native.is_none().then(|| view! {
            <label class="button secondary photo-button" for=camera_for>{title}</label>
            <input class="visually-hidden" type="file" id=camera_id.clone() accept=accept.clone() capture="environment" on:change=pick />
            <label class="button secondary photo-button" for=album_for>{tr(|m| m.photo_album)}</label>
            <input class="visually-hidden" type="file" id=album_id.clone() accept=accept.clone() on:change=pick />
        });
        view! { <div class="photo-pickers">{native}{web}</div> }.into_any()
    };
    view! { <div class="photo-slot" id=dom>{slot}</div> }
}

/// The photo of a slot: preview, state, progress, and what can be done with it.
#[component]
fn PhotoCard(
    /// The material's id.
    material: String,
    /// Which page (0-based).
    index: usize,
    /// The page's name, if the material has pages.
    page: Option<String>,
    /// Accepted media types.
    accept: String,
    /// The retake input's id.
    retake_id: String,
    /// A new file chosen to replace this one.
    on_pick: Callback<web_sys::File>,
) -> impl IntoView {
    let uploads = uploads();
    let photo = {
        let material = material.clone();
        Memo::new(move |_| uploads.photo(&material, index))
    };
    let status = Memo::new(move |_| photo.with(|p| p.as_ref().map(|p| p.status.clone())));
    let preview = Memo::new(move |_| photo.with(|p| p.as_ref().and_then(|p| p.preview.clone())));
    // What screen readers hear: state changes, not every percent (the bar carries the number).
    let announced = Memo::new(move |_| {
        status.get().map(|s| match s {
            Status::Sending { .. } => t().photo_sending.to_owned(),
            other => status_text(&other),
        })
    });
    let name = page.unwrap_or_default();
    let alt = move || format!("{}{name}", t().photo_preview);
    let flags = move || {
        let s = status.get();
        let can_pause = matches!(
            s,
            Some(Status::Sending { .. } | Status::Waiting | Status::Offline)
        );
        let can_resume = matches!(
            s,
            Some(Status::Paused | Status::Failed(Failure::Unreachable | Failure::SignedOut))
        );
        let ready = !matches!(s, Some(Status::Preparing) | None);
        (
            can_pause,
            can_resume,
            ready,
            matches!(s, Some(Status::Failed(_))),
        )
    };
    let (m1, m2, m3, m4) = (
        material.clone(),
        material.clone(),
        material.clone(),
        material,
    );
    let bar_label = alt.clone();
    let retake_for = retake_id.clone();
    view! {
        <div class="photo-card" class:has-error=move || flags().3>
            {move || preview.get().map_or_else(
                || view! { <span class="photo-file" aria-hidden="true">"✓"</span> }.into_any(),
                |src| view! { <img class="photo-preview" src=src alt=alt.clone() /> }.into_any(),
            )}
            <div class="photo-body">
                <p class="photo-state" role="status">{move || announced.get()}</p>
                {move || status.get().and_then(|s| s.percent()).map(|n| view! {
                    <ProgressBar percent=n label=bar_label() />
                })}
                <div class="photo-actions">
                    <Show when=move || flags().0>
                        <button type="button" class="chip" on:click={let m = m1.clone(); move |_| uploads.pause(&m, index)}>{tr(|m| m.photo_pause)}</button>
                    </Show>
                    <Show when=move || flags().1>
                        <button type="button" class="chip" on:click={let m = m2.clone(); move |_| uploads.resume(&m, index)}>
                            {move || if flags().3 { t().photo_retry } else { t().photo_resume }}
                        </button>
                    </Show>
                    <Show when=move || flags().2>
                        <button type="button" class="chip" on:click={let m = m3.clone(); move |_| uploads.rotate(&m, index)}>{tr(|m| m.photo_rotate)}</button>
                    </Show>
                    <button type="button" class="chip" on:click=move |_| uploads.remove(&m4, index)>{tr(|m| m.photo_delete)}</button>
                </div>
                <label class="link-button" for=retake_for>{tr(|m| m.photo_retake)}</label>
                <input class="visually-hidden" type="file" id=retake_id accept=accept capture="environment"
                    on:change=move |ev| if let Some(f) = picked(&ev) { on_pick.run(f) } />
            </div>
        </div>
    }
}

//! The paper path of an agent's case: the citizen has no phone to confirm on, so the agent
//! photographs the paper authorisation the citizen signed, and the case is submitted at once on
//! that authority (the server marks it so, visibly, and keeps the photo with the case).

use std::rc::Rc;

use leptos::prelude::*;

use super::marker;
use crate::components::status_text;
use crate::i18n::tr;
use crate::upload::{self, Status};
use crate::wizard::Wizard;

thread_local! {
    /// Whether the paper path is chosen, and the authorisation's upload once sent (by case id).
    static PAPER: ArcRwSignal<(bool, Option<(String, String)>)> = ArcRwSignal::new((false, None));
}

fn state() -> ArcRwSignal<(bool, Option<(String, String)>)> {
    PAPER.with(Clone::clone)
}

/// Whether the agent chose the paper path (reactive).
pub fn chosen() -> bool {
    state().with(|s| s.0)
}

/// How the citizen agrees to a case's submission.
pub enum Way {
    /// On their own phone: the case waits for their confirmation.
    Phone,
    /// On paper, but the authorisation's photo was not sent yet.
    PaperMissing,
    /// On paper: the authorisation's upload.
    Paper(String),
}

/// How case `case_id` is to be submitted, as the agent chose.
pub fn way_for(case_id: &str) -> Way {
    state().with_untracked(|(on, up)| {
        if !on {
            return Way::Phone;
        }
        up.as_ref()
            .filter(|(c, _)| c == case_id)
            .map_or(Way::PaperMissing, |(_, u)| Way::Paper(u.clone()))
    })
}

/// The choice on the declaration of an agent's case: the citizen confirms on their phone
/// (recommended), or has no phone and signed a paper authorisation, photographed here.
#[component]
pub fn PaperChoice() -> impl IntoView {
    let w = expect_context::<Wizard>();
    let m = marker(&w.key())?;
    let s = state();
    s.set((false, None));
    let progress = RwSignal::new(None::<Status>);
    let error = RwSignal::new(None::<String>);
    let case_id = m.id.clone();
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        let Some(file) = file else { return };
        error.set(None);
        let case_id = case_id.clone();
        leptos::task::spawn_local(async move {
            let report: Rc<dyn Fn(Status)> = Rc::new(move |st| progress.set(Some(st)));
            match upload::send_once(&file, report).await {
                Ok(id) => {
                    state().update(|x| x.1 = Some((case_id, id)));
                    progress.set(Some(Status::Done));
                }
                Err(f) => {
                    progress.set(None);
                    error.set(Some(status_text(&Status::Failed(f))));
                }
            }
        });
    };
    let set_way = move |paper: bool| state().update(|x| x.0 = paper);
    let paper = move || state().with(|x| x.0);
    Some(view! {
        <fieldset class="summary-card assisted-way">
            <legend class="label">{tr(|m| m.assisted_way_legend)}</legend>
            <label class="option" for="assisted-way-phone">
                <input type="radio" name="assisted-way" id="assisted-way-phone" prop:checked=move || !paper()
                    on:change=move |_| set_way(false) />
                <span>{tr(|m| m.assisted_way_phone)}</span>
            </label>
            <label class="option" for="assisted-way-paper">
                <input type="radio" name="assisted-way" id="assisted-way-paper" prop:checked=paper
                    on:change=move |_| set_way(true) />
                <span>{tr(|m| m.assisted_way_paper)}</span>
            </label>
            {move || paper().then(|| view! {
                <div class="field">
                    <label class="label" for="assisted-paper-photo">{tr(|m| m.assisted_paper_photo)}</label>
                    <p class="hint" id="assisted-paper-hint">{tr(|m| m.assisted_paper_hint)}</p>
                    <input id="assisted-paper-photo" type="file" accept="image/*,application/pdf"
                        aria-describedby="assisted-paper-hint" on:change=on_file.clone() />
                    {move || progress.get().map(|p| view! { <p class="photo-state" id="assisted-paper-state" role="status">{status_text(&p)}</p> })}
                    {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </div>
            })}
        </fieldset>
    })
}

//! The page for a code typed by hand (a consent request's, an assisted application's
//! confirmation): the code's shape is checked before the server is asked; a good code opens its
//! page, a bad one is said at the field, which takes the focus.

use leptos::prelude::*;
use onething_core::api::normalize_consent_code;

use super::set_title;
use crate::dom::focus_heading;
use crate::i18n::{Messages, t, tr};

/// The texts of one code entry page.
pub struct CodeEntryTexts {
    /// The heading and the document title.
    pub title: &'static str,
    /// What the code is and where it comes from.
    pub intro: &'static str,
    /// The field's label.
    pub label: &'static str,
    /// The field's hint (its shape).
    pub hint: &'static str,
    /// The error of a code of the wrong shape.
    pub invalid: &'static str,
    /// The button.
    pub open: &'static str,
}

/// The heading, the intro and the form of a code entry page.
#[component]
pub fn CodeEntry(
    /// The field's id; its hint and error are `<id>-hint` and `<id>-error`.
    id: &'static str,
    /// Where a good code goes: this path, `/`, the code.
    base: &'static str,
    /// The texts, from the current language's messages.
    texts: fn(&'static Messages) -> CodeEntryTexts,
    /// The intro's class (the assisted pages' plain language is larger).
    #[prop(optional)]
    intro_class: &'static str,
) -> impl IntoView {
    Effect::new(move || set_title(texts(t()).title));
    focus_heading();
    let code = RwSignal::new(String::new());
    let invalid = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(c) = normalize_consent_code(&code.get_untracked()) {
            crate::router::use_router().navigate(&format!("{base}/{c}"), false);
        } else {
            invalid.set(true);
            crate::dom::focus_later(id);
        }
    };
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = {
        let (hint, both) = (hint_id.clone(), format!("{hint_id} {error_id}"));
        move || {
            if invalid.get() {
                both.clone()
            } else {
                hint.clone()
            }
        }
    };
    view! {
        <h1>{move || texts(t()).title}</h1>
        <p class=intro_class>{move || texts(t()).intro}</p>
        <form class="consent-entry" on:submit=submit novalidate>
            <div class=move || if invalid.get() { "field has-error" } else { "field" }>
                <label class="label" for=id>{move || texts(t()).label}</label>
                <p class="hint" id=hint_id>{move || texts(t()).hint}</p>
                {move || invalid.get().then(|| view! {
                    <p class="field-error" id=error_id.clone()>
                        <span class="visually-hidden">{tr(|m| m.error_prefix)}</span>{move || texts(t()).invalid}
                    </p>
                })}
                <input id=id type="text" autocomplete="off" autocapitalize="characters"
                    spellcheck="false" maxlength="12" bind:value=code
                    aria-invalid=move || invalid.get().to_string()
                    aria-describedby=described />
            </div>
            <button type="submit" class="button primary">{move || texts(t()).open}</button>
        </form>
    }
}

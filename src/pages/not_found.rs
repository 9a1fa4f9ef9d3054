//! Any path the router does not know.

use leptos::prelude::*;

use crate::components::title_from;
use crate::i18n::tr;

/// The not-found page.
#[component]
pub fn NotFound() -> impl IntoView {
    title_from(|m| m.not_found_title);
    view! {
        <h1>{tr(|m| m.not_found_title)}</h1>
        <p>{tr(|m| m.not_found_body)}</p>
        <a href=crate::router::href("/") class="button">{tr(|m| m.back_to_services)}</a>
    }
}

//! Any path the router does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::set_title;
use crate::i18n::t;

/// The not-found page.
#[component]
pub fn NotFound() -> impl IntoView {
    Effect::new(move || set_title(t().not_found_title));
    view! {
        <h1>{move || t().not_found_title}</h1>
        <p>{move || t().not_found_body}</p>
        <A href=crate::config::href("/") attr:class="button">{move || t().back_to_services}</A>
    }
}

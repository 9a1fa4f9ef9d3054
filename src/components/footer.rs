//! The footer of every page: the link to the accessibility statement.

use leptos::prelude::*;

use crate::i18n::tr;

/// The page footer.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <a href=crate::router::href("/accessibility")>{tr(|m| m.a11y_link)}</a>
        </footer>
    }
}

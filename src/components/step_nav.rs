//! Moving between steps: the back link at the top and the fixed bottom action bar with the
//! primary button (large, always in reach of the thumb).

use leptos::prelude::*;

use crate::i18n::tr;

/// A back link to `href`.
#[component]
pub fn BackLink(
    /// Where back goes.
    #[prop(into)]
    href: Signal<String>,
) -> impl IntoView {
    view! { <a href=move || crate::router::href(&href.get()) class="back-link">{tr(|m| m.back)}</a> }
}

/// The fixed bottom bar with the page's primary action.
#[component]
pub fn BottomBar(
    /// The button's text.
    #[prop(into)]
    label: Signal<&'static str>,
    /// What pressing it does.
    on_press: Callback<()>,
    /// Disabled while something is in flight.
    #[prop(into, optional)]
    busy: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="bottom-bar">
            <button
                type="submit"
                class="button primary block"
                aria-disabled=move || if busy.get() { "true" } else { "false" }
                on:click=move |ev| {
                    ev.prevent_default();
                    if !busy.get_untracked() {
                        on_press.run(());
                    }
                }
            >
                {move || label.get()}
            </button>
        </div>
    }
}

//! A failed load: what went wrong, in the person's language, and a way to try again.

use leptos::prelude::*;

use crate::api::FetchError;
use crate::i18n::{t, tr};

/// An error panel with a retry button.
#[component]
pub fn LoadError(
    /// What failed.
    error: FetchError,
    /// Called when the person asks to try again.
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            <p>{move || error.message(t())}</p>
            <button type="button" class="button secondary" on:click=move |_| on_retry.run(())>
                {tr(|m| m.retry)}
            </button>
        </div>
    }
}

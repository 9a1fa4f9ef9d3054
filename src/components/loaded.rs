//! A page's data, loaded once with a loading line until it arrives, then its view (or the
//! error with a retry).
//!
//! This is what `LocalResource` + `<Suspense>` did here, as a plain signal and a spawned
//! future: their general async machinery (async-derived signals, suspense contexts, one
//! instance per loaded type) cost about 12 KB of the brotli first load.

use std::future::Future;

use leptos::prelude::*;

use crate::api::FetchError;
use crate::i18n::{Messages, t};

/// Runs `fetch` now (and again on retry); shows `loading`'s text until it answers, then
/// `view` of the answer. `view` gets a retry callback for its error branch.
pub fn loaded<T, Fut>(
    fetch: impl Fn() -> Fut + Send + Sync + 'static,
    loading: fn(&'static Messages) -> &'static str,
    view: impl Fn(Result<T, FetchError>, Callback<()>) -> AnyView + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, FetchError>> + 'static,
{
    let state = RwSignal::new(None::<Result<T, FetchError>>);
    let fetch = StoredValue::new(fetch);
    let run = move || {
        state.set(None);
        let answer = fetch.with_value(|f| f());
        leptos::task::spawn_local(async move {
            // The page may be gone by now: then there is nothing to update.
            let _ = state.try_set(Some(answer.await));
        });
    };
    run();
    let retry = Callback::new(move |()| run());
    move || match state.get() {
        None => loading_line(loading),
        Some(answer) => view(answer, retry),
    }
}

/// The polite loading line (`role="status"`), in the current language.
fn loading_line(text: fn(&'static Messages) -> &'static str) -> AnyView {
    view! { <p class="loading" role="status">{move || text(t())}</p> }.into_any()
}

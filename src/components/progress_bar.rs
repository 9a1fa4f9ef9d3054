//! A progress bar that screen readers can read (`role="progressbar"` with its value).

use leptos::prelude::*;

/// A bar from 0 to 100 %.
#[component]
pub fn ProgressBar(
    /// Percent done.
    percent: u8,
    /// What is progressing (its accessible name).
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let width = format!("width:{percent}%");
    view! {
        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.to_string() aria-label=label>
            <span class="progress-fill" style=width></span>
        </div>
    }
}

//! `/accessibility`: the accessibility statement (无障碍声明): the standard the service aims at,
//! what is known not to work, and how to report a problem. Linked from every page's footer and
//! prerendered by the build, so it reads without the app's code.

use leptos::prelude::*;

use crate::components::title_from;
use crate::i18n::tr;

/// The accessibility statement.
#[component]
pub fn AccessibilityPage() -> impl IntoView {
    title_from(|m| m.a11y_title);
    view! {
        <a href=crate::router::href("/") class="back-link">{tr(|m| m.back_to_services)}</a>
        <h1>{tr(|m| m.a11y_title)}</h1>
        <p class="lead">{tr(|m| m.a11y_intro)}</p>
        <h2>{tr(|m| m.a11y_standard_heading)}</h2>
        <p>{tr(|m| m.a11y_standard)}</p>
        <h2>{tr(|m| m.a11y_limits_heading)}</h2>
        <ul class="plain-list">
            <li>{tr(|m| m.a11y_limit_photos)}</li>
            <li>{tr(|m| m.a11y_limit_host)}</li>
            <li>{tr(|m| m.a11y_limit_camera)}</li>
        </ul>
        <h2>{tr(|m| m.a11y_report_heading)}</h2>
        <p>{tr(|m| m.a11y_report)}</p>
        <p><a href="tel:12345" class="hotline">"12345"</a></p>
    }
}

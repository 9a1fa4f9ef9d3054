//! The bar at the top of every page: the app's name, the language switch and the elder-mode
//! switch (长辈版); a deployment whose host owns those settings hides them (`config.json`).

use leptos::prelude::*;
use onething_core::Locale;

use crate::i18n::tr;
use crate::prefs::{ElderPref, LocalePref};

/// The top bar.
#[component]
pub fn TopBar() -> impl IntoView {
    let LocalePref(locale) = expect_context::<LocalePref>();
    let ElderPref(elder) = expect_context::<ElderPref>();
    let toggle_locale = move |_| {
        locale.update(|l| {
            *l = if *l == Locale::ZhCn {
                Locale::En
            } else {
                Locale::ZhCn
            }
        });
    };
    let features = &crate::config::get().features;
    let elder_switch = features.elder_switch.then(|| {
        view! {
                <button
                    type="button"
                    class="chip elder-switch"
                    aria-pressed=move || if elder.get() { "true" } else { "false" }
                    on:click=move |_| elder.update(|on| *on = !*on)
                >
                    {tr(|m| m.elder_mode)}
                </button>
        }
    });
    let language_switch = features.language_switch.then(|| {
        view! {
                <button
                    type="button"
                    class="chip language-switch"
                    aria-label=tr(|m| m.language_switch_label)
                    lang=move || if locale.get() == Locale::ZhCn { "en" } else { "zh-CN" }
                    on:click=toggle_locale
                >
                    {tr(|m| m.language_switch)}
                </button>
        }
    });
    view! {
        <header class="top-bar">
            // Through the router, so it stays under the deployment's sub-path.
            <a class="brand" href=crate::router::href("/")>{tr(|m| m.app_name)}</a>
            <div class="top-actions">{elder_switch} {language_switch}</div>
        </header>
    }
}

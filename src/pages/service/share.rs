//! The guide's share button: the landing page's link, through the platform's share where the
//! host bridge has one, else the system share sheet (Web Share API), else the clipboard, each
//! outcome said in words (a copied link, WeChat's menu to use), and the link shown to copy by
//! hand when nothing could take it ([`crate::host::Host::share`]).
//!
//! The first page's module shows the prerendered guide without this component's code: its
//! button hands the page over to the whole app, setting [`crate::host::SHARE_ASKED`], and the
//! share runs as soon as this component is shown.

use leptos::prelude::*;
use onething_core::Text;
use wasm_bindgen::JsValue;

use crate::host::{SHARE_ASKED, Shared};
use crate::i18n::{t, tr};
use crate::prefs::locale;

/// Whether the first page's module asked for a share (and forgets that it did).
fn take_asked() -> bool {
    let global = js_sys::global();
    let key = JsValue::from_str(SHARE_ASKED);
    let asked = crate::host::js::prop(&global, SHARE_ASKED).is_some_and(|v| v.is_truthy());
    if asked {
        let _ = js_sys::Reflect::delete_property(&global, &key);
    }
    asked
}

/// The absolute address of the landing page of `id`.
fn page_url(id: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!(
        "{origin}{}",
        crate::router::href(&format!("/services/{id}"))
    )
}

/// What the page says after a share.
fn outcome_text(s: Shared) -> &'static str {
    match s {
        Shared::Menu => t().share_menu,
        Shared::Copied => t().share_copied,
        Shared::Failed => t().share_failed,
        Shared::Platform | Shared::Sheet | Shared::Cancelled => "",
    }
}

/// "Share this guide", and what came of it.
#[component]
pub fn ShareButton(
    /// The service id.
    id: String,
    /// The service's name.
    title: Text,
    /// Its one-line summary.
    summary: Text,
) -> impl IntoView {
    let outcome = RwSignal::new(None::<Shared>);
    let busy = RwSignal::new(false);
    let url = StoredValue::new(String::new());
    let link_id = format!("share-{id}-link");
    let marker = id.clone();
    let run = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        outcome.set(None);
        let link = page_url(&id);
        url.set_value(link.clone());
        let l = locale();
        let name = format!("{}{}", title.get(l), t().share_title_suffix);
        let text = summary.get(l).to_owned();
        leptos::task::spawn_local(async move {
            let done = crate::host::current().share(&name, &text, &link).await;
            outcome.set(Some(done));
            busy.set(false);
        });
    };
    let run = StoredValue::new_local(run);
    Effect::new(move || {
        if take_asked() {
            run.with_value(|r| r());
        }
    });
    view! {
        <div class="guide-share">
            <button type="button" class="button secondary share-button" data-share=marker
                aria-disabled=move || busy.get().to_string()
                on:click=move |_| run.with_value(|r| r())>
                {tr(|m| m.share_guide)}
            </button>
            <p class="share-status" role="status">
                {move || outcome.get().map(outcome_text).unwrap_or_default()}
            </p>
            {move || (outcome.get() == Some(Shared::Failed)).then(|| {
                let link_id = link_id.clone();
                view! {
                    <label class="label" for=link_id.clone()>{t().share_link_label}</label>
                    <input id=link_id class="share-link" type="url" readonly value=url.get_value() />
                }
            })}
        </div>
    }
}

//! Display preferences the person chose (language, elder mode), remembered in `localStorage`
//! and reflected on `<html>` (`lang` for screen readers, `class="elder"` for the stylesheet).

use leptos::prelude::*;
use onething_core::Locale;

const LOCALE_KEY: &str = "onething.locale";
const ELDER_KEY: &str = "onething.elder";

/// The current language, provided as context.
#[derive(Clone, Copy)]
pub struct LocalePref(pub RwSignal<Locale>);

thread_local! {
    /// The language last shown, for code running outside the page that asked for it (an
    /// answer arriving after its page was left has no context any more).
    static SHOWN: std::cell::Cell<Locale> = std::cell::Cell::new(Locale::default());
}

/// Whether elder mode (长辈版) is on, provided as context.
#[derive(Clone, Copy)]
pub struct ElderPref(pub RwSignal<bool>);

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn html() -> Option<web_sys::Element> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
}

/// Reads the remembered preferences, provides them as context, and keeps `<html>` and storage
/// in step with them.
pub fn provide() {
    let saved = storage().and_then(|s| s.get_item(LOCALE_KEY).ok().flatten());
    let locale = RwSignal::new(
        saved
            .as_deref()
            .or(crate::config::get().default_locale.as_deref())
            .and_then(Locale::from_tag)
            .unwrap_or_default(),
    );
    let elder_saved = storage().and_then(|s| s.get_item(ELDER_KEY).ok().flatten());
    let elder = RwSignal::new(elder_saved.as_deref() == Some("1"));
    provide_context(LocalePref(locale));
    provide_context(ElderPref(elder));

    Effect::new(move |before: Option<Locale>| {
        let l = locale.get();
        SHOWN.with(|c| c.set(l));
        if let Some(h) = html() {
            let _ = h.set_attribute("lang", l.tag());
        }
        if let Some(s) = storage() {
            let _ = s.set_item(LOCALE_KEY, l.tag());
        }
        remember_for_pages(l);
        if before.is_some_and(|b| b != l) {
            language_changed(l.tag());
        }
        l
    });
    Effect::new(move || {
        let on = elder.get();
        if let Some(h) = html() {
            let _ = h.class_list().toggle_with_force("elder", on);
        }
        if let Some(s) = storage() {
            let _ = s.set_item(ELDER_KEY, if on { "1" } else { "0" });
        }
    });
}

/// Keeps the language in a cookie too (`onething_locale`, the deployment's path, a year): the
/// server answers a prerendered page with its copy in that language, so the next page's first
/// paint is in it (`crates/server/src/spa.rs`). Only the language's tag: nothing personal. A
/// document that may not set cookies (a sandboxed frame) loses only that.
fn remember_for_pages(l: Locale) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let mut path = crate::config::base_path();
    if !path.ends_with('/') {
        path.push('/');
    }
    let cookie = format!(
        "onething_locale={}; Path={path}; Max-Age=31536000; SameSite=Lax",
        l.tag()
    );
    let _ = js_sys::Reflect::set(
        &document,
        &wasm_bindgen::JsValue::from_str("cookie"),
        &wasm_bindgen::JsValue::from_str(&cookie),
    );
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/register.js")]
extern "C" {
    #[wasm_bindgen(js_name = languageChanged)]
    fn language_changed(lang: &str);
}

/// The current locale (reactive); outside the app's reactive tree, the language last shown.
pub fn locale() -> Locale {
    use_context::<LocalePref>()
        .and_then(|p| p.0.try_get())
        .unwrap_or_else(|| SHOWN.with(std::cell::Cell::get))
}

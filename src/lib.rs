//! OneThing's SPA: Leptos client-side rendering, compiled to wasm32 and built by Trunk.

// Leptos components take their props by value (the `#[component]` macro moves them into the
// view), so this lint fires on nearly every component without pointing at a real copy.
#![allow(clippy::needless_pass_by_value)]

pub mod api;
pub mod app;
pub mod components;
pub mod config;
pub mod host;
pub mod i18n;
pub mod pages;
pub mod prefs;
pub mod wizard;

use wasm_bindgen::JsCast;

/// Reads the runtime configuration (`config.json`), then replaces the static first paint of
/// `index.html` (`#app`) with the live app and marks `app-ready` for the performance benchmark.
pub fn start() {
    console_error_panic_hook::set_once();
    // wasm-bindgen's executor: Leptos' own is set up only when the app mounts.
    wasm_bindgen_futures::spawn_local(async {
        config::load().await;
        mount();
    });
}

fn mount() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(root) = document
        .get_element_by_id("app")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root, app::App).forget();
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark("app-ready");
    }
}

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
pub mod json;
pub mod pages;
pub mod prefs;
pub mod router;
pub mod storage;
pub mod upload;
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
    leptos::task::spawn_local(storage::probe());
    wizard::outbox::start();
    register_service_worker();
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark("app-ready");
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "export function registerWorker() {\
  if (!('serviceWorker' in navigator)) return;\
  const root = new URL('../../', import.meta.url);\
  navigator.serviceWorker.register(new URL('sw.js', root), { scope: root.pathname }).catch(() => {});\
}")]
extern "C" {
    #[wasm_bindgen(js_name = registerWorker)]
    fn register_worker();
}

/// Registers the app-shell service worker (`public/sw.js`), so the app opens without network
/// and shows what is queued. Failure (no support, insecure origin) changes nothing else. The
/// app's root is found from the snippet's own URL (`<root>/snippets/<crate>/inline0.js`), so it
/// holds under any sub-path.
fn register_service_worker() {
    register_worker();
}

/// The size of the wasm linear memory in bytes. The benchmark reads it (through Trunk's
/// `window.wasmBindings`) before and after a flow with photos: photo bytes stay in JavaScript, so
/// it must not grow with them.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |b| f64::from(b.byte_length()))
}

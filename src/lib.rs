//! OneThing's SPA: Leptos client-side rendering, compiled to wasm32 and built by Trunk.

// Leptos components take their props by value (the `#[component]` macro moves them into the
// view), so this lint fires on nearly every component without pointing at a real copy.
#![allow(clippy::needless_pass_by_value)]

pub mod api;
pub mod app;
pub mod boot;
pub mod components;
pub mod config;
pub mod dom;
pub mod host;
pub mod i18n;
pub mod json;
pub mod lite;
pub mod pages;
pub mod prefs;
pub mod random;
pub mod router;
pub mod session;
pub mod storage;
pub mod upload;
pub mod wait;
pub mod wizard;

use wasm_bindgen::JsCast;

/// Reads the runtime configuration (`config.json`), then replaces the static first paint of
/// `index.html` (`#app`) with the live app and marks `app-ready` for the performance benchmark.
pub fn start() {
    console_error_panic_hook::set_once();
    i18n::use_all_messages();
    // wasm-bindgen's executor: Leptos' own is set up only when the app mounts.
    wasm_bindgen_futures::spawn_local(async {
        config::load().await;
        // Instantiated ahead of Start by the first page's module (`src/lite.js`): the work that
        // needs no page now, the rest when the person goes further.
        if let Some(go) = standby() {
            // The decoding in a task of its own, after the instantiation's: two short tasks
            // while the guide is read rather than one long one.
            dom::after_paint().await;
            prepare();
            let _ = wasm_bindgen_futures::JsFuture::from(go).await;
        }
        api::session::adopt_url_ticket();
        mount();
    });
}

/// `window.onethingStandby`: set while the whole app waits for Start on a landing page.
fn standby() -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &wasm_bindgen::JsValue::from_str("onethingStandby"))
        .ok()?
        .dyn_into()
        .ok()
}

/// On a landing page, the definition its module prefetched, decoded before Start
/// ([`api::prepare_service`]).
fn prepare() {
    let Some(path) = web_sys::window().and_then(|w| w.location().pathname().ok()) else {
        return;
    };
    // The router is not set up yet: the base from the configuration, removed as it does.
    let path = router::strip_base(&path, &config::base_path());
    if let app::Page::Service(id) = app::Page::parse(path) {
        api::prepare_service(&id);
    }
}

fn mount() {
    let Some(root) = app_root() else {
        return;
    };
    if prerendered() {
        // A page the build prerendered for the whole app (a wizard's first step): the person
        // may be answering it already. The app is built beside it, out of sight, and takes its
        // place once its own page is there (`src/takeover.js`).
        let fresh = stage();
        leptos::mount::mount_to(fresh.clone(), app::App).forget();
        take_over(&fresh);
    } else {
        root.set_inner_html("");
        leptos::mount::mount_to(root, app::App).forget();
    }
    mark_ready();
    // What the first page does not show: after its frame, which it delayed (Start → the
    // wizard's first step, docs/performance.md).
    leptos::task::spawn_local(async {
        dom::after_paint().await;
        wizard::outbox::start();
        register_service_worker();
        storage::probe().await;
    });
}

/// `#app`, the element the app replaces (the static first paint, or the first page's module).
pub(crate) fn app_root() -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id("app")?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// `performance.mark('app-ready')`, once per page: the benchmark's end point.
pub(crate) fn mark_ready() {
    if let Some(perf) = web_sys::window().and_then(|w| w.performance())
        && !ready()
    {
        let _ = perf.mark("app-ready");
    }
}

/// Whether a page of the app has been shown (`app-ready` is marked).
pub(crate) fn ready() -> bool {
    web_sys::window()
        .and_then(|w| w.performance())
        .is_some_and(|p| p.get_entries_by_name("app-ready").length() > 0)
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/takeover.js")]
extern "C" {
    fn prerendered() -> bool;
    fn stage() -> web_sys::HtmlElement;
    #[wasm_bindgen(js_name = takeOver)]
    fn take_over(fresh: &web_sys::HtmlElement);
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/register.js")]
extern "C" {
    #[wasm_bindgen(js_name = registerWorker)]
    fn register_worker(build: &str);
}

/// Registers the app-shell service worker (`public/sw.js`), so the app opens without network
/// and shows what is queued. Failure (no support, insecure origin) changes nothing else. The
/// app's root is the document's base URL, so it holds under any sub-path.
pub fn register_service_worker() {
    register_worker(BUILD_ID);
}

/// A digest of the sources this build was made from (see `build.rs`).
pub const BUILD_ID: &str = env!("ONETHING_BUILD_ID");

thread_local! {
    static RETIRED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this module has handed the page over to the whole app's module (see [`lite`]): its
/// page-wide listeners (links, history, the host's messages) then leave them to the new owner.
pub fn retired() -> bool {
    RETIRED.with(std::cell::Cell::get)
}

pub(crate) fn set_retired(on: bool) {
    RETIRED.with(|r| r.set(on));
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

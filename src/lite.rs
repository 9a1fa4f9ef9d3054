//! The first page's module: the catalogue and the service landing pages, and nothing else.
//!
//! Trunk builds two modules from this crate (see `index.html`): this one (`src/main.rs`), which
//! the page loads first, and the whole app (`src/bin/onething-full.rs`: the wizard, photos and
//! uploads, drafts, the offline queue, tracking). Most people arrive at the catalogue or at a
//! one-thing's landing page, which this module shows with a fraction of the bytes; it fetches the
//! whole app quietly while the landing page is read, and hands the page over to it as soon as
//! the person goes further (Start, My applications, a deep link into the wizard or a case).
//!
//! The hand-over: this module stops listening (links, history, the host's messages: see
//! [`crate::retired`]), shows a loading line, and imports the whole app, whose `main` replaces
//! `#app` and starts with the same URL, preferences and session. If the import fails (offline
//! with nothing cached), the page says so with a retry, and this module listens again.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::app::Page;
use crate::components::{Footer, TopBar};
use crate::i18n::t;
use crate::pages::{AccessibilityPage, Home, NotFound, ServicePage};
use crate::router;

#[wasm_bindgen(module = "/src/lite.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadFull)]
    fn load_full(build: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = prefetchFull)]
    fn prefetch_full(build: &str);
}

/// Reads `config.json`, then shows the first page (or hands over at once).
pub fn start() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        crate::config::load().await;
        crate::api::session::adopt_url_ticket();
        let Some(root) = crate::app_root() else {
            return;
        };
        // The page's prerendered content is replaced by the same content, built from the data
        // it came with (`crate::boot`): read it before `#app` goes.
        crate::boot::read();
        root.set_inner_html("");
        leptos::mount::mount_to(root, FirstPage).forget();
    });
}

/// Whether this module can show `page` by itself.
fn shows(page: &Page) -> bool {
    matches!(
        page,
        Page::Home | Page::Service(_) | Page::Accessibility | Page::NotFound
    )
}

/// The app for the first page: the same top bar, preferences, host bridge and router as the
/// whole app, with the routes this module shows.
#[component]
fn FirstPage() -> impl IntoView {
    crate::prefs::provide();
    crate::host::provide();
    let r = router::provide(&crate::config::base_path());
    let page = Memo::new(move |_| Page::parse(&r.path()));
    // A submission queued offline is sent by the whole app, which also shows it on the catalogue.
    let pending = crate::wizard::outbox::maybe_pending();
    Effect::new(move || {
        if let Page::Service(id) = page.get() {
            // After the landing page has painted, while the person reads it: the whole app, and
            // the server's definition for the wizard it opens (`api::prefetch_service`).
            set_timeout(
                move || {
                    prefetch_full(crate::BUILD_ID);
                    wasm_bindgen_futures::spawn_local(async move {
                        crate::api::prefetch_service(&id).await;
                    });
                },
                std::time::Duration::from_millis(500),
            );
        }
    });
    // The page's own data serves its first render only (see `crate::boot`).
    let services = std::sync::Mutex::new(crate::boot::services());
    view! {
        <crate::host::HostReporter />
        <Frame>
            {move || {
                let p = page.get();
                if pending || !shows(&p) {
                    return view! { <HandOver /> }.into_any();
                }
                if !crate::ready() {
                    crate::mark_ready();
                    // The service worker precaches the whole app for offline use: not while the
                    // first page still loads. A landing page registers it after its prefetch
                    // (src/lite.js), the whole app as soon as it starts.
                    if !matches!(p, Page::Service(_)) {
                        set_timeout(
                            crate::register_service_worker,
                            std::time::Duration::from_secs(3),
                        );
                    }
                }
                match p {
                    Page::Service(id) => {
                        let preloaded = crate::boot::service(&id);
                        view! { <ServicePage id preloaded /> }.into_any()
                    }
                    Page::Home => {
                        let preloaded = services.lock().ok().and_then(|mut s| s.take());
                        view! { <Home preloaded /> }.into_any()
                    }
                    Page::Accessibility => view! { <AccessibilityPage /> }.into_any(),
                    _ => view! { <NotFound /> }.into_any(),
                }
            }}
        </Frame>
    }
}

/// The first page's frame around `children`: the skip link, the top bar, `<main>` and the footer. The
/// build renders the catalogue and each landing page inside this same frame into the HTML
/// (`src/bin/onething-prerender.rs`), so this module's first render replaces them with identical
/// markup.
#[component]
pub fn Frame(
    /// The page.
    children: Children,
) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">{move || t().skip_to_content}</a>
        <TopBar />
        <main id="main" tabindex="-1">{children()}</main>
        <Footer />
    }
}

/// Loads the whole app, which takes the page over; says so while it loads, and offers a retry
/// when it cannot be loaded.
#[component]
fn HandOver() -> impl IntoView {
    let failed = RwSignal::new(false);
    let attempt = move || {
        failed.set(false);
        crate::set_retired(true);
        wasm_bindgen_futures::spawn_local(async move {
            // The session from the URL's ticket first: the whole app reads its token.
            crate::api::session::signing_in().await;
            if wasm_bindgen_futures::JsFuture::from(load_full(crate::BUILD_ID))
                .await
                .is_err()
            {
                crate::set_retired(false);
                failed.set(true);
            }
        });
    };
    attempt();
    view! {
        {move || if failed.get() {
            view! {
                <div class="notice notice-error" role="alert">
                    <p>{move || t().app_load_failed}</p>
                    <button type="button" class="button primary" on:click=move |_| attempt()>{move || t().retry}</button>
                </div>
                <p><a href=router::href("/") class="back-link">{move || t().back_to_services}</a></p>
            }.into_any()
        } else {
            view! { <p class="loading" role="status">{move || t().app_loading}</p> }.into_any()
        }}
    }
}

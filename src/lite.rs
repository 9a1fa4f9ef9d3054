//! The first page's wasm module: the catalogue and the service landing pages, where the pages'
//! own script (`src/first.js`) does not serve them alone.
//!
//! Trunk builds two modules from this crate (see `index.html`): this one (`src/main.rs`) and the
//! whole app (`src/bin/onething-full.rs`: the wizard, photos and uploads, drafts, the offline
//! queue, tracking). The catalogue, the landing pages and the accessibility statement come
//! prerendered with a small script of their own that searches, switches the language and elder
//! mode, fetches the whole app while a landing page is read and hands the page over to it
//! (`src/first.js`): no wasm at all on a first visit. That script starts this module instead
//! where the page needs more: inside an app platform or a frame (the host bridge), with a
//! sign-in ticket, with a submission queued offline, on the catalogue of a person signed in
//! (their unread messages), when the person's language is not the page's, when the
//! deployment's configuration changes what the page shows, and as the fallback of `shell.html`
//! when the whole app cannot be loaded. It shows those pages with a fraction of the whole app's
//! bytes, and hands the page over to the whole app as soon as the person goes further (Start,
//! My applications, a deep link into the wizard or a case).
//!
//! The hand-over: this module stops listening (links, history, the host's messages: see
//! [`crate::retired`]), shows a loading line, and imports the whole app, whose `main` replaces
//! `#app` and starts with the same URL, preferences and session. If the import fails (offline
//! with nothing cached), the page says so with a retry, and this module listens again.
//!
//! Static content is not rebuilt: the landing page's service guide and the accessibility
//! statement are taken from the prerendered page before it is replaced, and put back in place
//! ([`Kept`]); their rendering stays in the whole app and the build. Reached without their
//! prerendered content (from another page, or in another language than the build's), the page
//! is loaded again from the server, or handed over to the whole app.

use std::cell::RefCell;

use leptos::prelude::*;
use onething_core::Locale;
use wasm_bindgen::prelude::*;

use crate::app::Page;
use crate::components::{Footer, TopBar, title_from};
use crate::i18n::tr;
use crate::pages::{Home, NotFound, ServicePageFrom};
use crate::prefs::locale;
use crate::router;

#[wasm_bindgen(module = "/src/lite.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadFull)]
    fn load_full(build: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = prefetchFull)]
    fn prefetch_full(build: &str);
    #[wasm_bindgen(js_name = nextTask)]
    fn next_task() -> js_sys::Promise;
}

/// Reads `config.json`, then shows the first page (or hands over at once).
pub fn start() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        crate::config::load().await;
        crate::api::session::adopt_url_ticket();
        // The prerendered page is on screen and its links work: building the same page is left
        // to a task of its own, so that instantiating this module and building its views are
        // two shorter tasks rather than one long one (a tap in between is answered sooner).
        let _ = wasm_bindgen_futures::JsFuture::from(next_task()).await;
        let Some(root) = crate::app_root() else {
            return;
        };
        // The page's prerendered content is replaced by the same content, built from the data
        // it came with (`crate::boot`): read it before `#app` goes.
        crate::boot::read();
        keep();
        crate::pages::search::keep_typed();
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
    let full = FullApp(RwSignal::new(false));
    provide_context(full);
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
                if pending || full.0.get() || !shows(&p) {
                    return view! { <HandOver /> }.into_any();
                }
                if !crate::ready() {
                    crate::mark_ready();
                    KEPT.with(|k| k.borrow_mut().page = Some(p.clone()));
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
                    // Reached from another page: the server has it prerendered, guide included.
                    Page::Service(_) if elsewhere(&p) => reload(),
                    Page::Service(id) => {
                        // Not prerendered (a service added after the build), or not offered
                        // here: the whole app asks the API.
                        let Some(data) = crate::boot::landing(&id) else {
                            Effect::new(move || full.0.set(true));
                            return ().into_any();
                        };
                        let guide = data.guide.then(|| {
                            let kept = KEPT.with(|k| k.borrow().guide.clone());
                            if let Some(g) = &kept {
                                share_hands_over(g, full);
                            }
                            shown(&Page::Service(id), kept)
                        });
                        view! { <ServicePageFrom data guide /> }.into_any()
                    }
                    Page::Home => {
                        let preloaded = services.lock().ok().and_then(|mut s| s.take());
                        view! { <Home preloaded /> }.into_any()
                    }
                    Page::Accessibility => {
                        title_from(|m| m.a11y_title);
                        let statement = KEPT.with(|k| k.borrow().statement.clone());
                        shown(&p, statement)
                    }
                    _ => view! { <NotFound /> }.into_any(),
                }
            }}
        </Frame>
    }
}

/// The prerendered guide's share button: sharing is the whole app's, so a click hands the
/// page over, asking it to share ([`crate::host::SHARE_ASKED`]).
fn share_hands_over(guide: &web_sys::Element, full: FullApp) {
    let Ok(Some(button)) = guide.query_selector(".share-button") else {
        return;
    };
    if button.has_attribute("data-wired") {
        return;
    }
    let _ = button.set_attribute("data-wired", "");
    crate::dom::listen(&button, "click", move |_| {
        let _ = js_sys::Reflect::set(
            &js_sys::global(),
            &JsValue::from_str(crate::host::SHARE_ASKED),
            &JsValue::TRUE,
        );
        full.0.set(true);
    })
    .forget();
}

/// Set when the page needs the whole app after all (see [`Kept`]).
#[derive(Clone, Copy)]
struct FullApp(RwSignal<bool>);

/// The prerendered page's static parts, kept aside when this module replaces the page.
#[derive(Default)]
struct Kept {
    /// The page the document was loaded with.
    page: Option<Page>,
    /// The language it was prerendered in.
    locale: Option<Locale>,
    /// A landing page's service guide (`#guide`).
    guide: Option<web_sys::Element>,
    /// The accessibility statement: `<main>`'s content, in a `<div>`.
    statement: Option<web_sys::Element>,
}

thread_local! {
    static KEPT: RefCell<Kept> = RefCell::new(Kept::default());
}

/// Takes the static parts out of the prerendered page before it is replaced.
fn keep() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let guide = doc.get_element_by_id("guide");
    if let Some(g) = &guide {
        g.remove();
    }
    let statement = doc.get_element_by_id("main").and_then(|main| {
        let div = doc.create_element("div").ok()?;
        while let Some(child) = main.first_child() {
            div.append_child(&child).ok()?;
        }
        Some(div)
    });
    let locale = doc
        .document_element()
        .and_then(|h| h.get_attribute("lang"))
        .and_then(|l| Locale::from_tag(&l));
    KEPT.with(|k| {
        *k.borrow_mut() = Kept {
            page: None,
            locale,
            guide,
            statement,
        };
    });
}

/// Shows `node`, kept from the prerendered `page`, in the language it was prerendered in. Without
/// it, loads the page from the server (which prerendered it), or in another language, hands
/// over to the whole app, which renders it.
fn shown(page: &Page, node: Option<web_sys::Element>) -> AnyView {
    let (boot, prerendered) = KEPT.with(|k| (k.borrow().page.clone(), k.borrow().locale));
    let full = use_context::<FullApp>();
    let hand_over = move || {
        if let Some(f) = full {
            f.0.set(true);
        }
    };
    if let Some(node) = node.filter(|_| boot.as_ref() == Some(page)) {
        let slot = NodeRef::<leptos::html::Div>::new();
        Effect::new(move || {
            if let Some(s) = slot.get() {
                let _ = s.append_child(&node);
            }
        });
        // Another language than the prerendered one: the whole app renders the page in it.
        Effect::new(move || {
            if Some(locale()) != prerendered {
                hand_over();
            }
        });
        view! { <div node_ref=slot></div> }.into_any()
    } else if elsewhere(page) {
        reload()
    } else {
        Effect::new(hand_over);
        ().into_any()
    }
}

/// Whether `page` is not the one the document was loaded with, while the language is still the
/// prerendered one: loading it from the server then shows its prerendered content.
fn elsewhere(page: &Page) -> bool {
    let (boot, prerendered) = KEPT.with(|k| (k.borrow().page.clone(), k.borrow().locale));
    // Read once: the page around this is not re-created when the language changes.
    Some(untrack(locale)) == prerendered && boot.is_some_and(|b| &b != page)
}

/// Loads the current URL from the server (after this render: the router has just moved to it).
fn reload() -> AnyView {
    Effect::new(|| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    ().into_any()
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
        <a class="skip-link" href="#main">{tr(|m| m.skip_to_content)}</a>
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
                    <p>{tr(|m| m.app_load_failed)}</p>
                    <button type="button" class="button primary" on:click=move |_| attempt()>{tr(|m| m.retry)}</button>
                </div>
                <p><a href=router::href("/") class="back-link">{tr(|m| m.back_to_services)}</a></p>
            }.into_any()
        } else {
            view! { <p class="loading" role="status">{tr(|m| m.app_loading)}</p> }.into_any()
        }}
    }
}

//! A small history router: the URL is the state (service, step), so back, forward, reload and
//! deep links work.
//!
//! It replaces `leptos_router`, whose generic route matching and views cost about 40 KB of
//! the brotli first load (346,345 → 306,040 B when it went; see `size-budget.toml`); this app
//! has a fixed route table and needs only: the current path and query as signals, `navigate`,
//! and same-origin link clicks turned into history entries. Links are plain
//! `<a href=href("/...")>`: a click anywhere in the document on a link to a path under the base
//! is caught here, the browser handles everything else (other origins, `target`, `download`,
//! `rel="external"`, modifier keys, in-page `#` links). The route table itself is `app::Page`;
//! the wizard's steps are matched by the apply shell.

use std::sync::OnceLock;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// The path prefix the app is served under (`""` at the root, `"/onething"` under a sub-path),
/// without a trailing slash; set once by [`provide`].
static BASE: OnceLock<String> = OnceLock::new();

/// Makes every link relative to the document's `<base href>` (`./services/x`): for HTML the
/// build renders before the deployment's path is known (`src/bin/onething-prerender.rs`). Call
/// it before anything renders; the app in the browser sets the real base in [`provide`].
pub fn use_relative_links() {
    let _ = BASE.set(".".to_owned());
}

/// The base path the app is served under, without a trailing slash (`""` at the root).
fn base() -> &'static str {
    BASE.get().map_or("", String::as_str)
}

/// The current location, relative to the base; a copyable handle from context.
#[derive(Clone, Copy)]
pub struct Router {
    /// The path under the base, starting with `/` (`/apply/newborn/tasks`).
    path: RwSignal<String>,
    /// The query string with its `?`, or empty.
    search: RwSignal<String>,
}

impl Router {
    /// The path under the base, tracked.
    pub fn path(self) -> String {
        self.path.get()
    }

    /// A query parameter of the current URL, not tracked (read in event handlers).
    pub fn query_untracked(self, key: &str) -> Option<String> {
        self.search.with_untracked(|s| query_param(s, key))
    }

    /// Goes to `to`, a path under the base with an optional query (`/apply/x/check?return=y`):
    /// a new history entry, or the current one replaced, then scrolled to the top as a new
    /// page would be.
    pub fn navigate(self, to: &str, replace: bool) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let url = href(to);
        if let Ok(history) = window.history() {
            let result = if replace {
                history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
            } else {
                history.push_state_with_url(&JsValue::NULL, "", Some(&url))
            };
            if result.is_err() {
                // A webview that refuses history changes still gets the page, by a full load.
                let _ = window.location().set_href(&url);
                return;
            }
        }
        self.sync();
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }

    /// Reads the browser's location into the signals (after a history change or `popstate`).
    fn sync(self) {
        let Some(location) = web_sys::window().map(|w| w.location()) else {
            return;
        };
        let pathname = location.pathname().unwrap_or_default();
        let path = strip_base(&pathname, base()).to_owned();
        let search = location.search().unwrap_or_default();
        // Only real changes notify: a `#` link or a same-URL navigation re-renders nothing.
        if self.path.with_untracked(|p| *p != path) {
            self.path.set(path);
        }
        if self.search.with_untracked(|s| *s != search) {
            self.search.set(search);
        }
    }
}

/// A router standing at `path` that never moves: for the build's prerenderer, which renders a
/// page at its path without a browser.
#[cfg(not(target_arch = "wasm32"))]
pub fn provide_at(path: &str) -> Router {
    let router = Router {
        path: RwSignal::new(path.to_owned()),
        search: RwSignal::new(String::new()),
    };
    provide_context(router);
    router
}

/// Sets up the router for the app served under `base` (`""` or `"/"` at the root, else e.g.
/// `"/onething/"`) and provides it as context: reads the current URL and listens for back and
/// forward (`popstate`) and for link clicks.
pub fn provide(base: &str) -> Router {
    let _ = BASE.set(base.trim_end_matches('/').to_owned());
    let router = Router {
        path: RwSignal::new(String::from("/")),
        search: RwSignal::new(String::new()),
    };
    router.sync();
    // The app lives as long as the page: these listeners are never removed. The first page's
    // module, once it has handed the page over (`crate::lite`), leaves both to the whole app.
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        if !crate::retired() {
            router.sync();
        }
    });
    let _ = window_event_listener(leptos::ev::click, move |ev| {
        if !crate::retired() {
            on_click(router, &ev);
        }
    });
    provide_context(router);
    router
}

/// The router from context.
///
/// # Panics
/// Outside [`provide`]'s tree (a programming error).
pub fn use_router() -> Router {
    expect_context::<Router>()
}

/// The URL of the app path `path` (`/applications`), with the base in front: for `href`s and
/// history entries.
pub fn href(path: &str) -> String {
    format!("{}{path}", base())
}

/// The segments of `path` (`/apply/x/page/p` → `apply`, `x`, `page`, `p`), percent-decoded;
/// empty segments (a trailing slash) are skipped.
pub fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect()
}

fn decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    js_sys::decode_uri_component(s)
        .ok()
        .and_then(|d| d.as_string())
        .unwrap_or_else(|| s.to_owned())
}

/// `pathname` with `base` removed; `/` when nothing is left.
pub(crate) fn strip_base<'a>(pathname: &'a str, base: &str) -> &'a str {
    match pathname.strip_prefix(base) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => pathname,
    }
}

/// The value of `key` in a query string (`?a=1&return=check`), decoded.
fn query_param(search: &str, key: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| decode(&v.replace('+', " ")))
}

/// A click on a link to a page of this app becomes a history entry instead of a page load.
fn on_click(router: Router, ev: &web_sys::MouseEvent) {
    if ev.default_prevented()
        || ev.button() != 0
        || ev.meta_key()
        || ev.alt_key()
        || ev.ctrl_key()
        || ev.shift_key()
    {
        return;
    }
    let Some(a) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("a[href]").ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    let external = a
        .get_attribute("rel")
        .is_some_and(|rel| rel.split_ascii_whitespace().any(|r| r == "external"));
    if !a.target().is_empty() || a.has_attribute("download") || external {
        return;
    }
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    if a.origin() != location.origin().unwrap_or_default() {
        return;
    }
    let (pathname, search, hash) = (a.pathname(), a.search(), a.hash());
    // An in-page link (`#main`): the browser scrolls and moves focus itself.
    let same_page = location.pathname().is_ok_and(|p| p == pathname)
        && location.search().is_ok_and(|s| s == search);
    if !hash.is_empty() && same_page {
        return;
    }
    let base = base();
    if !base.is_empty() && strip_base(&pathname, base).len() == pathname.len() {
        // A page of the same site outside the app.
        return;
    }
    ev.prevent_default();
    router.navigate(&format!("{}{search}", strip_base(&pathname, base)), false);
}

#[cfg(test)]
mod tests {
    use super::{query_param, strip_base};

    #[test]
    fn strip_base_keeps_app_paths() {
        assert_eq!(strip_base("/apply/x", ""), "/apply/x");
        assert_eq!(strip_base("/onething/apply/x", "/onething"), "/apply/x");
        assert_eq!(strip_base("/onething", "/onething"), "/");
        assert_eq!(strip_base("/onething/", "/onething"), "/");
        // A path that only shares the prefix is not under the base.
        assert_eq!(strip_base("/onethingelse", "/onething"), "/onethingelse");
    }

    #[test]
    fn query_param_finds_the_key() {
        assert_eq!(
            query_param("?return=check", "return").as_deref(),
            Some("check")
        );
        assert_eq!(
            query_param("?a=1&return=check", "return").as_deref(),
            Some("check")
        );
        assert_eq!(query_param("", "return"), None);
        assert_eq!(query_param("?returnx=1", "return"), None);
    }
}

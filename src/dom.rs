//! DOM helpers every layer may use: waiting for the browser to paint, moving focus where a
//! screen reader or keyboard user should be after a change, and event listeners that remove
//! themselves when dropped.

use gloo_events::EventListener;

/// The browser's window; `None` without one (the build's prerenderer renders pages natively,
/// where calling into the browser panics).
pub fn window() -> Option<web_sys::Window> {
    if cfg!(target_arch = "wasm32") {
        web_sys::window()
    } else {
        None
    }
}

/// Moves focus to the element `id` once it has been rendered.
pub fn focus_later(id: &str) {
    let id = id.to_owned();
    leptos::task::spawn_local(async move {
        leptos::task::tick().await;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    });
}

/// Moves focus to the page's main heading after a page change, so screen readers announce the
/// new page and keyboard users start at its top.
///
/// It happens once the new page is painted ([`after_paint`]): focusing earlier makes the browser
/// lay the page out inside the step change's script, before its first frame (the step-change
/// trace in `docs/performance.md`). A form control the person focused in the meantime (a tap in
/// a field of the new page) keeps the focus.
pub fn focus_heading() {
    let document = window().and_then(|w| w.document());
    let before = document
        .as_ref()
        .and_then(web_sys::Document::active_element);
    // A page built beside a prerendered one that the whole app is about to take over
    // (`src/takeover.js`): the person is reading that one, and the take-over keeps their focus.
    // Focusing the heading would scroll them away from what they read.
    let staged = document
        .as_ref()
        .and_then(|d| d.get_element_by_id("app"))
        .is_some_and(|app| app.has_attribute("data-prerendered"));
    leptos::task::spawn_local(async move {
        after_paint().await;
        let Some(document) = document else {
            return;
        };
        if staged {
            return;
        }
        let now = document.active_element();
        let typing = now.as_ref().is_some_and(|el| {
            Some(el) != before.as_ref() && el.matches("input, select, textarea").unwrap_or(false)
        });
        if typing {
            return;
        }
        // Question pages kept off the screen stay in the document, hidden
        // (`pages::apply::question`): the heading is the shown page's.
        if let Some(h) = document
            .query_selector("main h1:not([data-away] h1)")
            .ok()
            .flatten()
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = h.set_attribute("tabindex", "-1");
            let _ = h.focus();
        }
    });
}

/// Resolves once the browser has painted what the current task changed: a task after the next
/// animation frame. A hidden page draws no frames: there it resolves at once (and, should frames
/// stop coming for another reason, after a second).
pub async fn after_paint() {
    let hidden = web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
    if hidden {
        return;
    }
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let after_frame = resolve.clone();
        leptos::prelude::request_animation_frame(move || {
            leptos::prelude::set_timeout(
                move || {
                    let _ = after_frame.call0(&wasm_bindgen::JsValue::UNDEFINED);
                },
                std::time::Duration::ZERO,
            );
        });
        leptos::prelude::set_timeout(
            move || {
                let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            },
            std::time::Duration::from_secs(1),
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs `f` once the browser has nothing else to do (`requestIdleCallback`); where there is no
/// such call (Safari), a quarter of a second from now.
pub fn when_idle(f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let Some(window) = window() else {
        return;
    };
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    let callback: &js_sys::Function = callback.unchecked_ref();
    if window.request_idle_callback(callback).is_err() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(callback, 250);
    }
}

/// Listens to `kind` events on `target` until the returned handle is dropped (then the listener
/// is removed), or for the page's life once it is forgotten.
pub fn listen(
    target: &web_sys::EventTarget,
    kind: &'static str,
    on_event: impl FnMut(&web_sys::Event) + 'static,
) -> EventListener {
    listen_boxed(target, kind, Box::new(on_event))
}

/// One copy of gloo's listener for every caller: generic over each caller's closure, it would be
/// compiled once per call site (measured: 0.6 KB more brotli in the whole app's module).
fn listen_boxed(
    target: &web_sys::EventTarget,
    kind: &'static str,
    on_event: Box<dyn FnMut(&web_sys::Event)>,
) -> EventListener {
    EventListener::new(target, kind, on_event)
}

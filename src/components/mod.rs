//! The design system: small reusable pieces. Their CSS lives in `style/`.

mod address;
mod choice;
mod error_summary;
pub mod field;
mod form_state;
pub mod group;
mod load_error;
mod loaded;
pub mod photo_picker;
mod progress_bar;
mod step_nav;
mod sub_item_list;
mod top_bar;

pub use error_summary::{ErrorSummary, focus_summary};
pub use field::Field;
pub use form_state::FormState;
pub use group::GroupField;
pub use load_error::LoadError;
pub use loaded::loaded;
pub use photo_picker::PhotoPicker;
pub use progress_bar::ProgressBar;
pub use step_nav::{BackLink, BottomBar};
pub use sub_item_list::SubItemList;
pub use top_bar::TopBar;

/// Sets the document title to `page — app name`, so screen readers and the app switcher say
/// where the person is.
pub fn set_title(page: &str) {
    let app = crate::i18n::t().app_name;
    // The host shows it in its own title bar (浙里办, Alipay) or hears it (an iframe's host).
    crate::host::current().set_title(&if page.is_empty() {
        app.to_owned()
    } else {
        format!("{page} — {app}")
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
    let document = web_sys::window().and_then(|w| w.document());
    let before = document
        .as_ref()
        .and_then(web_sys::Document::active_element);
    leptos::task::spawn_local(async move {
        after_paint().await;
        let Some(document) = document else {
            return;
        };
        let now = document.active_element();
        let typing = now.as_ref().is_some_and(|el| {
            Some(el) != before.as_ref() && el.matches("input, select, textarea").unwrap_or(false)
        });
        if typing {
            return;
        }
        if let Some(h) = document
            .query_selector("main h1")
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

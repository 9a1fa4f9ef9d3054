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
pub fn focus_heading() {
    leptos::task::spawn_local(async {
        leptos::task::tick().await;
        if let Some(h) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("main h1").ok().flatten())
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = h.set_attribute("tabindex", "-1");
            let _ = h.focus();
        }
    });
}

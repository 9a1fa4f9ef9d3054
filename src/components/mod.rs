//! The design system: small reusable pieces. Their CSS lives in `style/`.

mod load_error;
mod sub_item_list;
mod top_bar;

pub use load_error::LoadError;
pub use sub_item_list::SubItemList;
pub use top_bar::TopBar;

/// Sets the document title to `page — app name`, so screen readers and the app switcher say
/// where the person is.
pub fn set_title(page: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        let app = crate::i18n::t().app_name;
        d.set_title(&if page.is_empty() {
            app.to_owned()
        } else {
            format!("{page} — {app}")
        });
    }
}

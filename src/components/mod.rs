//! The design system: small reusable pieces that know nothing of the wizard (the fields bound
//! to its draft are in `crate::wizard::fields`). Their CSS lives in `style/`.

mod code_entry;
mod error_summary;
mod footer;
mod form_state;
mod load_error;
mod loaded;
mod progress_bar;
mod step_nav;
mod sub_item_list;
mod top_bar;
mod upload_status;

pub use code_entry::{CodeEntry, CodeEntryTexts};
pub use error_summary::{ErrorSummary, focus_summary};
pub use footer::Footer;
pub use form_state::{FormState, PageShown, page_shown};
pub use load_error::LoadError;
pub use loaded::loaded;
pub use progress_bar::ProgressBar;
pub use step_nav::{BackLink, BottomBar};
pub use sub_item_list::SubItemList;
pub use top_bar::TopBar;
pub use upload_status::status_text;

/// Keeps the document title on a message of the current language (`title_from(|m| m.home_title)`):
/// the key is a plain function, so every page titled by a message shares one effect's code (an
/// effect's code is compiled once per closure type).
pub fn title_from(key: fn(&'static crate::i18n::Messages) -> &'static str) {
    leptos::prelude::Effect::new(move || set_title(key(crate::i18n::t())));
}

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

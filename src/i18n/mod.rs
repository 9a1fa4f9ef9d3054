//! Interface text. The tables are generated at build time from `locales/*.toml` (see
//! `build.rs`): a message missing in either language does not compile.

use std::cell::Cell;

use onething_core::Locale;

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

thread_local! {
    /// The tables in use, Chinese and English. In the browser the first page's module starts with
    /// its own (only the keys its sources name: `build.rs`), and the whole app switches to the
    /// whole tables when it starts ([`use_all_messages`]), so the first module never links them.
    static TABLES: Cell<[&'static Messages; 2]> = const {
        Cell::new(if cfg!(target_arch = "wasm32") {
            [&FIRST_PAGE_ZH_CN, &FIRST_PAGE_EN]
        } else {
            [&ZH_CN, &EN]
        })
    };
}

/// Switches to the whole message tables: the whole app's module, at its start.
pub fn use_all_messages() {
    TABLES.with(|t| t.set([&ZH_CN, &EN]));
}

/// The message table for `locale`.
pub fn messages(locale: Locale) -> &'static Messages {
    let [zh, en] = TABLES.with(Cell::get);
    match locale {
        Locale::ZhCn => zh,
        Locale::En => en,
    }
}

/// The message table of the current locale (reactive: re-renders when the language changes).
pub fn t() -> &'static Messages {
    messages(crate::prefs::locale())
}

/// One interface text as a view or an attribute's value, following the language like
/// `move || t().key` does. Every text made with it is the same type (`key` is a plain function
/// pointer), so the view code of a reactive text is compiled once instead of once per text:
/// `{tr(|m| m.continue_)}`.
pub fn tr(
    key: fn(&'static Messages) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || key(t())
}

/// Fills the `{n}` placeholder of a message.
pub fn with_n(template: &str, n: impl std::fmt::Display) -> String {
    template.replace("{n}", &n.to_string())
}

/// A count in words: the `one` message when `n` is 1, otherwise `other` with `{n}` filled.
/// (English needs the singular; Chinese has the same form for both.)
pub fn count(one: &str, other: &str, n: usize) -> String {
    if n == 1 {
        one.to_owned()
    } else {
        with_n(other, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_both_languages() {
        assert_eq!(
            with_n(messages(Locale::ZhCn).time_limit, 3),
            "3 个工作日内办结"
        );
        assert_eq!(
            with_n(messages(Locale::En).service_item_count, 6),
            "6 items"
        );
    }

    #[test]
    fn counts_use_the_singular_for_one() {
        let en = messages(Locale::En);
        assert_eq!(
            count(en.time_limit_one, en.time_limit, 1),
            "Done within 1 working day"
        );
        assert_eq!(
            count(en.time_limit_one, en.time_limit, 2),
            "Done within 2 working days"
        );
        assert_eq!(
            count(en.service_item_count_one, en.service_item_count, 1),
            "1 item"
        );
    }

    #[test]
    fn the_first_page_tables_hold_only_the_first_pages_texts() {
        // Named in the first page's sources (`build.rs`): the same text.
        assert_eq!(FIRST_PAGE_ZH_CN.home_title, ZH_CN.home_title);
        assert_eq!(FIRST_PAGE_EN.sub_items_heading, EN.sub_items_heading);
        assert_eq!(FIRST_PAGE_EN.app_load_failed, EN.app_load_failed);
        // The wizard's check page only: left out of the first module.
        assert_eq!(FIRST_PAGE_ZH_CN.check_title, "");
        assert!(!ZH_CN.check_title.is_empty());
    }

    #[test]
    fn languages_differ_where_they_should() {
        assert_ne!(
            messages(Locale::ZhCn).home_title,
            messages(Locale::En).home_title
        );
    }
}

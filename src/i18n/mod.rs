//! Interface text. The tables are generated at build time from `locales/*.toml` (see
//! `build.rs`): a message missing in either language does not compile.

use onething_core::Locale;

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// The message table for `locale`.
pub fn messages(locale: Locale) -> &'static Messages {
    match locale {
        Locale::ZhCn => &ZH_CN,
        Locale::En => &EN,
    }
}

/// The message table of the current locale (reactive: re-renders when the language changes).
pub fn t() -> &'static Messages {
    messages(crate::prefs::locale())
}

/// Fills the `{n}` placeholder of a message.
pub fn with_n(template: &str, n: impl std::fmt::Display) -> String {
    template.replace("{n}", &n.to_string())
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
    fn languages_differ_where_they_should() {
        assert_ne!(
            messages(Locale::ZhCn).home_title,
            messages(Locale::En).home_title
        );
    }
}

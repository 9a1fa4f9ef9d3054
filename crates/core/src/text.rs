//! Bilingual text: every user-facing string of a definition exists in zh-CN and en.

use serde::{Deserialize, Serialize};

use crate::wire;

/// The languages OneThing speaks. zh-CN is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    /// Simplified Chinese (the default).
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Locale {
    /// The BCP 47 tag, as used in `<html lang>` and `Accept-Language` (its serde name).
    pub fn tag(self) -> &'static str {
        wire::name(&self)
    }

    /// Parses a BCP 47 tag leniently: any `zh*` is Chinese, any `en*` is English.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let lower = tag.trim().to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Locale::ZhCn)
        } else if lower.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }
}

/// A text in both languages of the product.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in `locale`.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn => &self.zh,
            Locale::En => &self.en,
        }
    }

    /// The name of the first language whose text is blank, if any.
    pub fn missing_language(&self) -> Option<&'static str> {
        if self.zh.trim().is_empty() {
            Some("zh")
        } else if self.en.trim().is_empty() {
            Some("en")
        } else {
            None
        }
    }
}

/// English month names, January first.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date (`2026-11-28`) or date-time (`2026-11-28T08:30`) as the language writes it:
/// `2026年11月28日 08:30`, `28 November 2026, 08:30`. `None` when it is not one.
pub fn date_text(value: &str, locale: Locale) -> Option<String> {
    let (date, time) = match value.split_once('T') {
        Some((date, time)) => (date, Some(time.get(..5).unwrap_or(time))),
        None => (value, None),
    };
    let mut parts = date.splitn(3, '-');
    let year: u32 = parts.next()?.parse().ok()?;
    let month: usize = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let name = MONTHS.get(month.checked_sub(1)?)?;
    Some(match (locale, time) {
        (Locale::ZhCn, None) => format!("{year}年{month}月{day}日"),
        (Locale::ZhCn, Some(time)) => format!("{year}年{month}月{day}日 {time}"),
        (Locale::En, None) => format!("{day} {name} {year}"),
        (Locale::En, Some(time)) => format!("{day} {name} {year}, {time}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_tags_round_trip_and_parse_leniently() {
        for l in [Locale::ZhCn, Locale::En] {
            assert_eq!(Locale::from_tag(l.tag()), Some(l));
        }
        assert_eq!(Locale::from_tag("zh-Hans-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_tag("en-GB"), Some(Locale::En));
        assert_eq!(Locale::from_tag("fr"), None);
    }

    #[test]
    fn blank_language_is_reported() {
        let t = Text {
            zh: "出生".into(),
            en: "  ".into(),
        };
        assert_eq!(t.missing_language(), Some("en"));
        assert_eq!(t.get(Locale::ZhCn), "出生");
    }

    #[test]
    fn dates_read_as_the_language_writes_them() {
        assert_eq!(
            date_text("2026-11-28", Locale::ZhCn).as_deref(),
            Some("2026年11月28日")
        );
        assert_eq!(
            date_text("2026-01-05T08:30", Locale::En).as_deref(),
            Some("5 January 2026, 08:30")
        );
        assert_eq!(
            date_text("2026-11-28T08:30", Locale::ZhCn).as_deref(),
            Some("2026年11月28日 08:30")
        );
        assert_eq!(date_text("2026-13-01", Locale::En), None);
        assert_eq!(date_text("soon", Locale::En), None);
    }
}

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
}

//! Finding a one-thing in the catalogue: by its name, a sub-item's name or a synonym its
//! definition lists (上户口, 出生证), typed in simplified or traditional characters, or as pinyin
//! initials (`xse` for 新生儿).
//!
//! The build computes each service's search text natively (`onething-prerender`: the words,
//! their pinyin initials, and the traditional forms of their characters) and ships it in the
//! catalogue's data (`crate::boot`), so the page needs no pinyin table; matching here is a
//! substring test on folded text.

use onething_core::api::ServiceSummary;
use serde::{Deserialize, Serialize};

/// The catalogue's search data, as the build computed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchData {
    /// Each service's search text.
    pub entries: Vec<SearchEntry>,
    /// Traditional characters each followed by its simplified form (`戶户書书`), for the
    /// characters the search words use.
    pub traditional: String,
}

/// One service's search text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchEntry {
    /// The service id.
    pub id: String,
    /// Its words and their pinyin initials, each [`fold`]ed, one a line.
    pub text: String,
}

/// Text as the search compares it: without spaces, full-width letters and digits (typed with a
/// Chinese input method in full-width mode) as their ASCII forms, and lower case. Only ASCII
/// letters have case in the services' words (`search_data` is built from them), so a full
/// Unicode lower-casing, whose tables the first page's module would carry, finds nothing more.
pub fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The query as the search compares it: [`fold`]ed, traditional characters made simplified.
pub fn query(q: &str, traditional: &str) -> String {
    let pairs: Vec<char> = traditional.chars().collect();
    fold(q)
        .chars()
        .map(|c| {
            pairs
                .chunks_exact(2)
                .find(|p| p[0] == c)
                .map_or(c, |p| p[1])
        })
        .collect()
}

/// The ids of the services in `list` that `q` finds (all of them for an empty query), in the
/// catalogue's order. A service without search data is searched by its title and summary.
pub fn find(list: &[ServiceSummary], data: Option<&SearchData>, q: &str) -> Vec<String> {
    let q = query(q, data.map_or("", |d| d.traditional.as_str()));
    list.iter()
        .filter(|s| {
            q.is_empty()
                || match data.and_then(|d| d.entries.iter().find(|e| e.id == s.id)) {
                    Some(e) => e.text.contains(&q),
                    None => [&s.title, &s.summary]
                        .iter()
                        .any(|t| fold(&t.zh).contains(&q) || fold(&t.en).contains(&q)),
                }
        })
        .map(|s| s.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use onething_core::Text;

    fn summary(id: &str, zh: &str, en: &str) -> ServiceSummary {
        let t = Text {
            zh: zh.into(),
            en: en.into(),
        };
        ServiceSummary {
            id: id.into(),
            title: t.clone(),
            summary: t,
            sub_item_count: 1,
        }
    }

    fn catalogue() -> (Vec<ServiceSummary>, SearchData) {
        let list = vec![
            summary("newborn", "新生儿出生一件事", "Newborn one-thing"),
            summary("shop", "开办小店一件事", "Open a small shop"),
        ];
        let data = SearchData {
            entries: vec![
                SearchEntry {
                    id: "newborn".into(),
                    text:
                        "新生儿出生一件事\nxsecsyjs\n户口登记\nhkdj\n上户口\nshk\nnewbornone-thing"
                            .into(),
                },
                SearchEntry {
                    id: "shop".into(),
                    text: "开办小店一件事\nkbxdyjs\n办营业执照\nbyyzz".into(),
                },
            ],
            traditional: "戶户記记".into(),
        };
        (list, data)
    }

    #[test]
    fn finds_by_synonym_initials_and_traditional_characters() {
        let (list, data) = catalogue();
        let d = Some(&data);
        assert_eq!(find(&list, d, "上户口"), ["newborn"]);
        assert_eq!(find(&list, d, "上戶口"), ["newborn"]);
        assert_eq!(find(&list, d, "XSE"), ["newborn"]);
        // Typed in full-width mode: the same letters.
        assert_eq!(find(&list, d, "ＸＳＥ"), ["newborn"]);
        assert_eq!(find(&list, d, "ｈｋｄｊ"), ["newborn"]);
        assert_eq!(find(&list, d, " 营业 执照"), ["shop"]);
        assert_eq!(find(&list, d, "Newborn One"), ["newborn"]);
        assert_eq!(find(&list, d, "一件事").len(), 2);
        assert_eq!(find(&list, d, ""), ["newborn", "shop"]);
        assert!(find(&list, d, "驾驶证").is_empty());
    }

    #[test]
    fn without_search_data_titles_and_summaries_are_searched() {
        let (list, _) = catalogue();
        assert_eq!(find(&list, None, "small shop"), ["shop"]);
        assert_eq!(find(&list, None, "新生儿"), ["newborn"]);
    }
}

thread_local! {
    static TYPED: std::cell::RefCell<Option<(String, bool)>> = const { std::cell::RefCell::new(None) };
}

/// Keeps what was typed into the prerendered page's search box, and whether it had the focus,
/// before the first page's module replaces the page: someone typing as it starts loses neither.
pub fn keep_typed() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(input) = doc
        .get_element_by_id("service-search")
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok())
    else {
        return;
    };
    let focused = doc
        .active_element()
        .is_some_and(|a| a.id() == "service-search");
    TYPED.with(|t| *t.borrow_mut() = Some((input.value(), focused)));
}

/// What [`keep_typed`] kept, taken once: the query, and whether the box had the focus.
pub fn typed() -> (String, bool) {
    TYPED.with(|t| t.borrow_mut().take()).unwrap_or_default()
}

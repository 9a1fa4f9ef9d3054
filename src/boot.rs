//! What the page came with: the catalogue (`/`) or a one-thing's definition (its landing page),
//! written into the HTML by the build (`src/bin/onething-prerender.rs`) both as readable content
//! in `#app` and as JSON in `<script type="application/json" id="onething-boot">`.
//!
//! The first page's module renders from this JSON instead of asking the API, so the content the
//! person is already reading is replaced by the same content, at once: no loading line, no
//! layout shift, and one round trip less before the page is interactive. The data is the build's
//! copy of the definitions; the API stays the source for everything after the first page.
//!
//! A landing page carries only what its first screen shows ([`Landing`]: titles, the sub-items'
//! heads, the reduction figures the build computed), not its definition: the guide is in the
//! HTML already, and the form's questions and option lists are the whole app's, which fetches
//! the definition itself. So the first page's module has no decoder for a whole definition and
//! no engine.

use std::cell::RefCell;

use onething_core::api::ServiceSummary;
use onething_core::engine::Reduction;
use onething_core::{ServiceDefinition, Text};
use serde::{Deserialize, Serialize};

use crate::pages::search::SearchData;

/// The id of the script element that carries the data.
pub const ELEMENT_ID: &str = "onething-boot";

/// The data a prerendered page carries: one of the two.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Boot {
    /// The catalogue, as `GET /api/services` answers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<ServiceSummary>>,
    /// A one-thing's landing page: what it shows of the definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing: Option<Landing>,
    /// With the catalogue: its search data (`crate::pages::search`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchData>,
}

/// What a one-thing's landing page shows of its definition (`crate::pages::ServicePage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Landing {
    /// The service id.
    pub id: String,
    /// Its name.
    pub title: Text,
    /// What it is, in a sentence or two.
    pub summary: Text,
    /// The departmental items it bundles, in the definition's order.
    pub sub_items: Vec<SubItemHead>,
    /// Whether the definition has a service guide (`[guide]`).
    pub guide: bool,
    /// The reform's figures, computed from the whole definition.
    pub reduction: Reduction,
}

impl Landing {
    /// The landing page's data of `def`.
    pub fn of(def: &ServiceDefinition) -> Self {
        Self {
            id: def.id.clone(),
            title: def.title.clone(),
            summary: def.summary.clone(),
            sub_items: def
                .sub_items
                .iter()
                .map(|s| SubItemHead {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    department: s.department.clone(),
                    time_limit_days: s.time_limit_days,
                    optional: s.optional,
                })
                .collect(),
            guide: def.guide.is_some(),
            reduction: onething_core::engine::reduction(def),
        }
    }
}

/// A sub-item as the list of a one-thing's items shows it (`crate::components::SubItemList`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubItemHead {
    /// Its id inside the definition.
    pub id: String,
    /// Its name.
    pub title: Text,
    /// The department that handles it.
    pub department: Text,
    /// Legal time limit in working days.
    pub time_limit_days: u16,
    /// Whether the citizen may leave it out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

thread_local! {
    static BOOT: RefCell<Option<Boot>> = const { RefCell::new(None) };
}

/// Reads the page's data once (before `#app` is replaced).
pub fn read() {
    let boot = parse();
    BOOT.with(|b| *b.borrow_mut() = boot);
}

/// The page's data as its script element holds it (it stays in the page when `#app` is
/// replaced, also for the whole app's module).
fn parse() -> Option<Boot> {
    let text = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(ELEMENT_ID))
        .and_then(|e| e.text_content())?;
    crate::json::from_str::<Boot>(&text).ok()
}

/// The catalogue's search data, if the page came with it: each time the catalogue is shown,
/// by either module.
pub fn search() -> Option<SearchData> {
    parse()?.search
}

/// The catalogue the page came with, filtered by the deployment's `services` like the API's.
/// Taken once: a later visit of the catalogue asks the API.
pub fn services() -> Option<Vec<ServiceSummary>> {
    let mut list = BOOT.with(|b| b.borrow_mut().as_mut().and_then(|b| b.services.take()))?;
    list.retain(|s| crate::config::get().offers(&s.id));
    Some(list)
}

/// The landing page of `id`, if the page came with it and the deployment offers it. Kept (it is
/// the build's copy of the definition, and small): coming back to the page shows it again.
pub fn landing(id: &str) -> Option<Landing> {
    if !crate::config::get().offers(id) {
        return None;
    }
    BOOT.with(|b| {
        b.borrow()
            .as_ref()?
            .landing
            .as_ref()
            .filter(|l| l.id == id)
            .cloned()
    })
}

/// The JSON text for the page's script element: `</` is written `<\/` (the same string in
/// JSON), so no text inside can close the element.
///
/// # Errors
/// When the data has no JSON form (it always has: definitions are read from JSON or TOML).
pub fn script_text(boot: &Boot) -> Result<String, crate::json::JsonError> {
    Ok(crate::json::to_string(boot)?.replace("</", "<\\/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_landing_page_carries_what_it_shows_not_the_definition() {
        let def =
            ServiceDefinition::from_toml("newborn.toml", include_str!("../services/newborn.toml"))
                .expect("newborn definition");
        let landing = Landing::of(&def);
        assert_eq!(landing.sub_items.len(), def.sub_items.len());
        assert_eq!(landing.reduction, onething_core::engine::reduction(&def));
        assert!(landing.guide);
        let text = script_text(&Boot {
            landing: Some(landing.clone()),
            ..Boot::default()
        })
        .expect("json");
        // The definition's form (its facts, option lists, rules) stays out of the page.
        assert!(
            text.len() * 10 < serde_json::to_string(&def).expect("json").len(),
            "{}",
            text.len()
        );
        let back: Boot = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back.landing, Some(landing));
    }

    #[test]
    fn script_text_cannot_close_its_element() {
        let evil = onething_core::Text {
            zh: "</script><script>alert(1)</script>".into(),
            en: "<!-- </SCRIPT".into(),
        };
        let list = vec![ServiceSummary {
            id: "x".into(),
            title: evil.clone(),
            summary: evil,
            sub_item_count: 1,
        }];
        let text = script_text(&Boot {
            services: Some(list.clone()),
            ..Boot::default()
        })
        .expect("json");
        assert!(!text.contains("</"), "{text}");
        let back: Boot = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back.services, Some(list));
    }
}

//! The service guide (办事指南) of a one-thing: what a person needs to know before starting that
//! the rest of the definition does not already say. The sub-items, their departments and time
//! limits, and the documents with the ways each can be supplied are read from the definition
//! itself (never written twice); the `[guide]` section adds who can apply, the words people
//! search for, fees, the legal basis, the windows and their hours, a hotline and short answers
//! to common questions. Checked when the definition loads (`check::guide`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text::Text;

/// A one-thing's `[guide]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    /// Other words people search for it by (上户口, 出生证, birth registration), in either
    /// language; the catalogue's search also reads the title and the sub-items' names.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Who can apply through the bundle (the 情形 it covers), one condition a line.
    pub who: Vec<Text>,
    /// When a material is needed only in some situations, which (by material id): the guide
    /// shows it beside the material, so the list reads as a person's checklist.
    #[serde(default)]
    pub when: BTreeMap<String, Text>,
    /// What it costs (免费 when free).
    pub fees: Text,
    /// The laws and rules it rests on, by their published names.
    #[serde(default)]
    pub legal_basis: Vec<Text>,
    /// Where to apply in person, and when those windows are open.
    #[serde(default)]
    pub windows: Vec<PickupWindow>,
    /// A phone number for questions (digits, spaces and `-` only: it becomes a `tel:` link).
    pub hotline: String,
    /// When the hotline answers, or whom it reaches.
    #[serde(default)]
    pub hotline_note: Option<Text>,
    /// Short answers to common questions.
    #[serde(default)]
    pub faq: Vec<Faq>,
}

/// A common question with its short answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    /// The question, as a person asks it.
    pub q: Text,
    /// The answer, in a sentence or two.
    pub a: Text,
}

/// A service window where a result is picked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupWindow {
    /// The office (e.g. 吴兴区政务服务中心 3 号窗口).
    pub office: Text,
    /// Its address.
    pub address: Text,
    /// When it is open.
    pub hours: Text,
}

//! Answer values: what a citizen enters, in the JSON shape a form naturally produces, and the
//! civil dates the answers and rules are about. The bottom of the domain: conditions,
//! definitions and the engine all read these, and this module reads none of them.

pub mod calendar;
pub mod date;
pub mod regions;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use calendar::{Calendar, DayKind, WorkingDue};
pub use date::{Date, DateTime};

/// Answers by fact id. JSON: `{"mother_name": "王芳", "married": true, "children": [{…}]}`.
pub type Answers = BTreeMap<String, AnswerValue>;

/// One answer, in the JSON shape a form naturally produces (untagged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    /// Cleared: `null`. Counts as unanswered.
    Null,
    /// Yes/no: `true`.
    Bool(bool),
    /// Integer: `3200`.
    Integer(i64),
    /// Text, single choice (the option id), ID number, mobile, date (`2026-11-20`), date-time
    /// (`2026-11-20T08:30`), bank card: `"…"`.
    Text(String),
    /// Multiple choice: `["a", "b"]`.
    Choices(Vec<String>),
    /// Repeatable group: `[{"name": "…"}, {"name": "…"}]`.
    Group(Vec<Answers>),
    /// Address: `{"region": ["330000", "330500", "330502"], "detail": "…"}`.
    Address(Address),
    /// Any other JSON (a float, an unexpected object): one odd answer becomes a `wrong_type`
    /// error on its field instead of a rejected body. Serialised as `null`.
    Unsupported(Unsupported),
}

/// The content of an answer of no supported shape (see [`AnswerValue::Unsupported`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unsupported;

impl Serialize for Unsupported {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for Unsupported {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Unsupported)
    }
}

impl AnswerValue {
    /// Whether this counts as an answer: blank text, empty lists and empty addresses do not.
    pub fn is_answered(&self) -> bool {
        match self {
            AnswerValue::Null => false,
            AnswerValue::Bool(_) | AnswerValue::Integer(_) | AnswerValue::Unsupported(_) => true,
            AnswerValue::Text(s) => !s.trim().is_empty(),
            AnswerValue::Choices(c) => !c.is_empty(),
            AnswerValue::Group(g) => !g.is_empty(),
            AnswerValue::Address(a) => !a.region.is_empty() || !a.detail.trim().is_empty(),
        }
    }
}

/// An address: region cascade (GB/T 2260 codes) and the detail line.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Province, city, county codes, in order.
    pub region: Vec<String>,
    /// Street, number, building, room.
    #[serde(default)]
    pub detail: String,
}

//! 亮晒: the public list of resolved problems, and the public's 好差评 of each. An entry is
//! written, de-identified, when a sub-item whose outcome is of kind `publication` completes
//! (only a case whose applicant consented has such a sub-item): a random public id, the
//! service, the date, the choice facts the sub-item receives shown by their labels (never the
//! applicant's own words), and what the department recorded for the public.

use serde::{Deserialize, Serialize};

use crate::text::Text;
use crate::wire;

#[cfg(feature = "openapi")]
use super::schema::TextSchema;
#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

/// How many entries a page of the list holds.
pub const PUBLISHED_PAGE_SIZE: usize = 20;

/// One line of an entry: a label and its value, both in both languages (a department's text
/// for the public is the same in both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublishedLine {
    /// What it is (问题类别).
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub label: Text,
    /// Its value (政策兑现): a choice's label, a date `YYYY-MM-DD`, or the department's text.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub value: Text,
}

/// One published entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublishedEntry {
    /// The entry's public id (random: it opens nothing else; not the case's id or number).
    pub id: String,
    /// The service the case was handled under.
    pub service_id: String,
    /// The service's name when the entry was written.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub service_title: Text,
    /// The day it was published, in China (`YYYY-MM-DD`).
    pub published_on: String,
    /// The choice facts the publication's department receives, by their labels.
    #[serde(default)]
    pub facts: Vec<PublishedLine>,
    /// What the department recorded for the public, in the definition's order.
    #[serde(default)]
    pub outcome: Vec<PublishedLine>,
    /// How many people rated it.
    pub rating_count: u32,
    /// The sum of their scores (the average is `rating_total / rating_count`).
    pub rating_total: u32,
}

/// `GET /api/public/published`: a page of entries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublishedPage {
    /// At most [`PUBLISHED_PAGE_SIZE`] entries.
    pub entries: Vec<PublishedEntry>,
    /// The `cursor` of the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The list's filter and page (`GET /api/public/published`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema, IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PublishedQuery {
    /// Only this service's entries.
    #[serde(default)]
    pub service: Option<String>,
    /// The `next_cursor` of the page before; absent for the newest page.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        param(pattern = r"^[0-9]{1,18}\.[A-Za-z0-9_-]{1,64}$")
    )]
    pub cursor: Option<String>,
}

/// Why a person gave their score, chosen from a fixed list (no free text: nothing a moderator
/// must read before it is counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PublicationRatingReason {
    /// 问题解决彻底: the problem was really solved.
    Solved,
    /// 办理及时: handled quickly.
    Quick,
    /// 举一反三到位: what changed helps other businesses too.
    Generalised,
    /// 答复不清楚: the reply does not say what was done.
    Unclear,
    /// 办理太慢: it took too long.
    Slow,
    /// 问题没有真正解决: the problem is not really solved.
    NotSolved,
}

impl PublicationRatingReason {
    /// Every reason, in the order the form lists them.
    pub const ALL: [Self; 6] = [
        Self::Solved,
        Self::Quick,
        Self::Generalised,
        Self::Unclear,
        Self::Slow,
        Self::NotSolved,
    ];

    /// Its wire name.
    pub fn as_str(self) -> &'static str {
        wire::name(&self)
    }

    /// The reason a wire name names.
    pub fn parse(s: &str) -> Option<Self> {
        wire::parse(s)
    }
}

/// `POST /api/public/published/{id}/rating`: one score per account and entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicationRating {
    /// 1 (非常不满意, very dissatisfied) to 5 (非常满意, very satisfied).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub score: u8,
    /// Why, from the list; optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<PublicationRatingReason>,
}

/// The answer to a rating: the entry as it is now, and the caller's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicationRated {
    /// The entry, with the new count and total.
    pub entry: PublishedEntry,
    /// The caller's score.
    pub score: u8,
}

//! The engine's inputs and answers as data: the application (a draft or a submission body),
//! field errors, page states, the eligibility outcome, material needs, what each department
//! receives, and the reduction figures. Plain types, serialised as the API carries them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::definition::{ReportedFigure, Satisfier, ServiceLink};
use crate::errors::EngineError;
use crate::text::Text;
use crate::value::Answers;

/// JSON: `{"kind": "upload", "upload_ids": ["…"]}`, `{"kind": "e_licence", "consent": true}`,
/// `{"kind": "commitment", "accepted": true}`, `{"kind": "deferred"}`, `{"kind": "at_window"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MaterialChoice {
    /// Photos or scans already uploaded (ids from the upload API), one per page.
    Upload {
        /// Upload ids, in page order.
        upload_ids: Vec<String>,
    },
    /// Fetch the e-licence (免证办); `consent` must be given.
    ELicence {
        /// The holder's consent.
        consent: bool,
    },
    /// Accept the commitment (承诺办) instead of a proof.
    Commitment {
        /// Whether the commitment text was accepted.
        accepted: bool,
    },
    /// Supply later (容缺受理).
    Deferred,
    /// Show at the window.
    AtWindow,
}

impl MaterialChoice {
    /// The satisfier this choice uses.
    pub fn satisfier(&self) -> Satisfier {
        match self {
            MaterialChoice::Upload { .. } => Satisfier::Upload,
            MaterialChoice::ELicence { .. } => Satisfier::ELicence,
            MaterialChoice::Commitment { .. } => Satisfier::Commitment,
            MaterialChoice::Deferred => Satisfier::Deferred,
            MaterialChoice::AtWindow => Satisfier::AtWindow,
        }
    }
}

/// A draft and, when submitted, the submission body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Application {
    /// The definition's id.
    pub service_id: String,
    /// Selected sub-item ids.
    #[serde(default)]
    pub sub_items: Vec<String>,
    /// Answers to the eligibility questions.
    #[serde(default)]
    pub eligibility: Answers,
    /// Answers to the form's facts.
    #[serde(default)]
    pub answers: Answers,
    /// How each material is provided, by material id.
    #[serde(default)]
    pub materials: BTreeMap<String, MaterialChoice>,
}

/// One validation error: a stable code (an [`EngineError`]'s name, or a definition rule's code;
/// see [`crate::error_text`]) and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FieldError {
    /// `snake_case` code, e.g. `id_number_checksum`, or a definition rule's code.
    pub code: String,
    /// Where: `answers.mother_id_number`, `answers.children[1].weight_g`,
    /// `eligibility.born_in_hospital`, `materials.marriage_certificate`, `sub_items.x`.
    pub path: String,
}

impl FieldError {
    /// An engine error at `path`; its code is the error's wire name.
    pub fn new(code: EngineError, path: impl Into<String>) -> Self {
        FieldError {
            code: code.as_str().to_owned(),
            path: path.into(),
        }
    }

    /// A definition rule's error (its own `code`) at `path`.
    pub fn rule(code: &str, path: impl Into<String>) -> Self {
        FieldError {
            code: code.to_owned(),
            path: path.into(),
        }
    }

    /// Whether this is the engine's error `code`.
    pub fn is(&self, code: EngineError) -> bool {
        self.code == code.as_str()
    }
}

/// A page's state for a task-list view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStatus {
    /// Nothing answered yet.
    NotStarted,
    /// Some required answers missing.
    InProgress,
    /// Every visible required fact answered, nothing invalid.
    Complete,
    /// An answer is invalid.
    HasErrors,
}

/// A page as the engine sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageState {
    /// The page id.
    pub id: String,
    /// Whether it is shown.
    pub visible: bool,
    /// Its completeness (meaningful when visible).
    pub status: PageStatus,
    /// Its visible facts, in order.
    pub facts: Vec<String>,
}

/// Whether the bundle applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EligibilityOutcome {
    /// Questions are still open (their ids).
    Incomplete {
        /// Visible questions without a valid answer.
        missing: Vec<String>,
    },
    /// The bundle applies.
    Eligible,
    /// It does not; why, and what to do instead.
    NotEligible {
        /// The failed rules.
        reasons: Vec<IneligibleReason>,
    },
    /// Not as a whole, but the failed rules let the person go on with some sub-items (each
    /// failed rule's `continue_with`, all of them together): the fallback of 情形, not a dead end.
    Partial {
        /// The failed rules.
        reasons: Vec<IneligibleReason>,
        /// The sub-items that can still be done here, in the definition's order.
        sub_items: Vec<String>,
    },
}

/// One failed eligibility rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IneligibleReason {
    /// The rule id.
    pub rule: String,
    /// Why the bundle does not apply.
    pub explanation: Text,
    /// What to do instead.
    pub fallback: Text,
    /// The single-item service to go to instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_item: Option<ServiceLink>,
}

/// A material the application needs, asked once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialNeed {
    /// The material id.
    pub id: String,
    /// The selected sub-items that need it.
    pub sub_items: Vec<String>,
    /// The ways it may be provided now (e-licence only where one exists).
    pub satisfiers: Vec<Satisfier>,
}

/// What one department receives for one sub-item: only the facts and materials it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentPacket {
    /// The sub-item id.
    pub sub_item: String,
    /// The department.
    pub department: Text,
    /// Sub-items that must finish first.
    pub depends_on: Vec<String>,
    /// The answers it receives (eligibility answers included when it lists them).
    pub answers: Answers,
    /// The materials it receives.
    pub materials: BTreeMap<String, MaterialChoice>,
}

/// A material supplied later (容缺): a 补正 task after submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeferredMaterial {
    /// The material id.
    pub material: String,
    /// Working days allowed.
    pub due_days: u16,
    /// The sub-items waiting for it.
    pub sub_items: Vec<String>,
}

/// A valid submission, reduced to what is submitted: visible answers only (normalised: ID
/// numbers upper-cased, mobiles without spaces …), needed materials only, and per department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    /// The definition's id.
    pub service_id: String,
    /// The selected sub-items, in the definition's order.
    pub sub_items: Vec<String>,
    /// The visible eligibility answers.
    pub eligibility: Answers,
    /// The visible answers.
    pub answers: Answers,
    /// The needed materials.
    pub materials: BTreeMap<String, MaterialChoice>,
    /// What each selected sub-item's department receives.
    pub departments: Vec<DepartmentPacket>,
    /// Materials to supply later.
    pub deferred: Vec<DeferredMaterial>,
}

/// Everything the engine says about an application at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The selected sub-items that are known and available, in the definition's order.
    pub selected: Vec<String>,
    /// Whether the bundle applies.
    pub eligibility: EligibilityOutcome,
    /// The visible eligibility questions, in order.
    pub questions: Vec<String>,
    /// Every page in order, with visibility and status.
    pub pages: Vec<PageState>,
    /// Every visible field path (`answers.children[0].name` …), for the SPA's rendering.
    pub visible_paths: BTreeSet<String>,
    /// Every error, including `required` ones.
    pub errors: Vec<FieldError>,
    /// The needed materials.
    pub materials: Vec<MaterialNeed>,
}

impl Evaluation {
    /// Whether the application can be submitted.
    pub fn ready(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The signed-in account's data, for prefilling.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrefillData {
    /// Real name.
    pub name: Option<String>,
    /// ID number.
    pub id_number: Option<String>,
    /// Mobile number.
    pub mobile: Option<String>,
}

/// The bundle's reduction figures, computed from the definition (all sub-items, every
/// conditional material) plus the reported ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reduction {
    /// One form per sub-item before (多表).
    pub forms_before: usize,
    /// One form now (一表).
    pub forms_after: usize,
    /// Material requests when each department asks for its own.
    pub material_requests_before: usize,
    /// Distinct materials asked once.
    pub materials_after: usize,
    /// Departments involved.
    pub departments: usize,
    /// Sum of the legal time limits, handled one after another.
    pub time_limit_days_before: u32,
    /// Longest chain of dependent time limits, handled in parallel.
    pub time_limit_days_after: u32,
    /// Reported figures, as given in the definition.
    pub reported: Vec<ReportedFigure>,
}

//! OneThing's domain, shared by the SPA (wasm32) and the reference server (native).
//!
//! Plain Rust with no web or async dependencies, so a rule is written once, tested natively in
//! milliseconds, and enforced on both sides of the API.
//!
//! - [`value`]: answer values, civil dates and China's working-day calendar (`services/calendar/`),
//!   what everything else reads.
//! - [`definition`]: a one-thing as data (sub-items, eligibility, facts, pages, materials, rules),
//!   read from `services/*.toml` and checked when it loads; the format is documented in
//!   `docs/service-definitions.md`.
//! - [`condition`]: the structured condition language of definitions.
//! - [`engine`]: what to ask, what is valid, what to provide, whether the bundle applies and what
//!   each department receives — pure functions of a definition, an [`Application`] and today.
//! - [`errors`]: every engine error code ([`EngineError`]) with its zh-CN and en text.
//! - [`regions`]: the GB/T 2260 divisions the address cascade offers.
//! - [`codes`]: national code lists choices take their options from (GB 3304 民族).
//! - [`api`]: the types that cross the HTTP API.
//! - [`wire`]: an enum variant's wire name, read from its serde attributes.
//!
//! Layers, each importing only from those before it: [`text`] and [`wire`]; [`value`];
//! [`condition`]; [`definition`]; [`errors`]; [`engine`]; [`api`] ([`regions`] and [`codes`]
//! need only [`text`]).

pub mod api;
pub mod codes;
pub mod condition;
pub mod definition;
pub mod engine;
pub mod errors;
pub mod regions;
pub mod text;
pub mod value;
pub mod wire;

pub use condition::{CompareOp, Comparison, Condition, Literal, Offset};
pub use definition::{
    Check, ChoiceOption, DateBound, DefinitionError, DeliveryMethod, ELicence, ELicenceHolder,
    Eligibility, EligibilityRule, Fact, FactKind, IdType, Material, Page, PickupWindow, Prefill,
    ReportedFigure, ResultDelivery, Rule, Satisfier, ServiceDefinition, SubItem,
};
pub use engine::{
    Application, DeferredMaterial, DepartmentPacket, EligibilityOutcome, Evaluation, FieldError,
    IneligibleReason, MaterialChoice, MaterialNeed, PageState, PageStatus, PrefillData, Projection,
    Reduction, available_sub_items, check_submission, decisions, eligibility, evaluate,
    materials_needed, page_statuses, prefill, reduction, validate_eligibility, validate_page,
    visible_answers, visible_facts, visible_pages,
};
pub use errors::{EngineError, error_text};
pub use text::{Locale, Text, date_text};
pub use value::{Address, AnswerValue, Answers, Date, DateTime, Unsupported, WorkingDue};

//! The one-thing engine: given a [`crate::ServiceDefinition`], the selected sub-items and the
//! answers so far, it says what to ask (visible pages and facts), what is valid (field errors with
//! stable codes and paths), what to provide (the deduplicated materials and how each may be
//! satisfied), whether the bundle applies (eligibility), and what each department receives (the
//! projection).
//!
//! Everything here is a pure function of its inputs — `today` included — so the SPA (wasm32)
//! and the server (native) reach the same verdicts, and the server can re-check every submission
//! without trusting the client.
//!
//! ## Hidden-value policy
//! Answers to facts that are not visible (their page or condition is off, or no selected
//! sub-item needs them) stay in the draft, so switching a branch back restores them, but they are
//! never validated, never seen by conditions and never submitted: [`check_submission`] drops
//! them from the [`Projection`]. Conditions may only read facts asked before them (checked when a
//! definition loads), so one pass in form order decides visibility exactly.
//!
//! ## Modules
//! - `model`: the application and everything the engine answers, as data.
//! - `walk`: the one pass in form order that every question starts with.
//! - `validate` and [`validators`]: single answers (kinds and their parameters; ID numbers,
//!   names, mobiles, bank cards, region codes).
//! - `evaluate`: the questions about an application in progress.
//! - `submission`: the check of a submission and its projection per department; prefilling.
//! - `reduction`: the bundle's figures (forms, materials, time limits).
//! - `delivery`: how each sub-item's result goes, against the person's choice.
//! - `schedule`: expected dates and 容缺 due dates in China's working days.
//! - `amounts`: the figures a definition computes from the answers (a subsidy claimed).
//! - `progress`: after submission, the stages a department may enter and what it records.

mod amounts;
mod collect;
mod delivery;
mod evaluate;
mod model;
mod progress;
mod reduction;
mod schedule;
mod submission;
mod validate;
pub mod validators;
mod walk;

/// Dates, at their former path `engine::date` (they live with the values now).
pub use crate::value::date;
pub use crate::value::{Address, AnswerValue, Answers, Date, DateTime, Unsupported, WorkingDue};
pub use amounts::{ComputedAmount, amounts, grouped};
pub use delivery::{SubItemDelivery, chosen_delivery, deliveries};
pub use evaluate::{
    available_sub_items, decisions, eligibility, evaluate, materials_needed, page_statuses,
    validate_eligibility, validate_page, visible_answers, visible_facts, visible_pages,
};
pub use model::{
    Application, DeferredMaterial, DepartmentPacket, EligibilityOutcome, Evaluation, FieldError,
    IneligibleReason, MaterialChoice, MaterialNeed, PageState, PageStatus, PrefillData, Projection,
    Reduction,
};
pub use progress::{
    StageRefusal, check_record, rising_problems, sample_record, stage_move, stages_missing,
};
pub use reduction::reduction;
pub use schedule::{bundle_expected, expected_dates};
pub use submission::{check_submission, prefill};
pub use validate::validate_value;

#[cfg(test)]
mod kinds_tests;
#[cfg(test)]
mod progress_tests;
#[cfg(test)]
mod tests;

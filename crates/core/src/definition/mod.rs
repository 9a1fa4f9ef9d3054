//! Service definitions: a one-thing (一件事) described as data, one file per service in
//! `services/`. Operators add a one-thing by writing a file, not code.
//!
//! - `types`: the format's types, as serde reads them.
//! - `lookup`: finding a fact, sub-item, material or page by id; the decision points.
//! - `check`: what the types cannot say, checked when a definition loads ([`DefinitionError`]).
//! - `guide`: the service guide (办事指南) section and its checks.
//! - `expr`: the rule of a computed amount (a subsidy claimed).

mod check;
mod expr;
mod guide;
mod lookup;
mod types;

pub use check::{DefinitionError, is_id};
pub use expr::{Expr, MAX_EXPR_DEPTH};
pub use guide::{Faq, Guide, PickupWindow};
pub use types::{
    Amount, Check, ChoiceOption, DateBound, DeliveryMethod, ELicence, ELicenceHolder, Eligibility,
    EligibilityRule, Fact, FactKind, IdType, MAX_GROUP_ITEMS, MAX_UPLOADS_PER_MATERIAL, Material,
    OptionSource, Outcome, OutcomeKind, Page, Pays, Prefill, ReportedFigure, ResultDelivery, Rule,
    Satisfier, ServiceDefinition, ServiceLink, Stage, SubItem,
};

#[cfg(all(test, feature = "toml"))]
mod tests;

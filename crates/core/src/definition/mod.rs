//! Service definitions: a one-thing (一件事) described as data, one file per service in
//! `services/`. Operators add a one-thing by writing a file, not code.
//!
//! - `types`: the format's types, as serde reads them.
//! - `lookup`: finding a fact, sub-item, material or page by id; the decision points.
//! - `check`: what the types cannot say, checked when a definition loads ([`DefinitionError`]).
//! - `guide`: the service guide (办事指南) section and its checks.

mod check;
mod guide;
mod lookup;
mod types;

pub use check::{DefinitionError, is_id};
pub use guide::{Faq, Guide, PickupWindow};
pub use types::{
    Check, ChoiceOption, DateBound, DeliveryMethod, ELicence, ELicenceHolder, Eligibility,
    EligibilityRule, Fact, FactKind, IdType, MAX_GROUP_ITEMS, MAX_UPLOADS_PER_MATERIAL, Material,
    OptionSource, Page, Prefill, ReportedFigure, ResultDelivery, Rule, Satisfier,
    ServiceDefinition, ServiceLink, SubItem,
};

#[cfg(all(test, feature = "toml"))]
mod tests;

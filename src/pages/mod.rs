//! One module per route.

mod accessibility;
mod applications;
pub mod apply;
pub mod assisted;
mod consent;
mod home;
mod messages;
mod not_found;
mod published;
mod receipt;
mod service;

pub use accessibility::AccessibilityPage;
pub use applications::{ApplicationPage, ApplicationsPage};
pub use consent::{ConsentEntry, ConsentPage};
pub use home::drafts::DraftsPage;
pub use home::{Home, search};
pub use messages::{MessagesPage, UnreadLink};
pub use not_found::NotFound;
pub use published::PublishedPage;
pub use receipt::ReceiptPage;
pub use service::{ServicePage, ServicePageFrom};

//! One module per route.

mod accessibility;
mod applications;
pub mod apply;
mod consent;
mod home;
mod not_found;
mod service;

pub use accessibility::AccessibilityPage;
pub use applications::{ApplicationPage, ApplicationsPage};
pub use consent::{ConsentEntry, ConsentPage};
pub use home::{Home, search};
pub use not_found::NotFound;
pub use service::{GuideView, ServicePage, ServicePageWith};

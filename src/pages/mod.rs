//! One module per route.

mod applications;
pub mod apply;
mod home;
mod not_found;
mod service;

pub use applications::{ApplicationPage, ApplicationsPage};
pub use home::Home;
pub use not_found::NotFound;
pub use service::ServicePage;

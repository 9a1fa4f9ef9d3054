//! One module per route.

pub mod apply;
mod home;
mod not_found;
mod service;

pub use home::Home;
pub use not_found::NotFound;
pub use service::ServicePage;

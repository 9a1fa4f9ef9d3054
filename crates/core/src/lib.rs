//! OneThing's domain, shared by the SPA (wasm32) and the reference server (native).
//!
//! Plain Rust with no web or async dependencies, so a rule is written once, tested natively in
//! milliseconds, and enforced on both sides of the API.

pub mod api;
pub mod definition;
pub mod text;

pub use definition::{DefinitionError, ServiceDefinition, SubItem};
pub use text::{Locale, Text};

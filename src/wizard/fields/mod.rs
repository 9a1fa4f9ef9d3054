//! The wizard's fields: a definition's questions by kind, repeatable groups and the photo slots
//! of its materials, each bound to the draft in the wizard's context ([`super::Wizard`]) and to
//! the page's [`FormState`](crate::components::FormState). They are built from the design
//! system's generic pieces (`crate::components`), which know nothing of the wizard.

pub mod address;
mod choice;
mod field;
mod group;
mod photo_picker;

pub use field::{Field, mask};
pub use group::{GroupField, fill_minimum};
pub use photo_picker::PhotoPicker;

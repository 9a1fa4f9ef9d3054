//! What a form page knows about the person's progress on it: which fields they have finished
//! (so errors appear only after a field is left, not while typing) and whether they have tried
//! to continue (then every error shows).

use std::collections::BTreeSet;

use leptos::prelude::*;

/// Provided by each page that holds fields.
#[derive(Clone, Copy)]
pub struct FormState {
    /// Engine paths of fields the person has left after editing.
    pub touched: RwSignal<BTreeSet<String>>,
    /// Set when they pressed Continue.
    pub attempted: RwSignal<bool>,
}

impl FormState {
    /// A fresh state, provided as context.
    pub fn provide() -> Self {
        let s = FormState {
            touched: RwSignal::new(BTreeSet::new()),
            attempted: RwSignal::new(false),
        };
        provide_context(s);
        s
    }

    /// Forgets what the person did on the page: no field finished, Continue not pressed.
    pub fn reset(&self) {
        if self.attempted.get_untracked() {
            self.attempted.set(false);
        }
        if self.touched.with_untracked(|t| !t.is_empty()) {
            self.touched.set(BTreeSet::new());
        }
    }

    /// Marks a field as finished.
    pub fn touch(&self, path: &str) {
        if !self.touched.with_untracked(|t| t.contains(path)) {
            self.touched.update(|t| {
                t.insert(path.to_owned());
            });
        }
    }

    /// Whether errors of `path` may be shown now.
    pub fn shows(&self, path: &str) -> bool {
        self.attempted.get() || self.touched.with(|t| t.contains(path))
    }
}

/// Whether the page built under this owner is the one shown: a page kept (hidden) while another
/// shows (the wizard's question pages) acts on the document only while it is shown.
#[derive(Clone, Copy)]
pub struct PageShown(pub RwSignal<bool>);

/// Whether the current page is shown (see [`PageShown`]); a page built without it is
/// always shown.
pub fn page_shown() -> Signal<bool> {
    use_context::<PageShown>().map_or_else(|| Signal::stored(true), |s| s.0.into())
}

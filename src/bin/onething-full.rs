//! The whole app's module (the wizard, uploads, drafts, tracking), loaded by the first page's
//! module (`src/lite.rs`) when the person goes beyond the catalogue and the landing pages.

fn main() {
    onething::start();
}

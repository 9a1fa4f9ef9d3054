//! The first page's module: the catalogue and the landing pages (`src/lite.rs`); it loads the
//! whole app (`src/bin/onething-full.rs`) when the person goes further.

fn main() {
    onething::lite::start();
}

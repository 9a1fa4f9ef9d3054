//! cargo-fuzz entry of the `media` target; its body is shared with the stable-toolchain run
//! (`crates/server/tests/suite/fuzz.rs`).

#![no_main]

#[path = "../targets/media.rs"]
mod target;

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));

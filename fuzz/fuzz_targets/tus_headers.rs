//! cargo-fuzz entry of the `tus_headers` target; its body is shared with the stable-toolchain run
//! (`crates/server/tests/suite/fuzz.rs`).

#![no_main]

#[path = "../targets/tus_headers.rs"]
mod target;

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));

//! cargo-fuzz entry of the `condition` target; its body is shared with the stable-toolchain run
//! (`crates/server/tests/suite/fuzz.rs`).

#![no_main]

#[path = "../targets/condition.rs"]
mod target;

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));

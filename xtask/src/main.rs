//! `cargo xtask <command>`: the project's commands.
//!
//! - `run`:  install what is missing, build the SPA in release, serve it with the reference server.
//! - `test`: install what tests need, then fmt, clippy, native tests, wasm tests in headless
//!   Chromium, the release build with its size budget, and end-to-end browser tests.
//! - `size`: build the release SPA and print its first-load size.
//! - `bench`: build, start the server, and measure size, load, step and upload performance;
//!   `bench --trace`: a Chromium performance trace of the wizard's step changes, summarised.
//! - `soak`: the reliability and security figures at full count (faults, exactly-once, access
//!   control, hostile input, privacy, fuzzing, schemathesis).
//! - `layers`: check the module layering (no import cycle in `crates/core`, nothing above the
//!   SPA's `api` layer imported by it); also a stage of `test`.
//! - `setup`: only install what is missing.

mod bench;
mod compress;
mod layers;
mod server;
mod setup;
mod size;
mod soak;
mod steps;
mod util;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = args
        .split_first()
        .map_or(("help", &[][..]), |(c, r)| (c.as_str(), r));
    let result = match cmd {
        "run" => steps::run(rest),
        "test" => steps::test(),
        "size" => steps::size(),
        "bench" => bench::bench(rest),
        "soak" => soak::soak(),
        "layers" => layers::check(),
        "setup" => setup::ensure(setup::Needs::Test),
        _ => {
            eprintln!(
                "usage: cargo xtask <run [server flags…] | test | size | bench [--trace] | soak | layers | setup>\n\
                 run    build the SPA (release) and serve it with the reference server on 127.0.0.1:8080\n\
                 test   fmt, layers, clippy, native + wasm + end-to-end tests, size budget\n\
                 size   build the SPA (release) and print its first-load size\n\
                 bench  build, serve on loopback, measure; table + target/bench/bench.json\n\
                 bench --trace  a DevTools trace of the wizard's step changes + its summary\n\
                 soak   fault injection, exactly-once, access, hostile input, fuzzing, schemathesis: figures\n\
                 layers no import cycle in crates/core; the SPA's api imports nothing above it\n\
                 setup  install missing tools (wasm32 target, trunk, wasm-bindgen-cli, npm tools, Chromium, Firefox ESR, WebKit)"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {cmd}: {e}");
            ExitCode::FAILURE
        }
    }
}

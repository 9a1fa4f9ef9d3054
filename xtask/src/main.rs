//! `cargo xtask <command>`: the project's commands.
//!
//! - `run`:  install what is missing, build the SPA in release, serve it with the reference server.
//! - `test`: install what tests need, then fmt, clippy, native tests, wasm tests in headless
//!   Chromium, the release build with its size budget, and end-to-end browser tests.
//! - `size`: build the release SPA and print its first-load size.
//! - `bench`: build, start the server, and measure size, load, step and upload performance, and
//!   submissions/s and tus throughput of 1, 2 and 3 replicas on PostgreSQL beside SQLite;
//!   `bench --trace`: a Chromium performance trace of the wizard's step changes, summarised;
//!   `bench --only replicas`: only the replicas' figures; `bench --only uploads [--binary
//!   PATH]`: only the tus upload figures (of another build of the server with `--binary`).
//! - `soak`: the reliability and security figures at full count (faults, exactly-once, access
//!   control, hostile input, privacy, fuzzing, schemathesis).
//! - `layers`: check the module layering (no import cycle in `crates/core`, nothing above the
//!   SPA's `api` layer imported by it); also a stage of `test`.
//! - `s3`: the server's tests of uploaded files on S3-compatible storage (moto, pinned, in a
//!   venv under `target/s3/`, started on loopback and stopped); also a stage of `test`.
//! - `postgres`: the server's route and contract tests on PostgreSQL (the machine's, installed
//!   from Debian's packages when missing; a throwaway cluster under `target/pg/` on loopback,
//!   stopped by its PID); also a stage of `test`.
//! - `lb`: nginx (Debian's package, unpacked under `target/lb/`) in front of two replicas on
//!   PostgreSQL + S3, a replica killed (SIGKILL) and restarted during tus uploads, submissions
//!   and an open live-event stream: the figures.
//! - `setup`: only install what is missing.

mod bench;
mod compress;
mod layers;
mod lb;
mod postgres;
mod s3;
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
        "s3" if rest.iter().any(|a| a == "--postgres") => s3::server_tests_on_postgres(),
        "s3" => s3::server_tests(),
        "lb" => lb::lb(rest),
        "postgres" => postgres::server_tests(),
        "setup" => setup::ensure(setup::Needs::Test),
        _ => {
            eprintln!(
                "usage: cargo xtask <run [server flags…] | test | size | bench [--trace | --only replicas | --only uploads [--binary PATH]] | soak | layers | s3 [--postgres] | lb [--full] | postgres | setup>\n\
                 run    build the SPA (release) and serve it with the reference server on 127.0.0.1:8080\n\
                 test   fmt, layers, clippy, native + wasm + end-to-end tests, size budget\n\
                 size   build the SPA (release) and print its first-load size\n\
                 bench  build, serve on loopback, measure; table + target/bench/bench.json\n\
                 bench --trace  a DevTools trace of the wizard's step changes + its summary\n\
                 bench --only replicas  submissions/s and tus MiB/s: SQLite, PostgreSQL with 1, 2, 3 replicas behind nginx\n\
                 bench --only uploads [--binary PATH]  tus MiB/s against plain disk writes, 10 uploads\n\
                 soak   fault injection, exactly-once, access, hostile input, fuzzing, schemathesis: figures\n\
                 layers no import cycle in crates/core; the SPA's api imports nothing above it\n\
                 s3     the server's tests of uploaded files on an S3-compatible store (moto, started and stopped)\n\
                 s3 --postgres  the same on PostgreSQL + S3, as `test` runs them\n\
                 lb     nginx before 2 replicas on PostgreSQL + S3; uploads, submissions, a live stream while a replica is SIGKILLed\n\
                 lb --full  the same at the soak's counts\n\
                 postgres  the server's route and contract tests on PostgreSQL (a throwaway cluster)\n\
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

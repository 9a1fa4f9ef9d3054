//! The commands themselves, as sequences of timed stages.

use std::process::Command;
use std::time::Instant;

use crate::server::{self, Build};
use crate::setup::{self, Needs};
use crate::util::{Error, cmd, project_root, run_quiet, run_shown};
use crate::{layers, size};

/// Builds the SPA in release with Trunk, offline, into `dist/`.
///
/// Then the catalogue and every landing page are prerendered into the HTML (natively, by the
/// SPA's own components: `src/bin/onething-prerender.rs`), and every text file gets its brotli
/// and gzip siblings (`compress.rs`), so `dist/` is exactly what a phone is sent.
pub fn build_spa() -> Result<(), Error> {
    run_quiet(
        cmd("trunk")
            .args(["build", "--release", "--offline", "--dist", "dist"])
            .env("TRUNK_OFFLINE", "true")
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env("NO_COLOR", "true")
            .env(WASM_RUSTFLAGS, wasm_rustflags()),
    )?;
    run_quiet(cmd("cargo").args([
        "run",
        "--quiet",
        "--bin",
        "onething-prerender",
        "--",
        "dist",
        "services",
    ]))?;
    crate::compress::precompress(&project_root().join("dist"))?;
    Ok(())
}

/// Added to `.cargo/config.toml`'s flags for the wasm target (cargo joins the two lists).
pub const WASM_RUSTFLAGS: &str = "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS";

/// The wasm build's extra flags: the dependencies' source paths (in panic locations) named
/// from their registry's directory on, `crates/<name>-<version>/src/…`, instead of from this
/// machine's cargo home. The same source then gives the same bytes on any machine, which the
/// size budget compares against, and the shipped wasm names no directory of the build machine.
/// A directory with white space in its path is left as it is (the variable is a list split on
/// white space).
pub fn wasm_rustflags() -> String {
    let mut flags: Vec<String> = std::env::var(WASM_RUSTFLAGS)
        .map(|v| v.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let home = crate::util::cargo_home();
    let mut sources: Vec<(std::path::PathBuf, &str)> = std::fs::read_dir(home.join("registry/src"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| (d.path(), "crates"))
        .collect();
    sources.push((home.join("git/checkouts"), "git"));
    for (dir, to) in sources {
        let from = dir.display().to_string();
        if !from.contains(char::is_whitespace) {
            flags.push(format!("--remap-path-prefix={from}={to}"));
        }
    }
    flags.join(" ")
}

/// The reference server with its `server` profile (`target/server/onething-server`).
pub fn build_server() -> Result<(), Error> {
    run_shown(cmd("cargo").args([
        "build",
        "--quiet",
        "--profile",
        "server",
        "-p",
        "onething-server",
    ]))
}

/// `cargo xtask run [server flags…]`.
pub fn run(server_args: &[String]) -> Result<(), Error> {
    setup::ensure(Needs::Build)?;
    println!("run: building the SPA (release)");
    build_spa()?;
    println!("run: building the reference server");
    build_server()?;
    let mut server = server::command(Build::Release);
    server.arg("--static-dir").arg(project_root().join("dist"));
    if std::env::var_os("ONETHING_DEV_TICKETS").is_none() {
        // The development ticket issuer plays the app platform's role; `run` is a development
        // command, so it is on here (and off by default in the server itself).
        server.env("ONETHING_DEV_TICKETS", "true");
    }
    server.args(server_args);
    run_shown(&mut server)
}

/// `cargo xtask size`.
pub fn size() -> Result<(), Error> {
    setup::ensure(Needs::Build)?;
    build_spa()?;
    size::report(&project_root().join("dist"))?;
    Ok(())
}

/// One timed stage of `test`.
struct Stages {
    done: Vec<(&'static str, f64)>,
    started: Instant,
}

impl Stages {
    fn stage(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<(), Error>,
    ) -> Result<(), Error> {
        println!("\n==> {name}");
        let t = Instant::now();
        let result = f();
        let secs = t.elapsed().as_secs_f64();
        self.done.push((name, secs));
        match &result {
            Ok(()) => println!("<== {name}: ok in {secs:.1} s{}", disk_use()),
            Err(e) => println!("<== {name}: FAILED in {secs:.1} s: {e}{}", disk_use()),
        }
        result.map_err(|e| format!("stage `{name}` failed: {e}").into())
    }

    fn summary(&self, ok: bool) {
        let parts: Vec<String> = self
            .done
            .iter()
            .map(|(n, s)| format!("{n} {s:.0}s"))
            .collect();
        println!(
            "\nxtask test: {} in {:.0} s ({})",
            if ok { "PASSED" } else { "FAILED" },
            self.started.elapsed().as_secs_f64(),
            parts.join(", ")
        );
    }
}

/// What the build takes of the disk and what is left, for the stage's line (a fresh CI machine
/// once ran out of disk in the native tests): empty when `du` or `df` cannot tell.
fn disk_use() -> String {
    let root = project_root();
    let target = root.join("target");
    let kib = |out: std::process::Output, column: usize| -> Option<u64> {
        let text = String::from_utf8(out.stdout).ok()?;
        text.lines()
            .last()?
            .split_whitespace()
            .nth(column)?
            .parse()
            .ok()
    };
    let used = Command::new("du")
        .arg("-sk")
        .arg(&target)
        .output()
        .ok()
        .and_then(|o| kib(o, 0));
    let free = Command::new("df")
        .arg("-Pk")
        .arg(&root)
        .output()
        .ok()
        .and_then(|o| kib(o, 3));
    match (used, free) {
        #[allow(clippy::cast_precision_loss)]
        (Some(u), Some(f)) => format!(
            " (target {:.1} GiB, disk free {:.1} GiB)",
            u as f64 / 1_048_576.0,
            f as f64 / 1_048_576.0
        ),
        _ => String::new(),
    }
}

/// A cargo command of `test`: no incremental state (a one-off build gains nothing from it, and
/// it doubled the target directory of a fresh run).
fn test_cargo() -> Command {
    let mut c = cmd("cargo");
    c.env("CARGO_INCREMENTAL", "0");
    c
}

/// `cargo xtask test`.
pub fn test() -> Result<(), Error> {
    let mut st = Stages {
        done: Vec::new(),
        started: Instant::now(),
    };
    let result = test_stages(&mut st);
    st.summary(result.is_ok());
    result
}

fn test_stages(st: &mut Stages) -> Result<(), Error> {
    st.stage("setup", || setup::ensure(Needs::Test))?;
    st.stage("fmt", || {
        run_shown(test_cargo().args(["fmt", "--all", "--check"]))
    })?;
    st.stage("module layers", layers::check)?;
    st.stage("clippy", || {
        run_shown(test_cargo().args([
            "clippy",
            "--quiet",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    st.stage("native tests", || {
        run_shown(test_cargo().args(["test", "--quiet", "--workspace"]))
    })?;
    st.stage(
        "server file tests on PostgreSQL + S3 (moto)",
        crate::s3::server_tests_on_postgres,
    )?;
    st.stage(
        "nginx + 2 replicas on PostgreSQL + S3, a replica SIGKILLed",
        || crate::lb::lb(&[]),
    )?;
    st.stage("server tests on PostgreSQL", crate::postgres::server_tests)?;
    st.stage("wasm tests (headless Chromium)", || {
        run_shown(
            test_cargo()
                // No `--quiet`: cargo would pass it on to wasm-bindgen-test-runner, which rejects it.
                .args([
                    "test",
                    "-p",
                    "onething",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "components",
                    "--test",
                    "host",
                ])
                .env("WASM_BINDGEN_TEST_TIMEOUT", "60"),
        )
    })?;
    st.stage("release build + size budget", || {
        build_spa()?;
        size::check_budget(
            &project_root().join("dist"),
            &project_root().join("size-budget.toml"),
        )
    })?;
    st.stage("end-to-end (Playwright, headless Chromium)", || {
        run_shown(test_cargo().args(["build", "--quiet", "-p", "onething-server"]))?;
        let root = project_root();
        run_shown(
            cmd("node")
                .args(["--test", "--test-concurrency=1", "tests/e2e/"])
                .env("ONETHING_SERVER_BIN", Build::Debug.binary())
                .env("ONETHING_DIST", root.join("dist"))
                .env("ONETHING_SERVICES", root.join("services"))
                .env("ONETHING_ARTIFACTS", root.join("target/e2e")),
        )
    })?;
    // The flows that matter most, once more in each engine a parent's phone may hold (every
    // iOS webview is WebKit), through one WebDriver layer: a few minutes, not the whole suite.
    st.stage(
        "main flows (WebDriver: Chromium, Firefox ESR, WebKit)",
        || {
            run_shown(test_cargo().args(["build", "--quiet", "-p", "onething-server"]))?;
            let root = project_root();
            run_shown(
                cmd("node")
                    .args([
                        "--test",
                        "--test-concurrency=1",
                        "tests/e2e/engines.test.mjs",
                    ])
                    .env("ONETHING_ENGINES", "chromium,firefox,webkit")
                    .env("ONETHING_SERVER_BIN", Build::Debug.binary())
                    .env("ONETHING_DIST", root.join("dist"))
                    .env("ONETHING_SERVICES", root.join("services"))
                    .env("ONETHING_ARTIFACTS", root.join("target/e2e")),
            )
        },
    )?;
    Ok(())
}

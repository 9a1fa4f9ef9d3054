//! `cargo xtask bench`: OneThing's performance, measured (issue 9). Builds the release SPA and
//! the server, starts the real server on loopback with a temporary data directory
//! (`crate::server`), and measures: the first-load size; tus upload throughput against plain
//! disk writes and submissions per second (`api`, through the typed client); app-ready under
//! throttling, step-change and keystroke latency (`tests/bench/browser.mjs`, Playwright); photo
//! compression and upload (`tests/bench/photos.mjs`); Lighthouse mobile
//! (`tests/bench/lighthouse.mjs`). Prints a table of median, min, max (and p95 where the goal is
//! on it) next to each goal (`metrics`), and writes it all as JSON to `target/bench/bench.json`
//! (the raw browser samples beside it). This module runs the steps in order.
//!
//! Timings are only comparable on a quiet machine: the browser runs share the CPU with the server.

mod api;
mod metrics;
mod replicas;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use self::api::{SUBMIT_CLIENTS, SUBMIT_EACH, UPLOAD_ONLY_RUNS, UPLOAD_RUNS};
use self::metrics::{
    Goal, Metric, Unit, browser_metrics, lighthouse_metrics, photo_metrics, print_table,
    size_metrics,
};
use crate::server::{Build, Server};
use crate::setup::{self, Needs};
use crate::size;
use crate::steps::build_spa;
use crate::util::{Error, cmd, project_root, run_quiet};

/// No browser script may run longer than this; it is ended by its PID after.
const SCRIPT_LIMIT: Duration = Duration::from_mins(10);

/// `cargo xtask bench [--trace | --only replicas | --only uploads [--binary PATH]]`.
pub fn bench(args: &[String]) -> Result<(), Error> {
    match args {
        [] => all(),
        [t] if t == "--trace" => trace(),
        [o, r] if o == "--only" && r == "replicas" => only_replicas(),
        [o, u] if o == "--only" && u == "uploads" => only_uploads(None),
        [o, u, b, path] if o == "--only" && u == "uploads" && b == "--binary" => {
            only_uploads(Some(Path::new(path)))
        }
        _ => Err(format!(
            "bench takes no arguments but --trace, --only replicas or \
             --only uploads [--binary PATH], not {args:?}"
        )
        .into()),
    }
}

/// `cargo xtask bench --only uploads [--binary PATH]`: the tus upload figures alone (no SPA
/// build, no browser), [`UPLOAD_ONLY_RUNS`] uploads against the server's optimised build, or
/// against the server executable at `PATH` (another build kept aside, to compare two versions
/// on the same machine in turn). Printed and written to `target/bench/uploads.json`.
fn only_uploads(binary: Option<&Path>) -> Result<(), Error> {
    let started = Instant::now();
    let out_dir = project_root().join("target/bench");
    std::fs::create_dir_all(&out_dir)?;
    let log = out_dir.join("server.log");
    let launch = if let Some(path) = binary {
        Server::launch_binary(path, "bench", &log)
    } else {
        println!("bench: building the server (its optimised build)");
        crate::steps::build_server()?;
        Server::launch(Build::Release, "bench", &log)
    };
    let server = launch.env("RUST_LOG", "warn").start()?;
    println!(
        "bench: tus upload, {UPLOAD_ONLY_RUNS} × 20 MiB at {}",
        server.url
    );
    let metrics = api::upload(&server, UPLOAD_ONLY_RUNS)?;
    drop(server);
    report_alone(&out_dir, "uploads.json", &metrics, None, started)
}

/// Prints the figures of a bench run alone (`--only …`), and writes them with `note` to
/// `target/bench/<file>`.
fn report_alone(
    out_dir: &Path,
    file: &str,
    metrics: &[Metric],
    note: Option<&str>,
    started: Instant,
) -> Result<(), Error> {
    print_table(metrics);
    let mut report = json!({
        "metrics": metrics.iter().map(Metric::to_json).collect::<Vec<_>>(),
        "seconds": started.elapsed().as_secs(),
    });
    if let Some(note) = note {
        println!("{note}");
        report["note"] = json!(note);
    }
    std::fs::write(out_dir.join(file), serde_json::to_string_pretty(&report)?)?;
    println!(
        "bench: written to target/bench/{file} in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cargo xtask bench --only replicas`: the scale figures alone (no SPA build, no browser),
/// printed and written to `target/bench/replicas.json`.
fn only_replicas() -> Result<(), Error> {
    let started = Instant::now();
    let out_dir = project_root().join("target/bench");
    std::fs::create_dir_all(&out_dir)?;
    println!("bench: building the server (its optimised build)");
    crate::steps::build_server()?;
    let metrics = replicas::all()?;
    report_alone(
        &out_dir,
        "replicas.json",
        &metrics,
        Some(&replicas::machine_note()),
        started,
    )
}

/// Everything but the trace.
fn all() -> Result<(), Error> {
    let started = Instant::now();
    setup::ensure(Needs::Test)?;
    let root = project_root();
    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir)?;

    let say = |what: &str| println!("bench [{:>4.0} s] {what}", started.elapsed().as_secs_f64());
    say("building the SPA (release) and the server");
    build_release()?;

    let mut metrics = Vec::new();
    let mut failures = Vec::new();

    let size_json = sizes(&root.join("dist"), &mut metrics)?;

    let server = start_server(&root.join("dist"), &out_dir)?;
    say(&format!("server at {}", server.url));

    say(&format!("tus upload, {UPLOAD_RUNS} × 20 MiB"));
    match api::upload(&server, UPLOAD_RUNS) {
        Ok(m) => metrics.extend(m),
        Err(e) => failures.push(format!("upload: {e}")),
    }

    say(&format!(
        "submissions: {SUBMIT_CLIENTS} clients × {SUBMIT_EACH}, validated by the engine"
    ));
    match api::submissions(&server, &root) {
        Ok(m) => metrics.extend(m),
        Err(e) => failures.push(format!("submissions: {e}")),
    }

    say(
        "scale: 1, 2 and 3 replicas on PostgreSQL + S3 behind nginx, beside SQLite (two minutes or so)",
    );
    match replicas::all() {
        Ok(m) => metrics.extend(m),
        Err(e) => failures.push(format!("replicas: {e}")),
    }

    say("app-ready, step changes and keystrokes in Chromium (a minute or two)");
    let browser_out = out_dir.join("browser.json");
    match node_script("tests/bench/browser.mjs", &server.url, &browser_out) {
        Ok(v) => metrics.extend(browser_metrics(&v)),
        Err(e) => failures.push(format!("browser timings: {e}")),
    }

    say("photos: compression, upload over 3 Mbit/s + 100 ms, memory (a minute or two)");
    let photos_out = out_dir.join("photos.json");
    match node_script("tests/bench/photos.mjs", &server.url, &photos_out) {
        Ok(v) => metrics.extend(photo_metrics(&v)),
        Err(e) => failures.push(format!("photos: {e}")),
    }

    say("Lighthouse mobile, / and /services/newborn (a few minutes)");
    let lh_out = out_dir.join("lighthouse.json");
    match node_script("tests/bench/lighthouse.mjs", &server.url, &lh_out) {
        Ok(v) => metrics.extend(lighthouse_metrics(&v)),
        Err(e) => failures.push(format!("Lighthouse: {e}")),
    }
    drop(server);
    say("done");

    print_table(&metrics);
    println!("{}", replicas::machine_note());
    for f in &failures {
        println!("not measured: {f}");
    }
    let report = json!({
        "size": size_json,
        "metrics": metrics.iter().map(Metric::to_json).collect::<Vec<_>>(),
        "not_measured": failures,
        "seconds": started.elapsed().as_secs(),
    });
    let path = out_dir.join("bench.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!(
        "bench: written to target/bench/bench.json in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} measurement(s) failed", failures.len()).into())
    }
}

// ---------------------------------------------------------------------------------------------
// The trace

/// `cargo xtask bench --trace`: the release SPA with its wasm's function names kept (a copy of
/// `dist/` under `target/bench/profile-dist`; the shipped build is not changed), served by the
/// real server, and a Chromium performance trace of the newborn wizard's step changes at 4× CPU
/// (`tests/bench/trace.mjs`: `target/bench/trace.json`, its summary printed and beside it).
fn trace() -> Result<(), Error> {
    setup::ensure(Needs::Test)?;
    let root = project_root();
    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir)?;
    println!("bench --trace: building the SPA (release) and the server");
    build_release()?;
    let dist = profile_dist(&root, &out_dir)?;
    let server = start_server(&dist, &out_dir)?;
    println!("bench --trace: server at {}", server.url);
    let status = cmd("node")
        .arg("tests/bench/trace.mjs")
        .env("ONETHING_BENCH_URL", &server.url)
        .env("ONETHING_TRACE_OUT", out_dir.join("trace.json"))
        .env("ONETHING_SERVICES", root.join("services"))
        .env("ONETHING_ARTIFACTS", &out_dir)
        .stdin(Stdio::null())
        .status()?;
    drop(server);
    if status.success() {
        Ok(())
    } else {
        Err(format!("tests/bench/trace.mjs failed ({status})").into())
    }
}

/// A copy of `dist/` whose whole-app wasm (`onething-full`, where the wizard runs: README,
/// "Size") keeps the name section: the same cargo output through wasm-bindgen and `wasm-opt`
/// with the same options plus `--debuginfo`. Its glue must equal the shipped one (else the copy
/// would not be the same program). The first page's module, which only hands over, is as shipped.
fn profile_dist(root: &Path, out_dir: &Path) -> Result<PathBuf, Error> {
    const MODULE: &str = "onething-full";
    let dist = root.join("dist");
    let copy = out_dir.join("profile-dist");
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(&dist, &copy)?;
    let bindgen = out_dir.join("profile-bindgen");
    let _ = std::fs::remove_dir_all(&bindgen);
    run_quiet(
        cmd("wasm-bindgen")
            .arg(root.join(format!(
                "target/wasm32-unknown-unknown/release/{MODULE}.wasm"
            )))
            .args(["--target", "web", "--no-typescript", "--out-name", MODULE])
            .arg("--out-dir")
            .arg(&bindgen),
    )?;
    if std::fs::read(bindgen.join(format!("{MODULE}.js")))?
        != std::fs::read(dist.join(format!("{MODULE}.js")))?
    {
        return Err("wasm-bindgen's glue differs from dist/'s: is dist/ from this build?".into());
    }
    // The options Trunk passes, from index.html's `data-wasm-opt` (the level, first) and
    // `data-wasm-opt-params` (further passes and the features), in Trunk's order.
    let html = std::fs::read_to_string(root.join("index.html"))?;
    let attribute = |name: &str| {
        html.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(str::to_owned)
            .ok_or(format!("index.html has no {name}"))
    };
    let level = attribute("data-wasm-opt")?;
    let params = attribute("data-wasm-opt-params")?;
    run_quiet(
        cmd("wasm-opt")
            .arg(format!("-O{level}"))
            .arg("--debuginfo")
            .args(params.split_whitespace())
            .arg(bindgen.join(format!("{MODULE}_bg.wasm")))
            .arg("-o")
            .arg(copy.join(format!("{MODULE}_bg.wasm"))),
    )?;
    // The shipped wasm's precompressed copies would be served instead of this one.
    for ext in ["br", "gz"] {
        let _ = std::fs::remove_file(copy.join(format!("{MODULE}_bg.wasm.{ext}")));
    }
    Ok(copy)
}

/// The sizes of the build in `dist`: the first load and the whole app (the budgets' figures),
/// and issue 16's two goals on bytes; returns the report's `size` object.
fn sizes(dist: &Path, metrics: &mut Vec<Metric>) -> Result<Value, Error> {
    let per_kind = size::first_load(dist)?;
    let mut size_json = size_metrics(&per_kind, metrics)?;
    let more_brotli = size::brotli(&size::whole_app(dist)?);
    #[allow(clippy::cast_precision_loss)]
    metrics.push(Metric::new(
        "size: + whole app on Start (brotli)",
        Unit::Bytes,
        vec![more_brotli as f64],
        None,
    ));
    size_json["whole_app_brotli"] = json!(more_brotli);
    // Issue 16's two goals on bytes (the budgets above only stop growth): the first load, and
    // everything from the newborn landing page to a confirmation.
    let first_brotli = size::brotli(&per_kind);
    let landing_brotli = size::brotli(&size::landing_first_load(dist)?);
    #[allow(clippy::cast_precision_loss)]
    metrics.extend([
        Metric::new(
            "size: first load (brotli), issue 16's goal (was 133 KB)",
            Unit::Bytes,
            vec![first_brotli.max(landing_brotli) as f64],
            Some(Goal::AtMost(100_000.0)),
        ),
        Metric::new(
            "size: journey, landing page to a confirmation (brotli) (was 451 KB)",
            Unit::Bytes,
            vec![(landing_brotli + more_brotli) as f64],
            Some(Goal::AtMost(250_000.0)),
        ),
    ]);
    Ok(size_json)
}

/// The release server serving `static_dir`, its log in `target/bench/server.log`.
fn start_server(static_dir: &Path, out_dir: &Path) -> Result<Server, Error> {
    Server::launch(Build::Release, "bench", &out_dir.join("server.log"))
        .arg("--static-dir")
        .arg(static_dir)
        .env("RUST_LOG", "warn")
        .start()
}

/// The release SPA and the server (its `server` profile), as both bench modes measure them.
fn build_release() -> Result<(), Error> {
    build_spa()?;
    crate::steps::build_server()
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Runs a bench script with the server's address; returns the JSON it wrote to `out`.
fn node_script(script: &str, url: &str, out: &Path) -> Result<Value, Error> {
    let _ = std::fs::remove_file(out);
    let mut child = cmd("node")
        .arg(script)
        .env("ONETHING_BENCH_URL", url)
        .env("ONETHING_BENCH_OUT", out)
        // The browser tests' helpers (walker, examples) read these.
        .env("ONETHING_SERVICES", project_root().join("services"))
        .env("ONETHING_ARTIFACTS", project_root().join("target/bench"))
        .stdin(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + SCRIPT_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{script} took over {} s", SCRIPT_LIMIT.as_secs()).into());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if !status.success() {
        return Err(format!("{script} failed ({status})").into());
    }
    Ok(serde_json::from_str(&std::fs::read_to_string(out)?)?)
}

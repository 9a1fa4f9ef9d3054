//! `cargo xtask bench`: OneThing's performance, measured (issue 9). Builds the release SPA and
//! the server, starts the real server on loopback with a temporary data directory, and measures:
//! the first-load size; tus upload throughput against plain disk writes (a std HTTP/1.1 client
//! here); app-ready under throttling, step-change and keystroke latency (`tests/bench/browser.mjs`,
//! Playwright); Lighthouse mobile (`tests/bench/lighthouse.mjs`). Prints a table of median, min,
//! max (and p95 where the goal is on it) next to each goal, and writes it all as JSON to
//! `target/bench/bench.json` (the raw browser samples beside it).
//!
//! Timings are only comparable on a quiet machine: the browser runs share the CPU with the server.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::setup::{self, Needs};
use crate::size;
use crate::steps::build_spa;
use crate::util::{Error, cmd, project_root, run_quiet};

/// The upload measured: 20 MiB, sent as tus `PATCH` requests of 5 MiB on one keep-alive connection.
const UPLOAD_BYTES: usize = 20 * 1024 * 1024;
const UPLOAD_CHUNK: usize = 5 * 1024 * 1024;
const UPLOAD_RUNS: usize = 5;
/// No browser script may run longer than this; it is ended by its PID after.
/// Concurrent clients of the submission load, and submissions each (bounded: 4 × 50).
const SUBMIT_CLIENTS: usize = 4;
const SUBMIT_EACH: usize = 50;
const SCRIPT_LIMIT: Duration = Duration::from_mins(10);

/// `cargo xtask bench [--trace]`.
pub fn bench(args: &[String]) -> Result<(), Error> {
    match args {
        [] => all(),
        [t] if t == "--trace" => trace(),
        _ => Err(format!("bench takes no arguments but --trace, not {args:?}").into()),
    }
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

    let per_kind = size::first_load(&root.join("dist"))?;
    let mut size_json = size_metrics(&per_kind, &mut metrics)?;
    let more = size::whole_app(&root.join("dist"))?;
    let more_brotli: usize = more.iter().map(|s| s.brotli).sum();
    #[allow(clippy::cast_precision_loss)]
    metrics.push(Metric::new(
        "size: + whole app on Start (brotli)",
        Unit::Bytes,
        vec![more_brotli as f64],
        None,
    ));
    size_json["whole_app_brotli"] = json!(more_brotli);

    let server = Server::start(&root, &root.join("dist"), &out_dir)?;
    say(&format!("server at {}", server.url));

    say(&format!("tus upload, {UPLOAD_RUNS} × 20 MiB"));
    match upload(&server, UPLOAD_RUNS) {
        Ok(m) => metrics.extend(m),
        Err(e) => failures.push(format!("upload: {e}")),
    }

    say(&format!(
        "submissions: {SUBMIT_CLIENTS} clients × {SUBMIT_EACH}, validated by the engine"
    ));
    match submissions(&server, &root) {
        Ok(m) => metrics.extend(m),
        Err(e) => failures.push(format!("submissions: {e}")),
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
    let server = Server::start(&root, &dist, &out_dir)?;
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
    // The options Trunk passes, from index.html's `data-wasm-opt-params`.
    let html = std::fs::read_to_string(root.join("index.html"))?;
    let params = html
        .split("data-wasm-opt-params=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .ok_or("index.html has no data-wasm-opt-params")?;
    run_quiet(
        cmd("wasm-opt")
            .arg("-Oz")
            .arg("--debuginfo")
            .args(params.split_whitespace())
            .arg(bindgen.join(format!("{MODULE}_bg.wasm")))
            .arg("-o")
            .arg(copy.join(format!("{MODULE}_bg.wasm"))),
    )?;
    Ok(copy)
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

// ---------------------------------------------------------------------------------------------
// Metrics, statistics and the table

/// How a figure is shown.
#[derive(Clone, Copy)]
enum Unit {
    Ms,
    Bytes,
    Score,
    Cls,
    MibPerSec,
    Percent,
    PerSec,
}

impl Unit {
    fn show(self, v: f64) -> String {
        match self {
            Unit::Ms => format!("{v:.0} ms"),
            Unit::Bytes => format!("{v:.0} B"),
            Unit::Score => format!("{v:.0}"),
            Unit::Cls => format!("{v:.3}"),
            Unit::MibPerSec => format!("{v:.0} MiB/s"),
            Unit::Percent => format!("{v:.0} %"),
            Unit::PerSec => format!("{v:.0} /s"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Bytes => "bytes",
            Unit::Score => "score",
            Unit::Cls => "cls",
            Unit::MibPerSec => "MiB/s",
            Unit::Percent => "percent",
            Unit::PerSec => "per second",
        }
    }
}

/// A goal from issue 9, on the median or (for latencies that must not spike) the p95.
#[derive(Clone, Copy)]
enum Goal {
    AtMost(f64),
    AtLeast(f64),
    P95AtMost(f64),
}

/// One measured figure and its samples.
struct Metric {
    name: String,
    unit: Unit,
    samples: Vec<f64>,
    goal: Option<Goal>,
}

impl Metric {
    fn new(name: impl Into<String>, unit: Unit, samples: Vec<f64>, goal: Option<Goal>) -> Self {
        Metric {
            name: name.into(),
            unit,
            samples,
            goal,
        }
    }

    fn sorted(&self) -> Vec<f64> {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        s
    }

    fn median(&self) -> f64 {
        let s = self.sorted();
        match s.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => s[n / 2],
            n => f64::midpoint(s[n / 2 - 1], s[n / 2]),
        }
    }

    /// Nearest-rank 95th percentile.
    fn p95(&self) -> f64 {
        let s = self.sorted();
        if s.is_empty() {
            return f64::NAN;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let rank = (0.95 * s.len() as f64).ceil() as usize;
        s[rank.clamp(1, s.len()) - 1]
    }

    fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(f64::NAN)
    }

    fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }

    fn met(&self) -> Option<bool> {
        self.goal.map(|g| match g {
            Goal::AtMost(v) => self.median() <= v,
            Goal::AtLeast(v) => self.median() >= v,
            Goal::P95AtMost(v) => self.p95() <= v,
        })
    }

    fn goal_text(&self) -> String {
        match self.goal {
            None => String::new(),
            Some(Goal::AtMost(v)) => format!("≤ {}", self.unit.show(v)),
            Some(Goal::AtLeast(v)) => format!("≥ {}", self.unit.show(v)),
            Some(Goal::P95AtMost(v)) => format!("p95 ≤ {}", self.unit.show(v)),
        }
    }

    fn to_json(&self) -> Value {
        let goal = self.goal.map(|g| match g {
            Goal::AtMost(v) => json!({"median_at_most": v}),
            Goal::AtLeast(v) => json!({"median_at_least": v}),
            Goal::P95AtMost(v) => json!({"p95_at_most": v}),
        });
        json!({
            "name": self.name,
            "unit": self.unit.name(),
            "runs": self.samples.len(),
            "median": self.median(),
            "min": self.min(),
            "max": self.max(),
            "p95": self.p95(),
            "goal": goal,
            "met": self.met(),
            "samples": self.samples,
        })
    }
}

fn print_table(metrics: &[Metric]) {
    let w = metrics
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\n{:<w$}  {:>12}  {:>12}  {:>12}  {:>12}  {:>4}  goal",
        "metric", "median", "min", "max", "p95", "runs"
    );
    for m in metrics {
        let p95 = if matches!(m.goal, Some(Goal::P95AtMost(_))) || m.samples.len() >= 20 {
            m.unit.show(m.p95())
        } else {
            String::new()
        };
        let verdict = match m.met() {
            Some(true) => "  ok",
            Some(false) => "  MISSED",
            None => "",
        };
        let _ = writeln!(
            t,
            "{:<w$}  {:>12}  {:>12}  {:>12}  {:>12}  {:>4}  {}{verdict}",
            m.name,
            m.unit.show(m.median()),
            m.unit.show(m.min()),
            m.unit.show(m.max()),
            p95,
            m.samples.len(),
            m.goal_text(),
        );
    }
    print!("{t}");
}

#[allow(clippy::cast_precision_loss)]
fn size_metrics(per_kind: &[size::Sizes; 4], metrics: &mut Vec<Metric>) -> Result<Value, Error> {
    let budget: toml::Value = toml::from_str(&std::fs::read_to_string(
        project_root().join("size-budget.toml"),
    )?)?;
    let budget = budget
        .get("first_load_brotli_max")
        .and_then(toml::Value::as_integer)
        .ok_or("size-budget.toml has no first_load_brotli_max")?;
    let mut total = size::Sizes::default();
    let mut json = serde_json::Map::new();
    for (kind, s) in size::KINDS.iter().zip(per_kind) {
        metrics.push(Metric::new(
            format!("size: {kind} (brotli)"),
            Unit::Bytes,
            vec![s.brotli as f64],
            None,
        ));
        json.insert(
            (*kind).to_owned(),
            json!({"raw": s.raw, "gzip": s.gzip, "brotli": s.brotli}),
        );
        total += *s;
    }
    json.insert(
        "total".to_owned(),
        json!({"raw": total.raw, "gzip": total.gzip, "brotli": total.brotli}),
    );
    json.insert("budget_brotli".to_owned(), json!(budget));
    for (what, v, goal) in [
        ("raw", total.raw, None),
        ("gzip", total.gzip, None),
        ("brotli", total.brotli, Some(Goal::AtMost(budget as f64))),
    ] {
        metrics.push(Metric::new(
            format!("size: first load ({what})"),
            Unit::Bytes,
            vec![v as f64],
            goal,
        ));
    }
    Ok(Value::Object(json))
}

fn samples(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn browser_metrics(v: &Value) -> Vec<Metric> {
    // Issue 16's goals; "was" is the figure measured before that work, on the same conditions.
    let first_screen = Some(Goal::AtMost(1300.0));
    let step = Some(Goal::P95AtMost(50.0));
    let mut all_steps = samples(&v["step_continue"]);
    all_steps.extend(samples(&v["step_back"]));
    vec![
        Metric::new(
            "visible: / the newborn card, slow 4G + 4× CPU (was 3520)",
            Unit::Ms,
            samples(&v["visible_home"]),
            first_screen,
        ),
        Metric::new(
            "visible: /services/newborn its sub-items (was ~3500)",
            Unit::Ms,
            samples(&v["visible_newborn"]),
            first_screen,
        ),
        // A deep link into the wizard: the first input of the first step.
        Metric::new(
            "visible: /apply/newborn/eligibility first input (was 6790)",
            Unit::Ms,
            samples(&v["visible_deep_link"]),
            Some(Goal::AtMost(2200.0)),
        ),
        Metric::new(
            "Start on the landing page → first input, prefetched",
            Unit::Ms,
            samples(&v["start_to_wizard"]),
            Some(Goal::AtMost(300.0)),
        ),
        Metric::new(
            "app-ready /, slow 4G + 4× CPU (was 2677)",
            Unit::Ms,
            samples(&v["app_ready_home"]),
            None,
        ),
        Metric::new(
            "app-ready /services/newborn (was 2737)",
            Unit::Ms,
            samples(&v["app_ready_newborn"]),
            None,
        ),
        Metric::new(
            "app-ready /apply/newborn/eligibility (was 5335)",
            Unit::Ms,
            samples(&v["app_ready_deep_link"]),
            None,
        ),
        Metric::new(
            "step: Continue, click → painted, 4× CPU",
            Unit::Ms,
            samples(&v["step_continue"]),
            step,
        ),
        Metric::new(
            "step: Back, click → painted, 4× CPU",
            Unit::Ms,
            samples(&v["step_back"]),
            step,
        ),
        Metric::new("step: all transitions, 4× CPU", Unit::Ms, all_steps, step),
        // The browser's own figure for the same clicks and keys (Event Timing, as INP): event →
        // next paint, in steps of 8 ms; work the app defers until after that paint is not in it.
        Metric::new(
            "step: click → next paint (Event Timing), 4× CPU",
            Unit::Ms,
            samples(&v["step_next_paint"]),
            None,
        ),
        Metric::new(
            "keystroke → validation shown, 4× CPU",
            Unit::Ms,
            samples(&v["keystroke"]),
            None,
        ),
        Metric::new(
            "keystroke → next paint (Event Timing), 4× CPU",
            Unit::Ms,
            samples(&v["keystroke_next_paint"]),
            None,
        ),
    ]
}

fn photo_metrics(v: &Value) -> Vec<Metric> {
    let c = &v["compression"];
    vec![
        Metric::new(
            "photo compression, 12 MP JPEG → 1600 px",
            Unit::Ms,
            samples(&c["ms"]),
            Some(Goal::AtMost(300.0)),
        ),
        Metric::new(
            "photo compression: output size",
            Unit::Bytes,
            samples(&c["output_bytes"]),
            None,
        ),
        Metric::new(
            "photo compression: longest main-thread task",
            Unit::Ms,
            samples(&c["main_thread_longest_ms"]),
            Some(Goal::AtMost(50.0)),
        ),
        Metric::new(
            "upload efficiency, 6 photos, 3 Mbit/s up, 100 ms RTT",
            Unit::Percent,
            samples(&v["efficiency"]),
            Some(Goal::AtLeast(95.0)),
        ),
        Metric::new(
            "6 compressed photos sent",
            Unit::Bytes,
            samples(&v["photo_bytes"]),
            None,
        ),
        Metric::new(
            "wasm memory after 6 photos",
            Unit::Bytes,
            samples(&v["wasm_after"]),
            Some(Goal::AtMost(8.0 * 1024.0 * 1024.0)),
        ),
        Metric::new(
            "wasm memory growth across 6 photos",
            Unit::Bytes,
            samples(&v["wasm_growth"]),
            None,
        ),
        Metric::new(
            "JS heap after 6 photos",
            Unit::Bytes,
            samples(&v["heap_after"]),
            None,
        ),
    ]
}

fn lighthouse_metrics(v: &Value) -> Vec<Metric> {
    let mut out = Vec::new();
    for (key, page) in [("home", "/"), ("newborn", "/services/newborn")] {
        let p = &v[key];
        out.extend([
            Metric::new(
                format!("Lighthouse {page}: score"),
                Unit::Score,
                samples(&p["score"]),
                Some(Goal::AtLeast(100.0)),
            ),
            Metric::new(
                format!("Lighthouse {page}: FCP"),
                Unit::Ms,
                samples(&p["fcp"]),
                None,
            ),
            Metric::new(
                format!("Lighthouse {page}: LCP"),
                Unit::Ms,
                samples(&p["lcp"]),
                Some(Goal::AtMost(1300.0)),
            ),
            Metric::new(
                format!("Lighthouse {page}: TBT"),
                Unit::Ms,
                samples(&p["tbt"]),
                Some(Goal::AtMost(50.0)),
            ),
            Metric::new(
                format!("Lighthouse {page}: CLS"),
                Unit::Cls,
                samples(&p["cls"]),
                Some(Goal::AtMost(0.01)),
            ),
        ]);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The server under test

/// The real server on a free loopback port with a fresh data directory; stopped (by its PID)
/// and cleaned up on drop.
struct Server {
    child: Child,
    data: PathBuf,
    /// `http://127.0.0.1:PORT/`
    url: String,
    /// `127.0.0.1:PORT`
    addr: String,
}

impl Server {
    fn start(root: &Path, static_dir: &Path, out_dir: &Path) -> Result<Self, Error> {
        let data = std::env::temp_dir().join(format!("onething-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data)?;
        let log = File::create(out_dir.join("server.log"))?;
        let mut child = cmd(&root.join("target/server/onething-server").to_string_lossy())
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--dev-tickets")
            .arg("--static-dir")
            .arg(static_dir)
            .arg("--data-dir")
            .arg(&data)
            .arg("--services-dir")
            .arg(root.join("services"))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        let (tx, rx) = mpsc::channel();
        // Reads the address line, then keeps draining stdout so the server never blocks on it.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr = rest.split('/').next().unwrap_or_default().to_owned();
                    let _ = tx.send(addr);
                }
            }
        });
        let mut server = Server {
            child,
            data,
            url: String::new(),
            addr: String::new(),
        };
        // On failure `server` is dropped here, which stops the process.
        let addr = rx.recv_timeout(Duration::from_secs(30)).map_err(
            |_| "the server did not print its address within 30 s (see target/bench/server.log)",
        )?;
        server.url = format!("http://{addr}/");
        server.addr = addr;
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
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

// ---------------------------------------------------------------------------------------------
// Upload throughput: a minimal HTTP/1.1 client over one keep-alive loopback connection

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Result<Value, Error> {
        Ok(serde_json::from_slice(&self.body)?)
    }
}

struct Http {
    conn: BufReader<TcpStream>,
    host: String,
}

impl Http {
    fn connect(addr: &str) -> Result<Self, Error> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_mins(1)))?;
        stream.set_nodelay(true)?;
        Ok(Http {
            conn: BufReader::new(stream),
            host: addr.to_owned(),
        })
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response, Error> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        for (n, v) in headers {
            let _ = write!(head, "{n}: {v}\r\n");
        }
        head.push_str("\r\n");
        let stream = self.conn.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        self.read_response()
    }

    fn read_line(&mut self) -> Result<String, Error> {
        let mut line = String::new();
        if self.conn.read_line(&mut line)? == 0 {
            return Err("the server closed the connection".into());
        }
        Ok(line.trim_end().to_owned())
    }

    fn read_response(&mut self) -> Result<Response, Error> {
        let status_line = self.read_line()?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line: {status_line}"))?;
        let mut headers = Vec::new();
        loop {
            let line = self.read_line()?;
            if line.is_empty() {
                break;
            }
            if let Some((n, v)) = line.split_once(':') {
                headers.push((n.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let mut r = Response {
            status,
            headers,
            body: Vec::new(),
        };
        if let Some(len) = r.header("content-length").and_then(|l| l.parse().ok()) {
            r.body = vec![0; len];
            self.conn.read_exact(&mut r.body)?;
        } else if r
            .header("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
        {
            // RFC 9112 §7.1: hex size line, data, CRLF; a zero size ends the body.
            loop {
                let size =
                    usize::from_str_radix(self.read_line()?.split(';').next().unwrap_or(""), 16)?;
                if size == 0 {
                    while !self.read_line()?.is_empty() {}
                    break;
                }
                let start = r.body.len();
                r.body.resize(start + size, 0);
                self.conn.read_exact(&mut r.body[start..])?;
                self.read_line()?;
            }
        }
        Ok(r)
    }
}

/// A structurally valid 4000×3000 baseline JPEG (ITU-T T.81 markers: SOI, APP0, SOF0, SOS, EOI)
/// padded to `len` bytes: enough for the server's completion path (sniff, pixel limit,
/// metadata strip, store) to run on it as on a photo.
fn jpeg_like(len: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    b.extend_from_slice(&[0xFF, 0xE0, 0, 16]);
    b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    // SOF0: length 11, precision 8, height 3000, width 4000, one component.
    b.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
    b.extend_from_slice(&3000u16.to_be_bytes());
    b.extend_from_slice(&4000u16.to_be_bytes());
    b.extend_from_slice(&[1, 1, 0x11, 0]);
    // SOS: length 8, one component, spectral 0–63.
    b.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
    b.resize(len - 2, 0x55);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

fn login(http: &mut Http) -> Result<String, Error> {
    let r = http.send("POST", "/api/dev/tickets", &[], b"")?;
    if r.status != 200 && r.status != 201 {
        return Err(format!("POST /api/dev/tickets answered {}", r.status).into());
    }
    let ticket = r.json()?["ticket"].as_str().ok_or("no ticket")?.to_owned();
    let body = json!({ "ticket": ticket }).to_string();
    let r = http.send(
        "POST",
        "/api/session",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )?;
    if r.status != 200 && r.status != 201 {
        return Err(format!("POST /api/session answered {}", r.status).into());
    }
    Ok(r.json()?["token"].as_str().ok_or("no token")?.to_owned())
}

/// Submissions per second with the engine's validation: `SUBMIT_CLIENTS` loopback clients, each
/// its own account and connection, each sending `SUBMIT_EACH` applications (the enterprise-issue
/// example: no uploads, no dates) with fresh Idempotency-Keys, one after another.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn submissions(server: &Server, root: &Path) -> Result<Vec<Metric>, Error> {
    // The example file wraps the application with its dates (`services/examples/README.md`);
    // enterprise-issue has none that move.
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(
        root.join("services/examples/enterprise-issue.json"),
    )?)?;
    let body = serde_json::to_vec(&file["application"])?;
    let started = Instant::now();
    let workers: Vec<_> = (0..SUBMIT_CLIENTS)
        .map(|w| {
            let (addr, body) = (server.addr.clone(), body.clone());
            std::thread::spawn(move || -> Result<Vec<f64>, String> {
                let mut http = Http::connect(&addr).map_err(|e| e.to_string())?;
                let auth = format!("Bearer {}", login(&mut http).map_err(|e| e.to_string())?);
                let mut ms = Vec::with_capacity(SUBMIT_EACH);
                for i in 0..SUBMIT_EACH {
                    let key = format!("bench-{w}-{i}-{}", std::process::id());
                    let t = Instant::now();
                    let r = http
                        .send(
                            "POST",
                            "/api/applications",
                            &[
                                ("Authorization", &auth),
                                ("Content-Type", "application/json"),
                                ("Idempotency-Key", &key),
                            ],
                            &body,
                        )
                        .map_err(|e| e.to_string())?;
                    if r.status != 201 {
                        return Err(format!(
                            "answered {}: {}",
                            r.status,
                            String::from_utf8_lossy(&r.body)
                        ));
                    }
                    ms.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                Ok(ms)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.join().map_err(|_| "a client panicked")??);
    }
    let per_sec = latencies.len() as f64 / started.elapsed().as_secs_f64();
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    let p99 = sorted[((sorted.len() as f64) * 0.99).ceil() as usize - 1];
    Ok(vec![
        Metric::new(
            "submissions per second, 4 clients, engine-validated",
            Unit::PerSec,
            vec![per_sec],
            None,
        ),
        Metric::new("submission latency", Unit::Ms, latencies, None),
        Metric::new("submission latency p99", Unit::Ms, vec![p99], None),
    ])
}

/// tus 1.0 creation then `PATCH` requests of [`UPLOAD_CHUNK`] (each fsynced by the server), against
/// writing the same chunks to a file with `sync_data` after each, as the server does.
#[allow(clippy::cast_precision_loss)]
fn upload(server: &Server, runs: usize) -> Result<Vec<Metric>, Error> {
    let file = jpeg_like(UPLOAD_BYTES);
    let mib = UPLOAD_BYTES as f64 / (1024.0 * 1024.0);
    let mut http = Http::connect(&server.addr)?;
    let token = login(&mut http)?;
    let auth = format!("Bearer {token}");
    let (mut tus, mut disk, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let length = UPLOAD_BYTES.to_string();
        let r = http.send(
            "POST",
            "/api/uploads",
            &[
                ("Tus-Resumable", "1.0.0"),
                ("Authorization", &auth),
                ("Upload-Length", &length),
            ],
            b"",
        )?;
        let location = r
            .header("location")
            .filter(|_| r.status == 201)
            .ok_or_else(|| format!("tus creation answered {}", r.status))?
            .to_owned();
        let path = location
            .find("/api/")
            .map_or(location.as_str(), |i| &location[i..])
            .to_owned();
        let t = Instant::now();
        for (i, chunk) in file.chunks(UPLOAD_CHUNK).enumerate() {
            let offset = (i * UPLOAD_CHUNK).to_string();
            let r = http.send(
                "PATCH",
                &path,
                &[
                    ("Tus-Resumable", "1.0.0"),
                    ("Authorization", &auth),
                    ("Upload-Offset", &offset),
                    ("Content-Type", "application/offset+octet-stream"),
                ],
                chunk,
            )?;
            if r.status != 204 {
                return Err(format!(
                    "PATCH at {offset} answered {}: {}",
                    r.status,
                    String::from_utf8_lossy(&r.body)
                )
                .into());
            }
        }
        let tus_secs = t.elapsed().as_secs_f64();

        let target = server.data.join(format!("bench-disk-{run}"));
        let t = Instant::now();
        {
            let mut f = File::create(&target)?;
            for chunk in file.chunks(UPLOAD_CHUNK) {
                f.write_all(chunk)?;
                f.sync_data()?;
            }
        }
        let disk_secs = t.elapsed().as_secs_f64();
        std::fs::remove_file(&target)?;
        tus.push(mib / tus_secs);
        disk.push(mib / disk_secs);
        ratio.push(100.0 * disk_secs / tus_secs);
    }
    Ok(vec![
        Metric::new(
            "server: tus upload 20 MiB, loopback",
            Unit::MibPerSec,
            tus,
            None,
        ),
        Metric::new(
            "server: same bytes written to disk",
            Unit::MibPerSec,
            disk,
            None,
        ),
        Metric::new("server: tus speed / disk speed", Unit::Percent, ratio, None),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max_and_p95_of_samples() {
        let m = Metric::new("t", Unit::Ms, (1..=40).map(f64::from).collect(), None);
        assert!((m.median() - 20.5).abs() < 1e-9);
        assert!((m.min() - 1.0).abs() < 1e-9);
        assert!((m.max() - 40.0).abs() < 1e-9);
        assert!((m.p95() - 38.0).abs() < 1e-9);
        let odd = Metric::new("t", Unit::Ms, vec![3.0, 1.0, 2.0], None);
        assert!((odd.median() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn the_upload_file_is_a_jpeg_of_the_exact_length() {
        let b = jpeg_like(1 << 20);
        assert_eq!(b.len(), 1 << 20);
        assert!(b.starts_with(&[0xFF, 0xD8, 0xFF]) && b.ends_with(&[0xFF, 0xD9]));
    }
}

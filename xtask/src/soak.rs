//! `cargo xtask soak`: the reliability and security figures at full count, each printed.
//!
//! 1. The fault-injection, exactly-once, access-control, hostile-input, privacy and fuzz tests
//!    of the server (`crates/server/tests/`), with their counts raised through environment
//!    variables; each prints `figure: …` lines, collected here.
//! 2. The multi-replica faults of `cargo xtask lb` (`crate::lb::faults`) at `lb::FULL` counts:
//!    nginx before two replicas on PostgreSQL + S3, one killed (SIGKILL) and restarted at random
//!    moments during tus uploads, submissions and an open live-event stream.
//! 3. schemathesis (from the Python package index, pinned, installed into a venv under `target/soak/` when missing)
//!    against `docs/openapi.json` on a freshly started server, every check on.
//!
//! Ends by itself in about twelve minutes on two cores once built (the replicas' part about two);
//! everything it prints is also in `target/soak/soak.txt`.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use onething_client::{Blocking, Client};
use onething_core::api::DevTicketRequest;

use crate::server::{Build, Server};
use crate::util::{Error, cmd, pip_install_fresh, project_root, run_shown};

/// The schemathesis release the contract is checked with.
const SCHEMATHESIS: &str = "4.32.5";

/// Full counts, unless already set in the environment.
const COUNTS: [(&str, &str); 6] = [
    // Uploads per size (1 KiB, 1 MiB; a quarter as many of 20 MiB), each cut 1–3 times.
    ("ONETHING_SOAK_UPLOADS", "120"),
    // SIGKILLs of the server during a 20 MiB upload.
    ("ONETHING_SOAK_KILLS", "20"),
    ("ONETHING_SOAK_SUBMISSIONS", "1000"),
    // SIGKILLs of the server while submissions run.
    ("ONETHING_SOAK_SUBMIT_KILLS", "10"),
    // Seconds per fuzz target.
    ("ONETHING_FUZZ_SECS", "40"),
    ("ONETHING_SOAK_SEED", "20261128"),
];

/// `cargo xtask soak`.
pub fn soak() -> Result<(), Error> {
    let started = Instant::now();
    let root = project_root();
    let out_dir = root.join("target/soak");
    std::fs::create_dir_all(&out_dir)?;
    let mut figures: Vec<String> = Vec::new();

    println!("soak: building the server and its tests");
    run_shown(cmd("cargo").args(["build", "--quiet", "-p", "onething-server"]))?;
    let tests_ok = native(&root, &out_dir, &mut figures)?;

    println!("\nsoak: nginx before 2 replicas on PostgreSQL + S3, a replica SIGKILLed at random");
    let replicas_ok = match crate::lb::faults(crate::lb::FULL) {
        Ok((found, ok)) => {
            figures.extend(found.into_iter().map(|f| format!("replicas: {f}")));
            ok
        }
        Err(e) => {
            eprintln!("soak: the multi-replica run failed: {e}");
            figures.push(format!("replicas: not measured ({e})"));
            false
        }
    };

    println!("\nsoak: schemathesis {SCHEMATHESIS} against docs/openapi.json");
    let st = ensure_schemathesis(&out_dir)?;
    let contract_ok = schemathesis(&root, &out_dir, &st, &mut figures)?;

    let secs = started.elapsed().as_secs_f64();
    let mut report = String::from("\nsoak figures:\n");
    for f in &figures {
        report.push_str("  ");
        report.push_str(f);
        report.push('\n');
    }
    let verdict = if tests_ok && replicas_ok && contract_ok {
        "PASSED"
    } else {
        "FAILED"
    };
    let _ = writeln!(report, "xtask soak: {verdict} in {secs:.0} s");
    print!("{report}");
    std::fs::write(out_dir.join("soak.txt"), &report)?;
    if tests_ok && replicas_ok && contract_ok {
        Ok(())
    } else {
        Err("a figure is off; details in target/soak/".into())
    }
}

/// Runs the server's soak tests, streaming their `figure:` lines; the whole output goes to
/// `target/soak/tests.log`.
fn native(root: &Path, out_dir: &Path, figures: &mut Vec<String>) -> Result<bool, Error> {
    let mut c = cmd("cargo");
    // The server's integration tests are one binary (`tests/suite`); the soak runs these
    // modules of it.
    c.args([
        "test",
        "--quiet",
        "-p",
        "onething-server",
        "--test",
        "suite",
        "--",
    ]);
    for module in [
        "faults::",
        "exactly_once::",
        "access::",
        "hostile::",
        "contract::",
        "privacy::",
        "fuzz::",
    ] {
        c.arg(module);
    }
    c.args(["--nocapture", "--test-threads=1"]);
    for (k, v) in COUNTS {
        if std::env::var_os(k).is_none() {
            c.env(k, v);
        }
    }
    let mut child = c
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start cargo test: {e}"))?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    // Drained on its own thread so neither pipe can fill and block the tests.
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut s);
        s
    });
    let mut log = std::fs::File::create(out_dir.join("tests.log"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        writeln!(log, "{line}")?;
        // `--quiet` prints a test's progress dot on the same line, before what it printed.
        if let Some((_, f)) = line.split_once("figure: ") {
            println!("  {f}");
            figures.push(f.to_owned());
        }
    }
    let status = child.wait()?;
    let err = err_thread.join().unwrap_or_default();
    writeln!(log, "{err}")?;
    if !status.success() {
        eprintln!("{err}");
        eprintln!("soak: tests FAILED (full output in target/soak/tests.log)");
    }
    Ok(status.success())
}

/// The `st` executable of a venv under `target/soak/`, installing the pinned release when the
/// venv is missing or holds another version.
fn ensure_schemathesis(out_dir: &Path) -> Result<PathBuf, Error> {
    let venv = out_dir.join("venv");
    let st = venv.join("bin/st");
    let present = Command::new(&st)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(SCHEMATHESIS));
    if !present {
        pip_install_fresh("soak", &venv, &format!("schemathesis=={SCHEMATHESIS}"))?;
    }
    Ok(st)
}

/// schemathesis against a fresh debug server (its log in `target/soak/contract-server.log`),
/// signed in as one person; its figure is added to `figures`.
fn schemathesis(
    root: &Path,
    out_dir: &Path,
    st: &Path,
    figures: &mut Vec<String>,
) -> Result<bool, Error> {
    let server = Server::launch(Build::Debug, "soak", &out_dir.join("contract-server.log"))
        .arg("--admin-token")
        .arg("soak-admin")
        .start()?;
    let token = sign_in(&server.url)?;
    let report = out_dir.join("schemathesis.txt");
    let out = std::fs::File::create(&report)?;
    // Run from `target/soak/`: schemathesis keeps its cache in the working directory.
    let status = Command::new(st)
        .current_dir(out_dir)
        .arg("--config-file")
        .arg(root.join("xtask/soak/schemathesis.toml"))
        .arg("run")
        .arg(root.join("docs/openapi.json"))
        .arg("--url")
        .arg(format!("http://{}", server.addr))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        // Signing out would end the run's own session; the route is covered by the API tests.
        .args(["--exclude-name", "DELETE /api/session"])
        .args(["--max-time", "150", "--workers", "2", "--no-color"])
        .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
        .env("PYTHONPATH", root.join("xtask/soak"))
        .stdin(Stdio::null())
        .stdout(Stdio::from(out.try_clone()?))
        .stderr(Stdio::from(out))
        .status()?;
    drop(server);
    let text = std::fs::read_to_string(&report)?;
    let generated = text
        .lines()
        .find(|l| l.contains(" generated"))
        .map_or_else(|| "?".to_owned(), |l| l.trim().to_owned());
    let summary = text
        .lines()
        .rev()
        .find(|l| l.contains(" in ") && l.starts_with('='))
        .map_or("no summary line", |l| {
            l.trim_matches(|c| c == '=' || c == ' ')
        })
        .to_owned();
    let figure = format!("contract (schemathesis {SCHEMATHESIS}): {summary}; {generated}");
    println!("  {figure}");
    figures.push(figure);
    if !status.success() {
        eprintln!("soak: schemathesis found problems, see target/soak/schemathesis.txt");
    }
    Ok(status.success())
}

/// Signs a person in through the development ticket issuer; returns the bearer token.
fn sign_in(url: &str) -> Result<String, Error> {
    let rt = Blocking::new()?;
    let api = Client::new(url)?;
    Ok(rt.run(api.dev_session(&DevTicketRequest::default()))?.token)
}

//! A PostgreSQL server for the tests: the machine's PostgreSQL binaries (Debian's `postgresql`
//! package, installed with apt-get when missing), a fresh cluster in `target/pg/<pid>/` (this
//! run's own, so two runs never share one) started on a free loopback port, and stopped by its
//! PID and deleted when dropped (also when a test fails). Then the
//! server's tests run against it, each on a database of its own
//! (`ONETHING_TEST_DATABASE_URL`).

use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Error, cmd, project_root, run_quiet, run_shown};

/// The role the tests connect as (trusted on loopback, in this throwaway cluster only).
const ROLE: &str = "onething";
/// How long the server may take to accept connections.
const START_LIMIT: Duration = Duration::from_mins(1);
/// How long a fast shutdown may take before the server is killed.
const STOP_LIMIT: Duration = Duration::from_secs(20);

/// The directory of the newest installed PostgreSQL's programs (`initdb`, `postgres`), if any.
fn installed() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// The PostgreSQL programs' directory, installing Debian's `postgresql` package when missing.
///
/// # Errors
/// Not installed, and apt-get cannot install it (not root, no network).
pub fn ensure_binaries() -> Result<PathBuf, Error> {
    if let Some(bin) = installed() {
        return Ok(bin);
    }
    println!("postgres: installing PostgreSQL (apt-get install postgresql)");
    run_quiet(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "postgresql"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
    .map_err(|e| {
        format!("PostgreSQL is not installed and apt-get could not install it ({e}); install the postgresql package")
    })?;
    installed().ok_or_else(|| "apt-get installed postgresql, but no initdb was found".into())
}

/// The numeric id of `name` in `/etc/passwd` (user and group).
fn user_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        if f.next()? != name {
            return None;
        }
        let _password = f.next()?;
        Some((f.next()?.parse().ok()?, f.next()?.parse().ok()?))
    })
}

/// Whether this process runs as root (PostgreSQL refuses to).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A port nobody listens on now (the server binds it a moment later).
fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// A command that runs as `ids` when given (root starts PostgreSQL as the `postgres` user).
fn as_user(program: &Path, ids: Option<(u32, u32)>) -> Command {
    let mut c = Command::new(program);
    if let Some((uid, gid)) = ids {
        c.uid(uid).gid(gid);
    }
    c
}

/// A running PostgreSQL server; stopped (by its PID) and its data deleted when dropped.
pub struct Postgres {
    child: Child,
    dir: PathBuf,
    /// `postgres://onething@127.0.0.1:PORT/postgres`: the maintenance database, from which the
    /// tests create their own.
    pub url: String,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A fast shutdown (SIGINT to the postmaster), then SIGKILL if it hangs.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < STOP_LIMIT {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Postgres {
    /// Creates a fresh cluster in `target/pg/<pid>/data` and starts it on a free loopback port
    /// (its log in `postgres.log` beside it; copied to `target/pg/postgres-failed.log` when it
    /// does not start). Durability is off (`fsync`): the cluster is thrown
    /// away after the tests.
    ///
    /// # Errors
    /// PostgreSQL cannot be installed, initialised or started, or does not answer within
    /// [`START_LIMIT`].
    pub fn start() -> Result<Postgres, Error> {
        Postgres::start_with(false)
    }

    /// As [`Postgres::start`]; `durable` keeps PostgreSQL's defaults (`fsync`,
    /// `synchronous_commit`, full page writes on), as a deployment runs it: for measuring.
    ///
    /// # Errors
    /// As [`Postgres::start`].
    pub fn start_with(durable: bool) -> Result<Postgres, Error> {
        let bin = ensure_binaries()?;
        let dir = project_root()
            .join("target/pg")
            .join(std::process::id().to_string());
        let data = dir.join("data");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&data)?;
        let ids = if is_root() {
            let ids = user_ids("postgres").ok_or(
                "running as root, and there is no postgres user to run PostgreSQL as (the postgresql package creates it)",
            )?;
            run_quiet(
                Command::new("chown")
                    .arg("-R")
                    .arg(format!("{}:{}", ids.0, ids.1))
                    .arg(&dir),
            )?;
            Some(ids)
        } else {
            None
        };
        run_quiet(
            as_user(&bin.join("initdb"), ids)
                .arg("-D")
                .arg(&data)
                .args(["-U", ROLE, "--auth=trust", "--no-locale", "--encoding=UTF8"])
                .current_dir(&dir),
        )?;
        let log = std::fs::File::create(dir.join("postgres.log"))?;
        let port = free_port()?;
        let mut settings = vec!["-c", "max_connections=300"];
        if !durable {
            settings.extend([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]);
        }
        let child = as_user(&bin.join("postgres"), ids)
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-k", ""])
            .args(settings)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| format!("cannot start postgres: {e}"))?;
        let pg = Postgres {
            child,
            dir,
            url: format!("postgres://{ROLE}@127.0.0.1:{port}/postgres"),
        };
        let started = Instant::now();
        loop {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string(), "-U", ROLE])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                break;
            }
            if started.elapsed() > START_LIMIT {
                let kept = project_root().join("target/pg/postgres-failed.log");
                let _ = std::fs::copy(pg.dir.join("postgres.log"), &kept);
                return Err(format!(
                    "PostgreSQL did not answer on port {port} within {} s (see {})",
                    START_LIMIT.as_secs(),
                    kept.display()
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(pg)
    }
}

/// The server's route tests and the contract test (`--test suite`) on PostgreSQL: the server
/// started, the tests run (each on a database of its own), the server stopped.
///
/// # Errors
/// PostgreSQL cannot be started, or a test fails.
pub fn server_tests() -> Result<(), Error> {
    let pg = Postgres::start()?;
    println!("postgres: {} (data in {})", pg.url, pg.dir.display());
    run_shown(
        cmd("cargo")
            .env("CARGO_INCREMENTAL", "0")
            .env("ONETHING_TEST_DATABASE_URL", &pg.url)
            .args([
                "test",
                "--quiet",
                "-p",
                "onething-server",
                "--test",
                "suite",
            ]),
    )
}

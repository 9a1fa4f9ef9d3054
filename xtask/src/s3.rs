//! An S3-compatible object store for the tests: moto's server (from the Python package index,
//! pinned, installed into a venv under `target/s3/` when missing), started on a free loopback
//! port with its state in memory, and stopped by its PID when dropped. Then the server's tests
//! of uploaded files run against it (`ONETHING_OBJECT_STORE=s3://…`), on SQLite
//! (`cargo xtask s3`) or on PostgreSQL (a stage of `cargo xtask test`).

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Error, cmd, pip_install_fresh, project_root, run_shown};

/// The moto release the tests run against.
const MOTO: &str = "5.2.1";
/// The bucket the tests use (each test keeps its objects under a prefix of its own).
pub const BUCKET: &str = "onething-test";
/// How long moto may take to answer on its port.
const START_LIMIT: Duration = Duration::from_mins(1);

/// The `moto_server` executable of a venv under `target/s3/`, installing the pinned release
/// when the venv is missing or holds another version.
///
/// # Errors
/// No `python3` with `venv`, or the install fails.
pub fn ensure_moto() -> Result<PathBuf, Error> {
    let venv = project_root().join("target/s3/venv");
    let server = venv.join("bin/moto_server");
    let present = Command::new(venv.join("bin/python"))
        .args(["-c", "import moto; print(moto.__version__)"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == MOTO)
        && server.exists();
    if !present {
        pip_install_fresh("s3", &venv, &format!("moto[server]=={MOTO}"))?;
    }
    Ok(server)
}

/// A running moto server; stopped (by its PID) when dropped.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now (moto binds it a moment later).
fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// One plain HTTP/1.1 request without a body to moto; returns the status code.
fn request(port: u16, method: &str, path: &str) -> Result<u16, Error> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("moto answered {method} {path} with {answer:.80?}").into())
}

impl Moto {
    /// Starts moto on a free loopback port (its log in `target/s3/moto.log`) and creates
    /// [`BUCKET`].
    ///
    /// # Errors
    /// It cannot be installed or started, or does not answer within [`START_LIMIT`].
    pub fn start() -> Result<Moto, Error> {
        let exe = ensure_moto()?;
        let dir = project_root().join("target/s3");
        std::fs::create_dir_all(&dir)?;
        let log = std::fs::File::create(dir.join("moto.log"))?;
        let port = free_port()?;
        let child = Command::new(exe)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| format!("cannot start moto_server: {e}"))?;
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        // Moto answers 200 to listing the buckets once it is up.
        while request(port, "GET", "/").ok() != Some(200) {
            if started.elapsed() > START_LIMIT {
                return Err(format!(
                    "moto did not answer on port {port} within {} s (see target/s3/moto.log)",
                    START_LIMIT.as_secs()
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let status = request(port, "PUT", &format!("/{BUCKET}"))?;
        if status != 200 {
            return Err(format!("moto refused to create the bucket ({status})").into());
        }
        Ok(moto)
    }

    /// Points a command's server (or the tests' servers) at this store, under `prefix`.
    pub fn configure<'c>(&self, c: &'c mut Command, prefix: &str) -> &'c mut Command {
        c.env("ONETHING_OBJECT_STORE", format!("s3://{BUCKET}/{prefix}"))
            .env("ONETHING_S3_ENDPOINT", &self.endpoint)
            .env("ONETHING_S3_REGION", "us-east-1")
            // moto takes any credentials; real ones come from the deployment's secret store.
            .env("ONETHING_S3_ACCESS_KEY_ID", "onething-test")
            .env("ONETHING_S3_SECRET_ACCESS_KEY", "onething-test-secret")
    }
}

/// The server's tests that store files, run on object storage: every test of
/// `object_store::` (resumed upload, refused chunk, completion, retention, orphan sweep),
/// the tus routes, a department's download through a live server, access control, and the
/// completion after a crash (also one cut after its tag). Left out: the few that look at the
/// local folder itself (its files' layout, the stored file as the one the bytes arrived in).
pub const SERVER_TESTS: [&str; 15] = [
    "object_store::",
    "uploads::",
    "departments::",
    "access::",
    "at_rest::",
    "faults::head_after_a_crash_between_the_last_byte_and_completion_completes_the_upload",
    "faults::a_completion_cut_after_its_tag_was_appended_completes_again",
    "--skip",
    "uploads::a_photo_with_nothing_to_remove_is_stored_in_the_file_it_arrived_in",
    "--skip",
    "uploads::an_upload_in_chunks_completes_and_is_stored_clean",
    "--skip",
    "uploads::bytes_past_the_durable_offset_are_never_reported_and_get_overwritten",
    "--skip",
    "uploads::bench_tus_upload_20_mib_on_loopback",
];

/// [`SERVER_TESTS`] on object storage (`cargo xtask s3`: on SQLite): moto started, the tests
/// run, moto stopped.
///
/// # Errors
/// moto cannot be started, or a test fails.
pub fn server_tests() -> Result<(), Error> {
    run_server_tests(None)
}

/// [`SERVER_TESTS`] on PostgreSQL and object storage together, the scaled-out layout (a stage
/// of `cargo xtask test`): both started, the tests run, both stopped.
///
/// # Errors
/// PostgreSQL or moto cannot be started, or a test fails.
pub fn server_tests_on_postgres() -> Result<(), Error> {
    let pg = crate::postgres::Postgres::start()?;
    let result = run_server_tests(Some(&pg.url));
    drop(pg);
    result
}

fn run_server_tests(database: Option<&str>) -> Result<(), Error> {
    let moto = Moto::start()?;
    println!(
        "s3: moto {MOTO} at {} (log in target/s3/moto.log), database: {}",
        moto.endpoint,
        database.unwrap_or("SQLite")
    );
    let mut c = cmd("cargo");
    if let Some(url) = database {
        c.env("ONETHING_TEST_DATABASE_URL", url);
    }
    c.env("CARGO_INCREMENTAL", "0")
        .args([
            "test",
            "--quiet",
            "-p",
            "onething-server",
            "--test",
            "suite",
            "--",
        ])
        .args(SERVER_TESTS);
    moto.configure(&mut c, &format!("run-{}", std::process::id()));
    let result = run_shown(&mut c);
    drop(moto);
    result
}

//! `cargo xtask lb`: the scaled-out layout on one machine, under faults. nginx (Debian's
//! package, downloaded and unpacked under `target/lb/`, never installed as a service) balances
//! two server replicas that share one PostgreSQL and one S3-compatible store (moto), and one
//! replica at a time is killed (SIGKILL) and restarted while three things go through nginx:
//!
//! 1. tus uploads, a replica killed during a `PATCH`: every upload completes, and the digest the
//!    server recorded when it stored the file is the file's own (byte-identical, whichever
//!    replica took which chunk);
//! 2. submissions with their `Idempotency-Key`, retried as the SPA's outbox does
//!    ([`submit`]): counted in the database, none lost and none twice;
//! 3. an open Server-Sent Event stream whose replica is killed ([`live`]): it reconnects through
//!    nginx to the other replica and sees every status change made meanwhile.
//!
//! The proxy settings are those of `deploy/nginx.conf`, on loopback and without TLS. The
//! [`Cluster`] is also what `cargo xtask bench` measures with 1, 2 and 3 replicas, and
//! `cargo xtask soak` runs [`faults`] with larger counts.

mod live;
mod submit;

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use onething_client::{Blocking, Client};
use onething_core::api::DevTicketRequest;
use sha2::Digest as _;

use crate::postgres::Postgres;
use crate::s3::Moto;
use crate::server::Build;
use crate::util::{Error, cmd, project_root, run_quiet, run_shown};

/// Each upload's size, about.
const UPLOAD_BYTES: usize = 2 * 1024 * 1024;
/// Each `PATCH` carries this much.
const CHUNK: usize = 256 * 1024;
/// How long a started process may take to answer on its port.
const START_LIMIT: Duration = Duration::from_mins(1);
/// The admin token of the replicas (loopback only): the fault runs move cases with it and read
/// each replica's metrics.
pub const ADMIN_TOKEN: &str = "lb-admin-token-loopback-only";

/// How much of each fault [`faults`] puts the cluster through.
#[derive(Clone, Copy)]
pub struct Counts {
    /// tus uploads of ~2 MiB, each with a replica killed during one of its `PATCH` requests.
    pub uploads: usize,
    /// Submissions, each with its own account and `Idempotency-Key`.
    pub submissions: usize,
    /// Replica kills while the submissions run.
    pub submit_kills: usize,
    /// Cases followed over one Server-Sent Event stream each (six status changes per case).
    pub live_cases: usize,
    /// Kills of the replica holding the stream, per case.
    pub live_kills: usize,
    /// Seeds the moments of the kills.
    pub seed: u64,
}

/// `cargo xtask lb`'s counts: under two minutes on two cores once built.
pub const QUICK: Counts = Counts {
    uploads: 6,
    submissions: 30,
    submit_kills: 4,
    live_cases: 2,
    live_kills: 2,
    seed: 20_261_202,
};

/// The soak's counts (`cargo xtask soak`, `cargo xtask lb --full`).
pub const FULL: Counts = Counts {
    uploads: 12,
    submissions: 200,
    submit_kills: 12,
    live_cases: 5,
    live_kills: 3,
    seed: 20_261_128,
};

fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn wait_for_port(port: u16, what: &str) -> Result<(), Error> {
    let started = Instant::now();
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if started.elapsed() > START_LIMIT {
            return Err(format!("{what} did not listen on port {port} in time").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// One `GET` over HTTP/1.0 (the answer ends when the connection closes) to `port`; returns the
/// status and the body.
fn http_get(port: u16, path: &str, bearer: &str) -> Result<(u16, String), Error> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {bearer}\r\n\r\n"
    )?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or("no status line")?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The nginx executable: Debian's `nginx` package unpacked under `target/lb/root` (downloaded
/// with `apt-get download` the first time: no service is installed or started).
fn ensure_nginx(dir: &Path) -> Result<PathBuf, Error> {
    let root = dir.join("root");
    let bin = root.join("usr/sbin/nginx");
    if !bin.exists() {
        println!("lb: unpacking Debian's nginx into target/lb/root");
        let debs = dir.join("deb");
        std::fs::create_dir_all(&debs)?;
        let download = || {
            run_quiet(
                Command::new("apt-get")
                    .current_dir(&debs)
                    .args(["download", "nginx"]),
            )
        };
        // A fresh machine may have no package lists yet.
        if download().is_err() {
            run_quiet(Command::new("apt-get").arg("update"))?;
            download().map_err(|e| format!("apt-get download nginx failed ({e})"))?;
        }
        let deb = std::fs::read_dir(&debs)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "deb"))
            .ok_or("apt-get download nginx left no .deb")?;
        run_quiet(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root))?;
    }
    run_quiet(Command::new(&bin).arg("-v")).map_err(|e| {
        format!("the unpacked nginx does not run ({e}); its libraries may be missing")
    })?;
    Ok(bin)
}

/// nginx's configuration for `ports` behind `listen`: the settings of `deploy/nginx.conf`.
fn nginx_conf(dir: &Path, listen: u16, ports: &[u16]) -> String {
    let d = dir.display();
    let mut upstreams = String::new();
    for p in ports {
        let _ = writeln!(
            upstreams,
            "        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;"
        );
    }
    format!(
        "worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    upstream onething {{
{upstreams}        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{listen};
        client_max_body_size 26m;
        proxy_request_buffering off;
        proxy_http_version 1.1;
        proxy_set_header Connection \"\";
        proxy_set_header Host $host;
        proxy_send_timeout 60s;
        proxy_read_timeout 60s;
        proxy_connect_timeout 5s;
        proxy_next_upstream error timeout http_502 http_503;
        proxy_next_upstream_tries 2;
        location / {{ proxy_pass http://onething; }}
        location ~ ^/api/applications/[^/]+/events$ {{
            proxy_pass http://onething;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 1h;
        }}
    }}
}}
"
    )
}

/// A process stopped (SIGKILL, by its PID) when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// nginx, stopped when dropped by `SIGTERM` to its master process, which stops its workers
/// (a master killed by SIGKILL would leave them running); SIGKILL if it does not end in time.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One server replica on a fixed port, so nginx finds it again after a restart.
pub struct Replica {
    /// Where it listens on loopback.
    pub port: u16,
    binary: PathBuf,
    command: Vec<std::ffi::OsString>,
    env: Vec<(String, String)>,
    log: PathBuf,
    proc: Option<Proc>,
}

impl Replica {
    fn start(&mut self) -> Result<(), Error> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let mut c = Command::new(&self.binary);
        c.args(&self.command)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log));
        self.proc = Some(Proc(c.spawn()?));
        wait_for_port(self.port, "a server replica")
    }

    /// SIGKILL: no goodbye, no finished request.
    fn kill(&mut self) {
        self.proc.take();
    }

    fn is_up(&self) -> bool {
        self.proc.is_some()
    }

    /// The Server-Sent Event streams it has open now (its metrics, read directly).
    fn open_streams(&self) -> Option<u64> {
        let (status, body) = http_get(self.port, "/api/admin/metrics", ADMIN_TOKEN).ok()?;
        if status != 200 {
            return None;
        }
        body.lines()
            .find_map(|l| l.strip_prefix("onething_sse_connections "))
            .and_then(|v| v.trim().parse().ok())
    }
}

/// Where the replicas keep uploaded files.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Files {
    /// The S3-compatible store (moto), shared by every replica.
    S3,
    /// Each replica's local folder: only for a single replica.
    Local,
}

/// What to start.
pub struct Layout {
    /// How many server replicas behind nginx.
    pub replicas: usize,
    /// Which build of the server they run.
    pub build: Build,
    /// Where files go.
    pub files: Files,
    /// PostgreSQL with its durability on (`fsync`), as deployed; off for the fault tests.
    pub durable: bool,
    /// Tells this cluster's run directory from others of the same process.
    pub name: &'static str,
}

/// nginx in front of server replicas on one PostgreSQL (and moto), each started here and
/// stopped when dropped (nginx first, then the replicas, then the stores: fields drop in order).
pub struct Cluster {
    _nginx: Nginx,
    /// The replicas, in nginx's upstream order.
    pub replicas: Vec<Replica>,
    _moto: Option<Moto>,
    /// The shared database.
    pub pg: Postgres,
    /// nginx's port on loopback.
    pub listen: u16,
    /// `http://127.0.0.1:<listen>/`
    pub url: String,
    /// The run's folder (logs, nginx configuration, each replica's data directory).
    pub run: PathBuf,
}

impl Cluster {
    /// Starts PostgreSQL, moto (for [`Files::S3`]), the replicas (the first makes the
    /// development master key, the others use it), then nginx in front of them.
    ///
    /// # Errors
    /// Something cannot be installed or started.
    pub fn start(layout: &Layout) -> Result<Cluster, Error> {
        let dir = project_root().join("target/lb");
        let nginx_bin = ensure_nginx(&dir)?;
        let run = dir.join(format!("run-{}-{}", std::process::id(), layout.name));
        let _ = std::fs::remove_dir_all(&run);
        std::fs::create_dir_all(run.join("tmp"))?;
        let pg = Postgres::start_with(layout.durable)?;
        let moto = match layout.files {
            Files::S3 => Some(Moto::start()?),
            Files::Local => None,
        };
        let mut env = vec![("RUST_LOG".to_owned(), "warn".to_owned())];
        if let Some(moto) = &moto {
            let mut probe = Command::new("true");
            moto.configure(
                &mut probe,
                &format!("lb-{}-{}", std::process::id(), layout.name),
            );
            env.extend(
                probe
                    .get_envs()
                    .filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v?.to_str()?.to_owned()))),
            );
        }
        let services = project_root().join("services");
        let key = run.join("r0/master.key");
        let mut replicas = Vec::with_capacity(layout.replicas);
        for n in 0..layout.replicas {
            let name = format!("r{n}");
            std::fs::create_dir_all(run.join(&name))?;
            let port = free_port()?;
            let mut command: Vec<std::ffi::OsString> = vec![
                "--addr".into(),
                format!("127.0.0.1:{port}").into(),
                "--data-dir".into(),
                run.join(&name).into(),
                "--services-dir".into(),
                services.clone().into(),
                "--dev-tickets".into(),
                "--admin-token".into(),
                ADMIN_TOKEN.into(),
                "--database-url".into(),
                pg.url.clone().into(),
            ];
            if n > 0 {
                command.extend(["--master-key-file".into(), key.clone().into()]);
            }
            let mut r = Replica {
                port,
                binary: layout.build.binary(),
                command,
                env: env.clone(),
                log: run.join(format!("server-{name}.log")),
                proc: None,
            };
            r.start()?;
            if n == 0 {
                // Restarted, it must read the key it made, not make another.
                r.command
                    .extend(["--master-key-file".into(), key.clone().into()]);
            }
            replicas.push(r);
        }
        let listen = free_port()?;
        let conf = run.join("nginx.conf");
        let ports: Vec<u16> = replicas.iter().map(|r| r.port).collect();
        std::fs::write(&conf, nginx_conf(&run, listen, &ports))?;
        let nginx = Nginx(
            Command::new(&nginx_bin)
                .arg("-p")
                .arg(&run)
                .arg("-e")
                .arg(run.join("nginx-error.log"))
                .arg("-c")
                .arg(&conf)
                .args(["-g", "daemon off;"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?,
        );
        wait_for_port(listen, "nginx")?;
        Ok(Cluster {
            _nginx: nginx,
            replicas,
            _moto: moto,
            pg,
            listen,
            url: format!("http://127.0.0.1:{listen}/"),
            run,
        })
    }

    /// A client of nginx signed in as a new person (a development ticket), and its bearer
    /// token.
    ///
    /// # Errors
    /// No answer.
    pub fn citizen(&self, rt: &Blocking) -> Result<(Client, String), Error> {
        let base = Client::new(&self.url)?;
        let token = rt
            .run(base.dev_session(&DevTicketRequest::default()))?
            .token;
        Ok((base.with_bearer(&token), token))
    }

    /// One value from the database (`psql -tAc`).
    fn query(&self, sql: &str) -> Result<String, Error> {
        let psql = crate::postgres::ensure_binaries()?.join("psql");
        let out = Command::new(psql)
            .arg(&self.pg.url)
            .args(["-tAc", sql])
            .output()?;
        if !out.status.success() {
            return Err(format!("psql: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Stops everything; the run's folder is removed when `keep` is false.
    pub fn stop(self, keep: bool) {
        let run = self.run.clone();
        drop(self);
        if !keep {
            let _ = std::fs::remove_dir_all(run);
        }
    }
}

/// A small deterministic generator (xorshift) for the kills' moments.
#[derive(Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0 | 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// A PDF of about `size` bytes, distinct per `seed`: PDFs are stored as received, so the
/// digest the server records is the digest of these bytes.
fn pdf(seed: usize, size: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n%".to_vec();
    let mut x = u64::try_from(seed)
        .unwrap_or(0)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        | 1;
    while b.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Letters and digits only: no PDF name or tag the server would refuse.
        b.push(b"abcdefghijklmnopqrstuvwxyz0123456789"[usize::try_from(x % 36).unwrap_or(0)]);
    }
    b.extend_from_slice(b"\n%%EOF\n");
    b
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// What the uploads went through.
#[derive(Default)]
struct Tally {
    patches: u64,
    failed: u64,
    kills: u64,
}

/// Sends `bytes` as one tus upload through the balancer, killing the replica `victim` at a
/// moment during the third `PATCH` (0–39 ms into it, from `seed`: mid-body, or mid-store, or
/// just after) and restarting it after the fifth; a failed `PATCH` is resumed from the offset a
/// `HEAD` reports, as a tus client does. Returns the upload's id.
fn send_one(
    rt: &Blocking,
    citizen: &Client,
    (bytes, seed): (&[u8], u64),
    victim: &mut Replica,
    tally: &mut Tally,
) -> Result<String, Error> {
    let id = rt
        .run(citizen.create_upload(bytes.len() as u64, &[("filename", "material.pdf")]))?
        .id;
    let mut offset = 0u64;
    let mut sent = 0;
    let started = Instant::now();
    while offset < bytes.len() as u64 {
        if started.elapsed() > Duration::from_mins(2) {
            return Err(format!("upload {id} did not finish in 2 minutes").into());
        }
        let at = usize::try_from(offset)?;
        let chunk = bytes[at..(at + CHUNK).min(bytes.len())].to_vec();
        tally.patches += 1;
        let killer = match victim.proc.as_ref() {
            Some(p) if sent == 2 => {
                let pid = p.0.id().to_string();
                let delay = Duration::from_millis(seed.wrapping_mul(7919) % 40);
                tally.kills += 1;
                Some(std::thread::spawn(move || {
                    std::thread::sleep(delay);
                    let _ = Command::new("kill").args(["-KILL", &pid]).status();
                }))
            }
            _ => None,
        };
        let answer = rt.run(citizen.patch_upload(&id, offset, chunk));
        if let Some(k) = killer {
            let _ = k.join();
            // Reaped (it is dead already).
            victim.kill();
        }
        if let Ok(new) = answer {
            offset = new;
        } else {
            // As a tus client: never from what it believes it sent, from what the server holds.
            tally.failed += 1;
            std::thread::sleep(Duration::from_millis(200));
            if let Ok(o) = rt.run(citizen.head_upload(&id)) {
                offset = o.offset;
            }
        }
        sent += 1;
        if sent == 5 {
            victim.start()?;
        }
    }
    if !victim.is_up() {
        victim.start()?;
    }
    Ok(id)
}

/// `count` uploads, the victim going round the replicas; returns the figure and whether every
/// upload is complete with the digest of what was sent.
fn uploads(cluster: &mut Cluster, count: usize) -> Result<(String, bool), Error> {
    let rt = Blocking::new()?;
    let (citizen, _) = cluster.citizen(&rt)?;
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut identical = 0;
    for n in 0..count {
        let bytes = pdf(n, UPLOAD_BYTES + n * 1000);
        let victim = n % cluster.replicas.len();
        let id = send_one(
            &rt,
            &citizen,
            (&bytes, n as u64),
            &mut cluster.replicas[victim],
            &mut tally,
        )?;
        let info = rt.run(citizen.upload_info(&id))?;
        let stored = cluster.query(&format!("SELECT sha256 FROM uploads WHERE id = '{id}'"))?;
        let want = hex(&sha2::Sha256::digest(&bytes));
        if info.complete && stored == want {
            identical += 1;
        } else {
            eprintln!(
                "lb: upload {id}: complete {}, stored digest {stored:?}, sent {want}",
                info.complete
            );
        }
    }
    let figure = format!(
        "uploads: {count} of ~{} MiB, a replica SIGKILLed during a PATCH {} times: {identical}/{count} complete and byte-identical; {} PATCH requests, {} failed and resumed ({:.1} s)",
        UPLOAD_BYTES / (1024 * 1024),
        tally.kills,
        tally.patches,
        tally.failed,
        started.elapsed().as_secs_f64()
    );
    Ok((figure, identical == count))
}

/// The three fault runs on a fresh cluster of two replicas (debug build, PostgreSQL + moto):
/// returns the figures (each printed as it is measured) and whether all of them held.
///
/// # Errors
/// Something cannot be started, or a run cannot go on (a replica does not restart).
pub fn faults(counts: Counts) -> Result<(Vec<String>, bool), Error> {
    let mut cluster = Cluster::start(&Layout {
        replicas: 2,
        build: Build::Debug,
        files: Files::S3,
        durable: false,
        name: "faults",
    })?;
    println!(
        "lb: nginx on 127.0.0.1:{} -> replicas {:?} (PostgreSQL {}), kill seed {}",
        cluster.listen,
        cluster.replicas.iter().map(|r| r.port).collect::<Vec<_>>(),
        cluster.pg.url,
        counts.seed
    );
    let mut figures = Vec::new();
    let mut ok = true;
    let mut say = |(figure, held): (String, bool)| {
        println!("lb: {figure}");
        figures.push(figure);
        ok &= held;
    };
    say(uploads(&mut cluster, counts.uploads)?);
    say(submit::exactly_once(&mut cluster, counts)?);
    say(live::follow(&mut cluster, counts)?);
    let run = cluster.run.clone();
    cluster.stop(!ok);
    if !ok {
        eprintln!("lb: a figure is off; the logs are in {}", run.display());
    }
    Ok((figures, ok))
}

/// `cargo xtask lb [--full]`: [`QUICK`] counts, or the soak's ([`FULL`]).
///
/// # Errors
/// Something cannot be started, or an upload is lost or altered, a submission lost or
/// duplicated, or a status change not seen on the live stream.
pub fn lb(args: &[String]) -> Result<(), Error> {
    let counts = match args {
        [] => QUICK,
        [f] if f == "--full" => FULL,
        _ => return Err(format!("lb takes no arguments but --full, not {args:?}").into()),
    };
    // As `cargo xtask test` builds it (no incremental state), so the stage reuses its build.
    run_shown(cmd("cargo").env("CARGO_INCREMENTAL", "0").args([
        "build",
        "--quiet",
        "-p",
        "onething-server",
    ]))?;
    let started = Instant::now();
    let (figures, ok) = faults(counts)?;
    let took = started.elapsed().as_secs_f64();
    let dir = project_root().join("target/lb");
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("figures.txt"))?;
    for f in &figures {
        writeln!(log, "lb: {f}")?;
    }
    writeln!(
        log,
        "lb: {} in {took:.1} s",
        if ok { "held" } else { "FAILED" }
    )?;
    println!("lb: {} in {took:.1} s", if ok { "held" } else { "FAILED" });
    if ok {
        Ok(())
    } else {
        Err("lost or altered uploads, lost or duplicate submissions, or a missed event".into())
    }
}

//! `cargo xtask lb`: the scaled-out layout on one machine, under faults. nginx (Debian's
//! package, downloaded and unpacked under `target/lb/`, never installed as a service) balances
//! two server replicas that share one PostgreSQL and one S3-compatible store (moto); tus
//! uploads go through nginx while a replica is killed (SIGKILL) during a `PATCH` and
//! restarted. Every upload must complete, and the digest the server recorded when it stored
//! the file must be the file's own: byte-identical, whichever replica took which chunk. The
//! proxy settings are those of `deploy/nginx.conf`, on loopback and without TLS.

use std::fmt::Write as _;
use std::io::Write as _;
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

/// Uploads sent through the balancer.
const UPLOADS: usize = 6;
/// Each upload's size, about.
const UPLOAD_BYTES: usize = 2 * 1024 * 1024;
/// Each `PATCH` carries this much.
const CHUNK: usize = 256 * 1024;
/// How long a started process may take to answer on its port.
const START_LIMIT: Duration = Duration::from_mins(1);

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
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
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
events {{ worker_connections 512; }}
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
struct Replica {
    port: u16,
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
        let mut c = Command::new(Build::Debug.binary());
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

/// What one upload went through.
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
    if victim.proc.is_none() {
        victim.start()?;
    }
    Ok(id)
}

/// [`UPLOADS`] uploads, the victim alternating between the replicas; returns how many are
/// complete with the digest of what was sent, and the tally.
fn uploads(
    rt: &Blocking,
    citizen: &Client,
    database: &str,
    replicas: [&mut Replica; 2],
) -> Result<(usize, Tally), Error> {
    let psql = crate::postgres::ensure_binaries()?.join("psql");
    let mut tally = Tally::default();
    let mut identical = 0;
    let [a, b] = replicas;
    for n in 0..UPLOADS {
        let bytes = pdf(n, UPLOAD_BYTES + n * 1000);
        let victim = if n % 2 == 0 { &mut *a } else { &mut *b };
        let id = send_one(rt, citizen, (&bytes, n as u64), victim, &mut tally)?;
        let info = rt.run(citizen.upload_info(&id))?;
        let out = Command::new(&psql)
            .arg(database)
            .args([
                "-tAc",
                &format!("SELECT sha256 FROM uploads WHERE id = '{id}'"),
            ])
            .output()?;
        let stored = String::from_utf8_lossy(&out.stdout).trim().to_owned();
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
    Ok((identical, tally))
}

/// Prints the figure and appends it to `target/lb/figures.txt`.
fn report(dir: &Path, identical: usize, tally: &Tally, took: Duration) -> Result<(), Error> {
    let figure = format!(
        "lb: {UPLOADS} uploads of ~{} MiB through nginx to 2 replicas on PostgreSQL + S3, a replica SIGKILLed during a PATCH {} times: {identical}/{UPLOADS} complete and byte-identical; {} PATCH requests, {} failed and resumed; {:.1} s",
        UPLOAD_BYTES / (1024 * 1024),
        tally.kills,
        tally.patches,
        tally.failed,
        took.as_secs_f64()
    );
    println!("{figure}");
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("figures.txt"))?;
    writeln!(log, "{figure}")?;
    Ok(())
}

/// `cargo xtask lb`.
///
/// # Errors
/// Something cannot be started, or an upload is lost or altered.
pub fn lb() -> Result<(), Error> {
    // As `cargo xtask test` builds it (no incremental state), so the stage reuses its build.
    run_shown(cmd("cargo").env("CARGO_INCREMENTAL", "0").args([
        "build",
        "--quiet",
        "-p",
        "onething-server",
    ]))?;
    let dir = project_root().join("target/lb");
    let nginx = ensure_nginx(&dir)?;
    let run = dir.join(format!("run-{}", std::process::id()));
    for sub in ["tmp", "a", "b"] {
        std::fs::create_dir_all(run.join(sub))?;
    }
    let pg = Postgres::start()?;
    let moto = Moto::start()?;
    let mut probe = Command::new("true");
    moto.configure(&mut probe, &format!("lb-{}", std::process::id()));
    let env: Vec<(String, String)> = probe
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v?.to_str()?.to_owned())))
        .collect();
    let services = project_root().join("services");
    let replica = |name: &str, key: Option<&Path>| -> Result<Replica, Error> {
        let port = free_port()?;
        let mut command: Vec<std::ffi::OsString> = vec![
            "--addr".into(),
            format!("127.0.0.1:{port}").into(),
            "--data-dir".into(),
            run.join(name).into(),
            "--services-dir".into(),
            services.clone().into(),
            "--dev-tickets".into(),
            "--database-url".into(),
            pg.url.clone().into(),
        ];
        if let Some(key) = key {
            command.extend(["--master-key-file".into(), key.into()]);
        }
        Ok(Replica {
            port,
            command,
            env: env.clone(),
            log: run.join(format!("server-{name}.log")),
            proc: None,
        })
    };
    // The first replica makes the development master key; both then use that one.
    let key = run.join("a/master.key");
    let mut a = replica("a", None)?;
    a.start()?;
    a.command
        .extend(["--master-key-file".into(), key.clone().into()]);
    let mut b = replica("b", Some(&key))?;
    b.start()?;
    let listen = free_port()?;
    let conf = run.join("nginx.conf");
    std::fs::File::create(&conf)?
        .write_all(nginx_conf(&run, listen, &[a.port, b.port]).as_bytes())?;
    let nginx = Nginx(
        Command::new(&nginx)
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
    println!(
        "lb: nginx on 127.0.0.1:{listen} -> replicas :{} and :{} (PostgreSQL {}, moto {})",
        a.port, b.port, pg.url, moto.endpoint
    );

    let rt = Blocking::new()?;
    let base = Client::new(&format!("http://127.0.0.1:{listen}/"))?;
    let token = rt
        .run(base.dev_session(&DevTicketRequest::default()))?
        .token;
    let citizen = base.with_bearer(&token);
    let started = Instant::now();
    let (identical, tally) = uploads(&rt, &citizen, &pg.url, [&mut a, &mut b])?;
    report(&dir, identical, &tally, started.elapsed())?;
    drop((nginx, a, b));
    if identical == UPLOADS {
        let _ = std::fs::remove_dir_all(&run);
        Ok(())
    } else {
        Err(format!("lost or altered uploads (logs in {})", run.display()).into())
    }
}

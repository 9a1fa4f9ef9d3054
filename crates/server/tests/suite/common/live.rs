//! The real server binary as a child process (so a test can SIGKILL it and start it again on
//! the same data directory), sign-in through the typed client (`onething_client`, which makes
//! every ordinary call of the live tests), and for the tests about the wire a minimal HTTP/1.1
//! client that talks to it over TCP (through the fault proxy: one request per connection, so
//! each fault lands on a known request; answers that come early; bytes that are not JSON) and
//! a tus 1.0 client on it that resumes through `HEAD` and retries.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use onething_client::Client;
use onething_core::api::DevTicketRequest;
use sha2::Digest as _;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use super::Rng;

/// The admin token of live test servers.
pub const ADMIN: &str = "admin-secret-for-live-tests";

/// A PDF of `len` bytes (`len` ≥ 16): the header, then hex digits. The server stores PDFs as
/// received, so the stored file must be byte-identical; hex digits never spell a PDF name or an
/// HTML tag, which the server refuses as active content.
pub fn pdf(len: usize, rng: &mut Rng) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut b = b"%PDF-1.7\n".to_vec();
    while b.len() < len {
        let r = rng.next_u64();
        for k in 0..16 {
            if b.len() < len {
                b.push(HEX[((r >> (k * 4)) & 15) as usize]);
            }
        }
    }
    b.truncate(len);
    b
}

/// SHA-256 as lowercase hex.
pub fn sha256_hex(b: &[u8]) -> String {
    use std::fmt::Write as _;
    sha2::Sha256::digest(b)
        .iter()
        .fold(String::with_capacity(64), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}

/// A server process on a data directory it keeps across restarts.
pub struct LiveServer {
    /// Its current address.
    pub addr: SocketAddr,
    /// Its data directory.
    pub data: PathBuf,
    services: PathBuf,
    log: PathBuf,
    args: Vec<String>,
    child: Option<Child>,
    /// Its database when not the SQLite file in `data` (see [`super::database_for`]).
    database_url: Option<String>,
}

impl LiveServer {
    /// Starts the server on a free loopback port with `args` added to the test defaults
    /// (development tickets, an admin token); stderr (its log) is appended to `log`.
    pub async fn start(data: &Path, services: &Path, log: &Path, args: &[&str]) -> LiveServer {
        let mut s = LiveServer {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: data.to_path_buf(),
            services: services.to_path_buf(),
            log: log.to_path_buf(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            child: None,
            database_url: super::database_for(data).await,
        };
        s.spawn().await;
        s
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("server log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_onething-server"))
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(&self.data)
            .arg("--services-dir")
            .arg(&self.services)
            .arg("--dev-tickets")
            .arg("--admin-token")
            .arg(ADMIN)
            .args(&self.args)
            .args(
                self.database_url
                    .iter()
                    .flat_map(|url| ["--database-url", url.as_str()]),
            )
            // Everything the server and its libraries log, so a privacy check sees it all.
            .env("RUST_LOG", "debug")
            .env_remove("ONETHING_STATIC_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the server prints its address within 30 s")
            .expect("stdout readable")
            .expect("a line on stdout");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .expect("listening line");
        self.addr = addr.parse().expect("socket address");
        // Keep reading stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.child = Some(child);
    }

    /// The server process's id, while it runs (to send it a signal).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// SIGKILL (no graceful shutdown, no flush), then wait for the process to be gone.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().expect("SIGKILL");
            let _ = child.wait().await;
        }
    }

    /// Starts it again on the same data directory (a new port).
    pub async fn restart(&mut self) {
        self.kill().await;
        self.spawn().await;
    }

    /// Signs a new person in through the development ticket issuer (directly, not through any
    /// proxy): a client carrying their session, and its bearer token for the raw requests of
    /// the tests about the wire.
    pub async fn sign_in(&self) -> (Client, String) {
        let api = Client::new(&format!("http://{}", self.addr)).expect("client");
        let session = api
            .dev_session(&DevTicketRequest::default())
            .await
            .expect("signed in");
        (api.with_bearer(&session.token), session.token)
    }

    /// Opens the database read-only (for checkers that compare with what clients were told).
    pub async fn db(&self) -> onething_server::store::Pool {
        let url = self.database_url.clone().unwrap_or_else(|| {
            onething_server::store::sqlite_url(&self.data.join("onething.sqlite"))
        });
        onething_server::store::connect(&url)
            .await
            .expect("database opens")
    }
}

/// A response.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `code` of an error body.
    pub fn code(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// One HTTP/1.1 request on its own connection (`Connection: close`), bounded by `timeout`.
/// Any transport failure (refused, reset, closed early, timed out) is an `Err`: the client
/// does not know what the server did.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<Reply> {
    tokio::time::timeout(timeout, request_inner(addr, method, path, headers, body))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out"))?
}

async fn request_inner(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await?;
    // A server may answer (and close) before the whole body is sent, e.g. a 413 or a 409:
    // a failed write is then not the end, the answer may be waiting.
    let wrote = s.write_all(body).await;
    let mut raw = Vec::new();
    let read = s.read_to_end(&mut raw).await;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let Some(split) = split else {
        wrote?;
        read?;
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "no response",
        ));
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if method != "HEAD"
        && let Some(len) = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        if body.len() < len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "body cut short",
            ));
        }
        body.truncate(len);
    }
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// What a resumed upload went through.
#[derive(Debug, Default, Clone)]
pub struct UploadRun {
    /// The upload's id.
    pub id: String,
    /// Requests that failed in transport (cut, reset, stalled, response lost).
    pub transport_failures: u32,
    /// `HEAD` requests made to learn where to resume.
    pub resumes: u32,
    /// Every offset a `HEAD` reported, in order.
    pub offsets: Vec<u64>,
}

/// A tus 1.0 client: creation, then PATCH in chunks; after any failure it asks `HEAD` for the
/// durable offset and goes on from there (tus 1.0 §"Core Protocol": the client MUST resume from
/// the offset the server reports, never from what it believes it sent).
pub struct TusClient {
    /// Where to send requests (the proxy).
    pub addr: SocketAddr,
    /// Bearer token.
    pub token: String,
    /// Bytes per PATCH.
    pub chunk: usize,
    /// Per-request time limit (a stalled request is given up after it).
    pub timeout: Duration,
    /// Upper bound on requests for one upload (the test fails rather than loop forever).
    pub max_requests: u32,
}

impl TusClient {
    fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            ("tus-resumable", "1.0.0".into()),
            ("authorization", format!("Bearer {}", self.token)),
        ]
    }

    /// Creates an upload of `len` bytes (retrying creation until it gets an answer).
    ///
    /// # Errors
    /// A non-201 answer, or no answer within `max_requests`.
    pub async fn create(&self, len: usize, run: &mut UploadRun) -> Result<String, String> {
        for _ in 0..self.max_requests {
            let mut h = self.headers();
            h.push(("upload-length", len.to_string()));
            h.push(("upload-metadata", "filename c2Nhbi5wZGY=".into()));
            match request(self.addr, "POST", "/api/uploads/", &h, b"", self.timeout).await {
                Ok(r) if r.status == 201 => {
                    let loc = r.header("location").ok_or("no Location")?;
                    return Ok(loc.rsplit('/').next().unwrap_or_default().to_owned());
                }
                Ok(r) => return Err(format!("creation answered {}: {}", r.status, r.code())),
                Err(_) => run.transport_failures += 1,
            }
        }
        Err("creation never answered".into())
    }

    /// The durable offset, asked until answered.
    ///
    /// # Errors
    /// A non-200 answer, or no answer within `max_requests`.
    pub async fn head(&self, id: &str, run: &mut UploadRun) -> Result<u64, String> {
        for _ in 0..self.max_requests {
            match request(
                self.addr,
                "HEAD",
                &format!("/api/uploads/{id}"),
                &self.headers(),
                b"",
                self.timeout,
            )
            .await
            {
                Ok(r) if r.status == 200 => {
                    run.resumes += 1;
                    let o: u64 = r
                        .header("upload-offset")
                        .and_then(|o| o.parse().ok())
                        .ok_or("HEAD without Upload-Offset")?;
                    run.offsets.push(o);
                    return Ok(o);
                }
                Ok(r) => return Err(format!("HEAD answered {}: {}", r.status, r.code())),
                Err(_) => run.transport_failures += 1,
            }
        }
        Err("HEAD never answered".into())
    }

    /// One PATCH of `bytes` at `offset`: the new offset, or `None` when the outcome is unknown
    /// (transport failure) or the server says to ask again (409, 423, 408).
    ///
    /// # Errors
    /// Any other answer.
    pub async fn patch(
        &self,
        id: &str,
        offset: u64,
        bytes: &[u8],
        run: &mut UploadRun,
    ) -> Result<Option<u64>, String> {
        let mut h = self.headers();
        h.push(("upload-offset", offset.to_string()));
        h.push(("content-type", "application/offset+octet-stream".into()));
        match request(
            self.addr,
            "PATCH",
            &format!("/api/uploads/{id}"),
            &h,
            bytes,
            self.timeout,
        )
        .await
        {
            Ok(r) if r.status == 204 => Ok(Some(
                r.header("upload-offset")
                    .and_then(|o| o.parse().ok())
                    .ok_or("204 without Upload-Offset")?,
            )),
            Ok(r)
                if [400, 408, 409, 423].contains(&r.status) && r.code() != "tus_header_invalid" =>
            {
                Ok(None)
            }
            Ok(r) => Err(format!("PATCH answered {}: {}", r.status, r.code())),
            Err(_) => {
                run.transport_failures += 1;
                Ok(None)
            }
        }
    }

    /// Goes on with upload `id` from `offset` until every byte of `data` is acknowledged.
    ///
    /// # Errors
    /// The server refused, or `max_requests` was not enough.
    pub async fn resume(
        &self,
        id: &str,
        data: &[u8],
        mut offset: u64,
        mut run: UploadRun,
        mut check: impl FnMut(&str, u64),
    ) -> Result<UploadRun, String> {
        run.id = id.to_owned();
        let mut requests = 0;
        let len = data.len() as u64;
        while offset < len {
            requests += 1;
            if requests > self.max_requests {
                return Err(format!(
                    "gave up after {requests} requests at {offset}/{len}"
                ));
            }
            let end = (offset + self.chunk as u64).min(len);
            let chunk =
                &data[usize::try_from(offset).unwrap_or(0)..usize::try_from(end).unwrap_or(0)];
            if let Some(o) = self.patch(id, offset, chunk, &mut run).await? {
                offset = o;
            } else {
                offset = self.head(id, &mut run).await?;
                check(id, offset);
            }
        }
        Ok(run)
    }
}

/// The data key of upload `id` in a live server's data directory, and the nonce of its stored
/// file (through its development key file and a read-only look at the database): the tests
/// look at what is on disk through it.
pub async fn upload_cipher(data: &Path, id: &str) -> Option<super::UploadCipher> {
    let keys = onething_server::crypto::Keys::load(None, None, data, &["any".into()]).ok()?;
    let url = match super::database_for(data).await {
        Some(url) => url,
        None => onething_server::store::sqlite_url(&data.join("onething.sqlite")),
    };
    let db = onething_server::store::connect(&url).await.ok()?;
    let row: Option<(String, Vec<u8>, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT key_id, dek, file_nonce FROM uploads WHERE id = $1")
            .bind(id)
            .fetch_optional(&db)
            .await
            .ok()?;
    db.close().await;
    let (key_id, dek, nonce) = row?;
    Some(super::UploadCipher {
        key: keys.open(&key_id, &dek).ok()?,
        nonce: nonce.and_then(|n| n.try_into().ok()),
    })
}

//! Shared helpers of the tests: a fresh store per test, requests through `app(state)` with
//! `oneshot` (no network), sign-in through the development ticket issuer, tus requests, the
//! test files (a JPEG, the example applications), counts from the environment and a seeded
//! random sequence. [`live`] runs the real binary; [`proxy`] puts a faulty network before it.

pub mod live;
pub mod proxy;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use onething_core::api::{ApiErrorBody, DevTicket, SessionCreated};
use onething_server::crypto::NONCE_LEN;
use onething_server::{AppState, Config, app};
use serde::de::DeserializeOwned;
use tower::ServiceExt;

/// The admin token of test servers.
pub const ADMIN: &str = "admin-secret-for-tests";

/// A test server's state and the directories it lives in (deleted on drop).
pub struct Ctx {
    pub state: AppState,
    pub data: tempfile::TempDir,
    /// Held so the definitions outlive the state that loaded them.
    _services: tempfile::TempDir,
}

/// A count from the environment (the soak raises them), or `default`.
pub fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A deterministic pseudo-random sequence (splitmix64): failures replay with the same seed.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// An index in `0..n` (`n > 0`).
    pub fn index(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap_or(0)
    }
}

/// A copy of the shipped newborn definition plus the small `test-bundle` fixture, in `dir`.
pub fn services_into(dir: &Path) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir).expect("services dir");
    for (from, name) in [
        (root.join("../../services/newborn.toml"), "newborn.toml"),
        (
            root.join("tests/fixtures/test-bundle.toml"),
            "test-bundle.toml",
        ),
    ] {
        std::fs::copy(from, dir.join(name)).expect("copy definition");
    }
}

/// The newborn example application (`services/examples/newborn.json`) and the day it is valid
/// on as written (`valid_on`): tests give the server that day as its today rather than move the
/// example's dates, so they pass on any day.
pub fn newborn_example() -> (serde_json::Value, String) {
    let file: serde_json::Value = serde_json::from_str(include_str!(
        "../../../../../services/examples/newborn.json"
    ))
    .expect("example");
    let day = file["valid_on"].as_str().expect("valid_on").to_owned();
    (file["application"].clone(), day)
}

/// The database of the server on `data`: with `ONETHING_TEST_DATABASE_URL` (a PostgreSQL
/// server's maintenance database, set by `cargo xtask test`), a database of its own on that
/// server, named after the data directory and created empty the first time (a server restarted
/// on the same directory finds its data again); without it, `None`: SQLite in the data
/// directory.
pub async fn database_for(data: &Path) -> Option<String> {
    use sha2::Digest as _;
    use sqlx::Connection as _;
    let admin = std::env::var("ONETHING_TEST_DATABASE_URL").ok()?;
    let digest = sha2::Sha256::digest(data.to_string_lossy().as_bytes());
    let name: String = std::iter::once("t".to_owned())
        .chain(digest.iter().take(12).map(|b| format!("{b:02x}")))
        .collect();
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("the test database server answers");
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut conn)
        .await
        .expect("pg_database");
    if exists.is_none() {
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("CREATE DATABASE");
    }
    let _ = conn.close().await;
    let base = admin.split('?').next().unwrap_or(&admin);
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    Some(format!("{server}/{name}"))
}

/// A server with dev tickets on and an admin token.
pub async fn ctx() -> Ctx {
    ctx_with(|_| {}).await
}

/// A server with changed configuration.
pub async fn ctx_with(change: impl FnOnce(&mut Config)) -> Ctx {
    let data = tempfile::tempdir().expect("tempdir");
    let services = tempfile::tempdir().expect("tempdir");
    services_into(services.path());
    let mut config = Config::with_dirs(data.path(), services.path());
    config.dev_tickets = true;
    config.admin_token = Some(ADMIN.into());
    config.static_dir = None;
    config.cors_origins.clear();
    config.https = false;
    // `ONETHING_OBJECT_STORE=s3://bucket/prefix` (and the `ONETHING_S3_*` settings) puts the
    // files in object storage (`cargo xtask s3`): each test under a prefix of its own.
    if let Some(url) = config.files.object_store.as_mut() {
        let own = data.path().file_name().expect("name").to_string_lossy();
        *url = format!(
            "{}/{}",
            url.trim_end_matches('/'),
            own.trim_start_matches('.')
        );
    }
    config.database_url = database_for(data.path()).await;
    change(&mut config);
    let state = AppState::open(&config).await.expect("state opens");
    Ctx {
        state,
        data,
        _services: services,
    }
}

/// A response, collected.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    /// The body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not the JSON expected ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The error code of an error body.
    pub fn code(&self) -> String {
        self.json::<ApiErrorBody>().code
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ascii header").to_owned())
    }
}

/// Sends one request through the whole app.
pub async fn send(state: &AppState, req: Request<Body>) -> Resp {
    let res = app(state.clone()).oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

/// A request with an optional bearer token and an optional JSON body.
pub fn req(
    method: Method,
    uri: &str,
    token: Option<&str>,
    json: Option<serde_json::Value>,
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match json {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .expect("request"),
        None => b.body(Body::empty()).expect("request"),
    }
}

/// GET with a token.
pub async fn get(state: &AppState, uri: &str, token: Option<&str>) -> Resp {
    send(state, req(Method::GET, uri, token, None)).await
}

/// Signs in through the development issuer: a new person, or the platform user `subject`
/// (the same account every time). The one sign-in of the route tests.
pub async fn sign_in(state: &AppState, subject: Option<&str>) -> SessionCreated {
    let body = subject.map_or_else(
        || serde_json::json!({}),
        |s| serde_json::json!({ "subject": s }),
    );
    let r = send(
        state,
        req(Method::POST, "/api/dev/tickets", None, Some(body)),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let ticket: DevTicket = r.json();
    let r = exchange_ticket(state, &ticket.ticket, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.json()
}

/// `POST /api/session` with `ticket`, and with `key` as its `Idempotency-Key`.
pub async fn exchange_ticket(state: &AppState, ticket: &str, key: Option<&str>) -> Resp {
    let mut r = req(
        Method::POST,
        "/api/session",
        None,
        Some(serde_json::json!({ "ticket": ticket })),
    );
    if let Some(k) = key {
        r.headers_mut()
            .insert("idempotency-key", k.parse().expect("header"));
    }
    send(state, r).await
}

/// Signs a new person in; returns the bearer token.
pub async fn login(state: &AppState) -> String {
    sign_in(state, None).await.token
}

/// A tus request builder with `Tus-Resumable` and the token.
pub fn tus(method: Method, uri: &str, token: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("tus-resumable", "1.0.0")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
}

/// Creates an upload of `length` bytes; returns its id.
pub async fn create_upload(state: &AppState, token: &str, length: usize) -> String {
    let r = send(
        state,
        tus(Method::POST, "/api/uploads/", token)
            .header("upload-length", length.to_string())
            .header(
                "upload-metadata",
                "filename aWQuanBn,filetype aW1hZ2UvanBlZw==",
            )
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let location = r.header("location").expect("Location");
    location
        .rsplit('/')
        .next()
        .expect("id in Location")
        .to_owned()
}

/// A PATCH of `bytes` at `offset`.
pub fn patch(id: &str, token: &str, offset: usize, body: Body) -> Request<Body> {
    tus(Method::PATCH, &format!("/api/uploads/{id}"), token)
        .header("upload-offset", offset.to_string())
        .header(header::CONTENT_TYPE, "application/offset+octet-stream")
        .body(body)
        .expect("request")
}

/// The durable offset a HEAD reports.
pub async fn head_offset(state: &AppState, id: &str, token: &str) -> (StatusCode, Option<u64>) {
    let r = send(
        state,
        tus(Method::HEAD, &format!("/api/uploads/{id}"), token)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    (
        r.status,
        r.header("upload-offset")
            .map(|o| o.parse().expect("number")),
    )
}

/// Uploads a whole file in one creation-with-upload request; returns the upload id.
pub async fn upload(state: &AppState, token: &str, bytes: &[u8]) -> String {
    let id = create_upload(state, token, bytes.len()).await;
    let r = send(state, patch(&id, token, 0, Body::from(bytes.to_vec()))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    id
}

/// A small but structurally valid JPEG: JFIF, an EXIF block with GPS text, a comment, a frame
/// header of `w`×`h`, a scan.
pub fn jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
    b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let exif = b"Exif\0\0MM\0\x2A\0\0\0\x08\0\0\0\0\0\0GPS 30.87N secret-location";
    b.extend_from_slice(&[0xFF, 0xE1]);
    b.extend_from_slice(&u16::try_from(2 + exif.len()).expect("short").to_be_bytes());
    b.extend_from_slice(exif);
    b.extend_from_slice(&[0xFF, 0xFE, 0, 16]);
    b.extend_from_slice(b"secret-comment");
    b.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&[1, 1, 0x11, 0]);
    b.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
    b.extend_from_slice(&[0x55; 64]);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

/// A valid application for `test-bundle` using `upload_id` for the ID card; the marriage
/// certificate is deferred (容缺).
pub fn application(upload_id: &str) -> serde_json::Value {
    serde_json::json!({
        "service_id": "test-bundle",
        "sub_items": ["birth", "household", "insurance"],
        "answers": { "applicant_name": "王小红" },
        "materials": {
            "id_card": { "kind": "upload", "upload_ids": [upload_id] },
            "marriage_certificate": { "kind": "deferred" }
        }
    })
}

/// The same application with the other parent's ID card by his e-licence: submitting it
/// creates a consent request that only the account with `other_id_number` can answer.
pub fn application_with_consent(upload_id: &str, other_id_number: &str) -> serde_json::Value {
    let mut app = application(upload_id);
    app["answers"]["other_name"] = serde_json::json!("王强");
    app["answers"]["other_id_number"] = serde_json::json!(other_id_number);
    app["materials"]["other_id_card"] = serde_json::json!({ "kind": "e_licence", "consent": true });
    app
}

/// Signs in the platform user `subject` and returns the token and the account's ID number.
pub async fn login_person(state: &AppState, subject: &str) -> (String, String) {
    let s = sign_in(state, Some(subject)).await;
    (s.token, s.account.id_number)
}

/// Submits an application with an idempotency key.
pub async fn submit(state: &AppState, token: &str, key: &str, body: &serde_json::Value) -> Resp {
    let mut r = req(
        Method::POST,
        "/api/applications",
        Some(token),
        Some(body.clone()),
    );
    r.headers_mut()
        .insert("idempotency-key", key.parse().expect("header"));
    send(state, r).await
}

/// An admin move of a sub-item.
pub async fn admin_move(
    state: &AppState,
    case: &str,
    sub_item: &str,
    body: serde_json::Value,
) -> Resp {
    send(
        state,
        req(
            Method::POST,
            &format!("/api/admin/applications/{case}/items/{sub_item}"),
            Some(ADMIN),
            Some(body),
        ),
    )
    .await
}

/// The data key of an upload: the tests look at what is on disk through it (files are sealed
/// at rest).
pub async fn upload_key(state: &AppState, id: &str) -> onething_server::crypto::RecordKey {
    upload_cipher(state, id).await.key
}

/// What opens the bytes of an upload still arriving: its data key, and the nonce of its stored
/// file when its bytes are written with that file's keystream (a local file then holds the
/// nonce first); without one, the older stream key.
pub struct UploadCipher {
    pub key: onething_server::crypto::RecordKey,
    pub nonce: Option<[u8; NONCE_LEN]>,
}

impl UploadCipher {
    /// The plain bytes of `stored`, what arrived from offset 0 as a local file holds it
    /// (`local`) or as the pieces hold it, joined.
    pub fn open(&self, mut stored: Vec<u8>, local: bool) -> Vec<u8> {
        if let Some(nonce) = &self.nonce {
            let from = if local {
                NONCE_LEN.min(stored.len())
            } else {
                0
            };
            return self.key.open_file_stream(nonce, &stored[from..]);
        }
        self.key.apply_stream(0, &mut stored);
        stored
    }

    /// `plain` encrypted from offset 0 as the server writes it: a local file (`local`) or a
    /// piece.
    pub fn seal(&self, plain: &[u8], local: bool) -> Vec<u8> {
        let mut bytes = plain.to_vec();
        match &self.nonce {
            Some(nonce) => {
                self.key.apply_file_stream(nonce, 0, &mut bytes);
                if local {
                    bytes.splice(0..0, *nonce);
                }
            }
            None => self.key.apply_stream(0, &mut bytes),
        }
        bytes
    }
}

/// The [`UploadCipher`] of upload `id`, from its row.
pub async fn upload_cipher(state: &AppState, id: &str) -> UploadCipher {
    let (key_id, dek, nonce): (String, Vec<u8>, Option<Vec<u8>>) =
        sqlx::query_as("SELECT key_id, dek, file_nonce FROM uploads WHERE id = $1")
            .bind(id)
            .fetch_one(&state.db)
            .await
            .expect("upload row");
    UploadCipher {
        key: state.keys.open(&key_id, &dek).expect("the data key opens"),
        nonce: nonce.map(|n| n.try_into().expect("a 12-byte nonce")),
    }
}

/// The plain bytes that arrived of an unfinished upload: its partial file, or (object
/// storage) its pieces from offset 0 on, each where the one before ended.
pub async fn partial_plain(state: &AppState, id: &str) -> Vec<u8> {
    let local = state.blobs.local_dir().is_some();
    let bytes = if local {
        std::fs::read(state.partial_path(id)).expect("partial file")
    } else {
        let mut out = Vec::new();
        loop {
            let key = onething_server::state::piece_key(id, out.len() as u64);
            match state.blobs.get(&key).await {
                Ok(piece) => out.extend_from_slice(&piece),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break out,
                Err(e) => panic!("{key}: {e}"),
            }
        }
    };
    upload_cipher(state, id).await.open(bytes, local)
}

/// Writes `plain` as what arrived of an unfinished upload, encrypted as the server writes it:
/// its partial file, or one piece at offset 0.
pub async fn write_partial_plain(state: &AppState, id: &str, plain: &[u8]) {
    let local = state.blobs.local_dir().is_some();
    let bytes = upload_cipher(state, id).await.seal(plain, local);
    if local {
        std::fs::write(state.partial_path(id), bytes).expect("write partial");
    } else {
        let key = onething_server::state::piece_key(id, 0);
        state.blobs.put(&key, bytes).await.expect("put piece");
    }
}

/// The plain bytes of completed upload `id`'s stored file, read through the store (local
/// folder or object storage) as a department's download reads it.
pub async fn stored_plain(state: &AppState, id: &str) -> Vec<u8> {
    let owner: String = sqlx::query_scalar("SELECT account_id FROM uploads WHERE id = $1")
        .bind(id)
        .fetch_one(&state.db)
        .await
        .expect("owner");
    let up = onething_server::store::uploads::get(&state.db, &state.keys, id, &owner)
        .await
        .expect("db")
        .expect("upload");
    state.read_upload(&up).await.expect("the stored file opens")
}

/// The plain bytes of a completed upload's stored file.
pub async fn blob_plain(state: &AppState, id: &str, path: &Path) -> Vec<u8> {
    let sealed = std::fs::read(path).expect("blob");
    upload_key(state, id)
        .await
        .open(onething_server::crypto::FILE_LABEL, &sealed)
        .expect("the stored file opens")
}

/// The next `data:` event of a server-sent event stream's body, decoded, with the event's whole
/// text (its `event:` and `id:` lines); fails when none comes within ten seconds.
pub async fn next_sse<T: DeserializeOwned>(body: &mut Body) -> (T, String) {
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), body.frame())
            .await
            .expect("an event in time")
            .expect("stream open")
            .expect("frame");
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let text = String::from_utf8(data.to_vec()).expect("utf-8");
        if let Some(json) = text.lines().find_map(|l| l.strip_prefix("data: ")) {
            let value = serde_json::from_str(json).expect("the event's JSON");
            return (value, text);
        }
    }
}

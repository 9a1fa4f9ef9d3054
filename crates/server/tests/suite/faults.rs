//! Uploads through a faulty network and a crashing server: every stored file is byte-identical
//! to the original, a reported offset never runs ahead of the bytes stored, a lost response
//! never duplicates bytes, and a SIGKILL mid-upload loses nothing that was acknowledged.
//!
//! Counts are small here (the fast subset of `cargo xtask test`); `cargo xtask soak` raises
//! them with `ONETHING_SOAK_UPLOADS` (uploads per size) and `ONETHING_SOAK_KILLS` and reads the
//! `figure:` lines these tests print.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common;
use crate::common::live::{self, LiveServer, TusClient, UploadRun, pdf, sha256_hex};
use crate::common::proxy::{Fault, FaultProxy, Plan};
use crate::common::{Rng, env_count};
use axum::http::StatusCode;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

fn seed() -> u64 {
    env_count("ONETHING_SOAK_SEED", 20_261_128)
}

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

struct Live {
    _dir: tempfile::TempDir,
    server: LiveServer,
    proxy: FaultProxy,
}

async fn live(args: &[&str]) -> Live {
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    common::services_into(&services);
    let server = LiveServer::start(
        &dir.path().join("data"),
        &services,
        &dir.path().join("server.log"),
        args,
    )
    .await;
    let proxy = FaultProxy::start(server.addr).await;
    Live {
        _dir: dir,
        server,
        proxy,
    }
}

/// What the server really holds of upload `id`: the bytes of its partial file, or, once
/// complete, its blob's bytes and the SHA-256 it recorded.
enum Stored {
    Partial(Vec<u8>),
    Complete { bytes: Vec<u8>, sha256: String },
}

async fn stored(server: &LiveServer, id: &str) -> Stored {
    // The partial file may vanish between the two looks when the upload completes.
    for _ in 0..3 {
        if let Ok(b) = std::fs::read(server.data.join("files/partial").join(id)) {
            // Unfinished bytes are encrypted at rest (with the stored file's keystream).
            let cipher = live::upload_cipher(&server.data, id)
                .await
                .expect("upload key");
            return Stored::Partial(cipher.open(b, true));
        }
        let db = server.db().await;
        let row: Option<(String, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT state, blob_name, sha256 FROM uploads WHERE id = $1")
                .bind(id)
                .fetch_optional(&db)
                .await
                .expect("query");
        db.close().await;
        if let Some((state, Some(blob), Some(sha256))) = row
            && state == "complete"
        {
            let sealed = std::fs::read(server.data.join("files/blobs").join(blob)).expect("blob");
            let key = live::upload_cipher(&server.data, id)
                .await
                .expect("upload key")
                .key;
            let bytes = key
                .open(onething_server::crypto::FILE_LABEL, &sealed)
                .expect("the stored file opens");
            return Stored::Complete { bytes, sha256 };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("upload {id} has neither a partial file nor a stored blob");
}

/// The check run on every offset a `HEAD` reports: the bytes below it are on disk and are the
/// original's.
fn offset_check(data_dir: &Path, original: &[u8]) -> impl FnMut(&str, u64) {
    let data_dir = data_dir.to_path_buf();
    let original = original.to_vec();
    move |id, offset| {
        let offset = usize::try_from(offset).expect("offset fits");
        assert!(offset <= original.len(), "offset {offset} past the length");
        if let Ok(b) = std::fs::read(data_dir.join("files/partial").join(id)) {
            // Encrypted at rest: through the upload's key (the tests run multi-threaded).
            let cipher = tokio::task::block_in_place(|| {
                tokio::runtime::Handle::current().block_on(live::upload_cipher(&data_dir, id))
            })
            .expect("upload key");
            let b = cipher.open(b, true);
            assert!(
                b.len() >= offset,
                "HEAD reported {offset} but only {} bytes are stored",
                b.len()
            );
            assert!(
                b[..offset] == original[..offset],
                "stored bytes below the offset differ from the original"
            );
        } else {
            assert_eq!(offset, original.len(), "no partial file before completion");
        }
    }
}

/// The upload is complete and its stored file is byte-identical to the original, whose
/// SHA-256 is `want` (computed once per original: hashing is slow in a debug build).
async fn assert_identical(server: &LiveServer, id: &str, want: &str) {
    match stored(server, id).await {
        Stored::Complete { bytes, sha256 } => {
            assert_eq!(sha256_hex(&bytes), want, "stored file differs");
            assert_eq!(sha256, want, "recorded SHA-256 differs");
        }
        Stored::Partial(b) => panic!("upload {id} not complete: {} bytes stored", b.len()),
    }
}

/// The raw tus client through the fault proxy: one request per connection, so each fault the
/// proxy is given lands on a known request, and a reset or stall is seen as such.
fn client(l: &Live, token: &str, chunk: usize, timeout: Duration) -> TusClient {
    TusClient {
        addr: l.proxy.addr,
        token: token.to_owned(),
        chunk,
        timeout,
        max_requests: 200,
    }
}

/// Request header bytes of a PATCH, roughly: cuts are drawn over headers and body.
const HEAD_BYTES: u64 = 260;

fn random_fault(rng: &mut Rng, request_bytes: u64) -> (Fault, &'static str) {
    let at = rng.below(request_bytes);
    match rng.below(3) {
        0 => (Fault::CloseAfter(at), "close"),
        1 => (Fault::ResetAfter(at), "reset"),
        _ => (Fault::StallAfter(at, Duration::from_secs(3)), "stall"),
    }
}

/// Sends `payload` through `addr` and reads what comes back until `wait` passes in silence,
/// the connection ends, or everything is echoed: (bytes back, how it ended, time taken).
async fn exchange(
    addr: std::net::SocketAddr,
    payload: &[u8],
    wait: Duration,
) -> (Vec<u8>, std::io::Result<()>, Duration) {
    let start = Instant::now();
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let _ = s.write_all(payload).await;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        match tokio::time::timeout(wait, s.read(&mut buf)).await {
            Err(_) | Ok(Ok(0)) => break Ok(()),
            Ok(Ok(n)) => {
                got.extend_from_slice(&buf[..n]);
                if got.len() == payload.len() {
                    break Ok(());
                }
            }
            Ok(Err(e)) => break Err(e),
        }
    };
    (got, end, start.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_proxy_injects_each_fault() {
    // An echo server as upstream makes each fault's effect exact.
    let echo = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let upstream = echo.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = echo.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = s.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    let proxy = FaultProxy::start(upstream).await;
    let payload = vec![7u8; 64 * KIB];

    let (got, _, _) = exchange(proxy.addr, &payload, Duration::from_secs(2)).await;
    assert_eq!(got.len(), payload.len(), "no fault: everything echoed");

    proxy.push(Plan {
        latency: Duration::from_millis(150),
        ..Plan::default()
    });
    let (got, _, took) = exchange(proxy.addr, b"ping", Duration::from_secs(2)).await;
    assert_eq!(got, b"ping");
    assert!(
        took >= Duration::from_millis(300),
        "latency each way: {took:?}"
    );

    proxy.push(Plan {
        bandwidth: Some(256 * 1024),
        ..Plan::default()
    });
    let (got, _, took) = exchange(proxy.addr, &payload, Duration::from_secs(3)).await;
    assert_eq!(got.len(), payload.len());
    // The two directions overlap: at least the time 64 KiB takes at 256 KiB/s.
    assert!(
        took >= Duration::from_millis(230),
        "64 KiB at 256 KiB/s: {took:?}"
    );

    proxy.push(Plan::fault(Fault::CloseAfter(1000)));
    let (got, end, _) = exchange(proxy.addr, &payload, Duration::from_secs(2)).await;
    assert!(
        got.len() <= 1000,
        "at most the bytes before the cut: {}",
        got.len()
    );
    assert!(end.is_ok(), "closed, not reset");

    proxy.push(Plan::fault(Fault::ResetAfter(1000)));
    let (_, end, _) = exchange(proxy.addr, &payload, Duration::from_secs(2)).await;
    assert_eq!(
        end.expect_err("reset").kind(),
        std::io::ErrorKind::ConnectionReset
    );

    proxy.push(Plan::fault(Fault::StallAfter(1000, Duration::from_secs(5))));
    let (got, end, took) = exchange(proxy.addr, &payload, Duration::from_millis(700)).await;
    assert!(got.len() <= 1000 && end.is_ok() && took >= Duration::from_millis(700));

    proxy.push(Plan::fault(Fault::DropResponses));
    let (got, _, _) = exchange(proxy.addr, &payload, Duration::from_millis(500)).await;
    assert!(got.is_empty(), "the server's bytes never arrive");
    assert_eq!(proxy.faults(), 4);
}

/// Uploads of 1 KiB, 1 MiB and 20 MiB, each cut at a random byte (close, reset or stall) and
/// resumed by the tus client until complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploads_cut_at_random_bytes_resume_byte_identical() {
    let per_size = env_count("ONETHING_SOAK_UPLOADS", 1);
    let l = live(&["--upload-idle-timeout", "1"]).await;
    let (_, token) = l.server.sign_in().await;
    let mut rng = Rng(seed());
    let (mut cut, mut identical, mut resumes) = (0u64, 0u64, 0u64);
    let mut kinds = std::collections::BTreeMap::<&str, u64>::new();
    let start = Instant::now();
    for size in [KIB, MIB, 20 * MIB] {
        // One original per size: hashing 20 MiB per run would dominate a debug build.
        let original = pdf(size, &mut rng);
        let want = sha256_hex(&original);
        // A quarter as many of the large ones: each moves 20 MiB (and more on retries).
        let runs = if size > MIB {
            per_size.div_ceil(4)
        } else {
            per_size
        };
        // The client gives up on a stalled request after this long; a 20 MiB PATCH needs more.
        let timeout = Duration::from_millis(if size > MIB { 3000 } else { 1000 });
        for _ in 0..runs {
            // A PATCH carries up to 8 MiB: a 20 MiB file takes several, with commits inside.
            let chunk = if size > 8 * MIB { 8 * MIB } else { size };
            let c = client(&l, &token, chunk, timeout);
            let mut run = UploadRun::default();
            let id = c.create(size, &mut run).await.expect("created");
            // One to three faults on the next PATCH requests.
            for _ in 0..=rng.below(3) {
                let (fault, kind) = random_fault(&mut rng, HEAD_BYTES + chunk as u64);
                *kinds.entry(kind).or_default() += 1;
                l.proxy.push(Plan::fault(fault));
            }
            cut += 1;
            let run = c
                .resume(
                    &id,
                    &original,
                    0,
                    run,
                    offset_check(&l.server.data, &original),
                )
                .await
                .unwrap_or_else(|e| panic!("{size} bytes: {e}"));
            l.proxy.clear();
            resumes += u64::from(run.resumes);
            assert_identical(&l.server, &id, &want).await;
            identical += 1;
        }
    }
    println!(
        "figure: uploads: {cut} cut / {identical} byte-identical ({resumes} resumes; faults {kinds:?}; {:.1} s)",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(cut, identical);
}

/// The server commits a chunk but its answer is lost: the client's retry of the same chunk at
/// the old offset is refused (409) and writes nothing; the HEAD offset is the committed one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_response_after_a_committed_chunk_never_duplicates_bytes() {
    let setup = live(&[]).await;
    let (_, token) = setup.server.sign_in().await;
    let original = pdf(MIB, &mut Rng(seed() + 1));
    let tus = client(&setup, &token, MIB / 2, Duration::from_secs(3));
    let mut run = UploadRun::default();
    let id = tus.create(original.len(), &mut run).await.expect("created");
    setup.proxy.push(Plan::fault(Fault::DropResponses));
    let half = &original[..MIB / 2];
    assert_eq!(
        tus.patch(&id, 0, half, &mut run).await.expect("no refusal"),
        None,
        "the answer is lost"
    );
    assert_eq!(run.transport_failures, 1);
    let offset = tus.head(&id, &mut run).await.expect("head");
    assert_eq!(offset, (MIB / 2) as u64, "the chunk was committed");
    // A naive client sends the same chunk again at 0: refused, nothing appended.
    let headers = vec![
        ("tus-resumable", "1.0.0".to_owned()),
        ("authorization", format!("Bearer {token}")),
        ("upload-offset", "0".to_owned()),
        ("content-type", "application/offset+octet-stream".to_owned()),
    ];
    // The server refuses from the headers, before reading the half MiB, and closes the
    // connection: the client may see the 409 or, when the close resets the connection while it
    // is still sending, a reset (a real client then asks HEAD). Either way nothing is appended.
    match live::request(
        setup.proxy.addr,
        "PATCH",
        &format!("/api/uploads/{id}"),
        &headers,
        half,
        Duration::from_secs(3),
    )
    .await
    {
        Ok(r) => {
            assert_eq!(
                (r.status, r.code().as_str()),
                (409, "upload_offset_mismatch")
            );
            assert_eq!(r.header("upload-offset"), Some("524288"));
        }
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            ),
            "refused early, so only a reset may hide the answer: {e}"
        ),
    }
    assert_eq!(
        tus.head(&id, &mut run).await.expect("head"),
        (MIB / 2) as u64,
        "the refused chunk moved nothing"
    );
    match stored(&setup.server, &id).await {
        Stored::Partial(b) => assert_eq!(b, half, "exactly the committed bytes"),
        Stored::Complete { .. } => panic!("not complete yet"),
    }
    let run = tus
        .resume(
            &id,
            &original,
            offset,
            run,
            offset_check(&setup.server.data, &original),
        )
        .await
        .expect("resumed");
    assert_eq!(run.id, id);
    assert_identical(&setup.server, &id, &sha256_hex(&original)).await;
}

/// SIGKILL during a 20 MiB upload (at a random moment, bandwidth-capped so it is mid-body),
/// restart on the same data directory, resume: byte-identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_upload_and_restarted_completes_byte_identical() {
    let kills = env_count("ONETHING_SOAK_KILLS", 1);
    let mut l = live(&[]).await;
    let (_, token) = l.server.sign_in().await;
    let mut rng = Rng(seed() + 2);
    let original = pdf(20 * MIB, &mut rng);
    let want = sha256_hex(&original);
    let mut identical = 0;
    let start = Instant::now();
    for _ in 0..kills {
        let c = TusClient {
            addr: l.proxy.addr,
            token: token.clone(),
            chunk: 20 * MIB,
            timeout: Duration::from_secs(10),
            max_requests: 50,
        };
        // 16 MiB/s: the whole file takes over a second, the kill lands inside the body.
        l.proxy.set_default(Plan {
            bandwidth: Some(16 * MIB as u64),
            ..Plan::default()
        });
        let mut run = UploadRun::default();
        let id = c.create(original.len(), &mut run).await.expect("created");
        let kill_after = Duration::from_millis(200 + rng.below(900));
        let (res, ()) = tokio::join!(c.patch(&id, 0, &original, &mut run), async {
            tokio::time::sleep(kill_after).await;
            l.server.restart().await;
            l.proxy.set_upstream(l.server.addr);
        });
        assert_eq!(
            res.expect("no refusal"),
            None,
            "the PATCH died with the server"
        );
        l.proxy.set_default(Plan::default());
        let offset = c.head(&id, &mut run).await.expect("head after restart");
        offset_check(&l.server.data, &original)(&id, offset);
        c.resume(
            &id,
            &original,
            offset,
            run,
            offset_check(&l.server.data, &original),
        )
        .await
        .expect("resumed after restart");
        assert_identical(&l.server, &id, &want).await;
        identical += 1;
    }
    println!(
        "figure: server kills mid-upload: {kills} killed / {identical} byte-identical ({:.1} s)",
        start.elapsed().as_secs_f64()
    );
}

/// Regression: a PATCH whose connection stalls held the upload's lock until the request
/// timeout (10 minutes for uploads), so the client's resume on a new connection got 423 for
/// that long. The server now stops reading a body that sends nothing for
/// `--upload-idle-timeout` and keeps what arrived.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stalled_patch_frees_the_upload_for_a_resume() {
    let l = live(&["--upload-idle-timeout", "1"]).await;
    let (_, token) = l.server.sign_in().await;
    let original = pdf(MIB, &mut Rng(seed() + 3));
    let c = client(&l, &token, MIB, Duration::from_secs(2));
    let mut run = UploadRun::default();
    let id = c.create(original.len(), &mut run).await.expect("created");
    // Stalls after 100 KiB and holds the connection for a minute.
    l.proxy.push(Plan::fault(Fault::StallAfter(
        100 * 1024,
        Duration::from_mins(1),
    )));
    let start = Instant::now();
    let run = c
        .resume(
            &id,
            &original,
            0,
            run,
            offset_check(&l.server.data, &original),
        )
        .await
        .expect("resumed");
    // Either the client gave up on the stalled request or the server answered 408: a resume.
    assert!(run.resumes >= 1, "{run:?}");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "resumed in {:?}",
        start.elapsed()
    );
    assert_identical(&l.server, &id, &sha256_hex(&original)).await;
}

/// Killed after appending the tag to a completed upload's file (it becomes the stored file
/// with its tag) but before recording it: the next completion does not take the tag for the
/// file's bytes, and the stored file is the photo.
#[tokio::test]
async fn a_completion_cut_after_its_tag_was_appended_completes_again() {
    let ctx = common::ctx().await;
    let token = common::login(&ctx.state).await;
    // Nothing to remove: kept as it came, so stored in the file it arrived in.
    let (_, bytes, _) =
        onething_server::media::process(common::jpeg(4, 3), u64::MAX).expect("valid");
    let id = common::create_upload(&ctx.state, &token, bytes.len()).await;
    common::write_partial_plain(&ctx.state, &id, &bytes).await;
    if ctx.state.blobs.local_dir().is_some() {
        use std::io::Write as _;
        std::fs::OpenOptions::new()
            .append(true)
            .open(ctx.state.partial_path(&id))
            .and_then(|mut f| f.write_all(&[0xA5; 16]))
            .expect("a tag appended");
    }
    let info = completed_by_head(&ctx.state, &id, &token, bytes.len()).await;
    assert_eq!(info["complete"], true, "{info}");
    assert_eq!(common::stored_plain(&ctx.state, &id).await, bytes);
}

/// What a kill between committing an upload's last byte (all `len` bytes synced and counted)
/// and its completion leaves, then the `HEAD` a client sends on resuming: it must report every
/// byte. Returns the upload's `GET` answer after it.
async fn completed_by_head(
    state: &onething_server::AppState,
    id: &str,
    token: &str,
    len: usize,
) -> serde_json::Value {
    sqlx::query("UPDATE uploads SET upload_offset = upload_length WHERE id = $1")
        .bind(id)
        .execute(&state.db)
        .await
        .expect("update");
    let (status, offset) = common::head_offset(state, id, token).await;
    assert_eq!((status, offset), (StatusCode::OK, Some(len as u64)));
    let r = common::get(state, &format!("/api/uploads/{id}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

/// Regression: the server killed after committing an upload's last byte but before checking
/// and storing the file left it `partial` at offset = length forever: `HEAD` said "all bytes
/// here", so a tus client never sent another PATCH, and the upload could not be used.
#[tokio::test]
async fn head_after_a_crash_between_the_last_byte_and_completion_completes_the_upload() {
    let ctx = common::ctx().await;
    let token = common::login(&ctx.state).await;
    let bytes = common::jpeg(4, 3);
    let id = common::create_upload(&ctx.state, &token, bytes.len()).await;
    // The state a kill between `advance` and `finalize` leaves: all bytes synced and counted.
    common::write_partial_plain(&ctx.state, &id, &bytes).await;
    let info = completed_by_head(&ctx.state, &id, &token, bytes.len()).await;
    assert_eq!(info["complete"], true, "{info}");
    assert_eq!(info["content_type"], "image/jpeg");
    // And an application can use it.
    let r = common::submit(&ctx.state, &token, "k-crash", &common::application(&id)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

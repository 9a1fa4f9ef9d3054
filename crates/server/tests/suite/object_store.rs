//! Uploaded files through the store interface, whichever store is configured: the local
//! directory (the default), or S3-compatible object storage when `ONETHING_OBJECT_STORE` is set
//! (`cargo xtask s3` and `cargo xtask test` run these against moto). What is asserted is read
//! through `state.blobs`, never from a disk path: an upload resumed after an interruption, a
//! refused chunk and bytes left past the offset by a kill, its completion (cleaned, sealed,
//! its pieces gone), a department's download, the deletion of its file by retention, and the
//! sweep of orphaned objects.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use onething_core::api::{ApplicationCreated, UploadInfo};
use onething_server::maintenance::{self, ORPHAN_GRACE};
use onething_server::media;
use serde_json::json;
use sha2::Digest as _;

use crate::common::{
    self, ADMIN, Ctx, admin_move, application, create_upload, ctx, ctx_with, head_offset, jpeg,
    login, patch, req, send, submit, upload,
};

const MIB: usize = 1024 * 1024;

/// A valid JPEG of about `size` bytes: [`jpeg`] with its scan data grown (bytes that are never
/// `0xFF`, so the scan stays one scan), distinct at every position.
fn big_jpeg(size: usize) -> Vec<u8> {
    let mut b = jpeg(640, 480);
    let eoi = b.len() - 2;
    let extra = size.saturating_sub(b.len());
    let filler = (0..extra).map(|i| u8::try_from((i * 7 + i / 251) % 251).expect("byte"));
    b.splice(eoi..eoi, filler);
    b
}

/// A body that sends `bytes` in 64 KiB frames, then breaks (the connection cut).
fn cut_body(bytes: &[u8]) -> Body {
    let mut parts: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    parts.push(Err(std::io::Error::other("connection reset")));
    Body::from_stream(futures_util::stream::iter(parts))
}

/// Keys in the store under `prefix`, with their sizes, sorted.
async fn listed(c: &Ctx, prefix: &str) -> Vec<(String, u64)> {
    let mut out: Vec<_> = c
        .state
        .blobs
        .list(prefix)
        .await
        .expect("list")
        .into_iter()
        .map(|l| (l.key, l.size))
        .collect();
    out.sort();
    out
}

/// Bytes that arrived of upload `id` and are kept, as the store holds them (a local file
/// holds the nonce of the stored file before them).
async fn arrived(c: &Ctx, id: &str) -> u64 {
    let held: u64 = listed(c, "partial/")
        .await
        .into_iter()
        .filter(|(k, _)| k.split('/').nth(1) == Some(id))
        .map(|(_, n)| n)
        .sum();
    if c.state.blobs.local_dir().is_some() {
        held.saturating_sub(onething_server::crypto::NONCE_LEN as u64)
    } else {
        held
    }
}

/// Leaves `garbage` past the durable offset `at` of upload `id`, as a kill between storing
/// bytes and raising the offset does: appended to its partial file, or (object storage) as a
/// piece at `at` and one a little past it.
async fn leave_uncommitted(c: &Ctx, id: &str, at: u64, garbage: &[u8]) {
    if c.state.blobs.local_dir().is_some() {
        use std::io::Write as _;
        std::fs::OpenOptions::new()
            .append(true)
            .open(c.state.partial_path(id))
            .and_then(|mut f| f.write_all(garbage))
            .expect("append");
    } else {
        for offset in [at, at + 1000] {
            let key = onething_server::state::piece_key(id, offset);
            c.state
                .blobs
                .put(&key, garbage.to_vec())
                .await
                .expect("put");
        }
    }
}

async fn blob_name(c: &Ctx, id: &str) -> String {
    sqlx::query_scalar("SELECT blob_name FROM uploads WHERE id = $1")
        .bind(id)
        .fetch_one(&c.state.db)
        .await
        .expect("blob name")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_upload_resumes_and_completes_whole_with_nothing_left_behind() {
    let c = ctx().await;
    assert_eq!(
        c.state.blobs.local_dir().is_none(),
        std::env::var_os("ONETHING_OBJECT_STORE").is_some(),
        "the store the environment names"
    );
    let token = login(&c.state).await;
    // Over two commit stretches (4 MiB each), so object storage holds several pieces.
    let file = big_jpeg(9 * MIB);
    let id = create_upload(&c.state, &token, file.len()).await;

    // The connection breaks after 4.5 MiB: everything that arrived is kept.
    let first = 4 * MIB + MIB / 2;
    let r = send(&c.state, patch(&id, &token, 0, cut_body(&file[..first]))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    assert_eq!(
        head_offset(&c.state, &id, &token).await,
        (StatusCode::OK, Some(first as u64))
    );
    assert_eq!(arrived(&c, &id).await, first as u64);

    // A wrong offset writes nothing.
    let r = send(
        &c.state,
        patch(&id, &token, 0, Body::from(file[..MIB].to_vec())),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");

    // The rest with a checksum that does not match: discarded whole, also the stretch that a
    // store had already taken.
    let rest = &file[first..];
    let mut wrong = patch(&id, &token, first, Body::from(rest.to_vec()));
    wrong.headers_mut().insert(
        "upload-checksum",
        format!("sha256 {}", STANDARD.encode([0u8; 32]))
            .parse()
            .expect("header"),
    );
    let r = send(&c.state, wrong).await;
    assert_eq!(r.status.as_u16(), 460, "{r:?}");
    assert_eq!(
        head_offset(&c.state, &id, &token).await.1,
        Some(first as u64)
    );
    assert_eq!(arrived(&c, &id).await, first as u64, "nothing of it kept");

    // What a kill between storing bytes and raising the offset leaves: bytes past the durable
    // offset. They are never reported, and never end up in the file.
    leave_uncommitted(&c, &id, first as u64, &[0xEE; 5000]).await;
    assert_eq!(
        head_offset(&c.state, &id, &token).await.1,
        Some(first as u64)
    );

    // The rest again, right: the upload completes.
    let mut right = patch(&id, &token, first, Body::from(rest.to_vec()));
    right.headers_mut().insert(
        "upload-checksum",
        format!("sha256 {}", STANDARD.encode(sha2::Sha256::digest(rest)))
            .parse()
            .expect("header"),
    );
    let r = send(&c.state, right).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let info: UploadInfo = common::get(&c.state, &format!("/api/uploads/{id}"), Some(&token))
        .await
        .json();
    assert!(info.complete, "{info:?}");
    assert_eq!(info.content_type.as_deref(), Some("image/jpeg"));

    // Stored once, cleaned, sealed; what arrived is gone.
    let name = blob_name(&c, &id).await;
    let blobs = listed(&c, "blobs/").await;
    assert_eq!(
        blobs.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        [format!("blobs/{name}")]
    );
    assert_eq!(arrived(&c, &id).await, 0, "the pieces are deleted");
    let plain = common::stored_plain(&c.state, &id).await;
    let (_, cleaned, _) = media::process(file.clone(), u64::MAX).expect("valid");
    assert!(
        plain == cleaned,
        "the stored file is the uploaded one, cleaned"
    );
    assert!(
        !plain.windows(6).any(|w| w == b"secret"),
        "metadata removed"
    );
    let sealed = c
        .state
        .blobs
        .get(&format!("blobs/{name}"))
        .await
        .expect("get");
    assert!(
        !sealed
            .windows(4096)
            .any(|w| w == &cleaned[cleaned.len() / 2..][..4096]),
        "sealed at rest: the store never sees the plain file"
    );
}

/// A department token of 公安局 (the `household` sub-item of `test-bundle`).
async fn police(c: &Ctx) -> String {
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/admin/departments/tokens",
            Some(ADMIN),
            Some(json!({ "department": "公安局", "label": "desk 1" })),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{r:?}");
    r.json::<serde_json::Value>()["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

async fn download(c: &Ctx, token: &str, case: &str, id: &str) -> common::Resp {
    common::get(
        &c.state,
        &format!("/api/department/cases/{case}/items/household/files/{id}"),
        Some(token),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_downloads_the_stored_file_and_retention_deletes_it() {
    let c = ctx_with(|config| config.retention_days = 30).await;
    c.state
        .clock
        .set(onething_server::clock::parse_instant("2031-03-03T02:00:00Z").expect("instant"));
    let token = login(&c.state).await;
    let file = big_jpeg(300 * 1024);
    let id = upload(&c.state, &token, &file).await;
    let r = submit(&c.state, &token, "k1", &application(&id)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    let dept = police(&c).await;

    let r = download(&c, &dept, &created.id, &id).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let (_, cleaned, _) = media::process(file, u64::MAX).expect("valid");
    assert!(r.body == cleaned, "byte-identical to the cleaned upload");
    let name = blob_name(&c, &id).await;
    assert_eq!(listed(&c, "blobs/").await.len(), 1);

    // The case finishes; past the retention period its file is deleted with its data.
    for sub in ["birth", "household", "insurance"] {
        let r = admin_move(
            &c.state,
            &created.case_number,
            sub,
            json!({ "to": "rejected", "note": "材料不符" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    c.state.clock.advance(Duration::from_hours(31 * 24));
    let swept = maintenance::sweep(&c.state).await.expect("sweep");
    assert_eq!(swept.cases, 1);
    assert!(listed(&c, "blobs/").await.is_empty(), "{name} deleted");
    let err = c
        .state
        .blobs
        .get(&format!("blobs/{name}"))
        .await
        .expect_err("gone");
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    let r = download(&c, &dept, &created.id, &id).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::GONE, "personal_data_deleted"),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orphaned_objects_are_swept_and_owned_ones_are_kept() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let done = upload(&c.state, &token, &jpeg(20, 20)).await;
    let arriving = create_upload(&c.state, &token, 1000).await;
    let r = send(
        &c.state,
        patch(&arriving, &token, 0, Body::from(vec![0xFF; 100])),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let owned_blob = format!("blobs/{}", blob_name(&c, &done).await);
    // What a kill leaves: a stored file never recorded, pieces of an upload without its row, a
    // piece of an upload that completed (its deletion failed after the row said so).
    let orphans = [
        "blobs/0123456789abcdef.jpg".to_owned(),
        "partial/fedcba9876543210/00000000000000000000".to_owned(),
        format!("partial/{done}/00000000000000000000"),
    ];
    for key in &orphans {
        c.state
            .blobs
            .put(key, b"left by a kill".to_vec())
            .await
            .expect("put");
    }
    // Young: kept.
    assert_eq!(
        maintenance::sweep_orphans(&c.state, ORPHAN_GRACE)
            .await
            .expect("sweep"),
        0
    );
    // Old enough (no grace at all, past the second the store's clock counts in): swept.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        maintenance::sweep_orphans(&c.state, Duration::ZERO)
            .await
            .expect("sweep"),
        3
    );
    let blobs = listed(&c, "blobs/").await;
    assert_eq!(
        blobs.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        [owned_blob.as_str()]
    );
    assert_eq!(arrived(&c, "fedcba9876543210").await, 0);
    assert_eq!(
        arrived(&c, &done).await,
        0,
        "a completed upload's leftover piece is swept"
    );
    assert_eq!(
        arrived(&c, &arriving).await,
        100,
        "an upload's own bytes stay"
    );
    // And the upload still completes after the sweep.
    assert_eq!(head_offset(&c.state, &arriving, &token).await.1, Some(100));
}

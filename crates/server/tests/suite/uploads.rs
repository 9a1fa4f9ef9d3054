//! tus 1.0 route tests: the core protocol and every extension we advertise, durability of
//! offsets, concurrency, and the checks on completed files.

use std::time::Duration;

use crate::common::{
    create_upload, ctx, ctx_with, head_offset, jpeg, login, patch, send, tus, upload,
};
use axum::body::{Body, Bytes};
use axum::http::{Method, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use onething_core::api::UploadInfo;
use sha1::Digest as _;

fn stream_body(parts: Vec<Result<Vec<u8>, std::io::Error>>, pause: Duration) -> Body {
    let s = futures_util::stream::iter(parts).then(move |p| async move {
        tokio::time::sleep(pause).await;
        p.map(Bytes::from)
    });
    Body::from_stream(s)
}

use crate::common;
use futures_util::StreamExt as _;

#[tokio::test]
async fn options_advertises_version_extensions_and_limits() {
    let c = ctx().await;
    let r = send(
        &c.state,
        axum::http::Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/uploads/")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.header("tus-version").as_deref(), Some("1.0.0"));
    assert_eq!(r.header("tus-resumable").as_deref(), Some("1.0.0"));
    let ext = r.header("tus-extension").expect("extensions");
    for e in [
        "creation",
        "creation-with-upload",
        "termination",
        "expiration",
        "checksum",
    ] {
        assert!(ext.split(',').any(|x| x == e), "{e}");
    }
    assert_eq!(
        r.header("tus-checksum-algorithm").as_deref(),
        Some("sha1,sha256")
    );
    assert_eq!(r.header("tus-max-size").as_deref(), Some("26214400"));
}

#[tokio::test]
async fn an_upload_in_chunks_completes_and_is_stored_clean() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let file = jpeg(640, 480);
    let id = create_upload(&c.state, &token, file.len()).await;

    let head = send(
        &c.state,
        tus(Method::HEAD, &format!("/api/uploads/{id}"), &token)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.header("upload-offset").as_deref(), Some("0"));
    assert_eq!(head.header("upload-length"), Some(file.len().to_string()));
    assert_eq!(head.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        head.header("upload-metadata").as_deref(),
        Some("filename aWQuanBn,filetype aW1hZ2UvanBlZw==")
    );
    assert!(head.header("upload-expires").is_some());

    let (a, b) = file.split_at(50);
    let r = send(&c.state, patch(&id, &token, 0, Body::from(a.to_vec()))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.header("upload-offset").as_deref(), Some("50"));
    assert_eq!(r.header("tus-resumable").as_deref(), Some("1.0.0"));
    let r = send(&c.state, patch(&id, &token, 50, Body::from(b.to_vec()))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    assert_eq!(r.header("upload-offset"), Some(file.len().to_string()));

    let info: UploadInfo = common::get(&c.state, &format!("/api/uploads/{id}"), Some(&token))
        .await
        .json();
    assert!(info.complete);
    assert_eq!(info.content_type.as_deref(), Some("image/jpeg"));

    // Stored under a server-generated name, without the EXIF/GPS block or the comment.
    let blobs: Vec<_> = std::fs::read_dir(c.data.path().join("files/blobs"))
        .expect("blobs dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(blobs.len(), 1);
    let name = blobs[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        std::path::Path::new(&name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jpg")),
        "{name}"
    );
    assert!(
        !name.contains(&id),
        "a name of the server's own, not the upload id"
    );
    let stored = common::blob_plain(&c.state, &id, &blobs[0]).await;
    let has = |needle: &[u8]| stored.windows(needle.len()).any(|w| w == needle);
    assert!(!has(b"secret-location") && !has(b"secret-comment"));
    assert!(has(b"JFIF"));
    assert!(
        !c.data.path().join("files/partial").join(&id).exists(),
        "the partial file is gone"
    );
}

/// The SPA's photos (re-encoded: nothing to remove) arrive written with their stored file's
/// keystream, so completion stores the very file they arrived in, its tag appended: no second
/// copy is written.
#[tokio::test]
async fn a_photo_with_nothing_to_remove_is_stored_in_the_file_it_arrived_in() {
    use std::os::unix::fs::MetadataExt as _;
    let c = ctx().await;
    let token = login(&c.state).await;
    let (_, file, _) =
        onething_server::media::process(jpeg(640, 480), u64::MAX).expect("a valid photo");
    let id = create_upload(&c.state, &token, file.len()).await;
    let (a, b) = file.split_at(100);
    let r = send(&c.state, patch(&id, &token, 0, Body::from(a.to_vec()))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let partial = c.data.path().join("files/partial").join(&id);
    let arrived_in = std::fs::metadata(&partial).expect("partial file").ino();
    let r = send(&c.state, patch(&id, &token, 100, Body::from(b.to_vec()))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");

    let info: UploadInfo = common::get(&c.state, &format!("/api/uploads/{id}"), Some(&token))
        .await
        .json();
    assert!(info.complete, "{info:?}");
    let blobs: Vec<_> = std::fs::read_dir(c.data.path().join("files/blobs"))
        .expect("blobs dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(blobs.len(), 1);
    assert_eq!(
        std::fs::metadata(&blobs[0]).expect("blob").ino(),
        arrived_in,
        "the file it arrived in, not a copy"
    );
    assert!(!partial.exists(), "no longer under its arriving name");
    assert_eq!(common::blob_plain(&c.state, &id, &blobs[0]).await, file);
    let sha: String = sqlx::query_scalar("SELECT sha256 FROM uploads WHERE id = $1")
        .bind(&id)
        .fetch_one(&c.state.db)
        .await
        .expect("row");
    assert_eq!(
        sha,
        common::live::sha256_hex(&file),
        "the digest of the plain file"
    );
}

/// An upload begun before its bytes were written with the stored file's keystream (its row has
/// no nonce) resumes in its own format, under the older stream key, and completes.
#[tokio::test]
async fn an_upload_begun_in_the_older_format_resumes_and_completes_in_it() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let file = jpeg(640, 480);
    let id = create_upload(&c.state, &token, file.len()).await;
    sqlx::query("UPDATE uploads SET file_nonce = NULL WHERE id = $1")
        .bind(&id)
        .execute(&c.state.db)
        .await
        .expect("update");
    let (a, b) = file.split_at(100);
    let r = send(&c.state, patch(&id, &token, 0, Body::from(a.to_vec()))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // The older stream key at their offsets, without a nonce before them (in a local file or
    // in object storage's pieces).
    assert_eq!(common::partial_plain(&c.state, &id).await, a);

    let r = send(&c.state, patch(&id, &token, 100, Body::from(b.to_vec()))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let info: UploadInfo = common::get(&c.state, &format!("/api/uploads/{id}"), Some(&token))
        .await
        .json();
    assert!(info.complete, "{info:?}");
    let (_, cleaned, _) = onething_server::media::process(file, u64::MAX).expect("valid");
    assert_eq!(common::stored_plain(&c.state, &id).await, cleaned);
}

#[tokio::test]
async fn creation_with_upload_sends_the_first_bytes_with_the_post() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let file = jpeg(10, 10);
    let r = send(
        &c.state,
        tus(Method::POST, "/api/uploads", &token)
            .header("upload-length", file.len().to_string())
            .header(header::CONTENT_TYPE, "application/offset+octet-stream")
            .body(Body::from(file[..20].to_vec()))
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.header("upload-offset").as_deref(), Some("20"));
    let location = r.header("location").expect("Location");
    assert!(location.starts_with("/api/uploads/"));
    let id = location.rsplit('/').next().expect("id");
    assert_eq!(head_offset(&c.state, id, &token).await.1, Some(20));
}

#[tokio::test]
async fn tus_resumable_is_required_and_412_names_the_supported_version() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let r = send(
        &c.state,
        axum::http::Request::post("/api/uploads/")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("upload-length", "10")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(r.code(), "tus_version_unsupported");
    assert_eq!(r.header("tus-version").as_deref(), Some("1.0.0"));
}

#[tokio::test]
async fn bad_creation_headers_are_refused() {
    let c = ctx_with(|cfg| cfg.max_upload_bytes = 1000).await;
    let token = login(&c.state).await;
    let post = |len: &str, meta: &str| {
        tus(Method::POST, "/api/uploads/", &token)
            .header("upload-length", len)
            .header("upload-metadata", meta)
            .body(Body::empty())
            .expect("request")
    };
    let r = send(&c.state, post("1001", "")).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "upload_too_large")
    );
    let r = send(&c.state, post("-1", "")).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "tus_header_invalid")
    );
    let r = send(&c.state, post("10", "filename not*base64")).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "tus_header_invalid")
    );
    let r = send(
        &c.state,
        tus(Method::POST, "/api/uploads/", &token)
            .header("upload-defer-length", "1")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_patch_at_the_wrong_offset_changes_nothing() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let file = jpeg(10, 10);
    let id = create_upload(&c.state, &token, file.len()).await;
    send(
        &c.state,
        patch(&id, &token, 0, Body::from(file[..30].to_vec())),
    )
    .await;

    for wrong in [0, 10, 31, 500] {
        let r = send(
            &c.state,
            patch(&id, &token, wrong, Body::from(vec![0xAB; 5])),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "offset {wrong}");
        assert_eq!(r.code(), "upload_offset_mismatch");
        assert_eq!(r.header("upload-offset").as_deref(), Some("30"));
    }
    assert_eq!(head_offset(&c.state, &id, &token).await.1, Some(30));
    let partial = common::partial_plain(&c.state, &id).await;
    assert_eq!(partial, file[..30], "the bytes on disk are untouched");
}

#[tokio::test]
async fn a_patch_cut_mid_body_keeps_the_bytes_received_and_reports_them() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let file = jpeg(10, 10);
    let id = create_upload(&c.state, &token, file.len()).await;
    let body = stream_body(
        vec![
            Ok(file[..25].to_vec()),
            Ok(file[25..40].to_vec()),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "client went away",
            )),
        ],
        Duration::ZERO,
    );
    let r = send(&c.state, patch(&id, &token, 0, body)).await;
    assert!(r.status.is_client_error(), "{r:?}");
    assert_eq!(head_offset(&c.state, &id, &token).await.1, Some(40));
    // The client resumes where the server says and finishes.
    let r = send(
        &c.state,
        patch(&id, &token, 40, Body::from(file[40..].to_vec())),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let info: UploadInfo = common::get(&c.state, &format!("/api/uploads/{id}"), Some(&token))
        .await
        .json();
    assert!(info.complete);
}

#[tokio::test]
async fn bytes_past_the_durable_offset_are_never_reported_and_get_overwritten() {
    // As after a crash between the write and the offset update: the file holds more bytes than
    // the stored offset says. HEAD reports the stored offset; the next PATCH replaces the tail.
    let c = ctx().await;
    let token = login(&c.state).await;
    let file = jpeg(10, 10);
    let id = create_upload(&c.state, &token, file.len()).await;
    send(
        &c.state,
        patch(&id, &token, 0, Body::from(file[..20].to_vec())),
    )
    .await;
    let path = c.data.path().join("files/partial").join(&id);
    let mut garbage = std::fs::read(&path).expect("the 20 bytes, as stored");
    garbage.extend_from_slice(&[0xEE; 30]);
    std::fs::write(&path, &garbage).expect("simulate an unacknowledged tail");
    assert_eq!(head_offset(&c.state, &id, &token).await.1, Some(20));
    let r = send(
        &c.state,
        patch(&id, &token, 20, Body::from(file[20..].to_vec())),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let info: UploadInfo = common::get(&c.state, &format!("/api/uploads/{id}"), Some(&token))
        .await
        .json();
    assert!(info.complete, "the garbage tail did not corrupt the file");
}

#[tokio::test]
async fn concurrent_patches_on_one_upload_are_serialized() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let file = jpeg(10, 10);
    let id = create_upload(&c.state, &token, file.len()).await;
    let half = file.len() / 2;
    let slow = |bytes: Vec<u8>| {
        let parts: Vec<Result<Vec<u8>, std::io::Error>> =
            bytes.chunks(8).map(|c| Ok(c.to_vec())).collect();
        stream_body(parts, Duration::from_millis(5))
    };
    // Two clients both believe the upload is at 0 and send different bytes.
    let (r1, r2) = tokio::join!(
        send(&c.state, patch(&id, &token, 0, slow(file[..half].to_vec()))),
        send(&c.state, patch(&id, &token, 0, slow(vec![0xEE; half]))),
    );
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::NO_CONTENT, StatusCode::CONFLICT]);
    assert_eq!(
        head_offset(&c.state, &id, &token).await.1,
        Some(half as u64)
    );
    let partial = common::partial_plain(&c.state, &id).await;
    assert!(
        partial == file[..half] || partial == vec![0xEE; half],
        "one writer's bytes, never a mix"
    );
}

#[tokio::test]
async fn checksums_sha1_and_sha256_are_verified_and_460_discards_the_chunk() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let file = jpeg(10, 10);
    let id = create_upload(&c.state, &token, file.len()).await;
    let with_sum = |offset: usize, bytes: &[u8], sum: String| {
        let mut r = patch(&id, &token, offset, Body::from(bytes.to_vec()));
        r.headers_mut()
            .insert("upload-checksum", sum.parse().expect("header"));
        r
    };
    let sha1 = |b: &[u8]| format!("sha1 {}", STANDARD.encode(sha1::Sha1::digest(b)));
    let sha256 = |b: &[u8]| format!("sha256 {}", STANDARD.encode(sha2::Sha256::digest(b)));

    // A mismatch: 460, nothing kept.
    let r = send(&c.state, with_sum(0, &file[..30], sha1(b"something else"))).await;
    assert_eq!(r.status.as_u16(), 460);
    assert_eq!(r.code(), "checksum_mismatch");
    assert_eq!(head_offset(&c.state, &id, &token).await.1, Some(0));

    let r = send(&c.state, with_sum(0, &file[..30], sha1(&file[..30]))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(&c.state, with_sum(30, &file[30..60], sha256(b"nope"))).await;
    assert_eq!(r.status.as_u16(), 460);
    let r = send(&c.state, with_sum(30, &file[30..], sha256(&file[30..]))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");

    let id2 = create_upload(&c.state, &token, 10).await;
    let mut r = patch(&id2, &token, 0, Body::from(vec![1; 10]));
    r.headers_mut()
        .insert("upload-checksum", "md5 AAAA".parse().expect("header"));
    let r = send(&c.state, r).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "checksum_algorithm_unsupported");
}

#[tokio::test]
async fn uploads_expire_with_410() {
    let c = ctx_with(|cfg| cfg.upload_ttl_hours = 1).await;
    let token = common::sign_in(&c.state, Some("expiring")).await.token;
    let id = create_upload(&c.state, &token, 100).await;
    c.state.clock.advance(Duration::from_mins(61));
    let token = common::sign_in(&c.state, Some("expiring")).await.token;
    assert_eq!(head_offset(&c.state, &id, &token).await.0, StatusCode::GONE);
    let r = send(&c.state, patch(&id, &token, 0, Body::from(vec![1; 10]))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::GONE, "upload_gone")
    );
    // The sweeper deletes it with its bytes.
    onething_server::maintenance::sweep(&c.state)
        .await
        .expect("sweep");
    assert_eq!(
        head_offset(&c.state, &id, &token).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(!c.data.path().join("files/partial").join(&id).exists());
}

#[tokio::test]
async fn x_http_method_override_turns_a_post_into_a_patch() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let id = create_upload(&c.state, &token, 100).await;
    let r = send(
        &c.state,
        tus(Method::POST, &format!("/api/uploads/{id}"), &token)
            .header("x-http-method-override", "PATCH")
            .header("upload-offset", "0")
            .header(header::CONTENT_TYPE, "application/offset+octet-stream")
            .body(Body::from(vec![7; 10]))
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    assert_eq!(head_offset(&c.state, &id, &token).await.1, Some(10));
}

#[tokio::test]
async fn termination_deletes_the_upload_and_its_bytes() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let id = create_upload(&c.state, &token, 100).await;
    send(&c.state, patch(&id, &token, 0, Body::from(vec![1; 10]))).await;
    let r = send(
        &c.state,
        tus(Method::DELETE, &format!("/api/uploads/{id}"), &token)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        head_offset(&c.state, &id, &token).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(!c.data.path().join("files/partial").join(&id).exists());
}

#[tokio::test]
async fn patch_needs_the_offset_media_type_and_stays_within_the_length() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let id = create_upload(&c.state, &token, 10).await;
    let r = send(
        &c.state,
        tus(Method::PATCH, &format!("/api/uploads/{id}"), &token)
            .header("upload-offset", "0")
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(vec![1; 5]))
            .expect("request"),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "upload_content_type")
    );
    let r = send(&c.state, patch(&id, &token, 0, Body::from(vec![1; 11]))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "upload_too_large")
    );
    // Without a Content-Length (chunked), the overrun is found while streaming.
    let chunked = stream_body(vec![Ok(vec![1; 6]), Ok(vec![1; 6])], Duration::ZERO);
    let r = send(&c.state, patch(&id, &token, 0, chunked)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "upload_too_large")
    );
    assert_eq!(
        head_offset(&c.state, &id, &token).await.1,
        Some(0),
        "nothing kept"
    );
}

#[tokio::test]
async fn completed_files_are_checked_by_their_bytes() {
    let c = ctx_with(|cfg| cfg.max_image_pixels = 1_000_000).await;
    let token = login(&c.state).await;
    for (bytes, code) in [
        (b"GIF89a-not-accepted".to_vec(), "upload_type_not_allowed"),
        (jpeg(2000, 2000), "upload_image_too_large"),
        (jpeg(10, 10)[..40].to_vec(), "upload_corrupt"),
    ] {
        let id = create_upload(&c.state, &token, bytes.len()).await;
        let r = send(&c.state, patch(&id, &token, 0, Body::from(bytes))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_eq!(r.code(), code);
        assert_eq!(head_offset(&c.state, &id, &token).await.0, StatusCode::GONE);
    }
    let pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let id = upload(&c.state, &token, &pdf).await;
    let info: UploadInfo = common::get(&c.state, &format!("/api/uploads/{id}"), Some(&token))
        .await
        .json();
    assert_eq!(info.content_type.as_deref(), Some("application/pdf"));
}

#[tokio::test]
async fn another_users_upload_answers_404_to_every_verb() {
    let c = ctx().await;
    let alice = login(&c.state).await;
    let bob = login(&c.state).await;
    let id = create_upload(&c.state, &alice, 100).await;
    let uri = format!("/api/uploads/{id}");
    assert_eq!(
        head_offset(&c.state, &id, &bob).await.0,
        StatusCode::NOT_FOUND
    );
    let r = send(&c.state, patch(&id, &bob, 0, Body::from(vec![1; 10]))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "upload_not_found")
    );
    let r = send(
        &c.state,
        tus(Method::DELETE, &uri, &bob)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        common::get(&c.state, &uri, Some(&bob)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        head_offset(&c.state, &id, &alice).await,
        (StatusCode::OK, Some(0))
    );
    let anonymous = send(
        &c.state,
        axum::http::Request::head(&uri)
            .header("tus-resumable", "1.0.0")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

/// Measures tus throughput on loopback: a real server on 127.0.0.1, a 20 MiB file in 5 MiB
/// PATCH requests from the typed client (one kept-alive connection). Ignored by default; run
/// with `cargo test --release -p onething-server --test suite uploads:: -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark, not a check"]
async fn bench_tus_upload_20_mib_on_loopback() {
    const SIZE: usize = 20 * 1024 * 1024;
    const CHUNK: usize = 5 * 1024 * 1024;
    let c = ctx().await;
    let token = login(&c.state).await;
    // A JPEG header followed by filler: the completion path (sniff, clean, store) runs too.
    let mut file = jpeg(4000, 3000);
    let tail = file.split_off(file.len() - 2);
    file.resize(SIZE - 2, 0x55);
    file.extend_from_slice(&tail);
    let id = create_upload(&c.state, &token, file.len()).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = onething_server::app(c.state.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let api = onething_client::Client::new(&format!("http://{addr}"))
        .expect("client")
        .with_bearer(&token);
    // The chunks are copied out before the clock starts: only the requests are timed.
    let chunks: Vec<Vec<u8>> = file.chunks(CHUNK).map(<[u8]>::to_vec).collect();
    let started = std::time::Instant::now();
    let mut offset = 0;
    for chunk in chunks {
        let end = offset + chunk.len() as u64;
        let acknowledged = api.patch_upload(&id, offset, chunk).await.expect("PATCH");
        assert_eq!(acknowledged, end, "the whole chunk is acknowledged");
        offset = end;
    }
    let secs = started.elapsed().as_secs_f64();
    let mib = 20.0_f64;
    println!(
        "tus upload, 20 MiB in 5 MiB PATCHes on loopback: {secs:.3} s, {:.1} MiB/s",
        mib / secs
    );
    server.abort();
    assert_eq!(
        head_offset(&c.state, &id, &token).await.1,
        Some(SIZE as u64)
    );
}

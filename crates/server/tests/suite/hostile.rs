//! The hostile-input corpus: files and requests an attacker (or a broken client) sends. Every
//! one is answered with a 4xx and a stable code, never a server error, and nothing is stored:
//! no blob, no application, no leftover partial file. Run as one table so the soak can print
//! the count.

use crate::common;
use crate::common::{Resp, ctx, jpeg, login, req, send, tus};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use onething_server::AppState;
use serde_json::json;

/// A tus creation case: name, headers, expected status and code.
type TusCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16, &'a str);
/// A PATCH case: name, headers, body, expected status and code.
type PatchCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>, u16, &'a str);
/// A JSON case: name, method, path, body, expected status and code.
type JsonCase<'a> = (&'a str, Method, &'a str, Vec<u8>, u16, &'a str);

/// One hostile case: what is sent, and the status and code it must get.
struct Case<'a> {
    name: &'a str,
    status: u16,
    code: &'a str,
}

fn b64(s: &[u8]) -> String {
    STANDARD.encode(s)
}

/// Creation-with-upload of a whole file with this metadata.
async fn upload_file(state: &AppState, token: &str, bytes: &[u8], metadata: &str) -> Resp {
    send(
        state,
        tus(Method::POST, "/api/uploads/", token)
            .header("upload-length", bytes.len().to_string())
            .header("upload-metadata", metadata)
            .header(header::CONTENT_TYPE, "application/offset+octet-stream")
            .body(Body::from(bytes.to_vec()))
            .expect("request"),
    )
    .await
}

fn jpeg_named() -> String {
    format!(
        "filename {},filetype {}",
        b64(b"photo.jpg"),
        b64(b"image/jpeg")
    )
}

/// A PNG of `w`×`h` with only IHDR and IEND (enough for the header checks).
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |b: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        b.extend_from_slice(&u32::try_from(data.len()).expect("short").to_be_bytes());
        b.extend_from_slice(kind);
        b.extend_from_slice(data);
        b.extend_from_slice(&[0, 0, 0, 0]); // CRC: not checked by the server
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut b, b"IHDR", &ihdr);
    chunk(&mut b, b"IDAT", &[0x78, 0x9c, 0x03, 0x00]);
    chunk(&mut b, b"IEND", &[]);
    b
}

fn hostile_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut jpeg_html = jpeg(10, 10);
    jpeg_html.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    let mut png_zip = png(10, 10);
    png_zip.extend_from_slice(b"PK\x03\x04\x14\0\0\0\x08\0payload.js");
    let mut jpeg_no_scan = jpeg(10, 10);
    jpeg_no_scan.truncate(60);
    vec![
        ("polyglot JPEG + HTML after EOI", jpeg_html, "upload_corrupt"),
        ("polyglot PNG + ZIP after IEND", png_zip, "upload_corrupt"),
        (
            "polyglot PDF + HTML",
            b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF".to_vec(),
            "upload_type_not_allowed",
        ),
        (
            "PDF with JavaScript action",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF".to_vec(),
            "upload_type_not_allowed",
        ),
        (
            "PDF with a launch action",
            b"%PDF-1.7\n1 0 obj << /S /Launch /F (cmd.exe) >> endobj\n%%EOF".to_vec(),
            "upload_type_not_allowed",
        ),
        (
            "SVG with script",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            "upload_type_not_allowed",
        ),
        (
            "HTML named photo.jpg",
            b"<!doctype html><script>fetch('/api/session')</script>".to_vec(),
            "upload_type_not_allowed",
        ),
        ("GIF (wrong magic)", b"GIF89a\x01\0\x01\0\0\0\0;".to_vec(), "upload_type_not_allowed"),
        (
            "WebP (wrong magic)",
            b"RIFF\x1a\0\0\0WEBPVP8 \x0e\0\0\0".to_vec(),
            "upload_type_not_allowed",
        ),
        ("Windows executable", b"MZ\x90\0\x03\0\0\0\x04\0".to_vec(), "upload_type_not_allowed"),
        ("ZIP archive", b"PK\x03\x04\x14\0\0\0".to_vec(), "upload_type_not_allowed"),
        ("JPEG magic, then garbage", b"\xFF\xD8\xFFgarbage".to_vec(), "upload_corrupt"),
        ("JPEG cut before its scan", jpeg_no_scan, "upload_corrupt"),
        ("PNG magic, no IHDR", b"\x89PNG\r\n\x1a\n\0\0".to_vec(), "upload_corrupt"),
        (
            "decompression bomb: JPEG 65535×65535",
            jpeg(65535, 65535),
            "upload_image_too_large",
        ),
        (
            "decompression bomb: PNG 100000×100000",
            png(100_000, 100_000),
            "upload_image_too_large",
        ),
        ("JPEG of 0×0 pixels", jpeg(0, 0), "upload_corrupt"),
        ("zero-byte file", Vec::new(), "upload_type_not_allowed"),
    ]
}

fn expect(r: &Resp, case: &Case<'_>, failures: &mut Vec<String>) {
    let code = serde_json::from_slice::<serde_json::Value>(&r.body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if r.status.as_u16() != case.status || code != case.code {
        failures.push(format!(
            "{}: got {} {code:?}, want {} {:?} ({})",
            case.name,
            r.status,
            case.status,
            case.code,
            String::from_utf8_lossy(&r.body)
        ));
    }
}

fn tus_req(
    method: Method,
    uri: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Request<Body> {
    let mut b = tus(method, uri, token);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_vec())).expect("request")
}

/// Files that are not what they claim, or carry another file.
async fn files(state: &AppState, token: &str, failures: &mut Vec<String>) -> usize {
    let mut total = 0;
    // Files.
    for (name, bytes, code) in hostile_files() {
        total += 1;
        let r = upload_file(state, token, &bytes, &jpeg_named()).await;
        let status = if bytes.is_empty() || code.starts_with("upload_") {
            422
        } else {
            400
        };
        expect(&r, &Case { name, status, code }, failures);
    }

    total
}

/// Names in `Upload-Metadata` that are paths, overlong, or control characters.
async fn names(state: &AppState, token: &str, failures: &mut Vec<String>) -> usize {
    let mut total = 0;
    // Names in Upload-Metadata.
    let long = "a".repeat(300) + ".jpg";
    for (name, filename) in [
        ("path traversal name", "../../../etc/passwd".as_bytes()),
        ("Windows path name", b"..\\..\\boot.ini".as_slice()),
        ("absolute path name", b"/etc/shadow".as_slice()),
        ("overlong name", long.as_bytes()),
        ("NUL in name", b"photo.jpg\0.exe".as_slice()),
        (
            "escape sequence in name",
            b"\x1b]0;owned\x07.jpg".as_slice(),
        ),
        ("not UTF-8 name", b"\xff\xfe.jpg".as_slice()),
        ("empty name", b"".as_slice()),
    ] {
        total += 1;
        let meta = if filename.is_empty() {
            "filename".to_owned()
        } else {
            format!("filename {}", b64(filename))
        };
        let r = upload_file(state, token, &jpeg(4, 4), &meta).await;
        expect(
            &r,
            &Case {
                name,
                status: 400,
                code: "tus_header_invalid",
            },
            failures,
        );
    }

    total
}

/// Malformed tus creation requests.
#[expect(clippy::too_many_lines, reason = "a table of cases")]
async fn creation(state: &AppState, token: &str, failures: &mut Vec<String>) -> usize {
    let mut total = 0;
    // Malformed tus requests on creation.
    let too_big = (26 * 1024 * 1024).to_string();
    let long_meta = format!("k {}", b64(&vec![b'x'; 5000]));
    let cases: Vec<TusCase<'_>> = vec![
        (
            "oversize Upload-Length",
            vec![("upload-length", too_big.as_str())],
            413,
            "upload_too_large",
        ),
        (
            "negative Upload-Length",
            vec![("upload-length", "-1")],
            400,
            "tus_header_invalid",
        ),
        (
            "Upload-Length with exponent",
            vec![("upload-length", "1e3")],
            400,
            "tus_header_invalid",
        ),
        (
            "Upload-Length hex",
            vec![("upload-length", "0x10")],
            400,
            "tus_header_invalid",
        ),
        (
            "Upload-Length overflowing",
            vec![("upload-length", "99999999999999999999999")],
            400,
            "tus_header_invalid",
        ),
        ("no Upload-Length", vec![], 400, "tus_header_invalid"),
        (
            "Upload-Defer-Length",
            vec![("upload-defer-length", "1")],
            400,
            "tus_header_invalid",
        ),
        (
            "metadata not base64",
            vec![("upload-length", "10"), ("upload-metadata", "filename ***")],
            400,
            "tus_header_invalid",
        ),
        (
            "metadata duplicate key",
            vec![
                ("upload-length", "10"),
                ("upload-metadata", "a YQ==,a YQ=="),
            ],
            400,
            "tus_header_invalid",
        ),
        (
            "metadata three parts",
            vec![("upload-length", "10"), ("upload-metadata", "a YQ== YQ==")],
            400,
            "tus_header_invalid",
        ),
        (
            "metadata over 4 KiB",
            vec![
                ("upload-length", "10"),
                ("upload-metadata", long_meta.as_str()),
            ],
            400,
            "tus_header_invalid",
        ),
        (
            "checksum md5",
            vec![
                ("upload-length", "4"),
                ("content-type", "application/offset+octet-stream"),
                ("upload-checksum", "md5 AAAA"),
            ],
            400,
            "checksum_algorithm_unsupported",
        ),
        (
            "checksum digest too short",
            vec![
                ("upload-length", "4"),
                ("content-type", "application/offset+octet-stream"),
                ("upload-checksum", "sha256 AAAA"),
            ],
            460,
            "checksum_mismatch",
        ),
        (
            "checksum without digest",
            vec![
                ("upload-length", "4"),
                ("content-type", "application/offset+octet-stream"),
                ("upload-checksum", "sha1"),
            ],
            400,
            "tus_header_invalid",
        ),
    ];
    for (name, headers, status, code) in cases {
        total += 1;
        let r = send(
            state,
            tus_req(Method::POST, "/api/uploads/", token, &headers, b"abcd"),
        )
        .await;
        expect(&r, &Case { name, status, code }, failures);
    }
    for (name, version) in [
        ("no Tus-Resumable", None),
        ("Tus-Resumable 0.2.2", Some("0.2.2")),
    ] {
        total += 1;
        let mut b = Request::builder()
            .method(Method::POST)
            .uri("/api/uploads/")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("upload-length", "10");
        if let Some(v) = version {
            b = b.header("tus-resumable", v);
        }
        let r = send(state, b.body(Body::empty()).expect("request")).await;
        expect(
            &r,
            &Case {
                name,
                status: 412,
                code: "tus_version_unsupported",
            },
            failures,
        );
    }

    total
}

/// Malformed PATCH requests on a real partial upload (whose id it returns): none may write a byte.
async fn patches(state: &AppState, token: &str, failures: &mut Vec<String>) -> (usize, String) {
    let mut total = 0;
    // Malformed PATCH requests on a real partial upload: none may write a byte.
    let id = common::create_upload(state, token, 64).await;
    let uri = format!("/api/uploads/{id}");
    let octets = ("content-type", "application/offset+octet-stream");
    let wrong_sha = format!("sha256 {}", b64(&[0u8; 32]));
    let cases: Vec<PatchCase<'_>> = vec![
        (
            "PATCH without Upload-Offset",
            vec![octets],
            vec![1; 8],
            400,
            "tus_header_invalid",
        ),
        (
            "PATCH with negative offset",
            vec![octets, ("upload-offset", "-8")],
            vec![1; 8],
            400,
            "tus_header_invalid",
        ),
        (
            "PATCH at the wrong offset",
            vec![octets, ("upload-offset", "8")],
            vec![1; 8],
            409,
            "upload_offset_mismatch",
        ),
        (
            "PATCH as JSON",
            vec![("content-type", "application/json"), ("upload-offset", "0")],
            vec![1; 8],
            415,
            "upload_content_type",
        ),
        (
            "PATCH past Upload-Length",
            vec![octets, ("upload-offset", "0")],
            vec![1; 65],
            413,
            "upload_too_large",
        ),
        (
            "PATCH with a wrong checksum",
            vec![
                octets,
                ("upload-offset", "0"),
                ("upload-checksum", wrong_sha.as_str()),
            ],
            vec![1; 8],
            460,
            "checksum_mismatch",
        ),
        (
            "PATCH on an unknown upload",
            vec![octets, ("upload-offset", "0")],
            vec![1; 8],
            404,
            "upload_not_found",
        ),
    ];
    for (name, headers, body, status, code) in cases {
        total += 1;
        let target = if name.contains("unknown") {
            "/api/uploads/..%2F..%2Fonething.sqlite".to_owned()
        } else {
            uri.clone()
        };
        let r = send(
            state,
            tus_req(Method::PATCH, &target, token, &headers, &body),
        )
        .await;
        expect(&r, &Case { name, status, code }, failures);
    }
    let (_, offset) = common::head_offset(state, &id, token).await;
    assert_eq!(offset, Some(0), "no malformed PATCH wrote anything");

    (total, id)
}

/// Malformed JSON and oversize bodies.
#[expect(clippy::too_many_lines, reason = "a table of cases")]
async fn json_bodies(state: &AppState, token: &str, failures: &mut Vec<String>) -> usize {
    let mut total = 0;
    // Malformed JSON and oversize bodies.
    let deep = "[".repeat(100_000);
    let huge =
        json!({ "service_id": "newborn", "data": { "x": "汉".repeat(400_000) } }).to_string();
    let cases: Vec<JsonCase<'_>> = vec![
        (
            "truncated JSON draft",
            Method::POST,
            "/api/drafts",
            b"{\"service_id\":".to_vec(),
            400,
            "invalid_body",
        ),
        (
            "JSON array as draft",
            Method::POST,
            "/api/drafts",
            b"[]".to_vec(),
            400,
            "invalid_body",
        ),
        (
            "deeply nested JSON",
            Method::POST,
            "/api/drafts",
            deep.clone().into_bytes(),
            400,
            "invalid_body",
        ),
        (
            "not UTF-8 JSON",
            Method::POST,
            "/api/drafts",
            b"{\"service_id\":\"\xff\"}".to_vec(),
            400,
            "invalid_body",
        ),
        (
            "draft body over 1 MiB",
            Method::POST,
            "/api/drafts",
            huge.clone().into_bytes(),
            413,
            "body_too_large",
        ),
        (
            "truncated JSON submission",
            Method::POST,
            "/api/applications",
            b"{\"service_id\":".to_vec(),
            400,
            "invalid_body",
        ),
        (
            "deeply nested submission",
            Method::POST,
            "/api/applications",
            deep.into_bytes(),
            400,
            "invalid_body",
        ),
        (
            "submission over 1 MiB",
            Method::POST,
            "/api/applications",
            huge.into_bytes(),
            413,
            "body_too_large",
        ),
        (
            "submission of null",
            Method::POST,
            "/api/applications",
            b"null".to_vec(),
            400,
            "invalid_body",
        ),
        (
            "session ticket as number",
            Method::POST,
            "/api/session",
            b"{\"ticket\":12}".to_vec(),
            400,
            "invalid_body",
        ),
    ];
    for (name, method, uri, body, status, code) in cases {
        total += 1;
        let r = send(
            state,
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header("idempotency-key", format!("k-{name}"))
                .body(Body::from(body))
                .expect("request"),
        )
        .await;
        expect(&r, &Case { name, status, code }, failures);
    }
    total += 1;
    let mut r = req(
        Method::POST,
        "/api/applications",
        Some(token),
        Some(json!({})),
    );
    r.headers_mut()
        .insert("idempotency-key", "k".repeat(300).parse().expect("header"));
    let resp = send(state, r).await;
    expect(
        &resp,
        &Case {
            name: "overlong Idempotency-Key",
            status: 400,
            code: "idempotency_key_missing",
        },
        failures,
    );

    total
}

/// Invalid values inside a well-formed submission: the engine's codes, per field.
async fn values(state: &AppState, token: &str, failures: &mut Vec<String>) -> usize {
    let mut total = 0;
    // Invalid values inside a well-formed submission: the engine's codes, per field.
    let (example, day) = common::newborn_example();
    // The example is valid on its own day: only the mutation may be wrong.
    state
        .clock
        .set(onething_server::clock::parse_instant(&day).expect("valid_on"));
    let mutations: Vec<(&str, &str, serde_json::Value, &str)> = vec![
        (
            "ID number with a wrong check digit",
            "father_id_number",
            json!("330502199001010031"),
            "id_number_checksum",
        ),
        (
            "ID number of 17 digits",
            "father_id_number",
            json!("33050219900101003"),
            "id_number_format",
        ),
        (
            "ID number with a letter",
            "father_id_number",
            json!("33050219900101003A"),
            "id_number_format",
        ),
        (
            "birth date 30 February",
            "father_birth_date",
            json!("1990-02-30"),
            "date_format",
        ),
        (
            "birth date not a date",
            "father_birth_date",
            json!("yesterday"),
            "date_format",
        ),
        (
            "name of 10 000 characters",
            "father_name",
            json!("王".repeat(10_000)),
            "too_long",
        ),
        (
            "name with script",
            "father_name",
            json!("<script>alert(1)</script>"),
            "name_invalid_characters",
        ),
        (
            "phone with letters",
            "father_phone",
            json!("1390013900x"),
            "mobile_format",
        ),
    ];
    for (name, field, value, want) in mutations {
        total += 1;
        let mut app = example.clone();
        app["answers"][field] = value;
        let r = common::submit(state, token, &format!("k-{name}"), &app).await;
        let problems: Vec<(String, String)> = serde_json::from_slice::<serde_json::Value>(&r.body)
            .ok()
            .and_then(|v| v["errors"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|e| {
                (
                    e["path"].as_str().unwrap_or_default().to_owned(),
                    e["code"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let hit = problems
            .iter()
            .any(|(p, code)| p.ends_with(field) && code == want);
        if r.status != StatusCode::UNPROCESSABLE_ENTITY || r.code() != "validation_failed" || !hit {
            failures.push(format!("{name}: got {} {:?}, problems {problems:?}; want 422 validation_failed with {field}: {want}", r.status, r.code()));
        }
    }

    total
}

#[tokio::test]
async fn every_hostile_input_gets_a_4xx_with_its_code_and_nothing_is_stored() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let mut failures = Vec::new();
    let mut total = 0;

    total += files(&c.state, &token, &mut failures).await;
    total += names(&c.state, &token, &mut failures).await;
    total += creation(&c.state, &token, &mut failures).await;
    let (n, id) = patches(&c.state, &token, &mut failures).await;
    total += n;
    total += json_bodies(&c.state, &token, &mut failures).await;
    total += values(&c.state, &token, &mut failures).await;

    // Nothing stored.
    let blobs = std::fs::read_dir(c.state.files_dir.join("blobs"))
        .expect("blobs")
        .count();
    let partials: Vec<String> = std::fs::read_dir(c.state.files_dir.join("partial"))
        .expect("partial")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    let applications: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM applications")
        .fetch_one(&c.state.db)
        .await
        .expect("count");
    let drafts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drafts")
        .fetch_one(&c.state.db)
        .await
        .expect("count");
    println!(
        "figure: hostile inputs: {total} sent, {} answered as expected, {} wrong; stored: {blobs} files, {applications} applications, {drafts} drafts",
        total - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(blobs, 0, "no file stored");
    assert_eq!(
        partials,
        vec![id],
        "only the one partial upload the PATCH cases used"
    );
    assert_eq!((applications, drafts), (0, 0));
}

/// Regression: a JPEG with another file after its end-of-image marker (a JPEG/HTML or
/// JPEG/ZIP polyglot) was stored whole, trailing payload included.
#[tokio::test]
async fn a_jpeg_with_data_after_its_end_is_refused() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let mut bytes = jpeg(10, 10);
    let r = upload_file(&c.state, &token, &bytes, &jpeg_named()).await;
    assert_eq!(r.status, StatusCode::CREATED, "a clean JPEG is fine: {r:?}");
    bytes.extend_from_slice(&[0, 0, 0]);
    let r = upload_file(&c.state, &token, &bytes, &jpeg_named()).await;
    assert_eq!(r.status, StatusCode::CREATED, "zero padding is fine: {r:?}");
    bytes.extend_from_slice(b"<script>");
    let r = upload_file(&c.state, &token, &bytes, &jpeg_named()).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "upload_corrupt")
    );
}

/// Regression: a submission over the 1 MiB body limit (read as bytes, for the idempotency
/// hash) and a path that is not UTF-8 answered axum's plain text, without a code.
#[tokio::test]
async fn rejections_of_the_framework_carry_a_code_too() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let huge = vec![b' '; 2 * 1024 * 1024];
    let mut r = req(Method::POST, "/api/applications", Some(&token), None);
    *r.body_mut() = Body::from(huge);
    r.headers_mut()
        .insert("idempotency-key", "k".parse().expect("header"));
    let resp = send(&c.state, r).await;
    assert_eq!(
        (resp.status, resp.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
    let resp = common::get(&c.state, "/api/applications/%FF%FE", Some(&token)).await;
    assert!(resp.status.is_client_error(), "{resp:?}");
    assert!(!resp.code().is_empty());
    let resp = send(&c.state, req(Method::PUT, "/api/services", None, None)).await;
    assert_eq!(
        (resp.status, resp.code().as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "route_not_found")
    );
}

/// Regression: a creation-with-upload whose body failed (a checksum mismatch, a cut) answered an
/// error without `Location` but kept the upload and its partial file: nobody could resume or
/// delete it until it expired.
#[tokio::test]
async fn a_failed_creation_with_upload_leaves_nothing() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let wrong = format!("sha256 {}", b64(&[0u8; 32]));
    let r = send(
        &c.state,
        tus(Method::POST, "/api/uploads/", &token)
            .header("upload-length", "4")
            .header("upload-checksum", wrong)
            .header(header::CONTENT_TYPE, "application/offset+octet-stream")
            .body(Body::from("abcd"))
            .expect("request"),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.code().as_str()),
        (460, "checksum_mismatch")
    );
    let partials = std::fs::read_dir(c.state.files_dir.join("partial"))
        .expect("dir")
        .count();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM uploads")
        .fetch_one(&c.state.db)
        .await
        .expect("count");
    assert_eq!((partials, rows), (0, 0));
}

/// Regression: a file name in `Upload-Metadata` was taken as is: a path such as
/// `../../etc/passwd` or a terminal escape sequence was stored and echoed to staff tools.
#[tokio::test]
async fn a_path_as_a_file_name_is_refused() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let meta = format!("filename {}", b64(b"../../etc/passwd"));
    let r = upload_file(&c.state, &token, &jpeg(4, 4), &meta).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "tus_header_invalid")
    );
}

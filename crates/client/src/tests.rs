//! The client against a scripted loopback server: what goes on the wire (headers, paths,
//! bodies) and how answers are read, chunked ones included.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::thread::JoinHandle;

use onething_core::api::{DraftUpdate, ErrorCode};
use reqwest::StatusCode;

use super::*;

/// A server on a free loopback port that answers each connection with the next of `answers`
/// (whole HTTP responses) and returns the requests it read (head and body, as text).
fn scripted(answers: Vec<String>) -> (String, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for answer in answers {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).expect("read");
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().expect("length");
                }
                head.push_str(&line);
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("body");
            head.push_str(&String::from_utf8_lossy(&body));
            seen.push(head);
            let mut stream = reader.into_inner();
            stream.write_all(answer.as_bytes()).expect("write");
        }
        seen
    });
    (url, handle)
}

fn answer(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: {}\r\n{headers}\r\n{body}",
        body.len()
    )
}

/// The same body with `Transfer-Encoding: chunked`, in two chunks.
fn chunked(status: &str, body: &str) -> String {
    let (a, b) = body.split_at(body.len() / 2);
    format!(
        "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    )
}

const DRAFT: &str = r#"{"id":"d1","service_id":"newborn","version":4,"data":{},"created_at":"2026-11-28T01:02:03Z","updated_at":"2026-11-28T01:02:03Z","expires_at":"2026-12-28T01:02:03Z"}"#;

#[test]
fn every_path_segment_is_encoded_so_an_id_cannot_reach_another_route() {
    let c = Client::new("http://127.0.0.1:9/").expect("client");
    assert_eq!(
        c.url(&["admin", "applications", "../session", "items", "a/b"])
            .as_str(),
        "http://127.0.0.1:9/api/admin/applications/..%2Fsession/items/a%2Fb"
    );
    let behind_proxy = Client::new("https://example.org/onething").expect("client");
    assert_eq!(
        behind_proxy.url(&["health"]).as_str(),
        "https://example.org/onething/api/health"
    );
}

#[test]
fn a_server_that_is_not_an_http_url_is_refused() {
    for bad in ["127.0.0.1:8080", "ftp://example.org", "mailto:a@b.c", ""] {
        assert!(
            matches!(Client::new(bad), Err(Error::InvalidUrl(_))),
            "{bad}"
        );
    }
}

#[test]
fn debug_output_never_shows_the_token() {
    let c = Client::new("http://127.0.0.1:9")
        .expect("client")
        .with_bearer("secret-token");
    assert!(!format!("{c:?}").contains("secret-token"));
}

#[test]
fn a_draft_update_sends_if_match_and_reads_a_chunked_conflict() {
    let conflict =
        r#"{"code":"draft_version_conflict","message":"the draft is at version 4","fields":[]}"#;
    let (url, server) = scripted(vec![
        chunked("409 Conflict", conflict),
        answer("200 OK", "content-type: application/json\r\n", DRAFT),
    ]);
    let rt = Blocking::new().expect("runtime");
    let c = Client::new(&url).expect("client").with_bearer("tok");
    let update = DraftUpdate {
        data: serde_json::json!({"step": 2}),
    };
    let err = rt
        .run(c.update_draft("d1", 3, &update))
        .expect_err("conflict");
    assert_eq!(err.status(), Some(StatusCode::CONFLICT));
    assert_eq!(err.code(), Some(ErrorCode::DraftVersionConflict));
    assert_eq!(
        err.to_string(),
        "409 draft_version_conflict: the draft is at version 4"
    );
    let draft = rt.run(c.update_draft("d1", 4, &update)).expect("saved");
    assert_eq!(draft.version, 4);
    let seen = server.join().expect("server");
    assert!(
        seen[0].starts_with("PUT /api/drafts/d1 HTTP/1.1\r\n"),
        "{}",
        seen[0]
    );
    assert!(seen[0].contains("if-match: \"3\"\r\n"), "{}", seen[0]);
    assert!(
        seen[0].contains("authorization: Bearer tok\r\n"),
        "{}",
        seen[0]
    );
    assert!(seen[0].ends_with(r#"{"data":{"step":2}}"#), "{}", seen[0]);
    assert!(seen[1].contains("if-match: \"4\"\r\n"), "{}", seen[1]);
}

#[test]
fn a_submission_sends_its_idempotency_key_and_reads_a_replay() {
    let created =
        r#"{"id":"a1","case_number":"OT20261128010203","submitted_at":"2026-11-28T01:02:03Z"}"#;
    let (url, server) = scripted(vec![
        answer("201 Created", "content-type: application/json\r\n", created),
        answer(
            "201 Created",
            "content-type: application/json\r\nidempotent-replayed: true\r\n",
            created,
        ),
    ]);
    let rt = Blocking::new().expect("runtime");
    let c = Client::new(&url).expect("client");
    let app = serde_json::json!({"service_id": "newborn"});
    let first = rt.run(c.submit(&app, "key-1")).expect("first");
    let again = rt.run(c.submit(&app, "key-1")).expect("replay");
    assert!(!first.replayed);
    assert!(again.replayed);
    assert_eq!(again.created.case_number, "OT20261128010203");
    let seen = server.join().expect("server");
    assert!(seen[0].starts_with("POST /api/applications HTTP/1.1\r\n"));
    assert!(
        seen[0].contains("idempotency-key: key-1\r\n"),
        "{}",
        seen[0]
    );
}

#[test]
fn tus_requests_carry_the_protocol_headers_and_answers_are_read_from_headers() {
    let (url, server) = scripted(vec![
        answer(
            "201 Created",
            "location: /api/uploads/u1\r\nupload-expires: Sun, 29 Nov 2026 01:02:03 GMT\r\n",
            "",
        ),
        answer("204 No Content", "upload-offset: 3\r\n", ""),
        answer("204 No Content", "upload-offset: 5\r\n", ""),
        answer("200 OK", "upload-offset: 5\r\nupload-length: 5\r\n", ""),
        answer("404 Not Found", "", ""),
    ]);
    let rt = Blocking::new().expect("runtime");
    let c = Client::new(&url).expect("client");
    let id = rt
        .run(c.upload(b"hello", 3, &[("filetype", "image/jpeg")]))
        .expect("uploaded");
    assert_eq!(id, "u1");
    let at = rt.run(c.head_upload("u1")).expect("head");
    assert_eq!(
        at,
        UploadOffset {
            offset: 5,
            length: Some(5)
        }
    );
    let gone = rt.run(c.head_upload("u2")).expect_err("404");
    assert_eq!(gone.status(), Some(StatusCode::NOT_FOUND));
    assert!(gone.body().is_none());
    let seen = server.join().expect("server");
    assert!(seen[0].starts_with("POST /api/uploads HTTP/1.1\r\n"));
    assert!(seen[0].contains("tus-resumable: 1.0.0\r\n"));
    assert!(seen[0].contains("upload-length: 5\r\n"));
    assert!(seen[0].contains("upload-metadata: filetype aW1hZ2UvanBlZw==\r\n"));
    assert!(seen[1].starts_with("PATCH /api/uploads/u1 HTTP/1.1\r\n"));
    assert!(seen[1].contains("content-type: application/offset+octet-stream\r\n"));
    assert!(seen[1].contains("upload-offset: 0\r\n") && seen[1].ends_with("hel"));
    assert!(seen[2].contains("upload-offset: 3\r\n") && seen[2].ends_with("lo"));
    assert!(seen[3].starts_with("HEAD /api/uploads/u1 HTTP/1.1\r\n"));
}

#[test]
fn a_refused_connection_says_why() {
    // A port just freed: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let rt = Blocking::new().expect("runtime");
    let c = Client::new(&format!("http://127.0.0.1:{port}")).expect("client");
    let err = rt.run(c.health()).expect_err("refused");
    assert!(matches!(err, Error::Http(_)));
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
}

#[test]
fn a_department_queue_sends_its_filters_and_a_file_keeps_its_bytes_and_type() {
    let page = r#"{"entries":[],"total":0,"page":2,"per_page":5}"#;
    let bytes = "\u{1}\u{2}binary";
    let (url, server) = scripted(vec![
        answer("200 OK", "content-type: application/json\r\n", page),
        answer("200 OK", "content-type: image/jpeg\r\n", bytes),
    ]);
    let rt = Blocking::new().expect("runtime");
    let c = Client::new(&url).expect("client").with_bearer("dept");
    let q = onething_core::api::QueueQuery {
        status: Some(onething_core::api::SubItemStatus::SupplementRequested),
        due_before: Some("2026-12-31".into()),
        page: Some(2),
        per_page: Some(5),
    };
    let got = rt.run(c.department_queue(&q)).expect("queue");
    assert_eq!((got.page, got.per_page, got.total), (2, 5, 0));
    let file = rt
        .run(c.department_file("OT1", "birth", "u/1"))
        .expect("file");
    assert_eq!(
        (file.content_type.as_str(), file.bytes.as_slice()),
        ("image/jpeg", bytes.as_bytes())
    );
    let seen = server.join().expect("server");
    assert!(
        seen[0].starts_with(
            "GET /api/department/cases?status=supplement_requested&due_before=2026-12-31&page=2&per_page=5 HTTP/1.1\r\n"
        ),
        "{}",
        seen[0]
    );
    assert!(seen[0].contains("authorization: Bearer dept\r\n"));
    // Each id is one path segment, whatever it holds.
    assert!(
        seen[1].starts_with("GET /api/department/cases/OT1/items/birth/files/u%2F1 HTTP/1.1\r\n"),
        "{}",
        seen[1]
    );
}

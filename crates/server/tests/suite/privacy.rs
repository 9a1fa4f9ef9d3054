//! Privacy, the server's part (PIPL: ID numbers are sensitive personal information): no
//! operation of the contract takes personal data in its URL, and a full session of a real
//! server at `debug` log level (sign-in, account, drafts, uploads, submissions valid and
//! invalid, tracking) writes no ID number, phone number or secret token to its log, and its
//! request log names routes by their templates, not by the values in their paths.
//! The browser's side (storage, masking on screen) is tested with the SPA.

use std::time::Duration;

use axum::http::StatusCode;
use onething_core::api::DraftCreate;

use crate::common;
use crate::common::live::{self, LiveServer};

/// Runs of 17 digits followed by a digit or `X`: the shape of a GB 11643 ID number.
fn id_numbers_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run >= 17 {
            let end = i + run;
            let next_is_x = b.get(end).is_some_and(|c| *c == b'X' || *c == b'x');
            if run == 18 || (run == 17 && next_is_x) {
                out.push(String::from_utf8_lossy(&b[i..end + usize::from(next_is_x)]).into_owned());
            }
        }
        i += run.max(1);
    }
    out
}

#[test]
fn the_contract_puts_no_personal_data_in_urls() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../../docs/openapi.json")).expect("contract");
    let mut params = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (verb, op) in ops.as_object().expect("ops") {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let place = p["in"].as_str().unwrap_or_default();
                if place == "path" || place == "query" {
                    params.push(format!("{verb} {path} {place} {}", p["name"]));
                }
            }
        }
    }
    // Path parameters are opaque server-made ids, case numbers, consent codes (random, and
    // worthless without the holder's own session) and definition ids. Query parameters (they
    // end up in proxies' and browsers' logs) only on the staff's side, and only filters and
    // pages that are no personal data: never on a citizen's operation.
    for p in &params {
        let name = p.rsplit(' ').next().unwrap_or_default().trim_matches('"');
        // Sign-in redirects carry what their protocols put in the query (RFC 6749 §4.1.2: the
        // one-time code and state; the app's own return path) and `wx.config` the page's URL,
        // which holds only opaque ids; a QR code's link the app's page of that one case (its id
        // or its confirmation code), refused otherwise: none of it is personal data.
        if p.contains(" /api/session/oidc/") && ["return", "code", "state", "error"].contains(&name)
            || p.contains(" /api/wechat/jssdk-config ") && name == "url"
            || (p.contains(" /api/applications/{id}/receipt.svg ")
                || p.contains(" /api/assisted/{id}/qr.svg "))
                && name == "link"
            // The public 亮晒 list is nobody's: its filter is a service id, its cursor a page.
            || p.contains(" /api/public/published ") && ["service", "cursor"].contains(&name)
        {
            continue;
        }
        if p.contains(" query ") {
            assert!(
                p.contains(" /api/department") || p.contains(" /api/admin/"),
                "query parameter on a citizen's operation: {p}"
            );
            assert!(
                [
                    "status",
                    "due_before",
                    "page",
                    "per_page",
                    "case",
                    "after",
                    "limit"
                ]
                .contains(&name),
                "unexpected query parameter: {p}"
            );
            continue;
        }
        assert!(
            ["id", "supplement_id", "case", "sub_item_id", "code"].contains(&name),
            "unexpected URL parameter: {p}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::too_many_lines, reason = "one scenario, read top to bottom")]
async fn a_whole_session_logs_no_id_number_phone_or_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    common::services_into(&services);
    let log = dir.path().join("server.log");
    // The newborn example is valid on its own day: the server's today is that day.
    let (example, day) = common::newborn_example();
    let mut server = LiveServer::start(
        &dir.path().join("data"),
        &services,
        &log,
        &["--dev-clock", &day],
    )
    .await;
    let (api, token) = server.sign_in().await;
    let account = api.session().await.expect("session").account;
    let (own_id, own_phone) = (account.id_number, account.phone);

    // The newborn example, with real uploads in place of its placeholder ids.
    let mut example = example;
    let mut upload_ids = Vec::new();
    for m in example["materials"]
        .as_object_mut()
        .expect("materials")
        .values_mut()
    {
        if m["kind"] == "upload" {
            let mut ids = Vec::new();
            for _ in m["upload_ids"].as_array().expect("ids") {
                ids.push(
                    api.upload(&common::jpeg(40, 30), 1 << 20, &[("filename", "photo.jpg")])
                        .await
                        .expect("upload"),
                );
            }
            upload_ids.extend(ids.iter().cloned());
            m["upload_ids"] = serde_json::json!(ids);
        }
    }
    let draft = DraftCreate {
        service_id: "newborn".into(),
        data: example["answers"].clone(),
    };
    api.create_draft(&draft).await.expect("draft");
    let mut bad = example.clone();
    bad["answers"]["father_id_number"] = serde_json::json!("330502199001010031");
    let refused = api
        .submit(&bad, "p-bad")
        .await
        .expect_err("p-bad: an invalid ID number is refused");
    assert_eq!(
        refused.status(),
        Some(StatusCode::UNPROCESSABLE_ENTITY),
        "p-bad: {refused}"
    );
    api.submit(&example, "p-good").await.expect("p-good");
    // Malformed JSON that carries an ID number: the error goes to the client, not the log.
    // The typed client only sends JSON it made, so these bytes go raw.
    let _ = live::request(
        server.addr,
        "POST",
        "/api/applications",
        &[
            ("authorization", format!("Bearer {token}")),
            ("content-type", "application/json".to_owned()),
            ("idempotency-key", "p-broken".to_owned()),
        ],
        br#"{"answers":{"mother_id_number":"330502199203150023"#,
        Duration::from_secs(10),
    )
    .await;
    api.applications().await.expect("applications");
    server.kill().await;

    let text = std::fs::read_to_string(&log).expect("log");
    assert!(
        text.contains("application received"),
        "the log was written: {text}"
    );
    let found = id_numbers_in(&text);
    let secrets: Vec<&str> = [
        own_id.as_str(),
        own_phone.as_str(),
        token.as_str(),
        "13800138000",
    ]
    .into_iter()
    .filter(|s| text.contains(s))
    .collect();
    println!(
        "figure: privacy: server log of a whole session: {} lines, {} ID numbers, {} phone numbers or tokens",
        text.lines().count(),
        found.len(),
        secrets.len()
    );
    assert!(found.is_empty(), "ID numbers in the log: {found:?}");
    // The request log names each request by its route's template, never by the values in
    // its path.
    assert!(
        text.contains("method=PATCH route=/api/uploads/{id} status=204"),
        "the request log names the route: {text}"
    );
    let path_values: Vec<&String> = upload_ids
        .iter()
        .filter(|id| text.contains(id.as_str()))
        .collect();
    assert!(
        path_values.is_empty(),
        "path values in the log: {path_values:?}"
    );
    assert!(
        secrets.is_empty(),
        "personal data or secrets in the log: {secrets:?}"
    );
}

#[test]
fn the_log_scan_finds_id_numbers() {
    let text = "a=330502199001010031 b=33050219900101003X c=1234567890123456789 d=13800138000";
    assert_eq!(
        id_numbers_in(text),
        vec!["330502199001010031", "33050219900101003X"]
    );
}

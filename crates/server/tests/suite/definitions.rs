//! Definitions as data: a definition dropped into the services directory is served after a
//! reload (the admin call, or `SIGHUP` to a real server process) and takes submissions; a case
//! records the definition version it was submitted under and keeps working under it after the
//! definition changes; a broken file changes nothing and is reported.

use std::time::Duration;

use crate::common::{
    ADMIN, admin_move, application, ctx_with, get, jpeg, live::LiveServer, login, req, send,
    services_into, submit, upload,
};
use axum::http::{Method, StatusCode};
use onething_core::api::{ApplicationCreated, ApplicationDetail, ServiceSummary, ServicesReloaded};
use serde_json::json;

/// The route tests' fixture under another id and a declared version: a definition no code
/// knows about.
fn new_definition(id: &str, version: &str) -> String {
    let fixture = include_str!("../../tests/fixtures/test-bundle.toml");
    let out = fixture.replacen(
        "id = \"test-bundle\"",
        &format!("id = \"{id}\"\nversion = \"{version}\""),
        1,
    );
    assert_ne!(out, fixture, "the fixture's id line");
    out
}

async fn reload(c: &crate::common::Ctx) -> crate::common::Resp {
    send(
        &c.state,
        req(
            Method::POST,
            "/api/admin/services/reload",
            Some(ADMIN),
            None,
        ),
    )
    .await
}

async fn service_ids(c: &crate::common::Ctx) -> Vec<String> {
    let list: Vec<ServiceSummary> = get(&c.state, "/api/services", None).await.json();
    list.into_iter().map(|s| s.id).collect()
}

async fn detail(c: &crate::common::Ctx, token: &str, id: &str) -> ApplicationDetail {
    let r = get(&c.state, &format!("/api/applications/{id}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.json()
}

#[tokio::test]
async fn a_new_definition_appears_after_the_admin_reload_and_takes_a_submission() {
    let services = tempfile::tempdir().expect("tempdir");
    services_into(services.path());
    let dir = services.path().to_owned();
    let c = ctx_with(|config| config.services_dir = dir.clone()).await;
    assert!(!service_ids(&c).await.contains(&"school-bundle".to_owned()));

    // Only the operator may reload.
    let r = send(
        &c.state,
        req(Method::POST, "/api/admin/services/reload", None, None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");

    std::fs::write(
        dir.join("school-bundle.toml"),
        new_definition("school-bundle", "2026.1"),
    )
    .expect("write");
    let r = reload(&c).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let report: ServicesReloaded = r.json();
    assert_eq!(report.added, ["school-bundle"]);
    assert!(report.changed.is_empty() && report.removed.is_empty());
    assert_eq!(report.services, 3);
    assert!(service_ids(&c).await.contains(&"school-bundle".to_owned()));
    let def: serde_json::Value = get(&c.state, "/api/services/school-bundle", None)
        .await
        .json();
    assert_eq!(def["version"], "2026.1");

    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let mut app = application(&up);
    app["service_id"] = json!("school-bundle");
    let r = submit(&c.state, &token, "school-1", &app).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    let d = detail(&c, &token, &created.id).await;
    assert_eq!(d.service_id, "school-bundle");
    assert_eq!(d.definition_version.as_deref(), Some("2026.1"));
}

#[tokio::test]
async fn a_case_keeps_the_version_it_was_submitted_under() {
    let services = tempfile::tempdir().expect("tempdir");
    services_into(services.path());
    let dir = services.path().to_owned();
    std::fs::write(
        dir.join("test-bundle.toml"),
        new_definition("test-bundle", "1"),
    )
    .expect("write");
    let c = ctx_with(|config| config.services_dir = dir.clone()).await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let r = submit(&c.state, &token, "v1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let old: ApplicationCreated = r.json();

    // Version 2 renames the one-thing: the open case stays under version 1.
    let v2 = new_definition("test-bundle", "2").replacen("测试一件事", "测试一件事（二）", 1);
    let v2 = v2.as_str();
    std::fs::write(dir.join("test-bundle.toml"), v2).expect("write");
    let r = reload(&c).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let report: ServicesReloaded = r.json();
    assert_eq!(report.changed.len(), 1, "{report:?}");
    assert_eq!(report.changed[0].version, "2");

    let d = detail(&c, &token, &old.id).await;
    assert_eq!(d.definition_version.as_deref(), Some("1"));
    let now: serde_json::Value = get(&c.state, "/api/services/test-bundle", None)
        .await
        .json();
    assert_eq!(now["version"], "2");
    assert_eq!(now["title"]["zh"], "测试一件事（二）");
    let r = admin_move(
        &c.state,
        &old.case_number,
        "birth",
        json!({ "to": "accepted", "note": "n" }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the old case moves under version 1: {r:?}"
    );

    // An edit that keeps the version, or a broken file: refused, nothing changes.
    std::fs::write(
        dir.join("test-bundle.toml"),
        v2.replacen("测试一件事（二）", "测试一件事（三）", 1),
    )
    .expect("write");
    let r = reload(&c).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.code(), "definitions_invalid");
    std::fs::write(dir.join("test-bundle.toml"), v2).expect("write");
    std::fs::write(dir.join("broken.toml"), "id = \"broken\"\ntitle = 3\n").expect("write");
    let r = reload(&c).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let body: onething_core::api::ApiErrorBody = r.json();
    assert_eq!(body.code, "definitions_invalid");
    assert_eq!(body.fields, ["broken.toml"]);
    assert!(body.message.contains("broken.toml"), "{}", body.message);
    assert_eq!(service_ids(&c).await, ["newborn", "test-bundle"]);
}

/// Polls the live server's catalogue until `id` is in it (at most 10 s).
async fn wait_for_service(server: &LiveServer, id: &str) -> bool {
    for _ in 0..100 {
        let r = crate::common::live::request(
            server.addr,
            "GET",
            "/api/services",
            &[],
            &[],
            Duration::from_secs(5),
        )
        .await
        .expect("the server answers");
        let list: Vec<ServiceSummary> = serde_json::from_slice(&r.body).expect("json");
        if list.iter().any(|s| s.id == id) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_reloads_the_definitions_of_a_running_server() {
    let data = tempfile::tempdir().expect("tempdir");
    let services = tempfile::tempdir().expect("tempdir");
    services_into(services.path());
    let log = data.path().join("server.log");
    let mut server = LiveServer::start(&data.path().join("data"), services.path(), &log, &[]).await;
    std::fs::write(
        services.path().join("school-bundle.toml"),
        new_definition("school-bundle", "2026.1"),
    )
    .expect("write");
    hangup(&server);
    assert!(
        wait_for_service(&server, "school-bundle").await,
        "the new definition is served after SIGHUP"
    );

    // A broken file: the server keeps serving what it had and logs the problem.
    std::fs::write(services.path().join("broken.toml"), "id = \"broken\"\n").expect("write");
    hangup(&server);
    let logged = async {
        for _ in 0..100 {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains("broken.toml") {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    assert!(logged.await, "the problem is logged");
    assert!(wait_for_service(&server, "school-bundle").await);
    server.kill().await;
}

/// Sends `SIGHUP` to the server process (its PID only).
#[cfg(unix)]
fn hangup(server: &LiveServer) {
    let pid = server.pid().expect("running");
    let status = std::process::Command::new("kill")
        .arg("-HUP")
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// The newborn example with its uploads made, on the example's own day.
async fn newborn_ready() -> (crate::common::Ctx, String, serde_json::Value) {
    let (mut example, day) = crate::common::newborn_example();
    let at = onething_server::clock::parse_instant(&day).expect("valid_on");
    let c = ctx_with(|config| config.dev_clock = Some(at)).await;
    let token = login(&c.state).await;
    for m in example["materials"]
        .as_object_mut()
        .expect("materials")
        .values_mut()
    {
        if m["kind"] == "upload" {
            let mut ids = Vec::new();
            for _ in m["upload_ids"].as_array().expect("ids") {
                ids.push(upload(&c.state, &token, &jpeg(40, 30)).await);
            }
            m["upload_ids"] = json!(ids);
        }
    }
    (c, token, example)
}

#[tokio::test]
async fn a_region_code_must_be_in_the_gb_t_2260_table() {
    let (c, token, example) = newborn_ready().await;
    // Well formed (the engine's structural check passes) but no such county: refused.
    let mut app = example.clone();
    app["answers"]["mailing_address"]["region"] = json!(["330000", "330500", "330599"]);
    let r = submit(&c.state, &token, "region-unknown", &app).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let body: serde_json::Value = r.json();
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(
        body["errors"],
        json!([{ "path": "answers.mailing_address", "code": "address_region" }])
    );
    // A district right under a municipality, from the full table (not only Zhejiang's).
    let mut app = example;
    app["answers"]["mailing_address"]["region"] = json!(["110000", "110101"]);
    let r = submit(&c.state, &token, "region-beijing", &app).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

#[tokio::test]
async fn a_case_keeps_its_version_across_a_restart() {
    let data = tempfile::tempdir().expect("tempdir");
    let services = tempfile::tempdir().expect("tempdir");
    services_into(services.path());
    let dir = services.path().to_owned();
    std::fs::write(
        dir.join("test-bundle.toml"),
        new_definition("test-bundle", "1"),
    )
    .expect("write");
    let database_url = crate::common::database_for(data.path()).await;
    let config = |dir: &std::path::Path| {
        let mut c = onething_server::Config::with_dirs(data.path(), dir);
        c.database_url.clone_from(&database_url);
        c.dev_tickets = true;
        c.admin_token = Some(ADMIN.into());
        c.static_dir = None;
        c.https = false;
        c
    };
    let state = onething_server::AppState::open(&config(&dir))
        .await
        .expect("opens");
    let token = login(&state).await;
    let up = upload(&state, &token, &jpeg(100, 100)).await;
    let r = submit(&state, &token, "v1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");

    // Stopped, the file changed to version 2, started again: version 1 is still known.
    state.db.close().await;
    drop(state);
    let v2 = new_definition("test-bundle", "2").replacen("测试一件事", "测试一件事（二）", 1);
    std::fs::write(dir.join("test-bundle.toml"), &v2).expect("write");
    let state = onething_server::AppState::open(&config(&dir))
        .await
        .expect("opens again");
    assert_eq!(
        state.catalogue.get("test-bundle").expect("current").version,
        "2"
    );
    let v1 = state
        .catalogue
        .get_version("test-bundle", "1")
        .expect("version 1 kept with its case");
    assert_eq!(v1.title.zh, "测试一件事");
    // And a reload of the unchanged files is no change (the stored copy equals the file's).
    assert_eq!(
        state.catalogue.reload().expect("reloads").changed,
        Vec::<(String, String)>::new()
    );
}

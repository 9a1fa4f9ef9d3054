//! The admin CLI drives a running server over HTTP: a case submitted through the typed client
//! is listed by `onething-server admin list` and moved by `admin move`, the move is seen through
//! the API, and a move the server refuses fails the command with the server's code.

use std::process::Stdio;
use std::time::Duration;

use onething_core::api::SubItemStatus;
use tokio::process::Command;

use crate::common::live::{ADMIN, LiveServer};
use crate::common::{application, jpeg, services_into};

/// `onething-server admin --server <url> --admin-token <token> <args…>`: success, stdout,
/// stderr.
async fn admin(url: &str, token: &str, args: &[&str]) -> (bool, String, String) {
    let out = tokio::time::timeout(
        Duration::from_mins(1),
        Command::new(env!("CARGO_BIN_EXE_onething-server"))
            .args(["admin", "--server", url, "--admin-token", token])
            .args(args)
            .env_remove("ONETHING_ADMIN_TOKEN")
            .env_remove("ONETHING_ADMIN_SERVER")
            .stdin(Stdio::null())
            .output(),
    )
    .await
    .expect("the CLI ends within 60 s")
    .expect("the CLI runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_admin_cli_lists_and_moves_the_cases_of_a_running_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    services_into(&services);
    let server = LiveServer::start(
        &dir.path().join("data"),
        &services,
        &dir.path().join("server.log"),
        &[],
    )
    .await;
    let url = format!("http://{}", server.addr);

    let (citizen, _) = server.sign_in().await;
    let upload = citizen
        .upload(&jpeg(8, 8), 64, &[("filetype", "image/jpeg")])
        .await
        .expect("uploaded");
    let case = citizen
        .submit(&application(&upload), "admin-cli-test-submission")
        .await
        .expect("submitted")
        .created;

    let (ok, out, err) = admin(&url, ADMIN, &["list"]).await;
    assert!(ok, "admin list failed: {err}");
    let row: Vec<&str> = out.lines().next().expect("one case").split('\t').collect();
    assert_eq!(
        row[..3],
        [case.case_number.as_str(), case.id.as_str(), "test-bundle"],
        "{out}"
    );

    let (ok, out, err) = admin(
        &url,
        ADMIN,
        &[
            "move",
            &case.case_number,
            "birth",
            "accepted",
            "--note",
            "已受理",
        ],
    )
    .await;
    assert!(ok, "admin move failed: {err}");
    assert_eq!(
        out.trim(),
        format!("{} birth -> accepted", case.case_number)
    );
    let detail = citizen.application(&case.id).await.expect("the case");
    let birth = detail
        .items
        .iter()
        .find(|i| i.sub_item_id == "birth")
        .expect("birth");
    assert_eq!(birth.status, SubItemStatus::Accepted);
    assert!(
        detail
            .timeline
            .iter()
            .any(|e| e.note.as_deref() == Some("已受理")),
        "{:?}",
        detail.timeline
    );

    // The server's rules decide: accepted cannot jump to completed, and the command says why.
    let (ok, _, err) = admin(&url, ADMIN, &["move", &case.id, "birth", "completed"]).await;
    assert!(!ok);
    assert!(err.contains("transition_not_allowed"), "{err}");

    let (ok, _, err) = admin(&url, "not-the-token", &["list"]).await;
    assert!(!ok);
    assert!(err.contains("admin_unauthorized"), "{err}");
}

//! Departments receive the cases, through the typed client against a real server: each
//! department's queue holds only its own sub-items; a case reads as the engine's projection for
//! the department's sub-item (facts it should not receive are absent); a case without a
//! sub-item of the department is 404; a downloaded material is byte-identical to the uploaded
//! photo after metadata removal; moves are recorded with the department; every read and every
//! move is in the audit log; department tokens and citizens' sessions never stand for each
//! other.

use std::process::Stdio;
use std::time::Duration;

use axum::http::StatusCode;
use onething_client::Client;
use onething_core::api::{
    AdminTransition, AuditQuery, DepartmentTokenRequest, ErrorCode, QueueQuery, SubItemStatus,
};
use tokio::process::Command;

use crate::common::live::{ADMIN, LiveServer};
use crate::common::{self, Rng};

const CDC: &str = "疾病预防控制中心";
const HEALTH: &str = "卫生健康委员会";
const POLICE: &str = "公安局";
const OTHER_ID: &str = "330502199001010030";

async fn department(admin: &Client, base: &Client, name: &str) -> Client {
    let created = admin
        .admin_department_token(&DepartmentTokenRequest {
            department: name.into(),
            label: "desk 1".into(),
            ttl_days: None,
        })
        .await
        .expect("token issued");
    base.with_bearer(&created.token)
}

/// A JPEG whose scan data is distinct per call.
fn photo(rng: &mut Rng) -> Vec<u8> {
    let mut jpeg = common::jpeg(40, 30);
    let at = jpeg
        .windows(64)
        .position(|w| w.iter().all(|b| *b == 0x55))
        .expect("scan data");
    for b in &mut jpeg[at..at + 64] {
        *b = u8::try_from(rng.below(0xFE)).expect("byte");
    }
    jpeg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::too_many_lines, reason = "one scenario, read top to bottom")]
async fn departments_see_only_their_part_and_every_read_is_audited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    common::services_into(&services);
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vaccine-test.toml"),
        services.join("vaccine-test.toml"),
    )
    .expect("fixture");
    let server = LiveServer::start(
        &dir.path().join("data"),
        &services,
        &dir.path().join("server.log"),
        &[],
    )
    .await;
    let url = format!("http://{}", server.addr);
    let base = Client::new(&url).expect("client");
    let admin = base.with_bearer(ADMIN);

    // Two test-bundle cases (the other parent's name and ID number given), one of another
    // service whose department has no part in them.
    let (citizen, citizen_token) = server.sign_in().await;
    let mut rng = Rng(7);
    let jpeg = photo(&mut rng);
    let id_card = citizen
        .upload(&jpeg, 1 << 20, &[("filename", "photo.jpg")])
        .await
        .expect("upload");
    let mut app = common::application(&id_card);
    app["answers"]["other_name"] = serde_json::json!("李建国");
    app["answers"]["other_id_number"] = serde_json::json!(OTHER_ID);
    app["materials"]["other_id_card"] = serde_json::json!({ "kind": "e_licence", "consent": true });
    let case = citizen
        .submit(&app, "dept-1")
        .await
        .expect("submitted")
        .created;
    let second = citizen
        .upload(&photo(&mut rng), 1 << 20, &[])
        .await
        .expect("upload");
    citizen
        .submit(&common::application(&second), "dept-2")
        .await
        .expect("submitted");
    let (other, _) = server.sign_in().await;
    let vaccine = other
        .submit(
            &serde_json::json!({
                "service_id": "vaccine-test",
                "sub_items": ["vaccination"],
                "answers": { "child_name": "王小明" },
                "materials": {}
            }),
            "dept-3",
        )
        .await
        .expect("vaccine case")
        .created;

    let cdc = department(&admin, &base, CDC).await;
    let health = department(&admin, &base, HEALTH).await;
    let police = department(&admin, &base, POLICE).await;

    // Queues: only the department's sub-items.
    let q = cdc
        .department_queue(&QueueQuery::default())
        .await
        .expect("queue");
    let subs: Vec<&str> = q.entries.iter().map(|e| e.sub_item_id.as_str()).collect();
    assert_eq!(subs, vec!["vaccination"], "{q:?}");
    assert_eq!(q.entries[0].case_number, vaccine.case_number);
    assert!(q.entries[0].due_on.is_some(), "a due date: {q:?}");
    let all = health
        .department_queue(&QueueQuery::default())
        .await
        .expect("queue");
    let subs: Vec<&str> = all.entries.iter().map(|e| e.sub_item_id.as_str()).collect();
    assert_eq!(subs, vec!["birth", "birth"], "{all:?}");
    let page = health
        .department_queue(&QueueQuery {
            per_page: Some(1),
            page: Some(2),
            status: Some(SubItemStatus::Received),
            ..QueueQuery::default()
        })
        .await
        .expect("page 2");
    assert_eq!((page.total, page.entries.len()), (2, 1), "{page:?}");
    let none = health
        .department_queue(&QueueQuery {
            due_before: Some("2000-01-01".into()),
            ..QueueQuery::default()
        })
        .await
        .expect("filtered");
    assert_eq!(none.total, 0);
    let accepted = health
        .department_queue(&QueueQuery {
            status: Some(SubItemStatus::Accepted),
            ..QueueQuery::default()
        })
        .await
        .expect("filtered");
    assert_eq!(accepted.total, 0);

    // The projection: the birth certificate's department receives the applicant's name, not
    // the other parent's name nor his ID number (the household registration's department
    // does).
    let birth = health
        .department_case(&case.case_number, "birth")
        .await
        .expect("case");
    let answers = birth.answers.as_object().expect("answers");
    assert!(answers.contains_key("applicant_name"), "{answers:?}");
    for absent in ["other_name", "other_id_number"] {
        assert!(
            !answers.contains_key(absent),
            "{absent} leaked: {answers:?}"
        );
    }
    assert!(birth.materials.is_empty(), "{birth:?}");
    let household = police
        .department_case(&case.id, "household")
        .await
        .expect("case");
    assert_eq!(household.answers["other_id_number"], OTHER_ID);
    let files: Vec<&str> = household
        .materials
        .iter()
        .flat_map(|m| m.files.iter().map(|f| f.upload_id.as_str()))
        .collect();
    assert_eq!(files, vec![id_card.as_str()], "{household:?}");

    // Not its case, not its sub-item.
    let e = cdc
        .department_case(&case.case_number, "birth")
        .await
        .expect_err("no sub-item of the CDC in it");
    assert_eq!(
        (e.status(), e.code()),
        (
            Some(StatusCode::NOT_FOUND),
            Some(ErrorCode::ApplicationNotFound)
        )
    );
    let e = health
        .department_case(&case.case_number, "household")
        .await
        .expect_err("another department's sub-item");
    assert_eq!(e.code(), Some(ErrorCode::SubItemNotFound));

    // Files: byte-identical to the upload after metadata removal; only its own materials.
    let file = police
        .department_file(&case.case_number, "household", &id_card)
        .await
        .expect("ID card file");
    let (_, cleaned, _) = onething_server::media::process(jpeg.clone(), 50_000_000).expect("clean");
    assert_eq!(file.content_type, "image/jpeg");
    assert_eq!(file.bytes, cleaned, "byte-identical after metadata removal");
    assert_ne!(file.bytes, jpeg, "the metadata is gone");
    let e = health
        .department_file(&case.case_number, "birth", &id_card)
        .await
        .expect_err("not a material of the birth certificate");
    assert_eq!(e.code(), Some(ErrorCode::UploadNotFound));

    // Moves through the department's API, recorded with the department.
    let moved = health
        .department_move(
            &case.case_number,
            "birth",
            &AdminTransition {
                to: SubItemStatus::Accepted,
                note: None,
                delivery: None,
                stage: None,
                record: std::collections::BTreeMap::new(),
            },
        )
        .await
        .expect("accepted");
    assert_eq!(moved.status, SubItemStatus::Accepted);
    let e = health
        .department_move(
            &case.case_number,
            "birth",
            &AdminTransition {
                to: SubItemStatus::Rejected,
                note: None,
                delivery: None,
                stage: None,
                record: std::collections::BTreeMap::new(),
            },
        )
        .await
        .expect_err("a rejection needs its reason");
    assert_eq!(e.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
    police
        .department_supplement(&case.case_number, "household", "请补充户口本首页")
        .await
        .expect("supplement");
    let detail = citizen.application(&case.id).await.expect("case");
    let by: Vec<(&str, Option<&str>)> = detail
        .timeline
        .iter()
        .filter_map(|e| Some((e.sub_item_id.as_deref()?, e.department.as_deref())))
        .collect();
    assert!(by.contains(&("birth", Some(HEALTH))), "{by:?}");
    assert!(by.contains(&("household", Some(POLICE))), "{by:?}");

    // The admin CLI moves through the department's API with a department token.
    let token = admin
        .admin_department_token(&DepartmentTokenRequest {
            department: HEALTH.into(),
            label: "cli".into(),
            ttl_days: Some(1),
        })
        .await
        .expect("token")
        .token;
    let out = tokio::time::timeout(
        Duration::from_mins(1),
        Command::new(env!("CARGO_BIN_EXE_onething-server"))
            .args(["admin", "--server", &url, "--department-token", &token])
            .args(["move", &case.case_number, "birth", "in_progress"])
            .env_remove("ONETHING_ADMIN_TOKEN")
            .stdin(Stdio::null())
            .output(),
    )
    .await
    .expect("ends")
    .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("birth -> in_progress"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Every read and every move is in the audit log, with who and what.
    let log = admin
        .admin_audit(&AuditQuery {
            case: Some(case.case_number.clone()),
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    let seen = |actor: &str, action: &str, sub: &str| {
        log.iter().any(|e| {
            e.actor.starts_with(&format!("department:{actor}/"))
                && e.action == action
                && e.sub_item_id.as_deref() == Some(sub)
        })
    };
    for (actor, action, sub) in [
        (HEALTH, "read_case", "birth"),
        (POLICE, "read_case", "household"),
        (POLICE, "read_file", "household"),
        (HEALTH, "move", "birth"),
        (POLICE, "move", "household"),
    ] {
        assert!(seen(actor, action, sub), "{actor} {action} {sub}: {log:#?}");
    }
    let reads = log.iter().filter(|e| e.action.starts_with("read_")).count();
    assert_eq!(reads, 3, "one entry per successful read: {log:#?}");
    let file_read = log
        .iter()
        .find(|e| e.action == "read_file")
        .expect("file read");
    assert!(
        file_read
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("id_card") && d.contains(&id_card)),
        "{file_read:?}"
    );
    let case_read = log
        .iter()
        .find(|e| e.action == "read_case" && e.actor.contains(POLICE))
        .expect("case read");
    assert!(
        case_read
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("other_id_number")),
        "the fields read: {case_read:?}"
    );
    assert_eq!(
        log.iter().filter(|e| e.action == "move").count(),
        3,
        "{log:#?}"
    );

    // Tokens never stand for one another.
    let e = base
        .with_bearer(&citizen_token)
        .department_queue(&QueueQuery::default())
        .await
        .expect_err("a citizen's session is not a department token");
    assert_eq!(e.code(), Some(ErrorCode::DepartmentUnauthorized));
    let e = cdc
        .session()
        .await
        .expect_err("a department token is no session");
    assert_eq!(e.code(), Some(ErrorCode::Unauthenticated));
    let e = cdc
        .admin_audit(&AuditQuery::default())
        .await
        .expect_err("nor the admin token");
    assert_eq!(e.code(), Some(ErrorCode::AdminUnauthorized));
    let e = admin
        .admin_department_token(&DepartmentTokenRequest {
            department: "不存在的局".into(),
            label: "x".into(),
            ttl_days: None,
        })
        .await
        .expect_err("unknown department");
    assert_eq!(e.code(), Some(ErrorCode::DepartmentUnknown));
}

/// The audit log is append-only in the database itself: no update, no delete.
#[tokio::test]
async fn the_audit_log_refuses_changes() {
    let c = common::ctx().await;
    let mut conn = c.state.db.acquire().await.expect("conn");
    onething_server::store::departments::audit(
        &mut conn,
        1,
        &onething_server::store::departments::AuditRecord {
            actor: "admin",
            action: "read_case_admin",
            ..Default::default()
        },
    )
    .await
    .expect("appended");
    for sql in ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"] {
        let e = sqlx::query(sql).execute(&mut *conn).await.expect_err(sql);
        assert!(e.to_string().contains("append-only"), "{e}");
    }
}

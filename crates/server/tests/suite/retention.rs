//! Retention: the personal data of a finished case is deleted once `--retention-days` have
//! passed since its last change, and the case stays as a de-identified record (its timeline,
//! statuses, dates, rating scores); an unfinished case is never touched; drafts go after their
//! TTL; files that no upload names are swept once older than the grace period, fresh ones not.
//! The server's clock is set to a fixed day and moved forward, never today's date.

use std::time::{Duration, SystemTime};

use crate::common::{
    ADMIN, Ctx, admin_move, application, application_with_consent, ctx_with, get, jpeg, login,
    login_person, req, send, submit, upload,
};
use axum::http::{Method, StatusCode};
use onething_core::api::{ApplicationCreated, ApplicationDetail, SubItemStatus, TimelineKind};
use onething_server::clock::parse_instant;
use onething_server::maintenance::{self, ORPHAN_GRACE};
use serde_json::json;

const DAY: Duration = Duration::from_hours(24);

/// A server with a 30-day retention whose clock reads a fixed morning.
async fn server() -> Ctx {
    let c = ctx_with(|config| config.retention_days = 30).await;
    c.state
        .clock
        .set(parse_instant("2031-03-03T02:00:00Z").expect("instant"));
    c
}

async fn detail(c: &Ctx, token: &str, id: &str) -> ApplicationDetail {
    let r = get(&c.state, &format!("/api/applications/{id}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.json()
}

async fn moved(c: &Ctx, case: &str, sub_item: &str, body: serde_json::Value) {
    let r = admin_move(&c.state, case, sub_item, body).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

/// A case with everything that holds personal data: answers, an uploaded photo, a consent
/// request to the other parent, a supplement answered, notes, a delivery with its pickup code,
/// a withdrawal-free end (one item delivered, two rejected), a rated comment.
async fn finished_case(c: &Ctx) -> (String, ApplicationCreated, String) {
    let (token, _) = login_person(&c.state, "mother").await;
    let (holder, holder_id) = login_person(&c.state, "father").await;
    let up = upload(&c.state, &token, &jpeg(20, 20)).await;
    let r = submit(
        &c.state,
        &token,
        "k1",
        &application_with_consent(&up, &holder_id),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    let case = created.case_number.clone();
    // The father approves (an unanswered request would expire into a supplement request).
    let code = detail(c, &token, &created.id).await.consents[0]
        .code
        .clone();
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/consents/{code}"),
            Some(&holder),
            Some(json!({ "decision": "approve" })),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{r:?}");
    moved(
        c,
        &case,
        "birth",
        json!({ "to": "supplement_requested", "note": "请王小红补充首页照片" }),
    )
    .await;
    // Every open request answered: the one just asked, and the deferred marriage certificate's.
    for sup in detail(c, &token, &created.id).await.supplements {
        let r = send(
            &c.state,
            req(
                Method::POST,
                &format!("/api/applications/{}/supplements/{}", created.id, sup.id),
                Some(&token),
                Some(json!({ "text": "王小红的补充说明" })),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    for to in ["accepted", "in_progress", "completed"] {
        moved(c, &case, "birth", json!({ "to": to })).await;
    }
    moved(
        c,
        &case,
        "birth",
        json!({ "to": "delivered", "delivery": { "method": "window", "pickup_code": "PICK1234" } }),
    )
    .await;
    for sub in ["household", "insurance"] {
        moved(
            c,
            &case,
            sub,
            json!({ "to": "rejected", "note": "王强的户籍信息不符" }),
        )
        .await;
    }
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{}/rating", created.id),
            Some(&token),
            Some(json!({
                "scores": { "overall": 5, "efficiency": 4, "guide_accuracy": 5, "convenience": 4, "usability": 5 },
                "comment": "王小红很满意"
            })),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{r:?}");
    (token, created, up)
}

/// What stays of a case after retention (the case number, the statuses and dates, the
/// timeline's shape, the scores) and what goes (notes, answers, comment, the consent holder, the
/// pickup code), comparing the case before with after.
fn stays_de_identified(before: &ApplicationDetail, after: &ApplicationDetail) {
    // What stays: the case number, the statuses and dates, the timeline's shape, the scores.
    assert_eq!(after.case_number, before.case_number);
    assert_eq!(after.submitted_at, before.submitted_at);
    assert_eq!(after.updated_at, before.updated_at);
    assert_eq!(after.status, before.status);
    let statuses = |d: &ApplicationDetail| {
        d.items
            .iter()
            .map(|i| (i.sub_item_id.clone(), i.status, i.updated_at.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(statuses(after), statuses(before));
    assert_eq!(
        after.items[0].status,
        SubItemStatus::Delivered,
        "the delivered item"
    );
    let shape = |d: &ApplicationDetail| {
        d.timeline
            .iter()
            .map(|e| (e.at.clone(), e.kind, e.sub_item_id.clone(), e.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(after), shape(before));
    assert!(
        after
            .timeline
            .iter()
            .any(|e| e.kind == TimelineKind::Submitted)
    );
    assert_eq!(
        after.rating.as_ref().map(|r| r.scores.overall),
        Some(5),
        "the scores stay for the statistics"
    );
    // What goes: notes, answers, comment, the consent holder, the pickup code.
    assert!(before.timeline.iter().any(|e| e.note.is_some()));
    assert!(after.timeline.iter().all(|e| e.note.is_none()));
    assert!(after.rating.as_ref().is_some_and(|r| r.comment.is_none()));
    assert!(after.supplements.iter().all(|s| {
        s.note.is_empty()
            && s.answer
                .as_ref()
                .is_none_or(|a| a.text.is_none() && a.upload_ids.is_empty())
    }));
    assert!(after.consents.iter().all(|x| x.holder_name.is_empty()));
    assert!(!before.consents.is_empty());
    let delivery = after.items[0].delivery.as_ref().expect("delivery kept");
    assert!(delivery.pickup_code.is_none());
    assert!(
        before.items[0]
            .delivery
            .as_ref()
            .is_some_and(|d| d.pickup_code.is_some())
    );
}

async fn scalar_i64(c: &Ctx, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&c.state.db)
        .await
        .expect("query")
}

/// The case's rows hold no body, no data key, no upload and no consent holder any more.
async fn rows_are_erased(c: &Ctx, id: &str) {
    assert_eq!(
        scalar_i64(
            c,
            "SELECT length(body) + CASE WHEN key_id IS NULL THEN 0 ELSE 1 END
             + CASE WHEN dek IS NULL THEN 0 ELSE 1 END FROM applications WHERE id = $1",
            id
        )
        .await,
        0
    );
    assert_eq!(
        scalar_i64(
            c,
            "SELECT COUNT(*) FROM uploads WHERE application_id = $1",
            id
        )
        .await,
        0
    );
    assert_eq!(
        scalar_i64(
            c,
            "SELECT COUNT(*) FROM consents WHERE application_id = $1 AND (holder_id_hash <> '' OR answerer_id IS NOT NULL)",
            id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_finished_case_loses_its_personal_data_after_the_period_and_keeps_its_timeline() {
    let c = server().await;
    let (token, created, up) = finished_case(&c).await;
    let before = detail(&c, &token, &created.id).await;
    assert!(before.personal_data_deleted_at.is_none());
    assert_eq!(
        before.rating.as_ref().and_then(|r| r.comment.as_deref()),
        Some("王小红很满意")
    );
    // The comment is sealed at rest like the rest of the personal data.
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT comment FROM ratings WHERE application_id = $1")
            .bind(&created.id)
            .fetch_one(&c.state.db)
            .await
            .expect("rating row");
    let plain = "王小红很满意".as_bytes();
    assert!(!stored.windows(plain.len()).any(|w| w == plain));
    let blob: String = sqlx::query_scalar("SELECT blob_name FROM uploads WHERE id = $1")
        .bind(&up)
        .fetch_one(&c.state.db)
        .await
        .expect("blob name");
    let blob_path = c.state.files_dir.join("blobs").join(&blob);
    assert!(blob_path.exists());

    // A day short of the period: nothing goes.
    c.state.clock.advance(29 * DAY);
    let swept = maintenance::sweep(&c.state).await.expect("sweep");
    assert_eq!(swept.cases, 0);
    let (token, _) = login_person(&c.state, "mother").await;
    assert_eq!(
        get(
            &c.state,
            &format!("/api/applications/{}/submission", created.id),
            Some(&token)
        )
        .await
        .status,
        StatusCode::OK
    );

    // Past it: the personal data goes, once.
    c.state.clock.advance(DAY + Duration::from_mins(1));
    assert_eq!(maintenance::sweep(&c.state).await.expect("sweep").cases, 1);
    assert_eq!(maintenance::sweep(&c.state).await.expect("sweep").cases, 0);
    // Sessions last twelve hours: the applicant signs in again, as the same person.
    let (token, _) = login_person(&c.state, "mother").await;

    let after = detail(&c, &token, &created.id).await;
    assert!(after.personal_data_deleted_at.is_some());
    assert_eq!(after.retention_days, Some(30));
    stays_de_identified(&before, &after);

    // The submission answers 410 with the reason.
    let r = get(
        &c.state,
        &format!("/api/applications/{}/submission", created.id),
        Some(&token),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::GONE, "personal_data_deleted")
    );
    // So does a department's view of the case.
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/admin/departments/tokens",
            Some(ADMIN),
            Some(json!({ "department": "公安局", "label": "desk" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let desk: onething_core::api::DepartmentTokenCreated = r.json();
    let r = get(
        &c.state,
        &format!(
            "/api/department/cases/{}/items/household",
            created.case_number
        ),
        Some(&desk.token),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::GONE, "personal_data_deleted")
    );
    rows_are_erased(&c, &created.id).await;
    assert!(!blob_path.exists(), "the stored photo is deleted");
    // The operator still sees the case, de-identified.
    let r = get(
        &c.state,
        &format!("/api/admin/applications/{}", created.case_number),
        Some(ADMIN),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // A restart seals nothing of what was erased (the legacy pass skips emptied values).
    assert_eq!(
        onething_server::store::keys::seal_legacy(&c.state.db, &c.state.keys)
            .await
            .expect("seal"),
        0
    );
}

#[tokio::test]
async fn an_unfinished_case_is_never_touched_and_zero_days_keeps_everything() {
    let c = server().await;
    let (token, _) = login_person(&c.state, "applicant").await;
    let up = upload(&c.state, &token, &jpeg(20, 20)).await;
    let r = submit(&c.state, &token, "k1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    // Two items finished, one still open: the case is not finished.
    moved(
        &c,
        &created.case_number,
        "household",
        json!({ "to": "rejected", "note": "x" }),
    )
    .await;
    moved(
        &c,
        &created.case_number,
        "insurance",
        json!({ "to": "rejected", "note": "x" }),
    )
    .await;
    moved(
        &c,
        &created.case_number,
        "birth",
        json!({ "to": "accepted" }),
    )
    .await;
    c.state.clock.advance(400 * DAY);
    assert_eq!(maintenance::sweep(&c.state).await.expect("sweep").cases, 0);
    let (token, _) = login_person(&c.state, "applicant").await;
    let d = detail(&c, &token, &created.id).await;
    assert!(d.personal_data_deleted_at.is_none());
    assert!(d.timeline.iter().any(|e| e.note.is_some()));
    let r = get(
        &c.state,
        &format!("/api/applications/{}/submission", created.id),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");

    // With `--retention-days 0` a finished case is kept.
    let keep = ctx_with(|config| config.retention_days = 0).await;
    let (t, _) = login_person(&keep.state, "keeper").await;
    let up = upload(&keep.state, &t, &jpeg(20, 20)).await;
    let created: ApplicationCreated = submit(&keep.state, &t, "k1", &application(&up))
        .await
        .json();
    let r = send(
        &keep.state,
        req(
            Method::POST,
            &format!("/api/applications/{}/withdraw", created.id),
            Some(&t),
            Some(json!({ "reason": "填错了" })),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{r:?}");
    keep.state.clock.advance(4000 * DAY);
    assert_eq!(
        maintenance::sweep(&keep.state).await.expect("sweep").cases,
        0
    );
    let (t, _) = login_person(&keep.state, "keeper").await;
    assert!(
        detail(&keep, &t, &created.id)
            .await
            .personal_data_deleted_at
            .is_none()
    );
}

#[tokio::test]
async fn what_arrives_after_the_deletion_gets_its_own_period() {
    let c = server().await;
    let (token, _) = login_person(&c.state, "late-rater").await;
    let up = upload(&c.state, &token, &jpeg(20, 20)).await;
    let created: ApplicationCreated = submit(&c.state, &token, "k1", &application(&up))
        .await
        .json();
    for sub in ["birth", "household", "insurance"] {
        moved(
            &c,
            &created.case_number,
            sub,
            json!({ "to": "rejected", "note": "x" }),
        )
        .await;
    }
    c.state.clock.advance(31 * DAY);
    assert_eq!(maintenance::sweep(&c.state).await.expect("sweep").cases, 1);
    // Rated after the deletion: the comment is new personal data, kept for its own period.
    let (token, _) = login_person(&c.state, "late-rater").await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{}/rating", created.id),
            Some(&token),
            Some(json!({
                "scores": { "overall": 2, "efficiency": 2, "guide_accuracy": 2, "convenience": 2, "usability": 2 },
                "comment": "王小红不满意"
            })),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{r:?}");
    let comment = async |token: &str| {
        detail(&c, token, &created.id)
            .await
            .rating
            .and_then(|r| r.comment)
    };
    assert_eq!(comment(&token).await.as_deref(), Some("王小红不满意"));
    c.state.clock.advance(29 * DAY);
    assert_eq!(maintenance::sweep(&c.state).await.expect("sweep").cases, 0);
    c.state.clock.advance(2 * DAY);
    assert_eq!(maintenance::sweep(&c.state).await.expect("sweep").cases, 1);
    let (token, _) = login_person(&c.state, "late-rater").await;
    assert_eq!(comment(&token).await, None);
    let d = detail(&c, &token, &created.id).await;
    assert_eq!(d.rating.map(|r| r.scores.overall), Some(2));
    assert!(d.personal_data_deleted_at.is_some());
}

#[tokio::test]
async fn a_withdrawn_case_loses_its_reason() {
    let c = server().await;
    let (token, _) = login_person(&c.state, "withdrawer").await;
    let up = upload(&c.state, &token, &jpeg(20, 20)).await;
    let created: ApplicationCreated = submit(&c.state, &token, "k1", &application(&up))
        .await
        .json();
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{}/withdraw", created.id),
            Some(&token),
            Some(json!({ "reason": "王小红填错了" })),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{r:?}");
    let before = detail(&c, &token, &created.id).await;
    assert!(
        before
            .timeline
            .iter()
            .any(|e| e.kind == TimelineKind::Withdrawn && e.note.is_some())
    );
    c.state.clock.advance(31 * DAY);
    assert_eq!(maintenance::sweep(&c.state).await.expect("sweep").cases, 1);
    let (token, _) = login_person(&c.state, "withdrawer").await;
    let after = detail(&c, &token, &created.id).await;
    assert!(
        after
            .timeline
            .iter()
            .any(|e| e.kind == TimelineKind::Withdrawn && e.note.is_none())
    );
    assert_eq!(
        scalar_i64(
            &c,
            "SELECT COUNT(*) FROM withdrawals WHERE application_id = $1",
            &created.id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn drafts_go_after_their_ttl() {
    let c = server().await;
    let token = login(&c.state).await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/drafts",
            Some(&token),
            Some(json!({ "service_id": "test-bundle", "data": { "answers": { "applicant_name": "王小红" } } })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let count = async || -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM drafts")
            .fetch_one(&c.state.db)
            .await
            .expect("count")
    };
    c.state.clock.advance(29 * DAY);
    maintenance::sweep(&c.state).await.expect("sweep");
    assert_eq!(count().await, 1, "a draft inside its TTL (30 days) stays");
    c.state.clock.advance(2 * DAY);
    maintenance::sweep(&c.state).await.expect("sweep");
    assert_eq!(count().await, 0, "a draft past its TTL is deleted");
}

/// Sets a file's modification time `ago` in the past (the real clock: the age of files is the
/// file system's).
fn age(path: &std::path::Path, ago: Duration) {
    let f = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    f.set_modified(SystemTime::now() - ago).expect("set mtime");
}

#[tokio::test]
async fn orphaned_files_are_swept_after_the_grace_and_fresh_or_owned_ones_are_not() {
    let c = server().await;
    let token = login(&c.state).await;
    // An upload that completed, and one still arriving: both own their files.
    let done = upload(&c.state, &token, &jpeg(20, 20)).await;
    let arriving = crate::common::create_upload(&c.state, &token, 1000).await;
    let blob: String = sqlx::query_scalar("SELECT blob_name FROM uploads WHERE id = $1")
        .bind(&done)
        .fetch_one(&c.state.db)
        .await
        .expect("blob name");
    let files = &c.state.files_dir;
    let owned = [
        files.join("blobs").join(&blob),
        files.join("partial").join(&arriving),
    ];
    // What a kill leaves: a stored file never recorded, a partial file without its row, the
    // temporary file of an interrupted write. Old ones and a fresh one of each kind.
    let old_orphans = [
        files.join("blobs").join("0123456789abcdef.jpg"),
        files.join("blobs").join("0123456789abcdef.tmp"),
        files.join("partial").join("fedcba9876543210"),
    ];
    let fresh_orphans = [
        files.join("blobs").join("aaaaaaaaaaaaaaaa.jpg"),
        files.join("partial").join("bbbbbbbbbbbbbbbb"),
    ];
    for f in old_orphans.iter().chain(&fresh_orphans) {
        std::fs::write(f, b"left by a kill").expect("write");
    }
    // And the partial file of the upload that completed, left because its deletion failed after
    // the row said so: a second name of the stored file (completion links the file the bytes
    // arrived in), aged with it below.
    let leftover = files.join("partial").join(&done);
    std::fs::hard_link(&owned[0], &leftover).expect("link");
    let stored = std::fs::read(&owned[0]).expect("stored file");
    let long_ago = ORPHAN_GRACE + Duration::from_mins(10);
    for f in old_orphans.iter().chain(&owned) {
        age(f, long_ago);
    }
    // The server's clock moved on changes nothing (file ages are the file system's); less
    // than the uploads' TTL, so the two uploads stay.
    c.state.clock.advance(Duration::from_hours(6));
    let swept = maintenance::sweep(&c.state).await.expect("sweep");
    assert_eq!(swept.orphans, 4);
    let metrics = get(&c.state, "/api/admin/metrics", Some(ADMIN)).await;
    assert!(
        String::from_utf8_lossy(&metrics.body).contains("onething_orphan_files_deleted_total 4"),
        "{metrics:?}"
    );
    for f in old_orphans.iter().chain([&leftover]) {
        assert!(!f.exists(), "{} swept", f.display());
    }
    assert_eq!(
        std::fs::read(&owned[0]).expect("stored file"),
        stored,
        "the stored file is whole without its second name"
    );
    for f in fresh_orphans.iter().chain(&owned) {
        assert!(f.exists(), "{} kept", f.display());
    }
    // Once old, the fresh ones go too; what uploads own never does.
    for f in &fresh_orphans {
        age(f, long_ago);
    }
    assert_eq!(
        maintenance::sweep_orphans(&c.state, ORPHAN_GRACE)
            .await
            .expect("sweep"),
        2
    );
    for f in &owned {
        assert!(f.exists(), "{} kept", f.display());
    }
}

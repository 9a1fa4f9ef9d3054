//! A definition's own tracking stages and outcomes, moved by a department and by the demo:
//! the joint utility connection's 联合踏勘 → 协同接入 → 联合验收 in order, each with what it
//! records, and its connection result, which is not delivered.

use axum::http::StatusCode;
use onething_core::api::{ApplicationCreated, ApplicationDetail, OutcomeKind, SubItemStatus};
use serde_json::json;

use crate::common::*;

/// A server that also offers `services/utility-connection.toml`, set to the day its example
/// is valid on, with that example submitted; the case number and the applicant's token.
async fn utility_case() -> (Ctx, String, ApplicationCreated, String) {
    let c = ctx_with(|cfg| {
        cfg.retention_days = 30;
        let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../services/utility-connection.toml");
        std::fs::copy(from, cfg.services_dir.join("utility-connection.toml"))
            .expect("copy definition");
    })
    .await;
    let file: serde_json::Value = serde_json::from_str(include_str!(
        "../../../../services/examples/utility-connection.json"
    ))
    .expect("example");
    let day = file["valid_on"].as_str().expect("valid_on").to_owned();
    c.state
        .clock
        .set(onething_server::clock::parse_instant(&day).expect("instant"));
    let (token, _) = login_person(&c.state, "utility-applicant").await;
    let up = upload(&c.state, &token, &jpeg(20, 20)).await;
    let mut body = file["application"].clone();
    body["materials"]["site_plan"]["upload_ids"] = json!([up]);
    let r = submit(&c.state, &token, "utility-1", &body).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let created: ApplicationCreated = r.json();
    (c, token, created, day)
}

async fn detail(c: &Ctx, token: &str, id: &str) -> ApplicationDetail {
    get(&c.state, &format!("/api/applications/{id}"), Some(token))
        .await
        .json()
}

#[tokio::test]
async fn a_department_moves_its_item_through_the_definitions_stages_in_order() {
    let (c, token, created, day) = utility_case().await;
    let case = created.case_number.as_str();
    let ok = |r: Resp| {
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&r.body)
        );
    };
    ok(admin_move(&c.state, case, "water", json!({ "to": "accepted" })).await);
    // Not before the survey; not with a record that does not fit; not a stage it lacks.
    let r = admin_move(&c.state, case, "water", json!({ "to": "in_progress", "stage": "joint_acceptance", "record": { "accepted_on": day } })).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "transition_not_allowed".to_owned())
    );
    let r = admin_move(
        &c.state,
        case,
        "water",
        json!({ "to": "in_progress", "stage": "survey", "record": {} }),
    )
    .await;
    assert_eq!(r.code(), "transition_not_allowed");
    let r = admin_move(&c.state, case, "water", json!({ "to": "in_progress", "stage": "joint_survey", "record": { "survey_date": "12/05", "slot": "am" } })).await;
    assert_eq!(
        (r.status, r.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "record_invalid".to_owned()
        )
    );
    let problems: onething_core::api::ApiErrorBody = r.json();
    let mut codes: Vec<(String, String)> = problems
        .errors
        .into_iter()
        .map(|p| (p.path, p.code))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            ("record.slot".to_owned(), "unknown_field".to_owned()),
            ("record.survey_date".to_owned(), "date_format".to_owned()),
            ("record.survey_slot".to_owned(), "required".to_owned()),
        ]
    );
    ok(admin_move(&c.state, case, "water", json!({ "to": "in_progress", "stage": "joint_survey", "record": { "survey_date": day, "survey_slot": "morning" } })).await);
    // Completing before the connection and the acceptance is refused.
    let r = admin_move(
        &c.state,
        case,
        "water",
        json!({ "to": "completed", "record": { "connected_on": day, "account_no": "SS20261201" } }),
    )
    .await;
    assert_eq!(r.code(), "transition_not_allowed");
    ok(admin_move(&c.state, case, "water", json!({ "to": "in_progress", "stage": "coordinated_connection", "record": { "works_start": day } })).await);
    let r = admin_move(&c.state, case, "water", json!({ "to": "in_progress", "stage": "joint_survey", "record": { "survey_date": day, "survey_slot": "morning" } })).await;
    assert_eq!(r.code(), "transition_not_allowed", "the survey was passed");
    ok(admin_move(&c.state, case, "water", json!({ "to": "in_progress", "stage": "joint_acceptance", "record": { "accepted_on": day } })).await);
    ok(admin_move(
        &c.state,
        case,
        "water",
        json!({ "to": "completed", "record": { "connected_on": day, "account_no": "ss20261201" } }),
    )
    .await);
    // A connection is not a parcel: nothing to deliver.
    let r = admin_move(&c.state, case, "water", json!({ "to": "delivered", "delivery": { "method": "mail", "courier": "顺丰速运", "tracking_number": "SF1234567890" } })).await;
    assert_eq!(r.code(), "transition_not_allowed");

    let d = detail(&c, &token, &created.id).await;
    let water = d
        .items
        .iter()
        .find(|i| i.sub_item_id == "water")
        .expect("water");
    assert_eq!(water.status, SubItemStatus::Completed);
    let stages: Vec<&str> = water.stages.iter().map(|s| s.stage.as_str()).collect();
    assert_eq!(
        stages,
        ["joint_survey", "coordinated_connection", "joint_acceptance"]
    );
    assert_eq!(
        water.stages[0].record["survey_slot"],
        onething_core::AnswerValue::Text("morning".into())
    );
    let outcome = water.outcome.as_ref().expect("outcome");
    assert_eq!(outcome.kind, OutcomeKind::Connection);
    assert_eq!(
        outcome.record["account_no"],
        onething_core::AnswerValue::Text("ss20261201".into())
    );
    let entered = d
        .timeline
        .iter()
        .filter(|e| e.kind == onething_core::api::TimelineKind::StageEntered)
        .count();
    assert_eq!(entered, 3, "each stage is in the timeline");
}

#[tokio::test]
async fn the_demo_drives_every_stage_and_ends_a_connection_at_completion() {
    let (c, token, created, _) = utility_case().await;
    for _ in 0..12 {
        onething_server::tracking::advance_all(&c.state)
            .await
            .expect("advance");
    }
    let d = detail(&c, &token, &created.id).await;
    for item in &d.items {
        assert_eq!(
            item.status,
            SubItemStatus::Completed,
            "{}",
            item.sub_item_id
        );
        assert_eq!(item.stages.len(), 3, "{}", item.sub_item_id);
        assert!(item.outcome.is_some(), "{}", item.sub_item_id);
        assert!(item.delivery.is_none(), "{}", item.sub_item_id);
    }
    assert!(d.can_rate);

    // After the retention period the stages and the result keep their names and dates, not
    // what the providers recorded in them (an account number ties a connection to a person).
    c.state
        .clock
        .advance(std::time::Duration::from_hours(31 * 24));
    onething_server::maintenance::sweep(&c.state)
        .await
        .expect("sweep");
    // (The session is long gone: the applicant signs in again.)
    let (token, _) = login_person(&c.state, "utility-applicant").await;
    let after = detail(&c, &token, &created.id).await;
    assert!(after.personal_data_deleted_at.is_some());
    for (item, was) in after.items.iter().zip(&d.items) {
        let kept: Vec<(&str, &str)> = item
            .stages
            .iter()
            .map(|s| (s.stage.as_str(), s.at.as_str()))
            .collect();
        let before: Vec<(&str, &str)> = was
            .stages
            .iter()
            .map(|s| (s.stage.as_str(), s.at.as_str()))
            .collect();
        assert_eq!(kept, before, "{}", item.sub_item_id);
        assert!(
            item.stages.iter().all(|s| s.record.is_empty()),
            "{}",
            item.sub_item_id
        );
        let outcome = item.outcome.as_ref().expect("outcome kept");
        assert_eq!(outcome.kind, OutcomeKind::Connection);
        assert!(outcome.record.is_empty(), "{}", item.sub_item_id);
    }
}

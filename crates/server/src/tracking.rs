//! The operations that move a case along the state machine of [`crate::workflow`], on the
//! store: departments' moves (admin API, demo timer), the citizen's supplement answers
//! and rating. Moving to `delivered` records how: by mail, at a window or as an e-licence, as
//! the sub-item's definition offers.
//!
//! Consent requests (another person's e-licence) live here too: the holder answers once; a
//! refusal or an expiry turns the material into a supplement request (补正), so the applicant
//! can still provide it as a photo.

use onething_core::api::{
    AdminTransition, ConsentDecision, ConsentStatus, Delivery, DeliveryMethod, DeliveryRequest,
    ErrorCode, MessageKind, Rating, SubItemStatus, SupplementAnswer, TimelineKind,
};
use onething_core::{ServiceDefinition, SubItem, wire};

use crate::auth::Caller;
use crate::clock::new_id;
use crate::store::applications as db;
use crate::workflow::{allowed, may_rate, needs_dependencies, next_move, waiting_for};
use crate::{ApiError, AppState, Result, store};

fn app_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::ApplicationNotFound)
}

/// Letters and digits only, `min..=max` of them (tracking numbers, pickup codes).
fn plain_code(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn delivery_invalid(field: &str, message: &str) -> ApiError {
    ApiError::unprocessable(ErrorCode::DeliveryInvalid, message.to_owned())
        .with_fields([format!("delivery.{field}")])
}

/// The delivery record of a move to `delivered`: one of the methods `sub` offers, with what
/// that method needs (the window's details and the e-licence's place come from the definition).
///
/// # Errors
/// `delivery_invalid` (missing, or a courier / tracking number / pickup code malformed),
/// `delivery_method_not_offered`.
pub fn delivery(sub: Option<&SubItem>, req: Option<&DeliveryRequest>) -> Result<Delivery> {
    let req = req
        .ok_or_else(|| delivery_invalid("method", "moving to delivered needs `delivery` (how)"))?;
    let offered = sub.map_or_else(|| vec![DeliveryMethod::Mail], SubItem::result_methods);
    if !offered.contains(&req.method) {
        return Err(ApiError::unprocessable(
            ErrorCode::DeliveryMethodNotOffered,
            format!(
                "this sub-item is not delivered by {}",
                wire::name(&req.method)
            ),
        )
        .with_fields(["delivery.method"]));
    }
    let results = sub.and_then(|s| s.results.as_ref());
    let mut out = Delivery {
        method: req.method,
        courier: None,
        tracking_number: None,
        office: None,
        address: None,
        hours: None,
        pickup_code: None,
        where_to_find: None,
    };
    match req.method {
        DeliveryMethod::Mail => {
            let courier = req.courier.as_deref().map(str::trim).unwrap_or_default();
            if courier.is_empty()
                || courier.chars().count() > 40
                || courier.chars().any(char::is_control)
            {
                return Err(delivery_invalid(
                    "courier",
                    "name the courier (1-40 characters)",
                ));
            }
            let number = req
                .tracking_number
                .as_deref()
                .map(str::trim)
                .unwrap_or_default();
            if !plain_code(number, 6, 30) {
                return Err(delivery_invalid(
                    "tracking_number",
                    "a tracking number is 6-30 letters or digits",
                ));
            }
            out.courier = Some(courier.to_owned());
            out.tracking_number = Some(number.to_owned());
        }
        DeliveryMethod::Window => {
            let code = match req.pickup_code.as_deref().map(str::trim) {
                Some(c) if plain_code(c, 4, 12) => c.to_owned(),
                Some(_) => {
                    return Err(delivery_invalid(
                        "pickup_code",
                        "a pickup code is 4-12 letters or digits",
                    ));
                }
                None => {
                    let n = u32::from_le_bytes(crate::clock::random_bytes::<4>()) % 1_000_000;
                    format!("{n:06}")
                }
            };
            let w = results.and_then(|r| r.window.as_ref());
            out.office = w.map(|w| w.office.clone());
            out.address = w.map(|w| w.address.clone());
            out.hours = w.map(|w| w.hours.clone());
            out.pickup_code = Some(code);
        }
        DeliveryMethod::ELicence => {
            out.where_to_find = results.and_then(|r| r.e_licence.clone());
        }
    }
    Ok(out)
}

/// The definition of an application's service, at the version it was submitted under when
/// that is still loaded (none when the service was withdrawn since).
async fn definition_of<'a>(
    state: &'a AppState,
    conn: &mut store::Conn,
    application_id: &str,
) -> Result<Option<&'a ServiceDefinition>> {
    Ok(db::service_version(conn, application_id)
        .await?
        .and_then(|(s, v)| state.catalogue.for_case(&s, v.as_deref())))
}

/// A department moves a sub-item (admin API, demo timer).
///
/// # Errors
/// `application_not_found`, `sub_item_not_found`, `transition_not_allowed`,
/// `waiting_for_dependency`, `invalid_body` (a supplement request without a note).
pub async fn transition(
    state: &AppState,
    application_id: &str,
    sub_item_id: &str,
    req: &AdminTransition,
    by: By<'_>,
) -> Result<()> {
    let department = by.department;
    let now = state.clock.now();
    // IMMEDIATE: take the write lock first, so reading then writing cannot race another writer.
    let mut tx = store::begin_immediate(&state.db).await?;
    if !db::touch(&mut tx, application_id, now).await? {
        return Err(app_not_found());
    }
    let items = db::items(&mut tx, application_id).await?;
    let item = items
        .iter()
        .find(|i| i.sub_item_id == sub_item_id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::SubItemNotFound))?;
    let from = item.status();
    let to = req.to;
    may_move(from, req)?;
    let mut progress = item.progress();
    let progressed = if req.stage.is_some() || !req.record.is_empty() || to.is_done() {
        let def = definition_of(state, &mut tx, application_id).await?;
        let sub = def.and_then(|d| d.sub_item(sub_item_id));
        let today = onething_core::Date::from_days(state.clock.today_in_china());
        record_progress(sub, req, &mut progress, today, &crate::clock::rfc3339(now))?
    } else {
        false
    };
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if to == SubItemStatus::SupplementRequested {
        let note = note.ok_or_else(|| {
            ApiError::unprocessable(ErrorCode::InvalidBody, "say what to supplement")
                .with_fields(["note"])
        })?;
        db::set_item(
            &mut tx,
            application_id,
            sub_item_id,
            to,
            Some(from),
            None,
            now,
        )
        .await?;
        supplement_with_notice(&mut tx, application_id, sub_item_id, note, now).await?;
        move_event(
            &mut tx,
            application_id,
            now,
            TimelineKind::SupplementRequested,
            sub_item_id,
            to,
            Some(note),
            department,
        )
        .await?;
    } else {
        dependencies_done(&items, item, to)?;
        let record = if to == SubItemStatus::Delivered {
            let def = definition_of(state, &mut tx, application_id).await?;
            let sub = def.and_then(|d| d.sub_item(sub_item_id));
            Some(delivery(sub, req.delivery.as_ref())?)
        } else {
            None
        };
        db::set_item(
            &mut tx,
            application_id,
            sub_item_id,
            to,
            None,
            record.as_ref(),
            now,
        )
        .await?;
        // Stages or an outcome recorded: the item's JSON keeps them with the delivery.
        if progressed || (record.is_some() && progress != db::Progress::default()) {
            if record.is_some() {
                progress.delivery.clone_from(&record);
            }
            db::set_progress(&mut tx, application_id, sub_item_id, &progress).await?;
        }
        publish(state, &mut tx, application_id, sub_item_id, &progress).await?;
        move_event(
            &mut tx,
            application_id,
            now,
            if req.stage.is_some() {
                TimelineKind::StageEntered
            } else {
                TimelineKind::StatusChanged
            },
            sub_item_id,
            to,
            note,
            department,
        )
        .await?;
        notice_result(&mut tx, application_id, sub_item_id, to, now).await?;
    }
    // The move and its audit line commit together: no move without its line.
    audit_move(&mut tx, now, by, application_id, sub_item_id, to).await?;
    tx.commit().await?;
    state.notify(application_id);
    Ok(())
}

/// 亮晒: completing a sub-item whose outcome is a publication writes its de-identified entry
/// in the public list, in the move's transaction ([`crate::publication`]). Such a sub-item
/// exists only in a case whose applicant consented (the definition's `enabled_if`). Its outcome
/// is recorded only by the completion (no move follows it: a publication is not delivered), and
/// a sub-item has one entry at most.
async fn publish(
    state: &AppState,
    conn: &mut store::Conn,
    application_id: &str,
    sub_item_id: &str,
    progress: &db::Progress,
) -> Result<()> {
    let Some(outcome) = progress
        .outcome
        .as_ref()
        .filter(|o| o.kind == onething_core::api::OutcomeKind::Publication)
    else {
        return Ok(());
    };
    let def = definition_of(state, conn, application_id).await?;
    let Some((def, sub)) = def.and_then(|d| Some((d, d.sub_item(sub_item_id)?))) else {
        return Ok(());
    };
    if !crate::publication::publishes(sub) {
        return Ok(());
    }
    let packet = match db::body(conn, &state.keys, application_id).await? {
        Some(body) => serde_json::from_str::<onething_core::Projection>(&body)
            .map_err(ApiError::internal)?
            .departments
            .into_iter()
            .find(|p| p.sub_item == sub_item_id)
            .map(|p| p.answers)
            .unwrap_or_default(),
        None => onething_core::Answers::default(),
    };
    let content = crate::publication::content(def, sub, &packet, &outcome.record);
    let day = onething_core::Date::from_days(state.clock.today_in_china()).to_string();
    store::publications::insert(
        conn,
        &new_id(),
        application_id,
        sub_item_id,
        &def.id,
        state.clock.now(),
        &day,
        &serde_json::to_string(&content).map_err(ApiError::internal)?,
    )
    .await?;
    Ok(())
}

/// Whether the move is one of the state machine's, or enters a stage within `in_progress`
/// (from `accepted`, or from another stage).
///
/// # Errors
/// `transition_not_allowed`.
fn may_move(from: SubItemStatus, req: &AdminTransition) -> Result<()> {
    let to = req.to;
    let entering = req.stage.is_some()
        && to == SubItemStatus::InProgress
        && matches!(from, SubItemStatus::Accepted | SubItemStatus::InProgress);
    if allowed(from, to) || entering {
        return Ok(());
    }
    Err(ApiError::conflict(
        ErrorCode::TransitionNotAllowed,
        format!("{} cannot move to {}", wire::name(&from), wire::name(&to)),
    )
    .with_fields(["to"]))
}

/// A move to `to` that needs the dependencies done (starting, finishing) waits for them.
///
/// # Errors
/// `waiting_for_dependency`, naming them.
fn dependencies_done(items: &[db::ItemRow], item: &db::ItemRow, to: SubItemStatus) -> Result<()> {
    if !needs_dependencies(to) {
        return Ok(());
    }
    let statuses: Vec<(String, SubItemStatus)> = items
        .iter()
        .map(|i| (i.sub_item_id.clone(), i.status()))
        .collect();
    let waiting = waiting_for(&item.depends_on(), &statuses);
    if waiting.is_empty() {
        Ok(())
    } else {
        Err(ApiError::conflict(
            ErrorCode::WaitingForDependency,
            format!("waits for {}", waiting.join(", ")),
        )
        .with_fields(waiting))
    }
}

fn record_invalid(errors: Vec<onething_core::engine::FieldError>) -> ApiError {
    let fields: Vec<String> = errors.iter().map(|e| e.path.clone()).collect();
    ApiError::unprocessable(
        ErrorCode::RecordInvalid,
        "the record does not fit the definition's fields",
    )
    .with_problems(
        errors
            .into_iter()
            .map(|e| onething_core::api::FieldProblem {
                path: e.path,
                code: e.code,
            })
            .collect(),
    )
    .with_fields(fields)
}

/// What a move records beyond the status, as the sub-item's definition says: entering a
/// tracking stage (in order, with its record), completing with the outcome's record (once
/// every required stage was passed), and no delivery for a result that is not delivered.
/// Returns whether `progress` changed.
///
/// # Errors
/// `transition_not_allowed` (a stage unknown, out of order or waiting for others; completing
/// before the required stages; delivering a result that is not delivered), `record_invalid`.
fn record_progress(
    sub: Option<&SubItem>,
    req: &AdminTransition,
    progress: &mut db::Progress,
    today: onething_core::Date,
    at: &str,
) -> Result<bool> {
    use onething_core::api::{OutcomeRecord, StageEntry};
    use onething_core::engine::{
        StageRefusal, check_record, rising_problems, stage_move, stages_missing,
    };
    let not_allowed = |message: String, fields: Vec<String>| {
        ApiError::conflict(ErrorCode::TransitionNotAllowed, message).with_fields(fields)
    };
    let reached: Vec<String> = progress.stages.iter().map(|s| s.stage.clone()).collect();
    if let Some(stage) = req.stage.as_deref() {
        let item = sub.ok_or_else(|| not_allowed("no stages here".into(), vec!["stage".into()]))?;
        match stage_move(item, &reached, stage) {
            Ok(()) => {}
            Err(StageRefusal::Unknown) => {
                return Err(not_allowed(
                    format!("`{}` has no stage `{stage}`", item.id),
                    vec!["stage".into()],
                ));
            }
            Err(StageRefusal::Waiting(w)) => {
                return Err(not_allowed(
                    format!("`{stage}` comes after {}", w.join(", ")),
                    w,
                ));
            }
            Err(StageRefusal::Passed) => {
                return Err(not_allowed(
                    format!("`{stage}` was passed already"),
                    vec!["stage".into()],
                ));
            }
        }
        let fields = item.stage(stage).map_or(&[][..], |s| &s.record[..]);
        let record = check_record(fields, &req.record, today).map_err(record_invalid)?;
        // 四级响应: an escalation's level only goes up from the last one recorded.
        if let Some(st) = item.stage(stage) {
            let earlier: Vec<&std::collections::BTreeMap<_, _>> =
                progress.stages.iter().map(|s| &s.record).collect();
            let problems = rising_problems(st, &earlier, &record);
            if !problems.is_empty() {
                return Err(record_invalid(problems));
            }
        }
        progress.stages.push(StageEntry {
            stage: stage.to_owned(),
            at: at.to_owned(),
            record,
        });
        return Ok(true);
    }
    match (req.to, sub) {
        (SubItemStatus::Completed, Some(item)) => {
            let missing = stages_missing(item, &reached);
            if !missing.is_empty() {
                return Err(not_allowed(
                    format!("complete after {}", missing.join(", ")),
                    missing,
                ));
            }
            let Some(outcome) = &item.outcome else {
                return check_record(&[], &req.record, today)
                    .map(|_| false)
                    .map_err(record_invalid);
            };
            let record =
                check_record(&outcome.record, &req.record, today).map_err(record_invalid)?;
            progress.outcome = Some(OutcomeRecord {
                kind: outcome.kind,
                at: at.to_owned(),
                record,
            });
            Ok(true)
        }
        (SubItemStatus::Delivered, Some(item)) if !item.delivers() => Err(not_allowed(
            format!(
                "the result of `{}` is not delivered: completing it is its end",
                item.id
            ),
            vec!["to".into()],
        )),
        _ => check_record(&[], &req.record, today)
            .map(|_| false)
            .map_err(record_invalid),
    }
}

/// A department's supplement request (补正) and, in the same transaction, its notice: the
/// citizen learns of it without looking.
async fn supplement_with_notice(
    conn: &mut store::Conn,
    application_id: &str,
    sub_item_id: &str,
    note: &str,
    now: i64,
) -> Result<()> {
    let supplement_id = new_id();
    db::insert_supplement(conn, &supplement_id, application_id, sub_item_id, note, now).await?;
    store::notifications::enqueue_for_owner(
        conn,
        &format!("supplement:{supplement_id}"),
        MessageKind::SupplementRequested,
        application_id,
        Some(sub_item_id),
        None,
        None,
        now,
    )
    .await?;
    Ok(())
}

/// The notice of a move that makes a result ready (completed, delivered), in its transaction.
async fn notice_result(
    conn: &mut store::Conn,
    application_id: &str,
    sub_item_id: &str,
    to: SubItemStatus,
    now: i64,
) -> Result<()> {
    if let Some(key) = crate::notify::result_key(application_id, sub_item_id, to) {
        store::notifications::enqueue_for_owner(
            conn,
            &key,
            MessageKind::ResultReady,
            application_id,
            Some(sub_item_id),
            None,
            None,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Who moves a sub-item: the audit log's actor, and the department the timeline names (when
/// a department moved it through its API).
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    /// `admin`, `demo` or `department:<name>/<label>`.
    pub actor: &'a str,
    /// The department, for the timeline.
    pub department: Option<&'a str>,
}

/// The audit log's line of a move.
async fn audit_move(
    conn: &mut store::Conn,
    now: i64,
    by: By<'_>,
    application_id: &str,
    sub_item_id: &str,
    to: SubItemStatus,
) -> Result<()> {
    let case_number = store::departments::head(conn, application_id)
        .await?
        .map(|(_, number, _, _)| number);
    let detail = format!("to {}", wire::name(&to));
    store::departments::audit(
        conn,
        now,
        &store::departments::AuditRecord {
            actor: by.actor,
            action: "move",
            application_id: Some(application_id),
            case_number: case_number.as_deref(),
            sub_item_id: Some(sub_item_id),
            detail: Some(&detail),
        },
    )
    .await?;
    Ok(())
}

/// The timeline event of a move, with the department that made it when one did.
#[expect(clippy::too_many_arguments, reason = "one column each")]
async fn move_event(
    conn: &mut store::Conn,
    application_id: &str,
    now: i64,
    kind: TimelineKind,
    sub_item_id: &str,
    to: SubItemStatus,
    note: Option<&str>,
    department: Option<&str>,
) -> Result<()> {
    match department {
        Some(d) => {
            db::insert_department_event(conn, application_id, now, kind, sub_item_id, to, note, d)
                .await?;
        }
        None => {
            db::insert_event(
                conn,
                application_id,
                now,
                kind,
                Some(sub_item_id),
                Some(to),
                note,
            )
            .await?;
        }
    }
    Ok(())
}

/// The citizen answers a supplement request with a text and/or uploads; the sub-item goes back
/// to where it was once none of its requests is open.
///
/// # Errors
/// `application_not_found` (also someone else's), `supplement_not_found`,
/// `supplement_already_answered`, `supplement_answer_empty`, `upload_not_usable`.
pub async fn answer_supplement(
    state: &AppState,
    caller: &Caller,
    application_id: &str,
    supplement_id: &str,
    answer: &SupplementAnswer,
) -> Result<()> {
    let text = answer
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if text.is_none() && answer.upload_ids.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::SupplementAnswerEmpty,
            "answer with a text or at least one upload",
        )
        .with_fields(["text", "upload_ids"]));
    }
    let now = state.clock.now();
    let mut tx = store::begin_immediate(&state.db).await?;
    if db::owner(&mut tx, application_id).await?.as_deref() != Some(caller.account_id.as_str()) {
        return Err(app_not_found());
    }
    db::touch(&mut tx, application_id, now).await?;
    let (sub_item_id, answered) = db::supplement(&mut tx, application_id, supplement_id)
        .await?
        .ok_or_else(|| ApiError::not_found(ErrorCode::SupplementNotFound))?;
    if answered {
        return Err(ApiError::conflict(
            ErrorCode::SupplementAlreadyAnswered,
            "this request was answered already",
        ));
    }
    // A withdrawn case (or sub-item) takes nothing more: no files attached to it, no move.
    if db::items(&mut tx, application_id)
        .await?
        .iter()
        .any(|i| i.sub_item_id == sub_item_id && i.status() == SubItemStatus::Withdrawn)
    {
        return Err(ApiError::conflict(
            ErrorCode::SupplementWithdrawn,
            "this case was withdrawn: its supplement requests are closed",
        ));
    }
    let bad = store::uploads::attach(
        &mut tx,
        &answer.upload_ids,
        &caller.account_id,
        application_id,
        now,
    )
    .await?;
    if !bad.is_empty() {
        return Err(upload_not_usable(&bad, "upload_ids"));
    }
    db::answer_supplement(
        &mut tx,
        &state.keys,
        supplement_id,
        text,
        &answer.upload_ids,
        now,
    )
    .await?;
    if db::open_supplements(&mut tx, application_id, &sub_item_id).await? == 0 {
        let items = db::items(&mut tx, application_id).await?;
        if let Some(item) = items.iter().find(|i| i.sub_item_id == sub_item_id)
            && item.status() == SubItemStatus::SupplementRequested
        {
            let back = item
                .resume_status
                .as_deref()
                .and_then(wire::parse)
                .unwrap_or(SubItemStatus::Received);
            db::set_item(&mut tx, application_id, &sub_item_id, back, None, None, now).await?;
        }
    }
    db::insert_event(
        &mut tx,
        application_id,
        now,
        TimelineKind::SupplementAnswered,
        Some(&sub_item_id),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    state.notify(application_id);
    Ok(())
}

/// 422 `upload_not_usable` naming the bad uploads.
pub fn upload_not_usable(ids: &[String], field: &str) -> ApiError {
    ApiError::unprocessable(
        ErrorCode::UploadNotUsable,
        "an upload is unknown, someone else's, incomplete or expired",
    )
    .with_fields(ids.iter().map(|id| format!("{field}.{id}")))
}

/// The citizen rates the case (好差评), once, after completion.
///
/// # Errors
/// `application_not_found`, `rating_invalid`, `rating_not_allowed_yet`, `rating_already_given`,
/// `rating_reason_required` (a 差评 without its reason).
pub async fn rate(
    state: &AppState,
    caller: &Caller,
    application_id: &str,
    rating: &Rating,
) -> Result<()> {
    if !rating.scores.is_valid() {
        return Err(
            ApiError::unprocessable(ErrorCode::RatingInvalid, "each score is 1 to 5")
                .with_fields(["scores"]),
        );
    }
    let now = state.clock.now();
    let mut tx = store::begin_immediate(&state.db).await?;
    if db::owner(&mut tx, application_id).await?.as_deref() != Some(caller.account_id.as_str()) {
        return Err(app_not_found());
    }
    let statuses: Vec<SubItemStatus> = db::items(&mut tx, application_id)
        .await?
        .iter()
        .map(db::ItemRow::status)
        .collect();
    if !may_rate(&statuses) {
        return Err(ApiError::conflict(
            ErrorCode::RatingNotAllowedYet,
            "rate once every sub-item is done",
        ));
    }
    if !db::insert_rating(&mut tx, &state.keys, application_id, rating, now).await? {
        return Err(ApiError::conflict(
            ErrorCode::RatingAlreadyGiven,
            "this case was rated already",
        ));
    }
    // 差评: the department must learn why, to put it right (整改) and call back (回访).
    // Checked after the case's own refusals (not yours, not yet, given already); the error
    // drops the transaction, so nothing is stored.
    if rating.scores.is_low()
        && rating
            .comment
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
    {
        return Err(ApiError::unprocessable(
            ErrorCode::RatingReasonRequired,
            "a low rating needs the reason in `comment`",
        )
        .with_fields(["comment"]));
    }
    db::touch(&mut tx, application_id, now).await?;
    db::insert_event(
        &mut tx,
        application_id,
        now,
        TimelineKind::Rated,
        None,
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    state.notify(application_id);
    Ok(())
}

/// Records the holder's answer to a consent request (a code answers once). Approval starts
/// the authorisation's period; a refusal asks the applicant for the material as a supplement.
///
/// # Errors
/// `consent_not_found` (unknown, or the caller is not the holder), `consent_own_request`,
/// `consent_already_answered`, `consent_expired`.
pub async fn answer_consent(
    state: &AppState,
    caller: &Caller,
    code: &str,
    decision: ConsentDecision,
) -> Result<String> {
    let now = state.clock.now();
    let mut tx = store::begin_immediate(&state.db).await?;
    let row = consent_for(state, &mut tx, caller, code).await?;
    match row.status_at(now) {
        ConsentStatus::Pending => {}
        ConsentStatus::Expired => {
            return Err(ApiError::new(
                axum::http::StatusCode::GONE,
                ErrorCode::ConsentExpired,
                "this consent request was not answered in time",
            ));
        }
        _ => {
            return Err(ApiError::conflict(
                ErrorCode::ConsentAlreadyAnswered,
                "this consent request was answered already",
            ));
        }
    }
    let (status, kind) = match decision {
        ConsentDecision::Approve => (ConsentStatus::Approved, TimelineKind::ConsentApproved),
        ConsentDecision::Decline => (ConsentStatus::Declined, TimelineKind::ConsentDeclined),
    };
    if !store::consents::answer(&mut tx, code, status, Some(&caller.account_id), now).await? {
        return Err(ApiError::conflict(
            ErrorCode::ConsentAlreadyAnswered,
            "this consent request was answered already",
        ));
    }
    close_consent(state, &mut tx, &row, kind, now).await?;
    tx.commit().await?;
    state.notify(&row.application_id);
    Ok(row.application_id)
}

/// The consent request `code` if the caller may see it: only the holder (the account whose ID
/// number the applicant entered); the applicant gets `consent_own_request`, anyone else 404.
///
/// # Errors
/// `consent_not_found`, `consent_own_request`.
pub async fn consent_for(
    state: &AppState,
    conn: &mut store::Conn,
    caller: &Caller,
    code: &str,
) -> Result<store::consents::ConsentRow> {
    let not_found = || ApiError::not_found(ErrorCode::ConsentNotFound);
    let code = onething_core::api::normalize_consent_code(code).ok_or_else(not_found)?;
    let row = store::consents::get(conn, &state.keys, &code)
        .await?
        .ok_or_else(not_found)?;
    if row.requester_id == caller.account_id {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            ErrorCode::ConsentOwnRequest,
            "the other person answers this request, in their own account",
        ));
    }
    let account = store::accounts::get(&state.db, &state.keys, &caller.account_id)
        .await?
        .ok_or_else(not_found)?;
    let digest = crate::clock::hash_secret(&account.id_number.to_ascii_uppercase());
    if !store::consents::holder_matches(conn, &state.keys, &code, &digest).await? {
        return Err(not_found());
    }
    Ok(row)
}

/// After an answer or expiry: the case's revision, the timeline, and for anything but an
/// approval a supplement request for the material on the first of its sub-items in the case.
async fn close_consent(
    state: &AppState,
    conn: &mut store::Conn,
    row: &store::consents::ConsentRow,
    kind: TimelineKind,
    now: i64,
) -> Result<()> {
    let app = row.application_id.as_str();
    db::touch(conn, app, now).await?;
    let (notice, status) = match kind {
        TimelineKind::ConsentApproved => (MessageKind::ConsentApproved, "approved"),
        TimelineKind::ConsentDeclined => (MessageKind::ConsentDeclined, "declined"),
        _ => (MessageKind::ConsentExpired, "expired"),
    };
    store::notifications::enqueue_for_owner(
        conn,
        &format!("consent:{}:{status}", row.code),
        notice,
        app,
        None,
        Some(&row.material_id),
        None,
        now,
    )
    .await?;
    db::insert_material_event(
        conn,
        app,
        now,
        kind,
        None,
        None,
        None,
        Some(&row.material_id),
    )
    .await?;
    if kind == TimelineKind::ConsentApproved {
        return Ok(());
    }
    let def = definition_of(state, conn, app).await?;
    let material = def.and_then(|d| d.material(&row.material_id));
    let items = db::items(conn, app).await?;
    let Some(item) = material.and_then(|m| {
        items
            .iter()
            .find(|i| m.sub_items.contains(&i.sub_item_id) && !i.status().is_final())
    }) else {
        return Ok(());
    };
    let title = material.map_or_else(|| row.material_id.clone(), |m| m.title.zh.clone());
    let note = format!(
        "{}未授权调取电子证照，请上传「{title}」的照片",
        row.holder_name
    );
    let from = item.status();
    if allowed(from, SubItemStatus::SupplementRequested) {
        db::set_item(
            conn,
            app,
            &item.sub_item_id,
            SubItemStatus::SupplementRequested,
            Some(from),
            None,
            now,
        )
        .await?;
    }
    db::insert_supplement(conn, &new_id(), app, &item.sub_item_id, &note, now).await?;
    db::insert_event(
        conn,
        app,
        now,
        TimelineKind::SupplementRequested,
        Some(&item.sub_item_id),
        Some(SubItemStatus::SupplementRequested),
        Some(&note),
    )
    .await?;
    Ok(())
}

/// Records every overdue consent request as expired (the sweep calls it): its material is
/// then asked for as a supplement. Returns how many expired.
///
/// # Errors
/// The database fails.
pub async fn expire_consents(state: &AppState) -> Result<usize> {
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let codes = store::consents::overdue(&mut conn, now).await?;
    drop(conn);
    let mut n = 0;
    for code in codes {
        let mut tx = store::begin_immediate(&state.db).await?;
        let Some(row) = store::consents::get(&mut tx, &state.keys, &code).await? else {
            continue;
        };
        if !store::consents::answer(&mut tx, &code, ConsentStatus::Expired, None, now).await? {
            continue;
        }
        close_consent(state, &mut tx, &row, TimelineKind::ConsentExpired, now).await?;
        tx.commit().await?;
        state.notify(&row.application_id);
        n += 1;
    }
    Ok(n)
}

/// A payment that `pays` a computed amount records it (the definition's rule over the case's
/// answers, as shown before submission) instead of the demo's sample figure, when the amount is
/// known and fits the record field's bounds.
async fn pay_computed(
    state: &AppState,
    conn: &mut store::Conn,
    def: &ServiceDefinition,
    sub: &SubItem,
    application_id: &str,
    record: &mut std::collections::BTreeMap<String, onething_core::AnswerValue>,
    today: onething_core::Date,
) -> Result<()> {
    let Some((pays, outcome)) = sub
        .outcome
        .as_ref()
        .and_then(|o| Some((o.pays.as_ref()?, o)))
    else {
        return Ok(());
    };
    let Some(body) = db::body(conn, &state.keys, application_id).await? else {
        return Ok(());
    };
    let Ok(p) = serde_json::from_str::<onething_core::Projection>(&body) else {
        return Ok(());
    };
    let app = onething_core::Application {
        service_id: p.service_id,
        sub_items: p.sub_items,
        eligibility: p.eligibility,
        answers: p.answers,
        materials: p.materials,
    };
    let value = onething_core::engine::amounts(def, &app, today)
        .into_iter()
        .find(|a| a.id == pays.amount)
        .and_then(|a| a.value);
    let field = outcome.record.iter().find(|f| f.id == pays.record);
    if let (Some(v), Some(f)) = (value, field)
        && f.min.is_none_or(|m| v >= m)
        && f.max.is_none_or(|m| v <= m)
    {
        record.insert(pays.record.clone(), onething_core::AnswerValue::Integer(v));
    }
    Ok(())
}

/// Demo mode: moves every open sub-item of every case one step along the happy path (those
/// waiting for a dependency stay). Returns how many moved.
///
/// # Errors
/// The database fails.
pub async fn advance_all(state: &AppState) -> Result<usize> {
    let mut conn = state.db.acquire().await?;
    let apps = db::list(&mut conn, None, state.clock.now()).await?;
    let mut moved = 0;
    for app in apps {
        let items = db::items(&mut conn, &app.id).await?;
        // Decide every move from the state before this tick: one step per tick, so a
        // dependant does not start in the same tick its dependency completes.
        let before: Vec<(String, SubItemStatus)> = items
            .iter()
            .map(|i| (i.sub_item_id.clone(), i.status()))
            .collect();
        let def = state.catalogue.get(&app.service_id);
        let today = onething_core::Date::from_days(state.clock.today_in_china());
        for item in items {
            let sub = def.and_then(|d| d.sub_item(&item.sub_item_id));
            let reached: Vec<String> = item
                .progress()
                .stages
                .into_iter()
                .map(|s| s.stage)
                .collect();
            let Some(mut req) = next_move(sub, item.status(), &reached, today) else {
                continue;
            };
            let to = req.to;
            if needs_dependencies(to) && !waiting_for(&item.depends_on(), &before).is_empty() {
                continue;
            }
            if to == SubItemStatus::Completed
                && let (Some(def), Some(sub)) = (def, sub)
            {
                pay_computed(state, &mut conn, def, sub, &app.id, &mut req.record, today).await?;
            }
            // Delivered the first way the definition offers (a demo parcel goes by 顺丰).
            req.delivery = (to == SubItemStatus::Delivered).then(|| {
                let method = sub.map_or(DeliveryMethod::Mail, |s| s.result_methods()[0]);
                let n = u64::from_le_bytes(crate::clock::random_bytes::<8>()) % 1_000_000_000_000;
                DeliveryRequest {
                    method,
                    courier: (method == DeliveryMethod::Mail).then(|| "顺丰速运".to_owned()),
                    tracking_number: (method == DeliveryMethod::Mail).then(|| format!("SF{n:012}")),
                    pickup_code: None,
                }
            });
            match transition(
                state,
                &app.id,
                &item.sub_item_id,
                &req,
                By {
                    actor: "demo",
                    department: None,
                },
            )
            .await
            {
                Ok(()) => moved += 1,
                Err(e) if e.code() == ErrorCode::WaitingForDependency => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(moved)
}

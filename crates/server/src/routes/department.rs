//! `/api/department/`: a department receives the cases (一表申请: each department gets only
//! what it needs). With a department token it lists the sub-items it handles, reads a case as
//! the engine's projection for its sub-item (only the facts and materials that sub-item
//! receives), downloads those materials' files, and moves its sub-item. A case without a
//! sub-item of the caller's is 404, as if it did not exist. Every read of personal data and
//! every move is written to the audit log before the answer leaves.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use onething_core::api::{
    AdminTransition, ApiErrorBody, DepartmentCase, DepartmentInfo, DepartmentMaterial,
    DepartmentSubItem, ErrorCode, FollowUp, FollowUpKind, ItemWithdrawal, ItemWithdrawalStatus,
    MaterialFile, MessageKind, QueueEntry, QueuePage, QueueQuery, SubItemStatus, TimelineKind,
    WithdrawalAnswer,
};
use onething_core::{DepartmentPacket, MaterialChoice, Projection};

use crate::auth::Department;
use crate::catalogue::Catalogue;
use crate::clock::rfc3339;
use crate::error::JsonBody;
use crate::store::departments::{self as dept, AuditRecord, QueueFilter};
use crate::store::{self, applications as db};
use crate::{ApiError, AppState, Result, media, tracking, workflow};

/// The sub-items whose definition names `department`, in every loaded service.
pub fn sub_items_of(catalogue: &Catalogue, department: &str) -> Vec<DepartmentSubItem> {
    catalogue
        .all()
        .iter()
        .flat_map(|def| {
            def.sub_items
                .iter()
                .filter(|s| s.department.zh == department)
                .map(|s| DepartmentSubItem {
                    service_id: def.id.clone(),
                    sub_item_id: s.id.clone(),
                    title: s.title.clone(),
                })
        })
        .collect()
}

fn scope(state: &AppState, who: &Department) -> Vec<(String, String)> {
    sub_items_of(&state.catalogue, &who.department)
        .into_iter()
        .map(|s| (s.service_id, s.sub_item_id))
        .collect()
}

/// The caller's department and the sub-items it handles.
#[utoipa::path(get, path = "/api/department", tag = "department",
    security(("department" = [])),
    responses(
        (status = 200, body = DepartmentInfo),
        (status = 401, description = "`department_unauthorized`", body = ApiErrorBody),
    ))]
pub async fn get_department(
    State(state): State<AppState>,
    who: Department,
) -> Result<Json<DepartmentInfo>> {
    Ok(Json(DepartmentInfo {
        sub_items: sub_items_of(&state.catalogue, &who.department),
        department: who.department,
        label: Some(who.label),
    }))
}

/// The department's queue: its sub-items of every case, soonest due first, filterable by
/// status and due date, by pages. Case numbers, statuses and dates only: no personal data.
#[utoipa::path(get, path = "/api/department/cases", tag = "department",
    security(("department" = [])),
    params(QueueQuery),
    responses(
        (status = 200, body = QueuePage),
        (status = 400, description = "`invalid_body`: a filter is malformed", body = ApiErrorBody),
        (status = 401, description = "`department_unauthorized`", body = ApiErrorBody),
    ))]
pub async fn list_queue(
    State(state): State<AppState>,
    who: Department,
    query: std::result::Result<Query<QueueQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<QueuePage>> {
    let Query(q) =
        query.map_err(|e| ApiError::bad_request(ErrorCode::InvalidBody, e.body_text()))?;
    if let Some(d) = q.due_before.as_deref()
        && d.parse::<onething_core::Date>().is_err()
    {
        return Err(
            ApiError::bad_request(ErrorCode::InvalidBody, "due_before is YYYY-MM-DD")
                .with_fields(["due_before"]),
        );
    }
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(20).clamp(1, 100);
    let filter = QueueFilter {
        status: q.status,
        due_before: q.due_before.as_deref(),
    };
    let mut conn = state.db.acquire().await?;
    let (entries, total) = dept::queue(
        &mut conn,
        &scope(&state, &who),
        &filter,
        per_page,
        u64::from(page - 1) * u64::from(per_page),
    )
    .await?;
    Ok(Json(QueuePage {
        entries,
        total,
        page,
        per_page,
    }))
}

/// What a department may see of one case: the case's head, its stored projection, and the
/// packet of the caller's sub-item. 404 `application_not_found` when the case does not exist
/// or has no sub-item of the caller's department; 404 `sub_item_not_found` when it has, but
/// not this one.
struct Seen {
    id: String,
    case_number: String,
    service_id: String,
    submitted_at: i64,
    packet: DepartmentPacket,
}

async fn seen(
    state: &AppState,
    conn: &mut store::Conn,
    who: &Department,
    case: &str,
    sub_item_id: &str,
) -> Result<Seen> {
    let not_found = || ApiError::not_found(ErrorCode::ApplicationNotFound);
    let id = db::find(conn, case).await?.ok_or_else(not_found)?;
    let (id, case_number, service_id, submitted_at) =
        dept::head(conn, &id).await?.ok_or_else(not_found)?;
    let mine: Vec<String> = scope(state, who)
        .into_iter()
        .filter(|(s, _)| *s == service_id)
        .map(|(_, sub)| sub)
        .collect();
    let items = db::items(conn, &id).await?;
    if !items.iter().any(|i| mine.contains(&i.sub_item_id)) {
        return Err(not_found());
    }
    if !mine.iter().any(|s| s == sub_item_id) || !items.iter().any(|i| i.sub_item_id == sub_item_id)
    {
        return Err(ApiError::not_found(ErrorCode::SubItemNotFound));
    }
    if crate::store::retention::deleted_at(conn, &id)
        .await?
        .is_some()
    {
        return Err(crate::maintenance::personal_data_deleted());
    }
    let body = db::body(conn, &state.keys, &id)
        .await?
        .ok_or_else(not_found)?;
    let projection: Projection = serde_json::from_str(&body).map_err(ApiError::internal)?;
    let packet = projection
        .departments
        .into_iter()
        .find(|p| p.sub_item == sub_item_id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::SubItemNotFound))?;
    Ok(Seen {
        id,
        case_number,
        service_id,
        submitted_at,
        packet,
    })
}

fn kind_name(choice: &MaterialChoice) -> String {
    serde_json::to_value(choice)
        .ok()
        .and_then(|v| v["kind"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The upload ids a department may download for its sub-item: those of the materials it
/// receives and of the answers to its own supplement requests.
fn files_of(seen: &Seen, supplements: &[onething_core::api::Supplement]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = seen
        .packet
        .materials
        .iter()
        .flat_map(|(m, c)| match c {
            MaterialChoice::Upload { upload_ids } => {
                upload_ids.iter().map(|u| (m.clone(), u.clone())).collect()
            }
            _ => Vec::new(),
        })
        .collect();
    for s in supplements
        .iter()
        .filter(|s| s.sub_item_id == seen.packet.sub_item)
    {
        if let Some(a) = &s.answer {
            out.extend(
                a.upload_ids
                    .iter()
                    .map(|u| (format!("supplement:{}", s.id), u.clone())),
            );
        }
    }
    out
}

/// A case as the department's sub-item receives it: the answers and materials of the
/// engine's projection for it (nothing else of the application), its supplements and the
/// events that concern it. The read is written to the audit log with the fields it showed.
#[utoipa::path(get, path = "/api/department/cases/{case}/items/{sub_item_id}", tag = "department",
    security(("department" = [])),
    params(
        ("case" = String, Path, description = "Application id or case number"),
        ("sub_item_id" = String, Path, description = "The department's sub-item"),
    ),
    responses(
        (status = 200, body = DepartmentCase),
        (status = 401, description = "`department_unauthorized`", body = ApiErrorBody),
        (status = 404, description = "`application_not_found` (also: no sub-item of this department in it), `sub_item_not_found`", body = ApiErrorBody),
        (status = 410, description = "`personal_data_deleted`: the case finished and its personal data was deleted after the retention period", body = ApiErrorBody),
    ))]
pub async fn get_case(
    State(state): State<AppState>,
    who: Department,
    Path((case, sub_item_id)): Path<(String, String)>,
) -> Result<Json<DepartmentCase>> {
    let mut conn = state.db.acquire().await?;
    let seen = seen(&state, &mut conn, &who, &case, &sub_item_id).await?;
    let items = db::items(&mut conn, &seen.id).await?;
    let statuses: Vec<(String, SubItemStatus)> = items
        .iter()
        .map(|r| (r.sub_item_id.clone(), r.status()))
        .collect();
    let item = items
        .iter()
        .find(|i| i.sub_item_id == sub_item_id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::SubItemNotFound))?;
    let supplements: Vec<_> = db::supplements(&mut conn, &state.keys, &seen.id)
        .await?
        .into_iter()
        .filter(|s| s.sub_item_id == sub_item_id)
        .collect();
    let timeline = db::timeline(&mut conn, &seen.id)
        .await?
        .into_iter()
        .filter(|e| e.sub_item_id.is_none() || e.sub_item_id.as_deref() == Some(&*sub_item_id))
        .filter(|e| e.material_id.is_none())
        .collect();
    let mut materials = Vec::new();
    for (material_id, choice) in &seen.packet.materials {
        let mut files = Vec::new();
        if let MaterialChoice::Upload { upload_ids } = choice {
            for u in upload_ids {
                if let Some(up) =
                    store::uploads::of_application(&mut conn, &state.keys, u, &seen.id).await?
                {
                    files.push(MaterialFile {
                        upload_id: up.id,
                        content_type: up.content_type.unwrap_or_default(),
                        bytes: u64::try_from(up.upload_length).unwrap_or(0),
                    });
                }
            }
        }
        materials.push(DepartmentMaterial {
            material_id: material_id.clone(),
            provided_as: kind_name(choice),
            files,
        });
    }
    let fields: Vec<&str> = seen.packet.answers.keys().map(String::as_str).collect();
    let detail = format!(
        "answers: {}; materials: {}",
        fields.join(","),
        seen.packet
            .materials
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(",")
    );
    dept::audit(
        &mut conn,
        state.clock.now(),
        &AuditRecord {
            actor: &who.actor(),
            action: "read_case",
            application_id: Some(&seen.id),
            case_number: Some(&seen.case_number),
            sub_item_id: Some(&sub_item_id),
            detail: Some(&detail),
        },
    )
    .await?;
    let withdrawal =
        store::item_withdrawals::latest(&mut conn, &state.keys, &seen.id, &sub_item_id).await?;
    Ok(Json(DepartmentCase {
        answers: serde_json::to_value(&seen.packet.answers).map_err(ApiError::internal)?,
        application_id: seen.id,
        case_number: seen.case_number,
        service_id: seen.service_id,
        sub_item_id: sub_item_id.clone(),
        status: item.status(),
        waiting_for: workflow::waiting_for(&item.depends_on(), &statuses),
        submitted_at: rfc3339(seen.submitted_at),
        due_on: item.due_on.clone(),
        materials,
        supplements,
        timeline,
        withdrawal,
    }))
}

/// Size of the pieces a file is sent in.
const CHUNK: usize = 64 * 1024;

/// One file of a material the sub-item receives (or of an answer to its supplement request),
/// as stored after metadata removal: its type is checked again from its bytes on the way out
/// (a file that is not what it was stored as is never sent), it is sent as an attachment in
/// pieces, and the read is written to the audit log first.
#[utoipa::path(get, path = "/api/department/cases/{case}/items/{sub_item_id}/files/{id}", tag = "department",
    security(("department" = [])),
    params(
        ("case" = String, Path, description = "Application id or case number"),
        ("sub_item_id" = String, Path, description = "The department's sub-item"),
        ("id" = String, Path, description = "Upload id, from the case's materials"),
    ),
    responses(
        (status = 200, description = "The file; `Content-Type` its sniffed type, `Content-Disposition: attachment`",
            content(
                (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/heic"), (Vec<u8> = "application/pdf"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename=\"<material>-<upload id>.<ext>\"`"),
                ("Content-Length" = u64, description = "Its size"),
            )),
        (status = 401, description = "`department_unauthorized`", body = ApiErrorBody),
        (status = 404, description = "`application_not_found`, `sub_item_not_found`, `upload_not_found` (not a file this sub-item receives)", body = ApiErrorBody),
        (status = 410, description = "`personal_data_deleted`: the case finished and its personal data was deleted after the retention period", body = ApiErrorBody),
    ))]
pub async fn get_file(
    State(state): State<AppState>,
    who: Department,
    Path((case, sub_item_id, upload_id)): Path<(String, String, String)>,
) -> Result<Response> {
    let mut conn = state.db.acquire().await?;
    let seen = seen(&state, &mut conn, &who, &case, &sub_item_id).await?;
    let supplements = db::supplements(&mut conn, &state.keys, &seen.id).await?;
    let Some((material, _)) = files_of(&seen, &supplements)
        .into_iter()
        .find(|(_, u)| *u == upload_id)
    else {
        return Err(ApiError::not_found(ErrorCode::UploadNotFound));
    };
    let up = store::uploads::of_application(&mut conn, &state.keys, &upload_id, &seen.id)
        .await?
        .ok_or_else(|| ApiError::not_found(ErrorCode::UploadNotFound))?;
    let bytes = state.read_upload(&up).await?;
    let kind = media::sniff(&bytes)
        .filter(|k| Some(k.mime()) == up.content_type.as_deref())
        .ok_or_else(|| ApiError::internal("a stored file is not of its recorded type"))?;
    let detail = format!("material {material}, file {upload_id}");
    dept::audit(
        &mut conn,
        state.clock.now(),
        &AuditRecord {
            actor: &who.actor(),
            action: "read_file",
            application_id: Some(&seen.id),
            case_number: Some(&seen.case_number),
            sub_item_id: Some(&sub_item_id),
            detail: Some(&detail),
        },
    )
    .await?;
    drop(conn);
    let name: String = format!("{material}-{upload_id}.{}", kind.extension())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let len = bytes.len();
    let pieces: Vec<std::io::Result<Vec<u8>>> =
        bytes.chunks(CHUNK).map(|c| Ok(c.to_vec())).collect();
    let body = Body::from_stream(futures_util::stream::iter(pieces));
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// Moves the department's sub-item: accept, start, complete, deliver (with `delivery`),
/// reject (with the reason in `note`), or ask for a supplement (补正, with what is needed in
/// `note`). The timeline event names the department; the move is written to the audit log.
#[utoipa::path(post, path = "/api/department/cases/{case}/items/{sub_item_id}", tag = "department",
    security(("department" = [])),
    params(
        ("case" = String, Path, description = "Application id or case number"),
        ("sub_item_id" = String, Path, description = "The department's sub-item"),
    ),
    request_body = AdminTransition,
    responses(
        (status = 200, description = "Moved; the sub-item now", body = QueueEntry),
        (status = 401, description = "`department_unauthorized`", body = ApiErrorBody),
        (status = 404, description = "`application_not_found`, `sub_item_not_found`", body = ApiErrorBody),
        (status = 410, description = "`personal_data_deleted`: the case finished and its personal data was deleted after the retention period", body = ApiErrorBody),
        (status = 409, description = "`transition_not_allowed`, `waiting_for_dependency`", body = ApiErrorBody),
        (status = 422, description = "`invalid_body`: a supplement request or a rejection needs a `note`; `delivery_invalid`, `delivery_method_not_offered`", body = ApiErrorBody),
    ))]
pub async fn move_item(
    State(state): State<AppState>,
    who: Department,
    Path((case, sub_item_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<AdminTransition>,
) -> Result<Json<QueueEntry>> {
    let (id, case_number, service_id, submitted_at) = {
        let mut conn = state.db.acquire().await?;
        let s = seen(&state, &mut conn, &who, &case, &sub_item_id).await?;
        (s.id, s.case_number, s.service_id, s.submitted_at)
    };
    if req.to == SubItemStatus::Rejected && req.note.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        return Err(
            ApiError::unprocessable(ErrorCode::InvalidBody, "say why it is rejected")
                .with_fields(["note"]),
        );
    }
    let actor = who.actor();
    let by = tracking::By {
        actor: &actor,
        department: Some(&who.department),
    };
    tracking::transition(&state, &id, &sub_item_id, &req, by).await?;
    let mut conn = state.db.acquire().await?;
    let item = db::items(&mut conn, &id)
        .await?
        .into_iter()
        .find(|i| i.sub_item_id == sub_item_id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::SubItemNotFound))?;
    Ok(Json(QueueEntry {
        application_id: id,
        case_number,
        service_id,
        status: item.status(),
        sub_item_id,
        submitted_at: rfc3339(submitted_at),
        updated_at: rfc3339(item.updated_at),
        due_on: item.due_on,
    }))
}

/// Answers the citizen's request to withdraw the department's sub-item (撤回申请): approved,
/// the sub-item is withdrawn; declined (with the reason in `note`, shown to the citizen), it
/// goes on where it was. The timeline names the department; the answer is audited.
#[utoipa::path(post, path = "/api/department/cases/{case}/items/{sub_item_id}/withdrawal", tag = "department",
    security(("department" = [])),
    params(
        ("case" = String, Path, description = "Application id or case number"),
        ("sub_item_id" = String, Path, description = "The department's sub-item"),
    ),
    request_body = WithdrawalAnswer,
    responses(
        (status = 200, description = "Answered; the request now", body = ItemWithdrawal),
        (status = 401, description = "`department_unauthorized`", body = ApiErrorBody),
        (status = 404, description = "`application_not_found`, `sub_item_not_found`, `withdrawal_not_found`: no request waits", body = ApiErrorBody),
        (status = 422, description = "`invalid_body`: declining needs a `note`", body = ApiErrorBody),
    ))]
pub async fn answer_withdrawal(
    State(state): State<AppState>,
    who: Department,
    Path((case, sub_item_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<WithdrawalAnswer>,
) -> Result<Json<ItemWithdrawal>> {
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if !req.approve && note.is_none() {
        return Err(
            ApiError::unprocessable(ErrorCode::InvalidBody, "say why it goes on")
                .with_fields(["note"]),
        );
    }
    let id = {
        let mut conn = state.db.acquire().await?;
        seen(&state, &mut conn, &who, &case, &sub_item_id).await?.id
    };
    let now = state.clock.now();
    let mut tx = store::begin_immediate(&state.db).await?;
    let (status, kind) = if req.approve {
        (
            ItemWithdrawalStatus::Approved,
            TimelineKind::WithdrawalApproved,
        )
    } else {
        (
            ItemWithdrawalStatus::Declined,
            TimelineKind::WithdrawalDeclined,
        )
    };
    if !store::item_withdrawals::answer(&mut tx, &id, &sub_item_id, status, note, now).await? {
        return Err(ApiError::not_found(ErrorCode::WithdrawalNotFound));
    }
    let current = db::items(&mut tx, &id)
        .await?
        .into_iter()
        .find(|i| i.sub_item_id == sub_item_id)
        .map(|i| i.status())
        .ok_or_else(|| ApiError::not_found(ErrorCode::SubItemNotFound))?;
    // Approved: withdrawn from wherever it was (a decision since the request stays as it is).
    let to = if req.approve && crate::routes::withdrawals::may_ask(current) {
        db::set_item(
            &mut tx,
            &id,
            &sub_item_id,
            SubItemStatus::Withdrawn,
            None,
            None,
            now,
        )
        .await?;
        SubItemStatus::Withdrawn
    } else {
        current
    };
    db::touch(&mut tx, &id, now).await?;
    db::insert_department_event(
        &mut tx,
        &id,
        now,
        kind,
        &sub_item_id,
        to,
        note,
        &who.department,
    )
    .await?;
    let case_number = dept::head(&mut tx, &id).await?.map(|(_, n, _, _)| n);
    let detail = format!(
        "withdrawal {}",
        if req.approve { "approved" } else { "declined" }
    );
    dept::audit(
        &mut tx,
        now,
        &AuditRecord {
            actor: &who.actor(),
            action: "answer_withdrawal",
            application_id: Some(&id),
            case_number: case_number.as_deref(),
            sub_item_id: Some(&sub_item_id),
            detail: Some(&detail),
        },
    )
    .await?;
    let answered = store::item_withdrawals::latest(&mut tx, &state.keys, &id, &sub_item_id)
        .await?
        .ok_or_else(|| ApiError::internal("the answered request is gone"))?;
    notice_withdrawal_answer(&mut tx, &id, &sub_item_id, req.approve, now).await?;
    tx.commit().await?;
    state.notify(&id);
    Ok(Json(answered))
}

/// The citizen learns of a withdrawal answer without opening the case. A request is answered
/// once (`item_withdrawals::answer` moves only a pending one), so each answer is its own event.
async fn notice_withdrawal_answer(
    conn: &mut store::Conn,
    id: &str,
    sub_item_id: &str,
    approved: bool,
    now: i64,
) -> Result<()> {
    let outcome = if approved { "approved" } else { "declined" };
    store::notifications::enqueue_for_owner(
        conn,
        &format!(
            "withdrawal:{id}:{sub_item_id}:{}:{outcome}",
            crate::clock::new_id()
        ),
        MessageKind::WithdrawalAnswered,
        id,
        Some(sub_item_id),
        None,
        None,
        now,
    )
    .await?;
    Ok(())
}

/// Longest follow-up note.
const FOLLOW_UP_MAX: usize = 500;

/// Records the department's follow-up of the case's rating: 整改 (what was put right) or 回访
/// (the call back), in words for the citizen; the case page's timeline shows it with the
/// department's name. Audited.
#[utoipa::path(post, path = "/api/department/cases/{case}/items/{sub_item_id}/follow-ups", tag = "department",
    security(("department" = [])),
    params(
        ("case" = String, Path, description = "Application id or case number"),
        ("sub_item_id" = String, Path, description = "The department's sub-item"),
    ),
    request_body = FollowUp,
    responses(
        (status = 204, description = "Recorded"),
        (status = 401, description = "`department_unauthorized`", body = ApiErrorBody),
        (status = 404, description = "`application_not_found`, `sub_item_not_found`", body = ApiErrorBody),
        (status = 409, description = "`follow_up_not_allowed`: the case is not rated", body = ApiErrorBody),
        (status = 422, description = "`invalid_body`: the note is empty or longer than 500 characters", body = ApiErrorBody),
    ))]
pub async fn add_follow_up(
    State(state): State<AppState>,
    who: Department,
    Path((case, sub_item_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<FollowUp>,
) -> Result<StatusCode> {
    let note = req.note.trim();
    if note.is_empty() || note.chars().count() > FOLLOW_UP_MAX {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidBody,
            "say what was done, in 1 to 500 characters",
        )
        .with_fields(["note"]));
    }
    let (id, case_number) = {
        let mut conn = state.db.acquire().await?;
        let s = seen(&state, &mut conn, &who, &case, &sub_item_id).await?;
        (s.id, s.case_number)
    };
    let now = state.clock.now();
    let mut tx = store::begin_immediate(&state.db).await?;
    if !dept::rated(&mut tx, &id).await? {
        return Err(ApiError::conflict(
            ErrorCode::FollowUpNotAllowed,
            "the case is not rated yet",
        ));
    }
    let status = db::items(&mut tx, &id)
        .await?
        .into_iter()
        .find(|i| i.sub_item_id == sub_item_id)
        .map(|i| i.status())
        .ok_or_else(|| ApiError::not_found(ErrorCode::SubItemNotFound))?;
    let (kind, action) = match req.kind {
        FollowUpKind::Rectification => (TimelineKind::Rectified, "rectification"),
        FollowUpKind::Revisit => (TimelineKind::Revisited, "revisit"),
    };
    db::touch(&mut tx, &id, now).await?;
    db::insert_department_event(
        &mut tx,
        &id,
        now,
        kind,
        &sub_item_id,
        status,
        Some(note),
        &who.department,
    )
    .await?;
    dept::audit(
        &mut tx,
        now,
        &AuditRecord {
            actor: &who.actor(),
            action: "follow_up",
            application_id: Some(&id),
            case_number: Some(&case_number),
            sub_item_id: Some(&sub_item_id),
            detail: Some(action),
        },
    )
    .await?;
    // Each follow-up is its own event: the citizen who rated hears of it.
    store::notifications::enqueue_for_owner(
        &mut tx,
        &format!(
            "follow_up:{id}:{sub_item_id}:{action}:{}",
            crate::clock::new_id()
        ),
        MessageKind::RatingFollowUp,
        &id,
        Some(&sub_item_id),
        None,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    state.notify(&id);
    Ok(StatusCode::NO_CONTENT)
}

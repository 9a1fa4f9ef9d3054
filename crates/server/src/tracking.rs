//! The sub-item state machine of a case, and the operations that move it: departments' moves
//! (admin API, CLI, demo timer), the citizen's supplement answers and rating.
//!
//! ```text
//! received ─▶ accepted ─▶ in_progress ─▶ completed ─▶ delivered
//!    │           │             │
//!    ├───────────┴─────────────┴──▶ rejected
//!    └───────────┴─────────────┴──▶ supplement_requested ─(answered)─▶ back where it was
//!                                         └──▶ rejected
//! ```
//! A sub-item with `depends_on` cannot start (`in_progress`) or finish until each dependency
//! in the same case is completed or delivered: 医保 waits for 户口.

use onething_core::api::{
    AdminTransition, ApplicationStatus, ErrorCode, Rating, SubItemStatus, SupplementAnswer,
    TimelineKind,
};

use crate::auth::Caller;
use crate::clock::new_id;
use crate::store::applications as db;
use crate::{ApiError, AppState, Result, store};

/// Whether a department may move a sub-item from `from` to `to`.
pub fn allowed(from: SubItemStatus, to: SubItemStatus) -> bool {
    use SubItemStatus::{
        Accepted, Completed, Delivered, InProgress, Received, Rejected, SupplementRequested,
    };
    matches!(
        (from, to),
        (Received, Accepted | Rejected | SupplementRequested)
            | (Accepted, InProgress | Rejected | SupplementRequested)
            | (InProgress, Completed | Rejected | SupplementRequested)
            | (Completed, Delivered)
            | (SupplementRequested, Rejected)
    )
}

/// The next step of the happy path (for the demo timer).
pub fn next_step(from: SubItemStatus) -> Option<SubItemStatus> {
    match from {
        SubItemStatus::Received => Some(SubItemStatus::Accepted),
        SubItemStatus::Accepted => Some(SubItemStatus::InProgress),
        SubItemStatus::InProgress => Some(SubItemStatus::Completed),
        SubItemStatus::Completed => Some(SubItemStatus::Delivered),
        _ => None,
    }
}

/// Whether moving to `to` needs the dependencies done.
fn needs_dependencies(to: SubItemStatus) -> bool {
    matches!(
        to,
        SubItemStatus::InProgress | SubItemStatus::Completed | SubItemStatus::Delivered
    )
}

/// The dependencies (present in this case) whose result is not there yet.
pub fn waiting_for(depends_on: &[String], items: &[(String, SubItemStatus)]) -> Vec<String> {
    depends_on
        .iter()
        .filter(|d| items.iter().any(|(id, s)| id == *d && !s.is_done()))
        .cloned()
        .collect()
}

/// The case's state from its sub-items'.
pub fn application_status(items: &[SubItemStatus]) -> ApplicationStatus {
    if items.contains(&SubItemStatus::SupplementRequested) {
        ApplicationStatus::ActionRequired
    } else if items
        .iter()
        .all(|s| s.is_final() || *s == SubItemStatus::Completed)
    {
        ApplicationStatus::Completed
    } else {
        ApplicationStatus::InProgress
    }
}

/// Whether the case may be rated (好差评 comes after the case is done).
pub fn may_rate(items: &[SubItemStatus]) -> bool {
    !items.is_empty() && application_status(items) == ApplicationStatus::Completed
}

/// Wire name of a timeline kind.
pub fn kind_str(k: TimelineKind) -> &'static str {
    match k {
        TimelineKind::Submitted => "submitted",
        TimelineKind::StatusChanged => "status_changed",
        TimelineKind::SupplementRequested => "supplement_requested",
        TimelineKind::SupplementAnswered => "supplement_answered",
        TimelineKind::Rated => "rated",
    }
}

/// Parses a stored timeline kind.
pub fn parse_kind(s: &str) -> TimelineKind {
    match s {
        "submitted" => TimelineKind::Submitted,
        "supplement_requested" => TimelineKind::SupplementRequested,
        "supplement_answered" => TimelineKind::SupplementAnswered,
        "rated" => TimelineKind::Rated,
        _ => TimelineKind::StatusChanged,
    }
}

fn app_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::ApplicationNotFound)
}

/// A department moves a sub-item (admin API, CLI, demo timer).
///
/// # Errors
/// `application_not_found`, `sub_item_not_found`, `transition_not_allowed`,
/// `waiting_for_dependency`, `invalid_body` (a supplement request without a note).
pub async fn transition(
    state: &AppState,
    application_id: &str,
    sub_item_id: &str,
    req: &AdminTransition,
) -> Result<()> {
    let now = state.clock.now();
    // IMMEDIATE: take the write lock first, so reading then writing cannot race another writer.
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
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
    if !allowed(from, to) {
        return Err(ApiError::conflict(
            ErrorCode::TransitionNotAllowed,
            format!("{} cannot move to {}", from.as_str(), to.as_str()),
        )
        .with_fields(["to"]));
    }
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
        db::insert_supplement(&mut tx, &new_id(), application_id, sub_item_id, note, now).await?;
        db::insert_event(
            &mut tx,
            application_id,
            now,
            TimelineKind::SupplementRequested,
            Some(sub_item_id),
            Some(to),
            Some(note),
        )
        .await?;
    } else {
        if needs_dependencies(to) {
            let statuses: Vec<(String, SubItemStatus)> = items
                .iter()
                .map(|i| (i.sub_item_id.clone(), i.status()))
                .collect();
            let waiting = waiting_for(&item.depends_on(), &statuses);
            if !waiting.is_empty() {
                return Err(ApiError::conflict(
                    ErrorCode::WaitingForDependency,
                    format!("waits for {}", waiting.join(", ")),
                )
                .with_fields(waiting));
            }
        }
        let tracking_number = req
            .tracking_number
            .as_deref()
            .filter(|_| to == SubItemStatus::Delivered);
        db::set_item(
            &mut tx,
            application_id,
            sub_item_id,
            to,
            None,
            tracking_number,
            now,
        )
        .await?;
        db::insert_event(
            &mut tx,
            application_id,
            now,
            TimelineKind::StatusChanged,
            Some(sub_item_id),
            Some(to),
            note,
        )
        .await?;
    }
    tx.commit().await?;
    state.notify(application_id);
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
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
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
    db::answer_supplement(&mut tx, supplement_id, text, &answer.upload_ids, now).await?;
    if db::open_supplements(&mut tx, application_id, &sub_item_id).await? == 0 {
        let items = db::items(&mut tx, application_id).await?;
        if let Some(item) = items.iter().find(|i| i.sub_item_id == sub_item_id)
            && item.status() == SubItemStatus::SupplementRequested
        {
            let back = item
                .resume_status
                .as_deref()
                .and_then(SubItemStatus::parse)
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
/// `application_not_found`, `rating_invalid`, `rating_not_allowed_yet`, `rating_already_given`.
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
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
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
    if !db::insert_rating(&mut tx, application_id, rating, now).await? {
        return Err(ApiError::conflict(
            ErrorCode::RatingAlreadyGiven,
            "this case was rated already",
        ));
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

/// Demo mode: moves every open sub-item of every case one step along the happy path (those
/// waiting for a dependency stay). Returns how many moved.
///
/// # Errors
/// The database fails.
pub async fn advance_all(state: &AppState) -> Result<usize> {
    let mut conn = state.db.acquire().await?;
    let apps = db::list(&mut conn, None).await?;
    let mut moved = 0;
    for app in apps {
        let items = db::items(&mut conn, &app.id).await?;
        // Decide every move from the state before this tick: one step per tick, so a
        // dependant does not start in the same tick its dependency completes.
        let before: Vec<(String, SubItemStatus)> = items
            .iter()
            .map(|i| (i.sub_item_id.clone(), i.status()))
            .collect();
        for item in items {
            let Some(to) = next_step(item.status()) else {
                continue;
            };
            if needs_dependencies(to) && !waiting_for(&item.depends_on(), &before).is_empty() {
                continue;
            }
            let tracking_number = (to == SubItemStatus::Delivered).then(|| {
                let n = u64::from_le_bytes(crate::clock::random_bytes::<8>()) % 1_000_000_000_000;
                format!("SF{n:012}")
            });
            let req = AdminTransition {
                to,
                note: None,
                tracking_number,
            };
            match transition(state, &app.id, &item.sub_item_id, &req).await {
                Ok(()) => moved += 1,
                Err(e) if e.code() == ErrorCode::WaitingForDependency => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubItemStatus::*;

    const ALL: [SubItemStatus; 7] = [
        Received,
        Accepted,
        InProgress,
        Completed,
        Delivered,
        Rejected,
        SupplementRequested,
    ];

    #[test]
    fn every_pair_of_states_is_allowed_or_forbidden_as_drawn() {
        let allowed_pairs = [
            (Received, Accepted),
            (Received, Rejected),
            (Received, SupplementRequested),
            (Accepted, InProgress),
            (Accepted, Rejected),
            (Accepted, SupplementRequested),
            (InProgress, Completed),
            (InProgress, Rejected),
            (InProgress, SupplementRequested),
            (Completed, Delivered),
            (SupplementRequested, Rejected),
        ];
        for from in ALL {
            for to in ALL {
                assert_eq!(
                    allowed(from, to),
                    allowed_pairs.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn dependants_wait_until_the_dependency_is_done() {
        let items = vec![
            ("household".to_owned(), InProgress),
            ("insurance".to_owned(), Received),
        ];
        assert_eq!(
            waiting_for(&["household".into(), "absent".into()], &items),
            vec!["household".to_owned()]
        );
        let done = vec![("household".to_owned(), Completed)];
        assert!(waiting_for(&["household".into()], &done).is_empty());
    }

    #[test]
    fn the_case_state_follows_its_items() {
        assert_eq!(
            application_status(&[Completed, InProgress]),
            ApplicationStatus::InProgress
        );
        assert_eq!(
            application_status(&[Completed, SupplementRequested]),
            ApplicationStatus::ActionRequired
        );
        assert_eq!(
            application_status(&[Delivered, Rejected, Completed]),
            ApplicationStatus::Completed
        );
        assert!(may_rate(&[Delivered, Completed]));
        assert!(!may_rate(&[Delivered, Accepted]));
    }
}

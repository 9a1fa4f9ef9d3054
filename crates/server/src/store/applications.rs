//! Applications and their tracking: sub-item states, timeline, supplements, rating.

use super::Conn;
use onething_core::api::{
    ApplicationDetail, ApplicationSummary, Delivery, OutcomeRecord, Rating, RatingScores,
    StageEntry, SubItemStatus, SubItemTrack, Supplement, SupplementAnswer, TimelineEvent,
    TimelineKind,
};
use onething_core::wire;

use super::keys::{open_text, record_key};
use crate::clock::rfc3339;
use crate::crypto::Keys;
use crate::workflow;

/// One sub-item's stored state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    /// The sub-item id.
    pub sub_item_id: String,
    /// Wire name of its status.
    pub status: String,
    /// Where a 补正 returns to.
    pub resume_status: Option<String>,
    /// JSON array of sub-item ids.
    pub depends_on: String,
    /// Courier tracking number.
    pub tracking_number: Option<String>,
    /// How the result was delivered (`Delivery` JSON).
    pub delivery: Option<String>,
    /// Last change.
    pub updated_at: i64,
    /// Last day of its time limit (`YYYY-MM-DD`).
    pub due_on: Option<String>,
}

impl ItemRow {
    /// Its status (unknown text reads as received; the schema only ever stores wire names).
    pub fn status(&self) -> SubItemStatus {
        wire::parse(&self.status).unwrap_or(SubItemStatus::Received)
    }

    /// Its dependencies.
    pub fn depends_on(&self) -> Vec<String> {
        serde_json::from_str(&self.depends_on).unwrap_or_default()
    }

    /// How its result was delivered.
    pub fn delivery(&self) -> Option<Delivery> {
        self.progress().delivery
    }

    /// Its delivery, stages and outcome. The `delivery` column holds a `Delivery` alone, or,
    /// once a stage or an outcome is recorded, a [`Progress`] with all three.
    pub fn progress(&self) -> Progress {
        self.delivery
            .as_deref()
            .map(Progress::parse)
            .unwrap_or_default()
    }
}

/// What a department recorded of a sub-item beyond its status: how its result was delivered,
/// the tracking stages it entered and its outcome (stored as JSON in the item's `delivery`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// How the result was delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// The stages entered, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageEntry>,
    /// The result recorded on completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<OutcomeRecord>,
}

impl Progress {
    /// Reads the `delivery` column: a `Delivery` alone (rows from before stages existed), or a
    /// whole `Progress`; anything else reads as nothing recorded.
    pub fn parse(json: &str) -> Self {
        serde_json::from_str::<Self>(json)
            .or_else(|_| {
                serde_json::from_str::<Delivery>(json).map(|d| Self {
                    delivery: Some(d),
                    ..Self::default()
                })
            })
            .unwrap_or_default()
    }
}

/// Stores a sub-item's [`Progress`] (after [`set_item`], in the same transaction).
///
/// # Errors
/// The database fails.
pub async fn set_progress(
    conn: &mut Conn,
    application_id: &str,
    sub_item_id: &str,
    progress: &Progress,
) -> sqlx::Result<()> {
    let json = serde_json::to_string(progress).unwrap_or_default();
    sqlx::query(
        "UPDATE application_items SET delivery = $1 WHERE application_id = $2 AND sub_item_id = $3",
    )
    .bind(json)
    .bind(application_id)
    .bind(sub_item_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Creates the application row; false when the case number is taken (draw another).
///
/// # Errors
/// The database fails.
#[expect(clippy::too_many_arguments, reason = "one column each, and the keys")]
pub async fn insert(
    conn: &mut Conn,
    keys: &Keys,
    id: &str,
    account_id: &str,
    case_number: &str,
    service_id: &str,
    body: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let rk = keys.fresh();
    let r = sqlx::query(
        "INSERT INTO applications (id, account_id, case_number, service_id, body, submitted_at, updated_at, key_id, dek)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(account_id)
    .bind(case_number)
    .bind(service_id)
    .bind(rk.seal("applications.body", body.as_bytes()))
    .bind(now)
    .bind(now)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .execute(conn)
    .await;
    match r {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_database_error()
                .is_some_and(sqlx::error::DatabaseError::is_unique_violation) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Adds a sub-item in state `received`.
///
/// # Errors
/// The database fails.
pub async fn insert_item(
    conn: &mut Conn,
    application_id: &str,
    sub_item_id: &str,
    position: usize,
    depends_on: &[String],
    due_on: Option<&str>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO application_items (application_id, sub_item_id, position, status, depends_on, updated_at, due_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(application_id)
    .bind(sub_item_id)
    .bind(i64::try_from(position).unwrap_or(0))
    .bind(wire::name(&SubItemStatus::Received))
    .bind(serde_json::to_string(depends_on).unwrap_or_else(|_| "[]".into()))
    .bind(now)
    .bind(due_on)
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends a timeline event.
///
/// # Errors
/// The database fails.
pub async fn insert_event(
    conn: &mut Conn,
    application_id: &str,
    now: i64,
    kind: TimelineKind,
    sub_item_id: Option<&str>,
    status: Option<SubItemStatus>,
    note: Option<&str>,
) -> sqlx::Result<()> {
    insert_material_event(
        conn,
        application_id,
        now,
        kind,
        sub_item_id,
        status,
        note,
        None,
    )
    .await
}

/// Appends a timeline event that concerns a material (consent events).
///
/// # Errors
/// The database fails.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_material_event(
    conn: &mut Conn,
    application_id: &str,
    now: i64,
    kind: TimelineKind,
    sub_item_id: Option<&str>,
    status: Option<SubItemStatus>,
    note: Option<&str>,
    material_id: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO timeline_events (application_id, at, kind, sub_item_id, status, note, material_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(application_id)
    .bind(now)
    .bind(wire::name(&kind))
    .bind(sub_item_id)
    .bind(status.map(|s| wire::name(&s)))
    .bind(note)
    .bind(material_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends a timeline event of a move a department made through its API.
///
/// # Errors
/// The database fails.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_department_event(
    conn: &mut Conn,
    application_id: &str,
    now: i64,
    kind: TimelineKind,
    sub_item_id: &str,
    status: SubItemStatus,
    note: Option<&str>,
    department: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO timeline_events (application_id, at, kind, sub_item_id, status, note, department)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(application_id)
    .bind(now)
    .bind(wire::name(&kind))
    .bind(sub_item_id)
    .bind(wire::name(&status))
    .bind(note)
    .bind(department)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a supplement request.
///
/// # Errors
/// The database fails.
pub async fn insert_supplement(
    conn: &mut Conn,
    id: &str,
    application_id: &str,
    sub_item_id: &str,
    note: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO supplements (id, application_id, sub_item_id, note, requested_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(application_id)
    .bind(sub_item_id)
    .bind(note)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a change: bumps the revision and `updated_at`. Called first in every tracking
/// transaction, so the transaction holds the write lock from its start.
///
/// # Errors
/// The database fails.
pub async fn touch(conn: &mut Conn, application_id: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE applications SET revision = revision + 1, updated_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(application_id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The service of an application.
///
/// # Errors
/// The database fails.
pub async fn service_id(conn: &mut Conn, application_id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT service_id FROM applications WHERE id = $1")
        .bind(application_id)
        .fetch_optional(conn)
        .await
}

/// Records the version of the definition the application was submitted under.
///
/// # Errors
/// The database fails.
pub async fn set_definition_version(
    conn: &mut Conn,
    application_id: &str,
    version: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE applications SET definition_version = $1 WHERE id = $2")
        .bind(version)
        .bind(application_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Keeps the definition a case was submitted under (once per service and version), so the
/// case keeps it across restarts.
///
/// # Errors
/// The database fails.
pub async fn remember_definition(
    conn: &mut Conn,
    service_id: &str,
    version: &str,
    definition: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO definition_versions (service_id, version, definition, first_used_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (service_id, version) DO NOTHING",
    )
    .bind(service_id)
    .bind(version)
    .bind(definition)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Every definition kept by [`remember_definition`], as stored (JSON).
///
/// # Errors
/// The database fails.
pub async fn remembered_definitions(pool: &super::Pool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT definition FROM definition_versions ORDER BY first_used_at")
        .fetch_all(pool)
        .await
}

/// The service and definition version an application was submitted under (no version for a
/// case from before versions were recorded).
///
/// # Errors
/// The database fails.
pub async fn service_version(
    conn: &mut Conn,
    application_id: &str,
) -> sqlx::Result<Option<(String, Option<String>)>> {
    sqlx::query_as("SELECT service_id, definition_version FROM applications WHERE id = $1")
        .bind(application_id)
        .fetch_optional(conn)
        .await
}

/// The owner of an application.
///
/// # Errors
/// The database fails.
pub async fn owner(conn: &mut Conn, application_id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT account_id FROM applications WHERE id = $1")
        .bind(application_id)
        .fetch_optional(conn)
        .await
}

/// An application's id from its id or case number.
///
/// # Errors
/// The database fails.
pub async fn find(conn: &mut Conn, case_or_id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT id FROM applications WHERE id = $1 OR case_number = $2")
        .bind(case_or_id)
        .bind(case_or_id)
        .fetch_optional(conn)
        .await
}

/// The revision of an application (for streams).
///
/// # Errors
/// The database fails.
pub async fn revision(conn: &mut Conn, application_id: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT revision FROM applications WHERE id = $1")
        .bind(application_id)
        .fetch_optional(conn)
        .await
}

/// The sub-items, in the definition's order.
///
/// # Errors
/// The database fails.
pub async fn items(conn: &mut Conn, application_id: &str) -> sqlx::Result<Vec<ItemRow>> {
    sqlx::query_as(
        "SELECT sub_item_id, status, resume_status, depends_on, tracking_number, delivery, updated_at,
         due_on FROM application_items WHERE application_id = $1 ORDER BY position",
    )
    .bind(application_id)
    .fetch_all(conn)
    .await
}

/// Sets a sub-item's state.
///
/// # Errors
/// The database fails.
pub async fn set_item(
    conn: &mut Conn,
    application_id: &str,
    sub_item_id: &str,
    status: SubItemStatus,
    resume_status: Option<SubItemStatus>,
    delivery: Option<&Delivery>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE application_items SET status = $1, resume_status = $2,
         tracking_number = COALESCE($3, tracking_number), delivery = COALESCE($4, delivery),
         updated_at = $5 WHERE application_id = $6 AND sub_item_id = $7",
    )
    .bind(wire::name(&status))
    .bind(resume_status.map(|s| wire::name(&s)))
    .bind(delivery.and_then(|d| d.tracking_number.as_deref()))
    .bind(delivery.and_then(|d| serde_json::to_string(d).ok()))
    .bind(now)
    .bind(application_id)
    .bind(sub_item_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Withdraws every sub-item of an application (撤回).
///
/// # Errors
/// The database fails.
pub async fn withdraw_items(conn: &mut Conn, application_id: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE application_items SET status = $1, resume_status = NULL, updated_at = $2
         WHERE application_id = $3",
    )
    .bind(wire::name(&SubItemStatus::Withdrawn))
    .bind(now)
    .bind(application_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores the citizen's reason for withdrawing, sealed.
///
/// # Errors
/// The database fails.
pub async fn insert_withdrawal(
    conn: &mut Conn,
    keys: &Keys,
    application_id: &str,
    reason: &str,
    now: i64,
) -> sqlx::Result<()> {
    let rk = keys.fresh();
    sqlx::query(
        "INSERT INTO withdrawals (application_id, reason, withdrawn_at, key_id, dek)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(application_id)
    .bind(rk.seal("withdrawals.reason", reason.as_bytes()))
    .bind(now)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .execute(conn)
    .await?;
    Ok(())
}

/// The citizen's reason for withdrawing, opened, if the case was withdrawn.
///
/// # Errors
/// The database fails, or the reason does not open.
pub async fn withdrawal_reason(
    conn: &mut Conn,
    keys: &Keys,
    application_id: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<SealedRow> =
        sqlx::query_as("SELECT reason, key_id, dek FROM withdrawals WHERE application_id = $1")
            .bind(application_id)
            .fetch_optional(conn)
            .await?;
    row.map(|(reason, key_id, dek)| {
        let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?;
        open_text(rk.as_ref(), "withdrawals.reason", reason)
    })
    .transpose()
}

/// A supplement request of an application: (sub-item, answered?).
///
/// # Errors
/// The database fails.
pub async fn supplement(
    conn: &mut Conn,
    application_id: &str,
    supplement_id: &str,
) -> sqlx::Result<Option<(String, bool)>> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT sub_item_id, answered_at FROM supplements WHERE id = $1 AND application_id = $2",
    )
    .bind(supplement_id)
    .bind(application_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(s, a)| (s, a.is_some())))
}

/// Stores the answer to a supplement request.
///
/// # Errors
/// The database fails.
pub async fn answer_supplement(
    conn: &mut Conn,
    keys: &Keys,
    supplement_id: &str,
    text: Option<&str>,
    upload_ids: &[String],
    now: i64,
) -> sqlx::Result<()> {
    let rk = keys.fresh();
    sqlx::query(
        "UPDATE supplements SET answer_text = $1, key_id = $2, dek = $3, answer_upload_ids = $4,
         answered_at = $5 WHERE id = $6",
    )
    .bind(text.map(|t| rk.seal("supplements.answer_text", t.as_bytes())))
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .bind(serde_json::to_string(upload_ids).unwrap_or_else(|_| "[]".into()))
    .bind(now)
    .bind(supplement_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many supplement requests of a sub-item are still open.
///
/// # Errors
/// The database fails.
pub async fn open_supplements(
    conn: &mut Conn,
    application_id: &str,
    sub_item_id: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM supplements WHERE application_id = $1 AND sub_item_id = $2
         AND answered_at IS NULL",
    )
    .bind(application_id)
    .bind(sub_item_id)
    .fetch_one(conn)
    .await
}

/// Stores the rating, its comment sealed (the citizen's own words); false when the case was
/// rated already.
///
/// # Errors
/// The database fails.
pub async fn insert_rating(
    conn: &mut Conn,
    keys: &Keys,
    application_id: &str,
    rating: &Rating,
    now: i64,
) -> sqlx::Result<bool> {
    let rk = keys.fresh();
    let r = sqlx::query(
        "INSERT INTO ratings (application_id, scores, comment, rated_at, key_id, dek)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (application_id) DO NOTHING",
    )
    .bind(application_id)
    .bind(serde_json::to_string(&rating.scores).unwrap_or_default())
    .bind(
        rating
            .comment
            .as_deref()
            .map(|c| rk.seal("ratings.comment", c.as_bytes())),
    )
    .bind(now)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

type AppRow = (String, String, String, i64, i64, i64);

/// An account's applications, newest first (every application when `account_id` is `None`),
/// each with whether it may be rated and how many consent requests wait at `now`.
///
/// # Errors
/// The database fails.
pub async fn list(
    conn: &mut Conn,
    account_id: Option<&str>,
    now: i64,
) -> sqlx::Result<Vec<ApplicationSummary>> {
    let rows: Vec<AppRow> = sqlx::query_as(
        "SELECT id, case_number, service_id, submitted_at, updated_at, revision FROM applications
         WHERE $1 IS NULL OR account_id = $2 ORDER BY submitted_at DESC, id",
    )
    .bind(account_id)
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, case_number, service_id, submitted_at, updated_at, _) in rows {
        let statuses: Vec<SubItemStatus> = items(conn, &id)
            .await?
            .iter()
            .map(ItemRow::status)
            .collect();
        let rated = rated(conn, &id).await?;
        let pending = super::consents::pending_count(conn, &id, now).await?;
        out.push(ApplicationSummary {
            status: workflow::application_status(&statuses),
            can_rate: !rated && workflow::may_rate(&statuses),
            pending_consents: u32::try_from(pending).unwrap_or(0),
            id,
            case_number,
            service_id,
            submitted_at: rfc3339(submitted_at),
            updated_at: rfc3339(updated_at),
        });
    }
    Ok(out)
}

/// One application with its whole tracking, if it exists (and belongs to `account_id`, when
/// given).
///
/// # Errors
/// The database fails.
pub async fn detail(
    conn: &mut Conn,
    keys: &Keys,
    application_id: &str,
    account_id: Option<&str>,
    now: i64,
) -> sqlx::Result<Option<ApplicationDetail>> {
    let row: Option<AppRow> = sqlx::query_as(
        "SELECT id, case_number, service_id, submitted_at, updated_at, revision FROM applications
         WHERE id = $1 AND ($2 IS NULL OR account_id = $3)",
    )
    .bind(application_id)
    .bind(account_id)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, case_number, service_id, submitted_at, updated_at, revision)) = row else {
        return Ok(None);
    };
    let item_rows = items(conn, &id).await?;
    let statuses: Vec<(String, SubItemStatus)> = item_rows
        .iter()
        .map(|r| (r.sub_item_id.clone(), r.status()))
        .collect();
    let items: Vec<SubItemTrack> = item_rows
        .iter()
        .map(|r| SubItemTrack {
            sub_item_id: r.sub_item_id.clone(),
            status: r.status(),
            // A withdrawn (or otherwise final) item waits for nothing any more.
            waiting_for: if r.status().is_final() {
                Vec::new()
            } else {
                workflow::waiting_for(&r.depends_on(), &statuses)
            },
            tracking_number: r.tracking_number.clone(),
            delivery: r.delivery(),
            stages: r.progress().stages,
            outcome: r.progress().outcome,
            updated_at: rfc3339(r.updated_at),
        })
        .collect();
    let mut timeline = timeline(conn, &id).await?;
    // The withdrawal's reason is sealed apart from the timeline: only the applicant's view
    // (and the operator's) shows it, never a department's.
    if let Some(event) = timeline
        .iter_mut()
        .find(|e| e.kind == TimelineKind::Withdrawn)
    {
        event.note = withdrawal_reason(conn, keys, &id).await?;
    }
    let supplements = supplements(conn, keys, &id).await?;
    let rating = rating(conn, keys, &id).await?;
    let consents = super::consents::of_application(conn, keys, &id)
        .await?
        .iter()
        .map(|c| c.view(now))
        .collect();
    let plain: Vec<SubItemStatus> = statuses.iter().map(|(_, s)| *s).collect();
    let status = workflow::application_status(&plain);
    let deleted_at = super::retention::deleted_at(conn, &id).await?;
    let definition_version = service_version(conn, &id).await?.and_then(|(_, v)| v);
    Ok(Some(ApplicationDetail {
        definition_version,
        personal_data_deleted_at: deleted_at.map(rfc3339),
        retention_days: deleted_at
            .map(|d| u32::try_from((d - updated_at).max(0) / 86_400).unwrap_or(u32::MAX)),
        can_rate: rating.is_none() && workflow::may_rate(&plain),
        id,
        case_number,
        service_id,
        status,
        submitted_at: rfc3339(submitted_at),
        updated_at: rfc3339(updated_at),
        revision: u64::try_from(revision).unwrap_or(0),
        items,
        timeline,
        supplements,
        rating,
        consents,
    }))
}

type EventRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);
type SupplementRow = (
    String,
    String,
    String,
    i64,
    Option<Vec<u8>>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<Vec<u8>>,
);

pub(crate) async fn timeline(conn: &mut Conn, id: &str) -> sqlx::Result<Vec<TimelineEvent>> {
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT at, kind, sub_item_id, status, note, material_id, department FROM timeline_events
         WHERE application_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(events
        .into_iter()
        .map(
            |(at, kind, sub_item_id, status, note, material_id, department)| TimelineEvent {
                at: rfc3339(at),
                // Unknown text reads as a plain status change (the schema stores wire names).
                kind: wire::parse(&kind).unwrap_or(TimelineKind::StatusChanged),
                sub_item_id,
                status: status.as_deref().and_then(wire::parse),
                note,
                material_id,
                department,
            },
        )
        .collect())
}

pub(crate) async fn supplements(
    conn: &mut Conn,
    keys: &Keys,
    id: &str,
) -> sqlx::Result<Vec<Supplement>> {
    let rows: Vec<SupplementRow> = sqlx::query_as(
        "SELECT id, sub_item_id, note, requested_at, answer_text, answer_upload_ids, answered_at,
         key_id, dek
         FROM supplements WHERE application_id = $1 ORDER BY requested_at, id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (sid, sub_item_id, note, requested_at, text, uploads, answered_at, key_id, dek) in rows {
        let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?;
        let text = text
            .map(|t| open_text(rk.as_ref(), "supplements.answer_text", t))
            .transpose()?;
        out.push(Supplement {
            id: sid,
            sub_item_id,
            note,
            requested_at: rfc3339(requested_at),
            answer: answered_at.map(|at| SupplementAnswer {
                text,
                upload_ids: uploads
                    .and_then(|u| serde_json::from_str(&u).ok())
                    .unwrap_or_default(),
                answered_at: Some(rfc3339(at)),
            }),
        });
    }
    Ok(out)
}

/// A sealed value with its row's `key_id` and `dek`.
type SealedRow = (Vec<u8>, Option<String>, Option<Vec<u8>>);

/// An application's stored body (the engine's projection of the submission, JSON), opened.
///
/// # Errors
/// The database fails, or the body does not open.
pub async fn body(
    conn: &mut Conn,
    keys: &Keys,
    application_id: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<SealedRow> =
        sqlx::query_as("SELECT body, key_id, dek FROM applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(conn)
            .await?;
    row.map(|(body, key_id, dek)| {
        let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?;
        open_text(rk.as_ref(), "applications.body", body)
    })
    .transpose()
}

async fn rated(conn: &mut Conn, id: &str) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ratings WHERE application_id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

type RatingRow = (
    String,
    Option<Vec<u8>>,
    i64,
    Option<String>,
    Option<Vec<u8>>,
);

async fn rating(conn: &mut Conn, keys: &Keys, id: &str) -> sqlx::Result<Option<Rating>> {
    let row: Option<RatingRow> = sqlx::query_as(
        "SELECT scores, comment, rated_at, key_id, dek FROM ratings WHERE application_id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    let Some((scores, comment, at, key_id, dek)) = row else {
        return Ok(None);
    };
    let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?;
    let comment = comment
        .map(|c| open_text(rk.as_ref(), "ratings.comment", c))
        .transpose()?;
    Ok(serde_json::from_str::<RatingScores>(&scores)
        .ok()
        .map(|scores| Rating {
            scores,
            comment,
            rated_at: Some(rfc3339(at)),
        }))
}

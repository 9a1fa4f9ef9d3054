//! Retention (PIPL art. 19 and 47: personal data is kept no longer than its purpose needs):
//! the personal data of a finished case is deleted once the configured period has passed since
//! its last change, and the case stays as a de-identified record; and the names of the files
//! the uploads still own, for the sweep of orphaned files.
//!
//! A case is finished when every sub-item is completed, delivered, rejected or withdrawn (the
//! case's status is `completed` or `withdrawn`). What goes, in one transaction: the sealed
//! application body (the answers and the materials chosen) and its data key, the withdrawal's
//! reason, the supplement answers, the rating's comment, the consent requests' holder name,
//! holder ID hash and answering account, the courier tracking number and pickup code of a
//! delivery, what a department recorded at a tracking stage and in the outcome (an account
//! number, a reply: the stage's and outcome's names and dates stay), the free-text notes of the timeline and of supplement requests (a department's
//! words about a person can name them), and every upload of the case (rows here, files by the
//! caller after the commit). What stays: the case number, the service, the applicant's account
//! (so the applicant still finds the case), each sub-item's status and dates, the timeline's
//! kinds, statuses, departments and dates, the rating's scores, and the audit log (append-only:
//! it records who read what, never the values). `personal_data_deleted_at` records when. Of the
//! tables of the later features: a sub-item's withdrawal request loses its reason and note, an
//! assisted case (帮办代办) the citizen's name, ID number and body; the notifications (ids and
//! kinds only) and the privacy consent record (a version and a date) hold nothing to delete.
//!
//! A table added later that holds a case's personal data must be cleared in [`erase`] too.

use onething_core::api::SubItemStatus;
use onething_core::wire;

use super::applications::Progress;
use super::{Pool, Tx};
use crate::crypto::Keys;

/// The wire names of the statuses that finish a sub-item for retention.
fn finished_statuses() -> [String; 4] {
    [
        SubItemStatus::Completed,
        SubItemStatus::Delivered,
        SubItemStatus::Rejected,
        SubItemStatus::Withdrawn,
    ]
    .map(|s| wire::name(&s).to_owned())
}

/// `WHERE` clause (on `applications a`) of a case that holds personal data — never erased, or
/// changed since (a rating given afterwards, a late move through the admin API: the new data
/// gets its own period; an erased case's last change is older than its erasure by the whole
/// period, so a change in the same second still counts) — every sub-item of which is finished
/// (binds `$1` to `$4`: the four finished statuses).
const FINISHED: &str = "(a.personal_data_deleted_at IS NULL
        OR a.updated_at >= a.personal_data_deleted_at)
    AND EXISTS (SELECT 1 FROM application_items i WHERE i.application_id = a.id)
    AND NOT EXISTS (SELECT 1 FROM application_items i WHERE i.application_id = a.id
                    AND i.status NOT IN ($1, $2, $3, $4))";

/// Finished cases whose last change is at or before `changed_before` and whose personal data
/// is still held: the ones to erase, oldest first, at most `limit`.
///
/// # Errors
/// The database fails.
pub async fn due(db: &Pool, changed_before: i64, limit: i64) -> sqlx::Result<Vec<String>> {
    let [s1, s2, s3, s4] = finished_statuses();
    sqlx::query_scalar(&format!(
        "SELECT a.id FROM applications a WHERE {FINISHED} AND a.updated_at <= $5
         ORDER BY a.updated_at, a.id LIMIT $6"
    ))
    .bind(s1)
    .bind(s2)
    .bind(s3)
    .bind(s4)
    .bind(changed_before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// An upload whose row [`erase`] deleted: its files are the caller's to delete.
#[derive(Debug, Clone)]
pub struct ErasedUpload {
    /// Its id (the partial file's name).
    pub id: String,
    /// Its stored file, once complete.
    pub blob_name: Option<String>,
}

/// A delivery keeps its way and the office's public details, not what ties it to a person; the
/// stages entered and the outcome keep their names and dates, not what the department recorded
/// in them (an account number, an address, a free-text reply).
async fn scrub_progress(tx: &mut Tx<'_>, application_id: &str) -> sqlx::Result<()> {
    let deliveries: Vec<(String, String)> = sqlx::query_as(
        "SELECT sub_item_id, delivery FROM application_items
         WHERE application_id = $1 AND delivery IS NOT NULL",
    )
    .bind(application_id)
    .fetch_all(&mut **tx)
    .await?;
    for (sub_item_id, json) in deliveries {
        let mut progress = Progress::parse(&json);
        if let Some(d) = progress.delivery.as_mut() {
            d.tracking_number = None;
            d.pickup_code = None;
        }
        for stage in &mut progress.stages {
            stage.record.clear();
        }
        if let Some(outcome) = progress.outcome.as_mut() {
            outcome.record.clear();
        }
        let kept = (progress != Progress::default())
            .then(|| serde_json::to_string(&progress).unwrap_or_default());
        sqlx::query(
            "UPDATE application_items SET delivery = $1, tracking_number = NULL
             WHERE application_id = $2 AND sub_item_id = $3",
        )
        .bind(kept)
        .bind(application_id)
        .bind(&sub_item_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Deletes the personal data of one case, if it is still finished, unchanged since
/// `changed_before` and held (checked again inside the transaction, which holds the write
/// lock: a move made meanwhile keeps the case). Returns the uploads whose rows went, `None`
/// when the case was not erased.
///
/// # Errors
/// The database fails.
pub async fn erase(
    db: &Pool,
    keys: &Keys,
    application_id: &str,
    changed_before: i64,
    now: i64,
) -> sqlx::Result<Option<Vec<ErasedUpload>>> {
    let mut tx = super::begin_immediate(db).await?;
    let [s1, s2, s3, s4] = finished_statuses();
    let still: Option<String> = sqlx::query_scalar(&format!(
        "SELECT a.id FROM applications a WHERE a.id = $5 AND {FINISHED} AND a.updated_at <= $6"
    ))
    .bind(s1)
    .bind(s2)
    .bind(s3)
    .bind(s4)
    .bind(application_id)
    .bind(changed_before)
    .fetch_optional(&mut *tx)
    .await?;
    if still.is_none() {
        return Ok(None);
    }
    let uploads: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, blob_name FROM uploads WHERE application_id = $1")
            .bind(application_id)
            .fetch_all(&mut *tx)
            .await?;
    scrub_progress(&mut tx, application_id).await?;
    sqlx::query("UPDATE application_items SET tracking_number = NULL WHERE application_id = $1")
        .bind(application_id)
        .execute(&mut *tx)
        .await?;
    // The body becomes empty and loses its data key: nothing is left to open. The revision
    // moves so a page following the case live reloads it.
    sqlx::query(
        "UPDATE applications SET body = $1, key_id = NULL, dek = NULL,
         personal_data_deleted_at = $2, revision = revision + 1 WHERE id = $3",
    )
    .bind(Vec::<u8>::new())
    .bind(now)
    .bind(application_id)
    .execute(&mut *tx)
    .await?;
    // An emptied sealed column is an empty byte string (`$2`, bound when the statement has it).
    for sql in [
        "DELETE FROM withdrawals WHERE application_id = $1",
        "UPDATE supplements SET note = '', answer_text = NULL, answer_upload_ids = NULL,
         key_id = NULL, dek = NULL WHERE application_id = $1",
        "UPDATE ratings SET comment = NULL, key_id = NULL, dek = NULL WHERE application_id = $1",
        "UPDATE consents SET holder_name = $2, holder_id_hash = '', answerer_id = NULL,
         key_id = NULL, dek = NULL WHERE application_id = $1",
        "UPDATE timeline_events SET note = NULL WHERE application_id = $1",
        // A sub-item's withdrawal request (the citizen's reason, the department's answer).
        "UPDATE item_withdrawals SET reason = $2, note = NULL, key_id = NULL, dek = NULL
         WHERE application_id = $1",
        "DELETE FROM uploads WHERE application_id = $1",
    ] {
        let mut q = sqlx::query(sql).bind(application_id);
        if sql.contains("$2") {
            q = q.bind(Vec::<u8>::new());
        }
        q.execute(&mut *tx).await?;
    }
    // The agent's record of an assisted case (帮办代办): the citizen's name, ID number and the
    // body filled for them go; the record stays sealed (empty) so the agent's list still opens.
    let rk = keys.fresh();
    sqlx::query(
        "UPDATE assisted_cases SET citizen = $1, citizen_id_hash = '', citizen_id_index = '',
         citizen_id_index_key = NULL, body = NULL, key_id = $2, dek = $3
         WHERE application_id = $4",
    )
    .bind(rk.seal("assisted_cases.citizen", br#"{"name":"","id_number":""}"#))
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .bind(application_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(
        uploads
            .into_iter()
            .map(|(id, blob_name)| ErasedUpload { id, blob_name })
            .collect(),
    ))
}

/// When the case's personal data was deleted, if it was.
///
/// # Errors
/// The database fails.
pub async fn deleted_at(conn: &mut super::Conn, application_id: &str) -> sqlx::Result<Option<i64>> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT personal_data_deleted_at FROM applications WHERE id = $1",
    )
    .bind(application_id)
    .fetch_optional(conn)
    .await?
    .flatten())
}

/// The files the uploads own: the ids of the uploads still arriving (partial files are named by
/// them) and the stored files' names. A file in the files directory that neither names is an
/// orphan: so is the partial file of an upload that completed, which its completion deletes once
/// the row says so (a failed deletion leaves it; locally it is a second name of the stored file,
/// whose bytes stay).
///
/// # Errors
/// The database fails.
pub async fn referenced_files(
    db: &Pool,
) -> sqlx::Result<(
    std::collections::HashSet<String>,
    std::collections::HashSet<String>,
)> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as("SELECT id, blob_name FROM uploads")
        .fetch_all(db)
        .await?;
    let mut ids = std::collections::HashSet::with_capacity(rows.len());
    let mut blobs = std::collections::HashSet::with_capacity(rows.len());
    for (id, blob) in rows {
        match blob {
            Some(name) => blobs.insert(name),
            None => ids.insert(id),
        };
    }
    Ok((ids, blobs))
}

//! 帮办代办: agents (staff accounts with the agent role) and their assisted cases. The citizen's
//! name, ID number and the application body are sealed; beside them the ID number's blind index
//! ([`Keys::blind_index`], never a bare hash: the numbers are few enough to search one) binds
//! the confirmation and the applicant to the one person holding that number.

use super::Conn;
use onething_core::api::{Account, AssistedStatus};

use super::Pool;
use super::accounts::{id_number_index, normalise_id_number};
use super::keys::{decode_error, record_key};
use crate::crypto::{Keys, RecordKey};

/// What the blind index of an assisted case's citizen ID number is labelled with
/// ([`Keys::blind_index`]): not the accounts' label, so the two indexes never match each other.
pub const CITIZEN_INDEX: &str = "assisted_cases.citizen_id_number";

/// The blind index of a citizen's ID number under the active key, as stored: `(index, key
/// id)`, or `('', none)` for an empty number (an erased case's).
pub fn citizen_index(keys: &Keys, id_number: &str) -> (String, Option<String>) {
    id_number_index(keys, CITIZEN_INDEX, id_number)
        .map_or((String::new(), None), |(index, key)| (index, Some(key)))
}

/// The cases whose citizen index is not under master key `$1`: not yet computed (NULL), or
/// computed under another key; an erased case's (`''`) is never recomputed.
const NOT_UNDER_ACTIVE: &str = "(citizen_id_index IS NULL OR (citizen_id_index <> ''
     AND (citizen_id_index_key IS NULL OR citizen_id_index_key <> $1)))";

/// Whether `id_number` is the citizen the case was started for: its index under any loaded
/// key (a case indexed before a rotation finished still matches). Never for an erased case.
pub fn is_citizen(keys: &Keys, row: &AssistedRow, id_number: &str) -> bool {
    let n = normalise_id_number(id_number);
    match row.citizen_id_index.as_deref() {
        Some(stored) if !stored.is_empty() && !n.is_empty() => keys
            .blind_indexes(CITIZEN_INDEX, &n)
            .iter()
            .any(|i| i == stored),
        _ => false,
    }
}

/// An agent, as the confirmation and the audit log name them.
#[derive(Debug, Clone)]
pub struct AgentRow {
    /// The staff handle.
    pub label: String,
    /// Their name.
    pub name: String,
    /// Their office or village.
    pub organisation: String,
}

/// Registers the agent `label` (or updates their name and organisation) with a staff account of
/// their own, subject `agent:<label>`, which never holds a citizen's identity. Returns the
/// account's id.
///
/// # Errors
/// The database fails.
pub async fn register_agent(
    db: &Pool,
    keys: &Keys,
    agent: &AgentRow,
    fresh_id: &str,
    now: i64,
) -> sqlx::Result<String> {
    let fresh = Account {
        id: fresh_id.to_owned(),
        name: agent.name.clone(),
        phone: String::new(),
        id_number: String::new(),
    };
    let subject = format!("agent:{}", agent.label);
    let account = super::accounts::upsert_by_subject(db, keys, &subject, &fresh, now).await?;
    sqlx::query(
        "INSERT INTO agents (account_id, label, name, organisation, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id) DO UPDATE SET name = excluded.name,
             organisation = excluded.organisation",
    )
    .bind(&account.id)
    .bind(&agent.label)
    .bind(&agent.name)
    .bind(&agent.organisation)
    .bind(now)
    .execute(db)
    .await?;
    Ok(account.id)
}

/// The agent behind an account, if it is one.
///
/// # Errors
/// The database fails.
pub async fn agent(conn: &mut Conn, account_id: &str) -> sqlx::Result<Option<AgentRow>> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT label, name, organisation FROM agents WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(label, name, organisation)| AgentRow {
        label,
        name,
        organisation,
    }))
}

/// One assisted case, opened.
#[derive(Debug, Clone)]
pub struct AssistedRow {
    /// Its id.
    pub id: String,
    /// The agent's account.
    pub agent_id: String,
    /// The one-thing.
    pub service_id: String,
    /// The citizen's name.
    pub citizen_name: String,
    /// The citizen's ID number (sealed at rest with the name).
    pub citizen_id_number: String,
    /// The blind index of the citizen's ID number ([`citizen_index`]); empty once retention
    /// erased the case, none while not yet computed (a case written by an older version).
    pub citizen_id_index: Option<String>,
    /// Stored status (a pending one may have expired since: [`AssistedRow::status_at`]).
    pub status: String,
    /// The confirmation code, once submitted for confirmation.
    pub code: Option<String>,
    /// The application (JSON), once submitted.
    pub body: Option<String>,
    /// The paper authorisation's upload, on that path.
    pub paper_upload_id: Option<String>,
    /// When started.
    pub created_at: i64,
    /// When submitted.
    pub submitted_at: Option<i64>,
    /// Until when it may be confirmed.
    pub expires_at: Option<i64>,
    /// When confirmed or refused.
    pub answered_at: Option<i64>,
    /// The citizen's account, once known (confirmed or refused).
    pub citizen_account_id: Option<String>,
    /// The application, once submitted to the departments.
    pub application_id: Option<String>,
}

impl AssistedRow {
    /// The status at `now`: pending past its time is expired even before the sweep records it.
    pub fn status_at(&self, now: i64) -> AssistedStatus {
        match AssistedStatus::parse(&self.status) {
            AssistedStatus::Pending if self.expires_at.is_none_or(|e| now >= e) => {
                AssistedStatus::Expired
            }
            s => s,
        }
    }
}

const COLUMNS: &str = "id, agent_id, service_id, citizen, citizen_id_index, status, code, body,
     paper_upload_id, created_at, submitted_at, expires_at, answered_at, citizen_account_id,
     application_id, key_id, dek";

#[derive(sqlx::FromRow)]
struct Raw {
    id: String,
    agent_id: String,
    service_id: String,
    citizen: Vec<u8>,
    citizen_id_index: Option<String>,
    status: String,
    code: Option<String>,
    body: Option<Vec<u8>>,
    paper_upload_id: Option<String>,
    created_at: i64,
    submitted_at: Option<i64>,
    expires_at: Option<i64>,
    answered_at: Option<i64>,
    citizen_account_id: Option<String>,
    application_id: Option<String>,
    key_id: Option<String>,
    dek: Option<Vec<u8>>,
}

/// The sealed `citizen` column.
#[derive(serde::Serialize, serde::Deserialize)]
struct Citizen {
    name: String,
    id_number: String,
}

/// The sealed citizen record, opened.
fn open_citizen(rk: &RecordKey, sealed: &[u8]) -> sqlx::Result<Citizen> {
    serde_json::from_str(
        &rk.open_text("assisted_cases.citizen", sealed)
            .map_err(decode_error)?,
    )
    .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn open_row(keys: &Keys, r: Raw) -> sqlx::Result<AssistedRow> {
    let rk = record_key(keys, r.key_id.as_deref(), r.dek.as_deref())?
        .ok_or_else(|| sqlx::Error::Protocol("an assisted case without its data key".into()))?;
    let citizen = open_citizen(&rk, &r.citizen)?;
    let body = r
        .body
        .map(|b| rk.open_text("assisted_cases.body", &b))
        .transpose()
        .map_err(decode_error)?;
    Ok(AssistedRow {
        id: r.id,
        agent_id: r.agent_id,
        service_id: r.service_id,
        citizen_name: citizen.name,
        citizen_id_number: citizen.id_number,
        citizen_id_index: r.citizen_id_index,
        status: r.status,
        code: r.code,
        body,
        paper_upload_id: r.paper_upload_id,
        created_at: r.created_at,
        submitted_at: r.submitted_at,
        expires_at: r.expires_at,
        answered_at: r.answered_at,
        citizen_account_id: r.citizen_account_id,
        application_id: r.application_id,
    })
}

/// Stores a new case in `filling`, with the blind index of the citizen's ID number under the
/// active key (`row.citizen_id_index` is not read). `citizen_id_hash`, the bare digest older
/// versions kept, stays empty.
///
/// # Errors
/// The database fails.
pub async fn insert(conn: &mut Conn, keys: &Keys, row: &AssistedRow) -> sqlx::Result<()> {
    let rk = keys.fresh();
    let citizen = serde_json::to_string(&Citizen {
        name: row.citizen_name.clone(),
        id_number: row.citizen_id_number.clone(),
    })
    .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let (index, index_key) = citizen_index(keys, &row.citizen_id_number);
    sqlx::query(
        "INSERT INTO assisted_cases (id, agent_id, service_id, citizen, citizen_id_hash,
         citizen_id_index, citizen_id_index_key, status, created_at, key_id, dek)
         VALUES ($1, $2, $3, $4, '', $5, $6, 'filling', $7, $8, $9)",
    )
    .bind(&row.id)
    .bind(&row.agent_id)
    .bind(&row.service_id)
    .bind(rk.seal("assisted_cases.citizen", citizen.as_bytes()))
    .bind(index)
    .bind(index_key)
    .bind(row.created_at)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .execute(conn)
    .await?;
    Ok(())
}

/// Recomputes the blind index of every case's citizen not indexed under the active master key
/// (cases from before the index, and after a rotation those indexed under the old key) from
/// the sealed citizen record, and empties the bare digest older versions kept. A case retention
/// erased keeps its empty index. A batch at a time while the server keeps serving; a row is
/// updated only if neither its index nor its data key changed meanwhile (retention erasing it,
/// a re-wrap). Returns how many.
///
/// # Errors
/// The database fails, or a case does not open.
pub async fn reindex(db: &Pool, keys: &Keys) -> sqlx::Result<u64> {
    type Row = (
        String,
        Vec<u8>,
        Option<String>,
        Option<Vec<u8>>,
        Option<String>,
    );
    let active = keys.active_id();
    let mut n = 0;
    let mut after = String::new();
    loop {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT id, citizen, key_id, dek, citizen_id_index_key FROM assisted_cases
             WHERE {NOT_UNDER_ACTIVE} AND id > $2 ORDER BY id LIMIT 200"
        ))
        .bind(&active)
        .bind(&after)
        .fetch_all(db)
        .await?;
        let Some(last) = rows.last() else {
            break;
        };
        after.clone_from(&last.0);
        for (id, sealed, key_id, dek, was) in rows {
            let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?.ok_or_else(|| {
                sqlx::Error::Protocol("an assisted case without its data key".into())
            })?;
            let citizen = open_citizen(&rk, &sealed)?;
            let (index, index_key) = citizen_index(keys, &citizen.id_number);
            n += sqlx::query(
                "UPDATE assisted_cases SET citizen_id_index = $1, citizen_id_index_key = $2,
                 citizen_id_hash = '' WHERE id = $3 AND dek = $4
                 AND (citizen_id_index_key = $5 OR ($5 IS NULL AND citizen_id_index_key IS NULL))",
            )
            .bind(index)
            .bind(index_key)
            .bind(&id)
            .bind(dek)
            .bind(was)
            .execute(db)
            .await?
            .rows_affected();
        }
    }
    Ok(n)
}

/// How many cases' citizen indexes are not under master key `active` (0 once [`reindex`] is
/// through).
///
/// # Errors
/// The database fails.
pub async fn indexed_elsewhere(db: &Pool, active: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM assisted_cases WHERE {NOT_UNDER_ACTIVE}"
    ))
    .bind(active)
    .fetch_one(db)
    .await
}

/// One case by its id.
///
/// # Errors
/// The database fails.
pub async fn get(conn: &mut Conn, keys: &Keys, id: &str) -> sqlx::Result<Option<AssistedRow>> {
    let raw: Option<Raw> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM assisted_cases WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    raw.map(|r| open_row(keys, r)).transpose()
}

/// One case by its confirmation code.
///
/// # Errors
/// The database fails.
pub async fn by_code(
    conn: &mut Conn,
    keys: &Keys,
    code: &str,
) -> sqlx::Result<Option<AssistedRow>> {
    let raw: Option<Raw> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM assisted_cases WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(conn)
    .await?;
    raw.map(|r| open_row(keys, r)).transpose()
}

/// An agent's cases, newest first.
///
/// # Errors
/// The database fails.
pub async fn of_agent(
    conn: &mut Conn,
    keys: &Keys,
    agent_id: &str,
) -> sqlx::Result<Vec<AssistedRow>> {
    let raw: Vec<Raw> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM assisted_cases WHERE agent_id = $1
         ORDER BY created_at DESC, id DESC"
    ))
    .bind(agent_id)
    .fetch_all(conn)
    .await?;
    raw.into_iter().map(|r| open_row(keys, r)).collect()
}

/// Records the application submitted for confirmation under `code`, when the case is still
/// being filled; false otherwise (or when the code is taken: the caller checks which).
///
/// # Errors
/// The database fails.
pub async fn submit_for_confirmation(
    conn: &mut Conn,
    keys: &Keys,
    row: &AssistedRow,
    body: &str,
    code: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<bool> {
    let raw: Option<(Option<String>, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT key_id, dek FROM assisted_cases WHERE id = $1")
            .bind(&row.id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((key_id, dek)) = raw else {
        return Ok(false);
    };
    let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?
        .ok_or_else(|| sqlx::Error::Protocol("an assisted case without its data key".into()))?;
    let r = sqlx::query(
        "UPDATE assisted_cases SET status = 'pending', code = $1, body = $2, submitted_at = $3,
         expires_at = $4 WHERE id = $5 AND status = 'filling'
         AND NOT EXISTS (SELECT 1 FROM assisted_cases WHERE code = $6)",
    )
    .bind(code)
    .bind(rk.seal("assisted_cases.body", body.as_bytes()))
    .bind(now)
    .bind(expires_at)
    .bind(&row.id)
    .bind(code)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records the application submitted on paper authority (from `filling`) with the
/// authorisation's upload; false when the case was not being filled any more.
///
/// # Errors
/// The database fails.
pub async fn mark_paper(
    conn: &mut Conn,
    id: &str,
    paper_upload_id: &str,
    citizen_account_id: &str,
    application_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE assisted_cases SET status = 'paper_authority', paper_upload_id = $1,
         submitted_at = $2, answered_at = $3, citizen_account_id = $4, application_id = $5
         WHERE id = $6 AND status = 'filling'",
    )
    .bind(paper_upload_id)
    .bind(now)
    .bind(now)
    .bind(citizen_account_id)
    .bind(application_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Writes `note` on the application's `submitted` timeline event (who helped, how the citizen
/// agreed): the citizen sees it with the case.
///
/// # Errors
/// The database fails.
pub async fn note_submitted(conn: &mut Conn, application_id: &str, note: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE timeline_events SET note = $1 WHERE application_id = $2 AND kind = 'submitted'",
    )
    .bind(note)
    .bind(application_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the citizen's confirmation and the application it made, when still pending and in
/// time; false otherwise (answered, expired, or a race lost).
///
/// # Errors
/// The database fails.
pub async fn confirm(
    conn: &mut Conn,
    id: &str,
    citizen_account_id: &str,
    application_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE assisted_cases SET status = 'confirmed', answered_at = $1, citizen_account_id = $2,
         application_id = $3 WHERE id = $4 AND status = 'pending' AND expires_at > $5",
    )
    .bind(now)
    .bind(citizen_account_id)
    .bind(application_id)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records the citizen's refusal, when still pending and in time.
///
/// # Errors
/// The database fails.
pub async fn refuse(
    conn: &mut Conn,
    id: &str,
    citizen_account_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE assisted_cases SET status = 'refused', answered_at = $1, citizen_account_id = $2
         WHERE id = $3 AND status = 'pending' AND expires_at > $4",
    )
    .bind(now)
    .bind(citizen_account_id)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Pending cases whose time is over, recorded as expired; returns their ids.
///
/// # Errors
/// The database fails.
pub async fn expire_overdue(conn: &mut Conn, now: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "UPDATE assisted_cases SET status = 'expired'
         WHERE status = 'pending' AND expires_at <= $1 RETURNING id",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Keeps the agent's completed, unused uploads `ids` until `until` (the confirmation's time),
/// so the sweep of unused uploads does not take them meanwhile. Returns those that are not the
/// agent's, not complete or used already.
///
/// # Errors
/// The database fails.
pub async fn hold_uploads(
    conn: &mut Conn,
    ids: &[String],
    agent_id: &str,
    until: i64,
    now: i64,
) -> sqlx::Result<Vec<String>> {
    let mut bad = Vec::new();
    for id in ids {
        let r = sqlx::query(
            "UPDATE uploads SET expires_at = CASE WHEN expires_at > $1 THEN expires_at ELSE $1 END
             WHERE id = $2 AND account_id = $3 AND state = 'complete'
               AND application_id IS NULL AND expires_at > $4",
        )
        .bind(until)
        .bind(id)
        .bind(agent_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if r.rows_affected() != 1 {
            bad.push(id.clone());
        }
    }
    Ok(bad)
}

/// Hands the agent's uploads `ids` over to the citizen's account, so the submission under the
/// citizen's identity may use them (and only the citizen sees them afterwards).
///
/// # Errors
/// The database fails.
pub async fn hand_over_uploads(
    conn: &mut Conn,
    ids: &[String],
    agent_id: &str,
    citizen_account_id: &str,
) -> sqlx::Result<()> {
    for id in ids {
        sqlx::query(
            "UPDATE uploads SET account_id = $1 WHERE id = $2 AND account_id = $3
             AND application_id IS NULL",
        )
        .bind(citizen_account_id)
        .bind(id)
        .bind(agent_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Lets the uploads `ids` of a refused case go with the next sweep.
///
/// # Errors
/// The database fails.
pub async fn release_uploads(conn: &mut Conn, ids: &[String], now: i64) -> sqlx::Result<()> {
    for id in ids {
        sqlx::query("UPDATE uploads SET expires_at = $1 WHERE id = $2 AND application_id IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The case number of an application.
///
/// # Errors
/// The database fails.
pub async fn case_number(conn: &mut Conn, application_id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT case_number FROM applications WHERE id = $1")
        .bind(application_id)
        .fetch_optional(conn)
        .await
}

/// Records overdue confirmations as expired, each with a line in the audit log (the sweep).
/// Returns how many.
///
/// # Errors
/// The database fails.
pub async fn sweep_expired(db: &Pool, now: i64) -> sqlx::Result<usize> {
    let mut tx = super::begin_immediate(db).await?;
    let ids = expire_overdue(&mut tx, now).await?;
    for id in &ids {
        super::departments::audit(
            &mut tx,
            now,
            &super::departments::AuditRecord {
                actor: "system",
                action: "assisted_expired",
                application_id: None,
                case_number: None,
                sub_item_id: None,
                detail: Some(&format!("assisted:{id}")),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

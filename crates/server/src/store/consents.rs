//! Consent requests for another person's e-licence (the other parent authorises the fetch).

use super::Conn;
use onething_core::api::{Consent, ConsentStatus};
use onething_core::wire;

use super::keys::{open_text, record_key};
use crate::clock::rfc3339;
use crate::crypto::Keys;

/// A stored status (unknown text reads as expired: never as an authorisation).
fn stored_status(s: &str) -> ConsentStatus {
    wire::parse(s).unwrap_or(ConsentStatus::Expired)
}

/// One stored consent request (its holder's name opened).
#[derive(Debug, Clone)]
pub struct ConsentRow {
    /// The short code.
    pub code: String,
    /// Its application.
    pub application_id: String,
    /// The material whose e-licence is asked for.
    pub material_id: String,
    /// The applicant's account.
    pub requester_id: String,
    /// The holder's role, `{zh, en}` JSON.
    pub holder_role: String,
    /// The holder's name as entered.
    pub holder_name: String,
    /// Given to [`insert`]: the SHA-256 (hex) of the holder's ID number, which is stored keyed
    /// under the row's data key ([`holder_matches`] compares). Read back: that stored form.
    pub holder_id_hash: String,
    /// Days the authorisation lasts.
    pub valid_days: i64,
    /// Stored status (`pending` may have expired since: see [`ConsentRow::status_at`]).
    pub status: String,
    /// When asked.
    pub requested_at: i64,
    /// When it expires unless answered.
    pub expires_at: i64,
    /// When answered.
    pub answered_at: Option<i64>,
}

impl ConsentRow {
    /// The status at `now`: a pending request past its time is expired even before the sweep
    /// records it.
    pub fn status_at(&self, now: i64) -> ConsentStatus {
        match stored_status(&self.status) {
            ConsentStatus::Pending if now >= self.expires_at => ConsentStatus::Expired,
            s => s,
        }
    }

    /// Until when an approval lasts.
    pub fn valid_until(&self) -> Option<i64> {
        (stored_status(&self.status) == ConsentStatus::Approved)
            .then(|| self.answered_at.map(|a| a + self.valid_days * 86_400))
            .flatten()
    }

    /// The holder's role.
    pub fn role(&self) -> onething_core::Text {
        serde_json::from_str(&self.holder_role).unwrap_or_else(|_| onething_core::Text {
            zh: String::new(),
            en: String::new(),
        })
    }

    /// As the applicant sees it.
    pub fn view(&self, now: i64) -> Consent {
        Consent {
            code: self.code.clone(),
            material_id: self.material_id.clone(),
            holder_role: self.role(),
            holder_name: self.holder_name.clone(),
            status: self.status_at(now),
            requested_at: rfc3339(self.requested_at),
            expires_at: rfc3339(self.expires_at),
            answered_at: self.answered_at.map(rfc3339),
            valid_until: self.valid_until().map(rfc3339),
        }
    }
}

const COLUMNS: &str =
    "code, application_id, material_id, requester_id, holder_role, holder_name, holder_id_hash,
     valid_days, status, requested_at, expires_at, answered_at, key_id, dek";

/// A row as stored: the holder's name sealed.
#[derive(sqlx::FromRow)]
struct Raw {
    code: String,
    application_id: String,
    material_id: String,
    requester_id: String,
    holder_role: String,
    holder_name: Vec<u8>,
    holder_id_hash: String,
    valid_days: i64,
    status: String,
    requested_at: i64,
    expires_at: i64,
    answered_at: Option<i64>,
    key_id: Option<String>,
    dek: Option<Vec<u8>>,
}

fn open_row(keys: &Keys, r: Raw) -> sqlx::Result<ConsentRow> {
    let rk = record_key(keys, r.key_id.as_deref(), r.dek.as_deref())?;
    Ok(ConsentRow {
        holder_name: open_text(rk.as_ref(), "consents.holder_name", r.holder_name)?,
        code: r.code,
        application_id: r.application_id,
        material_id: r.material_id,
        requester_id: r.requester_id,
        holder_role: r.holder_role,
        holder_id_hash: r.holder_id_hash,
        valid_days: r.valid_days,
        status: r.status,
        requested_at: r.requested_at,
        expires_at: r.expires_at,
        answered_at: r.answered_at,
    })
}

/// Stores a new pending request; false when the code is taken (draw another).
///
/// # Errors
/// The database fails.
pub async fn insert(conn: &mut Conn, keys: &Keys, row: &ConsentRow) -> sqlx::Result<bool> {
    let rk = keys.fresh();
    let r = sqlx::query(
        "INSERT INTO consents (code, application_id, material_id, requester_id, holder_role,
         holder_name, holder_id_hash, valid_days, status, requested_at, expires_at, key_id, dek)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11, $12) ON CONFLICT (code) DO NOTHING",
    )
    .bind(&row.code)
    .bind(&row.application_id)
    .bind(&row.material_id)
    .bind(&row.requester_id)
    .bind(&row.holder_role)
    .bind(rk.seal("consents.holder_name", row.holder_name.as_bytes()))
    .bind(holder_mac(&rk, &row.holder_id_hash))
    .bind(row.valid_days)
    .bind(row.requested_at)
    .bind(row.expires_at)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The stored form of the holder's ID digest: keyed under the record's data key (`h1:` and
/// HMAC-SHA256 of the digest), so the database alone cannot be searched for a guessed number;
/// the data key survives rotation (only its wrapping changes), so the value stays valid.
fn holder_mac(rk: &crate::crypto::RecordKey, digest: &str) -> String {
    format!(
        "{HOLDER_MAC}{}",
        rk.mac("consents.holder_id_hash", digest.as_bytes())
    )
}

/// The prefix of a keyed holder digest; a value without it is a bare SHA-256 of a row written
/// before, keyed by [`key_legacy_holder_digests`].
const HOLDER_MAC: &str = "h1:";

/// Whether `digest` (the SHA-256 of an ID number, as [`ConsentRow::holder_id_hash`] was given at
/// insertion) is the holder's of the request `code`. An erased request (retention) matches
/// nobody.
///
/// # Errors
/// The database fails, or the row's data key does not open.
pub async fn holder_matches(
    conn: &mut Conn,
    keys: &Keys,
    code: &str,
    digest: &str,
) -> sqlx::Result<bool> {
    let row: Option<(String, Option<String>, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT holder_id_hash, key_id, dek FROM consents WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?;
    let Some((stored, key_id, dek)) = row else {
        return Ok(false);
    };
    if stored.is_empty() {
        return Ok(false);
    }
    match (
        stored.strip_prefix(HOLDER_MAC),
        record_key(keys, key_id.as_deref(), dek.as_deref())?,
    ) {
        (Some(_), Some(rk)) => Ok(holder_mac(&rk, digest) == stored),
        (Some(_), None) => Ok(false),
        // A row not keyed yet (the sweep keys them): its bare digest.
        (None, _) => Ok(stored == digest),
    }
}

/// Keys the holder digests of rows written before keyed digests (bare SHA-256): each becomes
/// the HMAC of that digest under its row's data key, so nothing needs the ID number again.
/// Returns how many. Run by the sweep (also right after start).
///
/// # Errors
/// The database fails, or a data key does not open.
pub async fn key_legacy_holder_digests(db: &super::Pool, keys: &Keys) -> sqlx::Result<u64> {
    let rows: Vec<(String, String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT code, holder_id_hash, key_id, dek FROM consents
         WHERE holder_id_hash <> '' AND holder_id_hash NOT LIKE 'h1:%'
         AND key_id IS NOT NULL AND dek IS NOT NULL",
    )
    .fetch_all(db)
    .await?;
    let mut n = 0;
    for (code, digest, key_id, dek) in rows {
        let Some(rk) = record_key(keys, Some(&key_id), Some(&dek))? else {
            continue;
        };
        n += sqlx::query(
            "UPDATE consents SET holder_id_hash = $1 WHERE code = $2 AND holder_id_hash = $3",
        )
        .bind(holder_mac(&rk, &digest))
        .bind(&code)
        .bind(&digest)
        .execute(db)
        .await?
        .rows_affected();
    }
    Ok(n)
}

/// One request by its code.
///
/// # Errors
/// The database fails.
pub async fn get(conn: &mut Conn, keys: &Keys, code: &str) -> sqlx::Result<Option<ConsentRow>> {
    let raw: Option<Raw> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM consents WHERE code = $1"))
            .bind(code)
            .fetch_optional(conn)
            .await?;
    raw.map(|r| open_row(keys, r)).transpose()
}

/// An application's requests, oldest first.
///
/// # Errors
/// The database fails.
pub async fn of_application(
    conn: &mut Conn,
    keys: &Keys,
    application_id: &str,
) -> sqlx::Result<Vec<ConsentRow>> {
    let raw: Vec<Raw> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM consents WHERE application_id = $1 ORDER BY requested_at, code"
    ))
    .bind(application_id)
    .fetch_all(conn)
    .await?;
    raw.into_iter().map(|r| open_row(keys, r)).collect()
}

/// How many of an application's requests wait for an answer at `now`.
///
/// # Errors
/// The database fails.
pub async fn pending_count(conn: &mut Conn, application_id: &str, now: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM consents WHERE application_id = $1 AND status = 'pending'
         AND expires_at > $2",
    )
    .bind(application_id)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Records the answer of a pending request; false when it was not pending any more (a code
/// answers once, even under a race).
///
/// # Errors
/// The database fails.
pub async fn answer(
    conn: &mut Conn,
    code: &str,
    status: onething_core::api::ConsentStatus,
    answerer_id: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE consents SET status = $1, answered_at = $2, answerer_id = $3
         WHERE code = $4 AND status = 'pending'",
    )
    .bind(wire::name(&status))
    .bind(now)
    .bind(answerer_id)
    .bind(code)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Pending requests whose time is over.
///
/// # Errors
/// The database fails.
pub async fn overdue(conn: &mut Conn, now: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT code FROM consents WHERE status = 'pending' AND expires_at <= $1")
        .bind(now)
        .fetch_all(conn)
        .await
}

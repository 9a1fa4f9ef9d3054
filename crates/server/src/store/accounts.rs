//! Accounts, one-time tickets and sessions.

use onething_core::api::Account;

use super::keys::{open_text, record_key};
use super::{Conn, Pool};
use crate::crypto::Keys;

/// What the blind index of an account's ID number is labelled with ([`Keys::blind_index`]).
pub const ID_INDEX: &str = "accounts.id_number";

/// An ID number as indexed: without spaces, its check character `x` as `X` (GB 11643).
pub fn normalise_id_number(id_number: &str) -> String {
    id_number
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The blind index labelled `label` of an ID number under the active key, `(index, key id)`;
/// none for an empty number.
pub fn id_number_index(keys: &Keys, label: &str, id_number: &str) -> Option<(String, String)> {
    let n = normalise_id_number(id_number);
    if n.is_empty() {
        return None;
    }
    let (key, index) = keys.blind_index(label, &n);
    Some((index, key))
}

/// The blind index of an account's ID number under the active key, `(index, key id)`; none for
/// an account without one.
pub fn id_index(keys: &Keys, id_number: &str) -> (Option<String>, Option<String>) {
    id_number_index(keys, ID_INDEX, id_number).unzip()
}

/// `$from, $from+1, …`: one placeholder for each of `count` values (the indexes of one ID
/// number under every loaded key, in an `IN (…)`).
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The accounts whose ID number is `id_number` (by its blind index under every loaded key),
/// but `except`: the other parent's, when a consent request names them (a person may have an
/// account on more than one platform).
///
/// # Errors
/// The database fails.
pub async fn with_id_number(
    conn: &mut Conn,
    keys: &Keys,
    id_number: &str,
    except: &str,
) -> sqlx::Result<Vec<String>> {
    let n = normalise_id_number(id_number);
    if n.is_empty() {
        return Ok(Vec::new());
    }
    let indexes = keys.blind_indexes(ID_INDEX, &n);
    let marks = placeholders(2, indexes.len());
    let sql =
        format!("SELECT id FROM accounts WHERE id <> $1 AND id_index IN ({marks}) ORDER BY id");
    let mut q = sqlx::query_scalar(&sql).bind(except);
    for i in &indexes {
        q = q.bind(i);
    }
    q.fetch_all(conn).await
}

/// How the subject of the account made for a citizen an agent vouched for on paper (帮办代办)
/// begins. The rest is the account's own blind index ([`ID_INDEX`]), rewritten with it when the
/// master key is rotated (`store::keys::reindex`), so the subject tells nothing the index does
/// not; `assisted-citizen:account:<id>` while not yet computed.
pub const ASSISTED_SUBJECT: &str = "assisted-citizen:";

/// The account of the citizen whose identity an agent checked against the ID card and a signed
/// paper authorisation (`fresh`: a new id, the name and the ID number), made when new: the one
/// such account with this ID number's blind index under any loaded key, so the same citizen is
/// the same account across cases and across a rotation of the master key. A new one's subject
/// is [`ASSISTED_SUBJECT`] and the index under the active key: two made at once are one.
///
/// # Errors
/// The database fails, the account does not open, or `fresh` has no ID number.
pub async fn assisted_citizen(
    db: &Pool,
    keys: &Keys,
    fresh: &Account,
    now: i64,
) -> sqlx::Result<Account> {
    let n = normalise_id_number(&fresh.id_number);
    if n.is_empty() {
        return Err(sqlx::Error::Protocol(
            "a citizen's account without an ID number".into(),
        ));
    }
    let indexes = keys.blind_indexes(ID_INDEX, &n);
    let marks = placeholders(2, indexes.len());
    // The oldest, should a rolling start of an older version have made a second one.
    let sql = format!(
        "SELECT subject FROM accounts WHERE subject LIKE $1 AND id_index IN ({marks})
         ORDER BY created_at, id LIMIT 1"
    );
    let mut q = sqlx::query_scalar(&sql).bind(format!("{ASSISTED_SUBJECT}%"));
    for i in &indexes {
        q = q.bind(i);
    }
    let found: Option<String> = q.fetch_optional(db).await?;
    let subject = match found {
        Some(s) => s,
        None => format!("{ASSISTED_SUBJECT}{}", keys.blind_index(ID_INDEX, &n).1),
    };
    upsert_by_subject(db, keys, &subject, fresh, now).await
}

/// The account with this platform subject, created (with `fresh`'s data) when new. An existing
/// account keeps its data: the platform vouched for it once. Name, phone and ID number are
/// sealed under the account's data key.
///
/// # Errors
/// The database fails, or the stored account does not open.
pub async fn upsert_by_subject(
    db: &Pool,
    keys: &Keys,
    subject: &str,
    fresh: &Account,
    now: i64,
) -> sqlx::Result<Account> {
    let rk = keys.fresh();
    let (index, index_key) = id_index(keys, &fresh.id_number);
    sqlx::query(
        "INSERT INTO accounts (id, subject, name, phone, id_number, created_at, key_id, dek,
         id_index, id_index_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (subject) DO NOTHING",
    )
    .bind(&fresh.id)
    .bind(subject)
    .bind(rk.seal("accounts.name", fresh.name.as_bytes()))
    .bind(rk.seal("accounts.phone", fresh.phone.as_bytes()))
    .bind(rk.seal("accounts.id_number", fresh.id_number.as_bytes()))
    .bind(now)
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .bind(index)
    .bind(index_key)
    .execute(db)
    .await?;
    let row: Row = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts WHERE subject = $1"
    ))
    .bind(subject)
    .fetch_one(db)
    .await?;
    to_account(keys, row)
}

/// The account with this subject, as [`upsert_by_subject`], except that an existing account
/// takes the name and phone the provider vouches for now (a person renamed, a new mobile
/// number), and its ID number when it had none: for the identity providers that vouch at every
/// sign-in (a platform's ticket exchange, OIDC). Values the provider does not send are kept.
///
/// # Errors
/// The database fails, or the stored account does not open.
pub async fn refresh_by_subject(
    db: &Pool,
    keys: &Keys,
    subject: &str,
    fresh: &Account,
    now: i64,
) -> sqlx::Result<Account> {
    let stored = upsert_by_subject(db, keys, subject, fresh, now).await?;
    let pick = |new: &str, old: &str| {
        if new.trim().is_empty() {
            old.to_owned()
        } else {
            new.to_owned()
        }
    };
    let updated = Account {
        name: pick(&fresh.name, &stored.name),
        phone: pick(&fresh.phone, &stored.phone),
        id_number: pick(&stored.id_number, &fresh.id_number),
        ..stored.clone()
    };
    if updated == stored {
        return Ok(stored);
    }
    let rk = keys.fresh();
    let (index, index_key) = id_index(keys, &updated.id_number);
    sqlx::query(
        "UPDATE accounts SET name = $1, phone = $2, id_number = $3, key_id = $4, dek = $5,
         id_index = $6, id_index_key = $7 WHERE id = $8",
    )
    .bind(rk.seal("accounts.name", updated.name.as_bytes()))
    .bind(rk.seal("accounts.phone", updated.phone.as_bytes()))
    .bind(rk.seal("accounts.id_number", updated.id_number.as_bytes()))
    .bind(&rk.key_id)
    .bind(&rk.wrapped)
    .bind(index)
    .bind(index_key)
    .bind(&updated.id)
    .execute(db)
    .await?;
    Ok(updated)
}

type Row = (
    String,
    Vec<u8>,
    Vec<u8>,
    Vec<u8>,
    Option<String>,
    Option<Vec<u8>>,
);

const COLUMNS: &str = "id, name, phone, id_number, key_id, dek";

fn to_account(
    keys: &Keys,
    (id, name, phone, id_number, key_id, dek): Row,
) -> sqlx::Result<Account> {
    let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?;
    Ok(Account {
        id,
        name: open_text(rk.as_ref(), "accounts.name", name)?,
        phone: open_text(rk.as_ref(), "accounts.phone", phone)?,
        id_number: open_text(rk.as_ref(), "accounts.id_number", id_number)?,
    })
}

/// One account.
///
/// # Errors
/// The database fails, or the account does not open.
pub async fn get(db: &Pool, keys: &Keys, id: &str) -> sqlx::Result<Option<Account>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|r| to_account(keys, r)).transpose()
}

/// Records a ticket (by hash) for an account.
///
/// # Errors
/// The database fails.
pub async fn insert_ticket(
    db: &Pool,
    hash: &str,
    account_id: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO tickets (hash, account_id, expires_at) VALUES ($1, $2, $3)")
        .bind(hash)
        .bind(account_id)
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok(())
}

/// Uses a ticket up: the account it was for, if it existed, had not expired and was unused, or
/// was used by an exchange with the same key (`key_hash`, the hash of its `Idempotency-Key`:
/// the same exchange asked again after its answer was lost). One statement, so two exchanges of
/// the same ticket with different keys (or none) cannot both succeed.
///
/// # Errors
/// The database fails.
pub async fn consume_ticket(
    db: &Pool,
    hash: &str,
    key_hash: Option<&str>,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE tickets SET used_at = COALESCE(used_at, $1), used_by = COALESCE(used_by, $4)
         WHERE hash = $2 AND expires_at > $3 AND (used_at IS NULL OR used_by = $4)
         RETURNING account_id",
    )
    .bind(now)
    .bind(hash)
    .bind(now)
    .bind(key_hash)
    .fetch_optional(db)
    .await
}

/// The account of a ticket already used by an exchange with the same key, until the ticket
/// expires ([`consume_ticket`] without using up an unused one): a retry of a platform's ticket.
///
/// # Errors
/// The database fails.
pub async fn replayed_ticket(
    db: &Pool,
    hash: &str,
    key_hash: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT account_id FROM tickets
         WHERE hash = $1 AND used_at IS NOT NULL AND used_by = $2 AND expires_at > $3",
    )
    .bind(hash)
    .bind(key_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Records a ticket the app platform exchanged, as used by the exchange with this key, so
/// that the same exchange asked again finds it ([`replayed_ticket`]).
///
/// # Errors
/// The database fails.
pub async fn record_used_ticket(
    db: &Pool,
    hash: &str,
    account_id: &str,
    key_hash: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO tickets (hash, account_id, expires_at, used_at, used_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
    )
    .bind(hash)
    .bind(account_id)
    .bind(expires_at)
    .bind(now)
    .bind(key_hash)
    .execute(db)
    .await?;
    Ok(())
}

/// Starts a session (by the hash of its token).
///
/// # Errors
/// The database fails.
pub async fn insert_session(
    db: &Pool,
    hash: &str,
    account_id: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(hash)
    .bind(account_id)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The account and end of the live session whose token has this hash.
///
/// # Errors
/// The database fails.
pub async fn session(db: &Pool, hash: &str, now: i64) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as(
        "SELECT account_id, expires_at FROM sessions WHERE hash = $1 AND expires_at > $2",
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Ends a session.
///
/// # Errors
/// The database fails.
pub async fn delete_session(db: &Pool, hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE hash = $1")
        .bind(hash)
        .execute(db)
        .await?;
    Ok(())
}

/// An OIDC sign-in between `start` and `callback` (`oidc_pending`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OidcPending {
    /// The ID token's expected `nonce`.
    pub nonce: String,
    /// The PKCE verifier (RFC 7636).
    pub verifier: String,
    /// The `redirect_uri` sent to the provider (sent again with the code).
    pub redirect_uri: String,
    /// The app's path to come back to.
    pub return_to: String,
}

/// Records a started OIDC sign-in under the SHA-256 of its state, unless `max` are pending
/// already (a flood of starts cannot grow the table without bound); whether it was recorded.
///
/// # Errors
/// The database fails.
pub async fn insert_oidc_pending(
    db: &Pool,
    state_hash: &str,
    p: &OidcPending,
    now: i64,
    expires_at: i64,
    max: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO oidc_pending (state_hash, nonce, verifier, redirect_uri, return_to, expires_at)
         SELECT $1, $2, $3, $4, $5, $6
         WHERE (SELECT COUNT(*) FROM oidc_pending WHERE expires_at > $7) < $8",
    )
    .bind(state_hash)
    .bind(&p.nonce)
    .bind(&p.verifier)
    .bind(&p.redirect_uri)
    .bind(&p.return_to)
    .bind(expires_at)
    .bind(now)
    .bind(max)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Takes a pending OIDC sign-in (once: the row is deleted), unless it expired.
///
/// # Errors
/// The database fails.
pub async fn take_oidc_pending(
    db: &Pool,
    state_hash: &str,
    now: i64,
) -> sqlx::Result<Option<OidcPending>> {
    sqlx::query_as(
        "DELETE FROM oidc_pending WHERE state_hash = $1 AND expires_at > $2
         RETURNING nonce, verifier, redirect_uri, return_to",
    )
    .bind(state_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Deletes the OIDC sign-ins that were never completed in time; returns how many.
///
/// # Errors
/// The database fails.
pub async fn sweep_oidc_pending(db: &Pool, now: i64) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM oidc_pending WHERE expires_at <= $1")
            .bind(now)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

//! The sealed columns of the store ([`crate::crypto`]): which tables hold personal data under a
//! data key, the helpers the other store modules open them with, and the passes over all of
//! them: which master keys the records name (checked at start), sealing rows written before
//! encryption, and re-wrapping every data key under the active master key (rotation).

use crate::crypto::{CryptoError, Keys, RecordKey};

use super::Pool;

/// A table with personal columns, each sealed under the row's data key.
struct SealedTable {
    table: &'static str,
    key: &'static str,
    columns: &'static [&'static str],
}

/// Every table with sealed columns. Uploads also seal their files, which the data layer does
/// not see: their rows are never sealed by [`seal_legacy`] (a file written before encryption
/// stays readable as it is, and is gone with its upload).
const TABLES: &[SealedTable] = &[
    SealedTable {
        table: "accounts",
        key: "id",
        columns: &["name", "phone", "id_number"],
    },
    SealedTable {
        table: "drafts",
        key: "id",
        columns: &["data"],
    },
    SealedTable {
        table: "applications",
        key: "id",
        columns: &["body"],
    },
    SealedTable {
        table: "consents",
        key: "code",
        columns: &["holder_name"],
    },
    SealedTable {
        table: "supplements",
        key: "id",
        columns: &["answer_text"],
    },
    SealedTable {
        table: "withdrawals",
        key: "application_id",
        columns: &["reason"],
    },
    SealedTable {
        table: "item_withdrawals",
        key: "id",
        columns: &["reason"],
    },
    SealedTable {
        table: "ratings",
        key: "application_id",
        columns: &["comment"],
    },
    SealedTable {
        table: "assisted_cases",
        key: "id",
        columns: &["citizen", "body"],
    },
    SealedTable {
        table: "uploads",
        key: "id",
        columns: &["metadata"],
    },
];

/// A failure to open a sealed value, as the store's error type.
pub(crate) fn decode_error(e: CryptoError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// A row's data key, from its stored `key_id` and `dek`; `None` for a row written before
/// encryption (its columns are plain).
pub(crate) fn record_key(
    keys: &Keys,
    key_id: Option<&str>,
    dek: Option<&[u8]>,
) -> sqlx::Result<Option<RecordKey>> {
    match (key_id, dek) {
        (Some(id), Some(dek)) => keys.open(id, dek).map(Some).map_err(decode_error),
        _ => Ok(None),
    }
}

/// A sealed text column, opened (a plain one of a row written before encryption as it is).
pub(crate) fn open_text(
    key: Option<&RecordKey>,
    label: &str,
    bytes: Vec<u8>,
) -> sqlx::Result<String> {
    match key {
        Some(k) => k.open_text(label, &bytes).map_err(decode_error),
        None => String::from_utf8(bytes)
            .map_err(|_| decode_error(CryptoError(format!("{label} is not UTF-8")))),
    }
}

/// The master key ids that stored records name.
///
/// # Errors
/// The database fails.
pub async fn stored_ids(db: &Pool) -> sqlx::Result<Vec<String>> {
    let union = TABLES
        .iter()
        .map(|t| format!("SELECT key_id FROM {} WHERE key_id IS NOT NULL", t.table))
        .collect::<Vec<_>>()
        .join(" UNION ");
    sqlx::query_scalar(&format!("{union} ORDER BY 1"))
        .fetch_all(db)
        .await
}

/// Seals the rows written before encryption (every table but uploads, see [`TABLES`]), each
/// under a fresh data key. Returns how many.
///
/// # Errors
/// The database fails.
pub async fn seal_legacy(db: &Pool, keys: &Keys) -> sqlx::Result<u64> {
    // Records from before encryption exist only in SQLite databases (PostgreSQL support came
    // after it): there, a plain column is TEXT, read as its bytes.
    if super::backend(db) != super::Backend::Sqlite {
        return Ok(0);
    }
    let mut n = 0;
    for t in TABLES.iter().filter(|t| t.table != "uploads") {
        let cols = t
            .columns
            .iter()
            .map(|c| format!("CAST({c} AS BLOB)"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            // An empty first column is a value retention erased (`store::retention`).
            "SELECT {key}, {cols} FROM {table}
             WHERE key_id IS NULL AND {first} IS NOT NULL AND length({first}) > 0",
            key = t.key,
            table = t.table,
            first = t.columns[0],
        );
        let rows = sqlx::query(&sql).fetch_all(db).await?;
        for row in rows {
            use sqlx::Row as _;
            let id: String = row.try_get(0)?;
            let rk = keys.fresh();
            let sets = t
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ${}", i + 3))
                .collect::<Vec<_>>()
                .join(", ");
            let update = format!(
                "UPDATE {table} SET key_id = $1, dek = $2, {sets} WHERE {key} = ${last} AND key_id IS NULL",
                table = t.table,
                key = t.key,
                last = t.columns.len() + 3,
            );
            let mut q = sqlx::query(&update).bind(&rk.key_id).bind(&rk.wrapped);
            for (i, c) in t.columns.iter().enumerate() {
                let plain: Option<Vec<u8>> = row.try_get(i + 1)?;
                q = q.bind(plain.map(|p| rk.seal(&format!("{}.{c}", t.table), &p)));
            }
            n += q.bind(&id).execute(db).await?.rows_affected();
        }
    }
    Ok(n)
}

/// Re-wraps every data key not under the active master key, a batch of rows at a time while
/// the server keeps serving: each row is updated only if its key did not change meanwhile (a
/// write in between already used the active key). Returns how many rows were re-wrapped.
///
/// # Errors
/// The database fails, or a data key does not open (its master key is not loaded).
pub async fn rewrap_all(db: &Pool, keys: &Keys) -> sqlx::Result<u64> {
    let mut n = 0;
    let active = keys.active_id();
    for t in TABLES {
        loop {
            let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(&format!(
                "SELECT {key}, key_id, dek FROM {table} WHERE key_id IS NOT NULL AND key_id <> $1
                 AND dek IS NOT NULL LIMIT 200",
                key = t.key,
                table = t.table,
            ))
            .bind(&active)
            .fetch_all(db)
            .await?;
            if rows.is_empty() {
                break;
            }
            for (id, key_id, dek) in rows {
                let Some(wrapped) = keys.rewrap(&key_id, &dek).map_err(decode_error)? else {
                    continue;
                };
                n += sqlx::query(&format!(
                    "UPDATE {table} SET key_id = $1, dek = $2 WHERE {key} = $3 AND key_id = $4 AND dek = $5",
                    table = t.table,
                    key = t.key,
                ))
                .bind(&active)
                .bind(&wrapped)
                .bind(&id)
                .bind(&key_id)
                .bind(&dek)
                .execute(db)
                .await?
                .rows_affected();
            }
        }
    }
    Ok(n)
}

/// Recomputes every blind index ([`crate::crypto`], "Blind index") not computed under the active
/// master key: of the accounts' ID numbers ([`reindex_accounts`]) and of the assisted cases'
/// citizens (`store::assisted::reindex`). Returns how many rows.
///
/// # Errors
/// The database fails, or a record does not open.
pub async fn reindex(db: &Pool, keys: &Keys) -> sqlx::Result<u64> {
    Ok(reindex_accounts(db, keys).await? + super::assisted::reindex(db, keys).await?)
}

/// Recomputes the blind index of every account's ID number not indexed under the active master
/// key: accounts from before the index, and after a rotation those indexed under the old key.
/// The subject of an account made for a paper-confirmed citizen
/// ([`super::accounts::ASSISTED_SUBJECT`]) is the index, so it is rewritten with it (unless
/// another such account holds that subject already: then it keeps a neutral one); one whose
/// subject is not its index (an older version's) is taken too. A batch at a time while the
/// server keeps serving; each row is updated only if its index did not change meanwhile.
/// Returns how many.
///
/// # Errors
/// The database fails, or an account does not open.
pub async fn reindex_accounts(db: &Pool, keys: &Keys) -> sqlx::Result<u64> {
    use super::accounts::{ASSISTED_SUBJECT, id_index};
    type Row = (
        String,
        Vec<u8>,
        Option<String>,
        Option<Vec<u8>>,
        Option<String>,
    );
    let active = keys.active_id();
    let mut n = 0;
    // An account with no ID number keeps no index, and is not read again and again: it is
    // marked as looked at under this key with an empty index.
    let mut after = String::new();
    loop {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, id_number, key_id, dek, id_index_key FROM accounts
             WHERE (id_index_key IS NULL OR id_index_key <> $1
                    OR (subject LIKE $3 AND subject NOT LIKE $4 AND subject <> ($5 || id_index)))
               AND id > $2 ORDER BY id LIMIT 200",
        )
        .bind(&active)
        .bind(&after)
        .bind(format!("{ASSISTED_SUBJECT}%"))
        .bind(format!("{ASSISTED_SUBJECT}account:%"))
        .bind(ASSISTED_SUBJECT)
        .fetch_all(db)
        .await?;
        let Some(last) = rows.last() else {
            break;
        };
        after.clone_from(&last.0);
        for (id, id_number, key_id, dek, was) in rows {
            let rk = record_key(keys, key_id.as_deref(), dek.as_deref())?;
            let plain = open_text(rk.as_ref(), "accounts.id_number", id_number)?;
            let (index, _) = id_index(keys, &plain);
            n += sqlx::query(
                "UPDATE accounts SET id_index = $1, id_index_key = $2, subject = CASE
                   WHEN subject NOT LIKE $5 OR $1 = '' THEN subject
                   WHEN NOT EXISTS (SELECT 1 FROM accounts o WHERE o.subject = ($6 || $1)
                                    AND o.id <> $3) THEN ($6 || $1)
                   WHEN subject LIKE $7 THEN subject
                   ELSE $8 END
                 WHERE id = $3 AND (id_index_key = $4 OR ($4 IS NULL AND id_index_key IS NULL))",
            )
            .bind(index.unwrap_or_default())
            .bind(&active)
            .bind(&id)
            .bind(was)
            .bind(format!("{ASSISTED_SUBJECT}%"))
            .bind(ASSISTED_SUBJECT)
            .bind(format!("{ASSISTED_SUBJECT}account:%"))
            .bind(format!("{ASSISTED_SUBJECT}account:{id}"))
            .execute(db)
            .await?
            .rows_affected();
        }
    }
    Ok(n)
}

/// How many blind indexes (accounts', assisted cases') are not under master key `active` (0
/// once [`reindex`] is through: then an older key may leave the key file).
///
/// # Errors
/// The database fails.
pub async fn indexed_elsewhere(db: &Pool, active: &str) -> sqlx::Result<i64> {
    let accounts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE id_index_key IS NULL OR id_index_key <> $1",
    )
    .bind(active)
    .fetch_one(db)
    .await?;
    Ok(accounts + super::assisted::indexed_elsewhere(db, active).await?)
}

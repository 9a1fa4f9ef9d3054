//! 亮晒 entries and the public's ratings of them (migration 0015). An entry is written in the
//! transaction of the move that completes its sub-item; it holds nothing personal (see
//! [`crate::publication`]), so retention leaves it. The list is newest first, by
//! `(published_at, id)`, with keyset pagination; an entry whose sub-item (or case) is withdrawn
//! is never shown.

use super::Conn;

/// One stored entry with its ratings' count and total.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    /// Public id.
    pub id: String,
    /// The service.
    pub service_id: String,
    /// When it was written (Unix seconds): the list's order.
    pub published_at: i64,
    /// The day, in China (`YYYY-MM-DD`).
    pub published_on: String,
    /// [`crate::publication::Content`] as JSON.
    pub entry: String,
    /// How many ratings.
    pub rating_count: i64,
    /// Their scores' sum.
    pub rating_total: i64,
}

/// Where a page of the list starts: after the entry written at `.0` with id `.1`.
pub type After = (i64, String);

const SELECT: &str = "SELECT p.id, p.service_id, p.published_at, p.published_on, p.entry,
        (SELECT COUNT(*) FROM publication_ratings r WHERE r.publication_id = p.id)
            AS rating_count,
        (SELECT CAST(COALESCE(SUM(r.score), 0) AS BIGINT) FROM publication_ratings r
         WHERE r.publication_id = p.id) AS rating_total
    FROM publications p";

/// `WHERE` part (on `publications p`): its sub-item is not withdrawn.
const NOT_WITHDRAWN: &str = "NOT EXISTS (SELECT 1 FROM application_items i
        WHERE i.application_id = p.application_id AND i.sub_item_id = p.sub_item_id
        AND i.status = 'withdrawn')";

/// Writes an entry; false when the sub-item of this case has one already.
///
/// # Errors
/// The database fails.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert(
    conn: &mut Conn,
    id: &str,
    application_id: &str,
    sub_item_id: &str,
    service_id: &str,
    published_at: i64,
    published_on: &str,
    entry: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO publications
            (id, application_id, sub_item_id, service_id, published_at, published_on, entry)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (application_id, sub_item_id) DO NOTHING",
    )
    .bind(id)
    .bind(application_id)
    .bind(sub_item_id)
    .bind(service_id)
    .bind(published_at)
    .bind(published_on)
    .bind(entry)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Up to `limit` entries (of `service`, when given) written before `after`, newest first.
///
/// # Errors
/// The database fails.
pub async fn page(
    conn: &mut Conn,
    service: Option<&str>,
    after: Option<&After>,
    limit: i64,
) -> sqlx::Result<Vec<EntryRow>> {
    let (at, id) = after.map_or((None, None), |(at, id)| (Some(*at), Some(id.as_str())));
    sqlx::query_as(&format!(
        "{SELECT} WHERE ($1 IS NULL OR p.service_id = $2)
            AND ($3 IS NULL OR p.published_at < $4 OR (p.published_at = $5 AND p.id < $6))
            AND {NOT_WITHDRAWN}
         ORDER BY p.published_at DESC, p.id DESC LIMIT $7"
    ))
    .bind(service)
    .bind(service)
    .bind(at)
    .bind(at)
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// One listed entry.
///
/// # Errors
/// The database fails.
pub async fn get(conn: &mut Conn, id: &str) -> sqlx::Result<Option<EntryRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE p.id = $1 AND {NOT_WITHDRAWN}"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Records an account's rating of an entry; false when it rated it already.
///
/// # Errors
/// The database fails.
pub async fn rate(
    conn: &mut Conn,
    publication_id: &str,
    account_id: &str,
    score: u8,
    reason: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO publication_ratings (publication_id, account_id, score, reason, rated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (publication_id, account_id) DO NOTHING",
    )
    .bind(publication_id)
    .bind(account_id)
    .bind(i64::from(score))
    .bind(reason)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

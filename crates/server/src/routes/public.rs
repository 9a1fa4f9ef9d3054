//! `/api/public/`: what anyone may read without signing in. The 亮晒 list (resolved problems,
//! published de-identified with the applicant's consent) and the public's 好差评 of an entry,
//! which needs a session: one rating per account and entry.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use onething_core::api::{
    ApiErrorBody, ErrorCode, PUBLISHED_PAGE_SIZE, PublicationRated, PublicationRating,
    PublicationRatingReason, PublishedEntry, PublishedPage, PublishedQuery,
};

use crate::auth::Caller;
use crate::error::JsonBody;
use crate::publication::Content;
use crate::store::publications::{self as store, After, EntryRow};
use crate::{ApiError, AppState, Result};

fn entry(row: EntryRow) -> PublishedEntry {
    let content: Content = serde_json::from_str(&row.entry).unwrap_or_default();
    PublishedEntry {
        id: row.id,
        service_id: row.service_id,
        service_title: content.service_title,
        published_on: row.published_on,
        facts: content.facts,
        outcome: content.outcome,
        rating_count: u32::try_from(row.rating_count).unwrap_or(0),
        rating_total: u32::try_from(row.rating_total).unwrap_or(0),
    }
}

/// A cursor is `<published_at>.<id>` of the last entry of the page before.
fn cursor_of(row: &EntryRow) -> String {
    format!("{}.{}", row.published_at, row.id)
}

fn parse_cursor(cursor: &str) -> Option<After> {
    let (at, id) = cursor.split_once('.')?;
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some((at.parse().ok()?, id.to_owned()))
}

/// The 亮晒 list, newest first, 20 a page; no sign-in. Cached by anyone for a minute.
#[utoipa::path(get, path = "/api/public/published", tag = "public",
    params(PublishedQuery),
    responses(
        (status = 200, body = PublishedPage, headers(("Cache-Control" = String, description = "`public, max-age=60`"))),
        (status = 400, description = "`cursor_invalid`, or `invalid_body`: a parameter is malformed", body = ApiErrorBody),
    ))]
pub async fn list_published(
    State(state): State<AppState>,
    query: std::result::Result<Query<PublishedQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let Query(q) =
        query.map_err(|e| ApiError::bad_request(ErrorCode::InvalidBody, e.body_text()))?;
    let after = match q.cursor.as_deref() {
        Some(c) => Some(parse_cursor(c).ok_or_else(|| {
            ApiError::bad_request(ErrorCode::CursorInvalid, "not a cursor this list gave")
                .with_fields(["cursor"])
        })?),
        None => None,
    };
    let limit = i64::try_from(PUBLISHED_PAGE_SIZE).unwrap_or(20);
    let mut conn = state.db.acquire().await?;
    // One more than a page: whether there is a next one.
    let mut rows = store::page(
        &mut conn,
        q.service.as_deref().filter(|s| !s.is_empty()),
        after.as_ref(),
        limit + 1,
    )
    .await?;
    let more = rows.len() > PUBLISHED_PAGE_SIZE;
    rows.truncate(PUBLISHED_PAGE_SIZE);
    let next_cursor = more.then(|| rows.last().map(cursor_of)).flatten();
    let page = PublishedPage {
        entries: rows.into_iter().map(entry).collect(),
        next_cursor,
    };
    Ok((
        [(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        )],
        Json(page),
    )
        .into_response())
}

/// Rates a published entry (好差评 of the public): a score of 1 to 5 and, optionally, a reason
/// from the list; once per account. Answers the entry with its new count and total.
#[utoipa::path(post, path = "/api/public/published/{id}/rating", tag = "public",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The entry's public id")),
    request_body = PublicationRating,
    responses(
        (status = 200, description = "Rated; the entry now", body = PublicationRated),
        (status = 404, description = "`publication_not_found`", body = ApiErrorBody),
        (status = 409, description = "`publication_already_rated`: once per account", body = ApiErrorBody),
        (status = 422, description = "`rating_invalid`: the score is 1 to 5", body = ApiErrorBody),
    ))]
pub async fn rate_published(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(rating): JsonBody<PublicationRating>,
) -> Result<Json<PublicationRated>> {
    if !(1..=5).contains(&rating.score) {
        return Err(
            ApiError::unprocessable(ErrorCode::RatingInvalid, "the score is 1 to 5")
                .with_fields(["score"]),
        );
    }
    let not_found = || ApiError::not_found(ErrorCode::PublicationNotFound);
    let mut tx = crate::store::begin_immediate(&state.db).await?;
    if store::get(&mut tx, &id).await?.is_none() {
        return Err(not_found());
    }
    if !store::rate(
        &mut tx,
        &id,
        &caller.account_id,
        rating.score,
        rating.reason.map(PublicationRatingReason::as_str),
        state.clock.now(),
    )
    .await?
    {
        return Err(ApiError::conflict(
            ErrorCode::PublicationAlreadyRated,
            "you rated this entry already",
        ));
    }
    let row = store::get(&mut tx, &id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(Json(PublicationRated {
        entry: entry(row),
        score: rating.score,
    }))
}

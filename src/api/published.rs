//! 亮晒 (`/api/public/published`): the public list of resolved problems, read without signing
//! in, and the public's rating of an entry (a session).

use onething_core::api::{PublicationRated, PublicationRating, PublishedPage};

use super::{FetchError, get_json, post_json};

/// `GET /api/public/published`: a page of entries, newest first (of `service`, when given),
/// after `cursor` (the page before's `next_cursor`).
///
/// # Errors
/// See [`FetchError`].
pub async fn list(
    service: Option<&str>,
    cursor: Option<&str>,
) -> Result<PublishedPage, FetchError> {
    let mut query = Vec::new();
    if let Some(s) = service {
        query.push(format!("service={}", js_sys::encode_uri_component(s)));
    }
    if let Some(c) = cursor {
        query.push(format!("cursor={}", js_sys::encode_uri_component(c)));
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    get_json(&format!("/public/published{query}")).await
}

/// `POST /api/public/published/{id}/rating`: the caller's score, once per entry.
///
/// # Errors
/// See [`FetchError`]; 401 without a session, `publication_already_rated`,
/// `publication_not_found`.
pub async fn rate(id: &str, rating: &PublicationRating) -> Result<PublicationRated, FetchError> {
    let id = js_sys::encode_uri_component(id);
    post_json(&format!("/public/published/{id}/rating"), rating, &[]).await
}

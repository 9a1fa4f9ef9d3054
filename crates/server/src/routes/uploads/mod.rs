//! `/api/uploads/`: tus 1.0.0 resumable uploads (core protocol, creation,
//! creation-with-upload, termination, expiration, checksum with sha1 and sha256).
//!
//! Durability (tus 1.0 §"Core Protocol", PATCH: "the Server MUST acknowledge successful PATCH
//! requests ... the new offset"): bytes are written, then `fsync`ed, and only then is the
//! stored offset raised, so the offset a `HEAD` reports never runs ahead of what is on disk.
//! Bytes past the stored offset (a crash, a discarded chunk) are truncated by the next PATCH.
//! A PATCH cut mid-body keeps what arrived. One lock per upload serializes concurrent PATCH requests;
//! the loser then sees the new offset and gets 409.
//!
//! On the last byte the file is checked and cleaned by [`crate::media`] and moved to the blob
//! store under a server-generated name; a refused file answers 422 with a code. With object
//! storage, "on disk" above means "stored as a piece in the object store" (see [`receive`]).
//!
//! This module holds the handlers and the tus header checks; [`locks`] serializes writers of
//! one upload, [`receive`] writes a body to disk and completes the upload.

mod locks;
mod receive;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use onething_core::api::{ApiErrorBody, ErrorCode, UploadInfo};

use self::locks::lock_upload;
use self::receive::{Checksum, finalize, receive, too_large};
use crate::auth::Caller;
use crate::clock::{http_date, new_id, rfc3339};
use crate::store::uploads::Upload;
use crate::{ApiError, AppState, Result, store, tus};

/// The protocol version we speak.
pub const TUS_VERSION: &str = "1.0.0";
/// The extensions we implement.
pub const TUS_EXTENSIONS: &str = "creation,creation-with-upload,termination,expiration,checksum";
/// The media type of PATCH bodies (tus 1.0 §PATCH).
const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

fn h(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

fn num(n: u64) -> HeaderValue {
    HeaderValue::from(n)
}

fn tus_error(status: StatusCode, code: ErrorCode, message: &str, field: &str) -> ApiError {
    ApiError::new(status, code, message).with_fields([field])
}

/// tus 1.0 §Tus-Resumable: every request but OPTIONS names the version; otherwise 412 with the
/// versions we support.
fn check_resumable(headers: &HeaderMap) -> Result<()> {
    if headers.get("tus-resumable").and_then(|v| v.to_str().ok()) == Some(TUS_VERSION) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::TusVersionUnsupported,
            "Tus-Resumable must be 1.0.0",
        )
        .with_fields(["Tus-Resumable"])
        .with_header(h("tus-version"), HeaderValue::from_static(TUS_VERSION)))
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Result<Option<u64>> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => tus::parse_u64(v.as_bytes()).map(Some).ok_or_else(|| {
            tus_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::TusHeaderInvalid,
                "not a non-negative integer",
                name,
            )
        }),
    }
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<Upload> {
    let up = store::uploads::get(&state.db, &state.keys, id, &caller.account_id)
        .await?
        .ok_or_else(|| ApiError::not_found(ErrorCode::UploadNotFound))?;
    if up.is_gone(state.clock.now()) {
        return Err(ApiError::new(
            StatusCode::GONE,
            ErrorCode::UploadGone,
            "the upload expired or was refused",
        ));
    }
    Ok(up)
}

fn as_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn expiry_headers(up_expires_at: i64) -> (HeaderName, HeaderValue) {
    (
        h("upload-expires"),
        HeaderValue::from_str(&http_date(up_expires_at))
            .unwrap_or_else(|_| HeaderValue::from_static("")),
    )
}

/// `POST /api/uploads/{id}` with `X-HTTP-Method-Override` (tus 1.0: "MUST be interpreted as
/// the request's method"): PATCH, HEAD or DELETE for environments that can only POST.
///
/// # Errors
/// Those of the method it stands for; 405 without a known override.
#[utoipa::path(post, path = "/api/uploads/{id}", tag = "uploads",
    security(("bearer" = []), ("cookie" = [])),
    params(
        ("id" = String, Path, description = "Upload id"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
        ("X-HTTP-Method-Override" = String, Header, description = "`PATCH`, `HEAD` or `DELETE`"),
        ("Upload-Offset" = u64, Header, description = "For `PATCH`: must equal the current offset; ignored by `HEAD` and `DELETE`"),
    ),
    responses(
        (status = 200, description = "As `HEAD`"),
        (status = 204, description = "As `PATCH` or `DELETE`"),
        (status = 400, description = "`tus_header_invalid`", body = ApiErrorBody),
        (status = 404, description = "`upload_not_found`", body = ApiErrorBody),
        (status = 405, description = "No override", body = ApiErrorBody),
        (status = 409, description = "`upload_offset_mismatch`, `upload_not_usable`", body = ApiErrorBody),
        (status = 410, description = "`upload_gone`", body = ApiErrorBody),
        (status = 413, description = "`upload_too_large`", body = ApiErrorBody),
        (status = 415, description = "`upload_content_type`", body = ApiErrorBody),
        (status = 422, description = "Complete but refused", body = ApiErrorBody),
        (status = 423, description = "`upload_locked`", body = ApiErrorBody),
        (status = 460, description = "`checksum_mismatch`", body = ApiErrorBody),
    ))]
pub async fn post_with_override(
    state: State<AppState>,
    caller: Caller,
    id: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    // The contract documents `Upload-Offset` on this route: malformed, it is refused whatever
    // the method, not silently ignored by HEAD and DELETE.
    header_u64(&headers, "upload-offset")?;
    let method = headers
        .get("x-http-method-override")
        .and_then(|v| v.to_str().ok())
        .map(|m| m.trim().to_ascii_uppercase());
    match method.as_deref() {
        Some("PATCH") => patch_upload(state, caller, id, headers, body).await,
        Some("HEAD") => head_upload(state, caller, id, headers).await,
        Some("DELETE") => delete_upload(state, caller, id, headers)
            .await
            .map(IntoResponse::into_response),
        _ => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::RouteNotFound,
            "POST on an upload needs X-HTTP-Method-Override: PATCH, HEAD or DELETE",
        )),
    }
}

/// tus 1.0 §OPTIONS: what this server supports.
#[utoipa::path(options, path = "/api/uploads", tag = "uploads",
    responses((status = 204, description = "`Tus-Version`, `Tus-Extension`, `Tus-Max-Size`, `Tus-Checksum-Algorithm`",
        headers(
            ("Tus-Version" = String, description = "`1.0.0`"),
            ("Tus-Extension" = String, description = "The extensions supported"),
            ("Tus-Max-Size" = u64, description = "Largest upload in bytes"),
            ("Tus-Checksum-Algorithm" = String, description = "`sha1,sha256`"),
        ))))]
pub async fn options_uploads(State(state): State<AppState>) -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (h("tus-version"), HeaderValue::from_static(TUS_VERSION)),
            (h("tus-extension"), HeaderValue::from_static(TUS_EXTENSIONS)),
            (h("tus-max-size"), num(state.config.max_upload_bytes)),
            (
                h("tus-checksum-algorithm"),
                HeaderValue::from_static("sha1,sha256"),
            ),
        ],
    )
        .into_response()
}

/// tus 1.0 §Creation: a new upload of `Upload-Length` bytes; with a body of type
/// `application/offset+octet-stream`, its first bytes too (creation-with-upload).
#[utoipa::path(post, path = "/api/uploads", tag = "uploads",
    security(("bearer" = []), ("cookie" = [])),
    params(
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
        ("Upload-Length" = u64, Header, description = "Total size in bytes"),
        ("Upload-Metadata" = Option<String>, Header, description = "`filename <b64>,filetype <b64>`"),
        ("Upload-Checksum" = Option<String>, Header, description = "For creation-with-upload: `sha1|sha256 <b64 digest>` of the body"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream", description = "Optional first bytes"),
    responses(
        (status = 201, description = "`Location` of the upload; `Upload-Offset`, `Upload-Expires`",
            headers(
                ("Location" = String, description = "`/api/uploads/{id}`"),
                ("Upload-Offset" = u64, description = "Bytes durably received"),
                ("Upload-Expires" = String, description = "RFC 7231 date after which an unused upload is gone"),
            )),
        (status = 400, description = "`tus_header_invalid`", body = ApiErrorBody),
        (status = 412, description = "`tus_version_unsupported`", body = ApiErrorBody),
        (status = 413, description = "`upload_too_large`", body = ApiErrorBody),
        (status = 422, description = "The file is complete but refused (`upload_type_not_allowed`, `upload_image_too_large`, `upload_corrupt`)", body = ApiErrorBody),
        (status = 460, description = "`checksum_mismatch`", body = ApiErrorBody),
    ))]
#[expect(
    clippy::too_many_lines,
    reason = "the tus creation steps, in the order the spec gives them"
)]
pub async fn create_upload(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    check_resumable(&headers)?;
    if headers.contains_key("upload-defer-length") {
        return Err(tus_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::TusHeaderInvalid,
            "creation-defer-length is not supported",
            "Upload-Defer-Length",
        ));
    }
    let length = header_u64(&headers, "upload-length")?.ok_or_else(|| {
        tus_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::TusHeaderInvalid,
            "Upload-Length is required",
            "Upload-Length",
        )
    })?;
    if length > state.config.max_upload_bytes {
        return Err(tus_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UploadTooLarge,
            "Upload-Length is above Tus-Max-Size",
            "Upload-Length",
        ));
    }
    let metadata = headers
        .get("upload-metadata")
        .map(|v| v.to_str().map(str::to_owned))
        .transpose();
    let Ok(metadata) = metadata.map(Option::unwrap_or_default) else {
        return Err(tus_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::TusHeaderInvalid,
            "Upload-Metadata is `key base64,key base64` (at most 4096 bytes); filename is a plain name of at most 255 bytes",
            "Upload-Metadata",
        ));
    };
    if tus::parse_metadata(&metadata).is_none_or(|m| {
        m.get("filename")
            .is_some_and(|f| !f.as_deref().is_some_and(tus::filename_ok))
    }) {
        return Err(tus_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::TusHeaderInvalid,
            "Upload-Metadata is `key base64,key base64` (at most 4096 bytes); filename is a plain name of at most 255 bytes",
            "Upload-Metadata",
        ));
    }
    let with_body = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == OFFSET_OCTET_STREAM.as_bytes());
    let checksum = if with_body {
        Checksum::parse(&headers)?
    } else {
        None
    };
    let now = state.clock.now();
    let expires_at = now + upload_ttl(&state);
    let id = new_id();
    // A local store writes the upload in place in one file; object storage needs nothing
    // before the first piece.
    if state.blobs.local_dir().is_some() {
        tokio::fs::File::create(state.partial_path(&id)).await?;
    }
    store::uploads::insert(
        &state.db,
        &state.keys,
        &id,
        &caller.account_id,
        length,
        &metadata,
        now,
        expires_at,
    )
    .await?;
    let location = HeaderValue::from_str(&format!("/api/uploads/{id}"))
        .map_err(|e| ApiError::internal(format_args!("location: {e}")))?;
    let mut offset = 0;
    if with_body || length == 0 {
        let mut lock = lock_upload(&state, &id).await?;
        let up = load(&state, &caller, &id).await?;
        match receive(&state, &up, body, checksum, &mut lock).await {
            Ok(o) => offset = o,
            Err(e) => {
                // An error answer carries no `Location`: the client cannot resume this upload,
                // so nothing of it is kept (a refused file is already marked and deleted).
                if let Some(up) =
                    store::uploads::get(&state.db, &state.keys, &id, &caller.account_id).await?
                    && up.state == "partial"
                {
                    state.remove_upload_files(&up).await?;
                    store::uploads::delete(&state.db, &id).await?;
                }
                return Err(e);
            }
        }
    }
    Ok((
        StatusCode::CREATED,
        [
            (header::LOCATION, location),
            (h("upload-offset"), num(offset)),
            expiry_headers(expires_at),
        ],
    )
        .into_response())
}

fn upload_ttl(state: &AppState) -> i64 {
    i64::try_from(state.config.upload_ttl_hours)
        .unwrap_or(24)
        .saturating_mul(3600)
}

/// tus 1.0 §HEAD: the durable offset.
#[utoipa::path(head, path = "/api/uploads/{id}", tag = "uploads",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Upload id"), ("Tus-Resumable" = String, Header, description = "`1.0.0`")),
    responses(
        (status = 200, description = "`Upload-Offset`, `Upload-Length`, `Upload-Metadata`, `Upload-Expires`; `Cache-Control: no-store`",
            headers(
                ("Upload-Offset" = u64, description = "Bytes durably received"),
                ("Upload-Length" = u64, description = "The declared length"),
                ("Upload-Metadata" = String, description = "As given at creation, when given"),
                ("Upload-Expires" = String, description = "RFC 7231 date, while unused"),
                ("Cache-Control" = String, description = "`no-store`"),
            )),
        (status = 404, description = "Not found (or someone else's)"),
        (status = 410, description = "Expired or refused"),
    ))]
pub async fn head_upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    check_resumable(&headers)?;
    let mut up = load(&state, &caller, &id).await?;
    if up.state == "partial" && up.upload_offset == up.upload_length {
        up = complete_after_crash(&state, &caller, &id).await?;
    }
    let mut res = (
        StatusCode::OK,
        [
            (h("upload-offset"), num(as_u64(up.upload_offset))),
            (h("upload-length"), num(as_u64(up.upload_length))),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response();
    if up.application_id.is_none() {
        let (k, v) = expiry_headers(up.expires_at);
        res.headers_mut().insert(k, v);
    }
    if !up.metadata.is_empty()
        && let Ok(v) = HeaderValue::from_str(&up.metadata)
    {
        res.headers_mut().insert(h("upload-metadata"), v);
    }
    Ok(res)
}

/// Finishes an upload whose every byte was committed but which the server stopped before
/// checking and storing (killed between the two): a client told "offset = length" by `HEAD`
/// considers it done and will never send another PATCH, so the completion happens here.
async fn complete_after_crash(state: &AppState, caller: &Caller, id: &str) -> Result<Upload> {
    let mut lock = lock_upload(state, id).await?;
    let up = load(state, caller, id).await?;
    if up.state == "partial" && up.upload_offset == up.upload_length {
        tracing::warn!(upload = %up.id, "completing an upload interrupted after its last byte");
        finalize(state, &up, &mut lock).await?;
        return load(state, caller, id).await;
    }
    Ok(up)
}

/// tus 1.0 §PATCH: bytes at `Upload-Offset`. A wrong offset changes nothing (409).
#[utoipa::path(patch, path = "/api/uploads/{id}", tag = "uploads",
    security(("bearer" = []), ("cookie" = [])),
    params(
        ("id" = String, Path, description = "Upload id"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
        ("Upload-Offset" = u64, Header, description = "Must equal the current offset"),
        ("Upload-Checksum" = Option<String>, Header, description = "`sha1|sha256 <b64 digest>` of this body"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Written; `Upload-Offset` is the new offset",
            headers(
                ("Upload-Offset" = u64, description = "The new offset"),
                ("Upload-Expires" = String, description = "RFC 7231 date, while unused"),
            )),
        (status = 404, description = "`upload_not_found`", body = ApiErrorBody),
        (status = 409, description = "`upload_offset_mismatch`: nothing written", body = ApiErrorBody,
            headers(("Upload-Offset" = u64, description = "The upload's current offset"))),
        (status = 410, description = "`upload_gone`", body = ApiErrorBody),
        (status = 413, description = "`upload_too_large`: past Upload-Length", body = ApiErrorBody),
        (status = 415, description = "`upload_content_type`", body = ApiErrorBody),
        (status = 422, description = "Complete but refused", body = ApiErrorBody),
        (status = 423, description = "`upload_locked`", body = ApiErrorBody),
        (status = 460, description = "`checksum_mismatch`: chunk discarded", body = ApiErrorBody),
    ))]
pub async fn patch_upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    check_resumable(&headers)?;
    if headers
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes() != OFFSET_OCTET_STREAM.as_bytes())
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UploadContentType,
            "PATCH bodies are application/offset+octet-stream",
        ));
    }
    let offset = header_u64(&headers, "upload-offset")?.ok_or_else(|| {
        tus_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::TusHeaderInvalid,
            "Upload-Offset is required",
            "Upload-Offset",
        )
    })?;
    let checksum = Checksum::parse(&headers)?;
    // Ownership first, without the lock, so another user's id never waits or learns anything.
    load(&state, &caller, &id).await?;
    let mut lock = lock_upload(&state, &id).await?;
    let up = load(&state, &caller, &id).await?;
    if as_u64(up.upload_offset) != offset {
        return Err(ApiError::conflict(
            ErrorCode::UploadOffsetMismatch,
            format!("the upload is at offset {}", up.upload_offset),
        )
        .with_fields(["Upload-Offset"])
        .with_header(h("upload-offset"), num(as_u64(up.upload_offset))));
    }
    // A body announced longer than what is left would overrun Upload-Length: refuse it whole.
    if let Some(len) = header_u64(&headers, "content-length")?
        && len > as_u64(up.upload_length) - offset
    {
        return Err(too_large());
    }
    let new_offset = if up.state == "partial" {
        receive(&state, &up, body, checksum, &mut lock).await?
    } else {
        as_u64(up.upload_offset)
    };
    Ok((
        StatusCode::NO_CONTENT,
        [
            (h("upload-offset"), num(new_offset)),
            expiry_headers(up.expires_at),
        ],
    )
        .into_response())
}

/// tus 1.0 §Termination: deletes the upload and its bytes.
#[utoipa::path(delete, path = "/api/uploads/{id}", tag = "uploads",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Upload id"), ("Tus-Resumable" = String, Header, description = "`1.0.0`")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`upload_not_found`", body = ApiErrorBody),
        (status = 409, description = "`upload_not_usable`: an application uses it", body = ApiErrorBody),
        (status = 410, description = "`upload_gone`", body = ApiErrorBody),
    ))]
pub async fn delete_upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode> {
    check_resumable(&headers)?;
    load(&state, &caller, &id).await?;
    let _lock = lock_upload(&state, &id).await?;
    let up = load(&state, &caller, &id).await?;
    if up.application_id.is_some() {
        return Err(ApiError::conflict(
            ErrorCode::UploadNotUsable,
            "an application uses this upload",
        ));
    }
    state.remove_upload_files(&up).await?;
    store::uploads::delete(&state.db, &up.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An upload's state as JSON (not part of tus; for display and checks).
#[utoipa::path(get, path = "/api/uploads/{id}", tag = "uploads",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Upload id")),
    responses(
        (status = 200, body = UploadInfo),
        (status = 404, description = "`upload_not_found`", body = ApiErrorBody),
        (status = 410, description = "`upload_gone`", body = ApiErrorBody),
    ))]
pub async fn get_upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<UploadInfo>> {
    let mut up = load(&state, &caller, &id).await?;
    if up.state == "partial" && up.upload_offset == up.upload_length {
        up = complete_after_crash(&state, &caller, &id).await?;
    }
    Ok(Json(UploadInfo {
        complete: up.state == "complete",
        length: as_u64(up.upload_length),
        offset: as_u64(up.upload_offset),
        content_type: up.content_type,
        expires_at: rfc3339(up.expires_at),
        id: up.id,
    }))
}

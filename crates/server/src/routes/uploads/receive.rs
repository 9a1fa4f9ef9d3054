//! The body of a tus PATCH (or of a creation-with-upload POST): written at the durable offset,
//! hashed when the client sent `Upload-Checksum`, committed (`fsync`, then the stored offset)
//! every few MiB and at the end, and, on the last byte, checked and cleaned by
//! [`crate::media`] and moved to the blob store.

use std::io::SeekFrom;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use futures_util::StreamExt as _;
use onething_core::api::ErrorCode;
use sha1::Digest as _;
use tokio::io::{AsyncSeekExt as _, AsyncWriteExt as _};

use super::locks::UploadLock;
use super::{as_u64, tus_error, upload_ttl};
use crate::clock::{hex, new_id};
use crate::media::{self, MediaError};
use crate::store::uploads::Upload;
use crate::{ApiError, AppState, Result, store, tus};

/// Without a checksum, a long PATCH commits its offset every this many bytes, so a crash loses
/// at most this much.
const COMMIT_EVERY: u64 = 4 * 1024 * 1024;

/// A requested `Upload-Checksum` (tus 1.0 §Checksum): algorithm and expected digest.
pub(super) enum Checksum {
    Sha1(sha1::Sha1, Vec<u8>),
    Sha256(sha2::Sha256, Vec<u8>),
}

impl Checksum {
    /// The checksum the request asks for, if any.
    ///
    /// # Errors
    /// 400 `tus_header_invalid` (malformed) or `checksum_algorithm_unsupported`.
    pub(super) fn parse(headers: &HeaderMap) -> Result<Option<Self>> {
        let Some(raw) = headers.get("upload-checksum") else {
            return Ok(None);
        };
        match tus::parse_checksum(raw.as_bytes()) {
            Ok((tus::Algorithm::Sha1, want)) => Ok(Some(Checksum::Sha1(sha1::Sha1::new(), want))),
            Ok((tus::Algorithm::Sha256, want)) => {
                Ok(Some(Checksum::Sha256(sha2::Sha256::new(), want)))
            }
            Err(tus::ChecksumError::Malformed) => Err(tus_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::TusHeaderInvalid,
                "Upload-Checksum is `<algorithm> <base64 digest>`",
                "Upload-Checksum",
            )),
            Err(tus::ChecksumError::Unsupported) => Err(tus_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::ChecksumAlgorithmUnsupported,
                "supported: sha1, sha256",
                "Upload-Checksum",
            )),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Checksum::Sha1(h, _) => h.update(bytes),
            Checksum::Sha256(h, _) => h.update(bytes),
        }
    }

    fn matches(self) -> bool {
        match self {
            Checksum::Sha1(h, want) => h.finalize().as_slice() == want.as_slice(),
            Checksum::Sha256(h, want) => h.finalize().as_slice() == want.as_slice(),
        }
    }
}

/// 413 `upload_too_large`: the body goes past `Upload-Length`.
pub(super) fn too_large() -> ApiError {
    tus_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UploadTooLarge,
        "the body goes past Upload-Length",
        "Upload-Length",
    )
}

/// Writes a PATCH body at the upload's offset; returns the new durable offset. Completes the
/// upload when the last byte arrives.
pub(super) async fn receive(
    state: &AppState,
    up: &Upload,
    body: Body,
    mut checksum: Option<Checksum>,
    lock: &mut UploadLock,
) -> Result<u64> {
    let start = as_u64(up.upload_offset);
    let length = as_u64(up.upload_length);
    let path = state.partial_path(&up.id);
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .await?;
    // Whatever lies past the durable offset was never acknowledged: drop it.
    file.set_len(start).await?;
    file.seek(SeekFrom::Start(start)).await?;

    let mut stream = body.into_data_stream();
    let mut end = start;
    let mut committed = start;
    let mut failure: Option<ApiError> = None;
    let idle = Duration::from_secs(state.config.upload_idle_timeout.max(1));
    loop {
        // A connection that stalls (a phone out of coverage, a proxy holding it) must not hold
        // the upload's lock until the request timeout: stop reading, keep what arrived.
        let frame = match tokio::time::timeout(idle, stream.next()).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(_) => {
                failure = Some(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorCode::RequestTimeout,
                    "the body stopped arriving; the bytes received are kept",
                ));
                break;
            }
        };
        let Ok(bytes) = frame else {
            failure = Some(ApiError::bad_request(
                ErrorCode::InvalidBody,
                "the body ended early; the bytes received are kept",
            ));
            break;
        };
        let room = usize::try_from(length - end).unwrap_or(usize::MAX);
        let take = bytes.len().min(room);
        if let Some(c) = checksum.as_mut() {
            c.update(&bytes[..take]);
        }
        match up.key.as_deref() {
            // Unfinished bytes are on disk encrypted too, at their offset (see `crypto`).
            Some(key) => {
                let mut sealed = bytes[..take].to_vec();
                key.apply_stream(end, &mut sealed);
                file.write_all(&sealed).await?;
            }
            None => file.write_all(&bytes[..take]).await?,
        }
        end += take as u64;
        if take < bytes.len() {
            // Overrunning Upload-Length: the client is confused; keep only what was committed.
            file.set_len(committed).await?;
            file.sync_data().await?;
            return Err(too_large());
        }
        if checksum.is_none() && end - committed >= COMMIT_EVERY {
            file.flush().await?;
            file.sync_data().await?;
            store::uploads::advance(&state.db, &up.id, committed, end).await?;
            committed = end;
        }
    }
    file.flush().await?;
    if let Some(c) = checksum {
        // A checksum covers the whole body: an incomplete or mismatching one is discarded.
        if let Some(f) = failure {
            file.set_len(start).await?;
            return Err(f);
        }
        if !c.matches() {
            file.set_len(start).await?;
            return Err(ApiError::new(
                StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST),
                ErrorCode::ChecksumMismatch,
                "the chunk does not match Upload-Checksum; it was discarded",
            )
            .with_fields(["Upload-Checksum"]));
        }
    }
    file.sync_data().await?;
    drop(file);
    if end > committed {
        store::uploads::advance(&state.db, &up.id, committed, end).await?;
    }
    state.metrics.upload_bytes(end - start);
    if end == length {
        finalize(state, up, lock).await?;
    }
    match failure {
        Some(f) => Err(f),
        None => Ok(end),
    }
}

/// The last byte arrived: check the type, limits and metadata, then store the cleaned file.
/// It runs as a task of its own holding the upload's lock (handed over from the request): a
/// client that stops waiting must not cut a completion halfway, only to start it again with
/// its next `HEAD`.
pub(super) async fn finalize(state: &AppState, up: &Upload, lock: &mut UploadLock) -> Result<()> {
    let lock = lock.hand_over();
    let (state, up) = (state.clone(), up.clone());
    tokio::spawn(async move {
        let done = finalize_now(&state, &up).await;
        drop(lock);
        done
    })
    .await
    .map_err(ApiError::internal)?
}

async fn finalize_now(state: &AppState, up: &Upload) -> Result<()> {
    let path = state.partial_path(&up.id);
    let bytes = tokio::fs::read(&path).await?;
    let max_pixels = state.config.max_image_pixels;
    let key = up.key.clone();
    // Decrypting, checking, hashing and sealing are CPU work on up to the upload limit: off the
    // async workers.
    let processed = tokio::task::spawn_blocking(move || {
        let mut bytes = bytes;
        if let Some(key) = key.as_deref() {
            key.apply_stream(0, &mut bytes);
        }
        media::process(bytes, max_pixels).map(|(kind, cleaned)| {
            let sha = hex(&sha2::Sha256::digest(&cleaned));
            // The stored file is sealed under the upload's data key; the digest is of the
            // plain file, which is what a department downloads.
            let stored = match key.as_deref() {
                Some(key) => key.seal(crate::crypto::FILE_LABEL, &cleaned),
                None => cleaned,
            };
            (kind, sha, stored)
        })
    })
    .await
    .map_err(ApiError::internal)?;
    match processed {
        Ok((kind, sha, stored)) => {
            let name = format!("{}.{}", new_id(), kind.extension());
            state.blobs.put(&name, stored).await?;
            let now = state.clock.now();
            store::uploads::complete(
                &state.db,
                &up.id,
                kind.mime(),
                &name,
                &sha,
                now,
                now + upload_ttl(state),
            )
            .await?;
            let _ = tokio::fs::remove_file(&path).await;
            state.metrics.upload_completed();
            Ok(())
        }
        Err(e) => {
            store::uploads::reject(&state.db, &up.id).await?;
            let _ = tokio::fs::remove_file(&path).await;
            let (code, message) = match e {
                MediaError::NotAllowed => (
                    ErrorCode::UploadTypeNotAllowed,
                    "accepted: JPEG, PNG, HEIC, PDF",
                ),
                MediaError::TooManyPixels => (
                    ErrorCode::UploadImageTooLarge,
                    "the image has too many pixels",
                ),
                MediaError::Corrupt => (ErrorCode::UploadCorrupt, "the file's structure is broken"),
            };
            Err(ApiError::unprocessable(code, message))
        }
    }
}

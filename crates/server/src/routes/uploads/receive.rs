//! The body of a tus PATCH (or of a creation-with-upload POST): written at the durable offset,
//! hashed when the client sent `Upload-Checksum`, committed (`fsync`, then the stored offset)
//! every few MiB and at the end, and, on the last byte, checked and cleaned by
//! [`crate::media`] and moved to the blob store.
//!
//! On a local store the bytes go to one file per upload, written in place. In object storage
//! (no disk shared between replicas) every committed stretch is a piece of its own,
//! `partial/<upload>/<offset>`, put before the stored offset is raised past it; completion
//! reads the pieces back in order, and deletes them once the file is stored.

use std::io::{Seek as _, SeekFrom, Write as _};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, HttpBody as _};
use axum::http::{HeaderMap, StatusCode};
use futures_util::StreamExt as _;
use onething_core::api::ErrorCode;
use sha1::Digest as _;
use tokio::task::JoinHandle;

use super::locks::UploadLock;
use super::{as_u64, tus_error, upload_ttl};
use crate::clock::{hex, new_id};
use crate::crypto::{NONCE_LEN, RecordKey, TAG_LEN};
use crate::media::{self, MediaError};
use crate::store::uploads::Upload;
use crate::{ApiError, AppState, Result, state, store, tus};

/// Without a checksum, a long PATCH commits its offset every this many bytes, so a crash loses
/// at most this much (on a local disk, at most half as much again: see [`Sink::commits_tail`]).
const COMMIT_EVERY: u64 = 4 * 1024 * 1024;

/// A local upload file is written in stretches of this many bytes, each by one blocking task
/// while the next one arrives: few system calls, and the receiving never waits for the disk
/// but at a commit.
const WRITE_CHUNK: usize = 1024 * 1024;

/// From this size, completion decrypts on two threads, and hashes the cleaned file on one
/// while sealing it on another: the upload's last `PATCH` waits for all of it.
const PARALLEL_FROM: usize = 1024 * 1024;

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

/// How an upload's bytes are encrypted while they arrive, and where they start in its local
/// file.
#[derive(Clone, Copy)]
enum Arriving<'a> {
    /// Begun before encryption: plain.
    Plain,
    /// Begun before the file keystream: the upload's older stream key, sealed anew when
    /// complete.
    Stream(&'a RecordKey),
    /// With the keystream of the stored file (AES-256-GCM under the upload's data key and
    /// `nonce`): a local file holds the nonce first, so that, its tag appended, it is the
    /// stored file.
    File(&'a RecordKey, &'a [u8; NONCE_LEN]),
}

impl<'a> Arriving<'a> {
    fn of(up: &'a Upload) -> Self {
        match (up.key.as_deref(), up.file_nonce.as_ref()) {
            (Some(key), Some(nonce)) => Arriving::File(key, nonce),
            (Some(key), None) => Arriving::Stream(key),
            (None, _) => Arriving::Plain,
        }
    }

    /// The nonce of the stored file, when the bytes are written with its keystream: a local
    /// file holds it before them.
    fn nonce(self) -> Option<&'a [u8; NONCE_LEN]> {
        match self {
            Arriving::File(_, nonce) => Some(nonce),
            _ => None,
        }
    }

    /// Where byte 0 of the upload lies in its local file.
    fn header(self) -> u64 {
        self.nonce().map_or(0, |_| NONCE_LEN as u64)
    }

    /// Encrypts `buf`, the bytes at `offset`, in place.
    fn apply(self, offset: u64, buf: &mut [u8]) {
        match self {
            Arriving::Plain => {}
            Arriving::Stream(key) => key.apply_stream(offset, buf),
            Arriving::File(key, nonce) => key.apply_file_stream(nonce, offset, buf),
        }
    }
}

/// Writes a PATCH body at the upload's offset; returns the new durable offset. Completes the
/// upload when the last byte arrives.
pub(super) async fn receive(
    state: &AppState,
    up: &Upload,
    body: Body,
    checksum: Option<Checksum>,
    lock: &mut UploadLock,
) -> Result<u64> {
    let start = as_u64(up.upload_offset);
    let length = as_u64(up.upload_length);
    let (end, failure) = receive_into(state, up, body, checksum).await?;
    state.metrics.upload_bytes(end - start);
    if end == length {
        finalize(state, up, lock).await?;
    }
    match failure {
        Some(f) => Err(f),
        None => Ok(end),
    }
}

/// Waits for the next frame of a PATCH body; `Err` with the answer when the body stops
/// arriving or breaks (the bytes received so far are kept), `Ok(None)` at its end.
async fn next_frame(
    stream: &mut axum::body::BodyDataStream,
    idle: Duration,
) -> std::result::Result<Option<axum::body::Bytes>, ApiError> {
    // A connection that stalls (a phone out of coverage, a proxy holding it) must not hold
    // the upload's lock until the request timeout: stop reading, keep what arrived.
    match tokio::time::timeout(idle, stream.next()).await {
        Ok(Some(Ok(bytes))) => Ok(Some(bytes)),
        Ok(None) => Ok(None),
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::RequestTimeout,
            "the body stopped arriving; the bytes received are kept",
        )),
        Ok(Some(Err(_))) => Err(ApiError::bad_request(
            ErrorCode::InvalidBody,
            "the body ended early; the bytes received are kept",
        )),
    }
}

/// 460 `checksum_mismatch`.
fn checksum_mismatch() -> ApiError {
    ApiError::new(
        StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST),
        ErrorCode::ChecksumMismatch,
        "the chunk does not match Upload-Checksum; it was discarded",
    )
    .with_fields(["Upload-Checksum"])
}

/// Raises the stored offset from `from` to `to`; another writer having moved it is a conflict
/// (the upload's lock should make that impossible).
async fn advance(state: &AppState, id: &str, from: u64, to: u64) -> Result<()> {
    if store::uploads::advance(&state.db, id, from, to).await? {
        Ok(())
    } else {
        Err(ApiError::conflict(
            ErrorCode::UploadOffsetMismatch,
            "the upload's offset moved under this request",
        )
        .with_fields(["Upload-Offset"]))
    }
}

/// Where a body's bytes go until they are committed: the upload's local file, written in place,
/// or, in object storage, pieces of up to [`COMMIT_EVERY`] bytes (one in memory at a time).
enum Sink {
    File {
        file: Arc<std::fs::File>,
        /// Where the upload's byte 0 lies in the file ([`Arriving::header`]).
        header: u64,
        /// The bytes received (sealed) and not yet handed to a write.
        buf: Vec<u8>,
        /// The write of the stretch before, still running; it hands its buffer back.
        writing: Option<JoinHandle<std::io::Result<Vec<u8>>>>,
    },
    Pieces {
        /// The bytes since `at`, not yet put.
        piece: Vec<u8>,
        at: u64,
        /// Pieces put but not yet covered by the stored offset (with a checksum, nothing is
        /// committed before the whole body is checked): deleted when the body is refused.
        pending: Vec<String>,
    },
}

impl Sink {
    /// Ready to take bytes at the upload's durable offset.
    async fn open(state: &AppState, up: &Upload) -> Result<Self> {
        let start = as_u64(up.upload_offset);
        if state.blobs.local_dir().is_none() {
            return Ok(Sink::Pieces {
                piece: Vec::new(),
                at: start,
                pending: Vec::new(),
            });
        }
        let path = state.partial_path(&up.id);
        let arriving = Arriving::of(up);
        let (header, nonce) = (arriving.header(), arriving.nonce().copied());
        let file = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
            use std::os::unix::fs::FileExt as _;
            let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
            // Whatever lies past the durable offset was never acknowledged: drop it (and a
            // tag an interrupted completion appended).
            file.set_len(header + start)?;
            if let Some(nonce) = nonce {
                // The nonce, from the upload's row, first: durable with the first commit.
                file.write_all_at(&nonce, 0)?;
            }
            file.seek(SeekFrom::Start(header + start))?;
            Ok(file)
        })
        .await
        .map_err(ApiError::internal)??;
        Ok(Sink::File {
            file: Arc::new(file),
            header,
            buf: Vec::with_capacity(WRITE_CHUNK),
            writing: None,
        })
    }

    /// Whether a body's last stretch shorter than half of [`COMMIT_EVERY`] is committed with
    /// its end rather than on its own: on a local disk, where a 5 MiB `PATCH` would otherwise
    /// pay two `fsync`s and two offset updates. In object storage a piece stays at most
    /// [`COMMIT_EVERY`] (one piece in memory at a time).
    fn commits_tail(&self) -> bool {
        matches!(self, Sink::File { .. })
    }

    /// Waits for the write in flight, if any; its buffer, to reuse.
    async fn settle(
        writing: &mut Option<JoinHandle<std::io::Result<Vec<u8>>>>,
    ) -> Result<Option<Vec<u8>>> {
        match writing.take() {
            Some(w) => Ok(Some(w.await.map_err(ApiError::internal)??)),
            None => Ok(None),
        }
    }

    /// Takes `bytes`, the body at offset `at`, encrypted with the upload's key when it has one
    /// (unfinished bytes are stored encrypted too, at their offset: see `crypto`).
    async fn write(&mut self, up: &Upload, at: u64, bytes: &[u8]) -> Result<()> {
        match self {
            Sink::File {
                file, buf, writing, ..
            } => {
                // Copied once, sealed in the copy.
                let from = buf.len();
                buf.extend_from_slice(bytes);
                Arriving::of(up).apply(at, &mut buf[from..]);
                if buf.len() >= WRITE_CHUNK {
                    let spare = Self::settle(writing).await?.unwrap_or_default();
                    let full = std::mem::replace(buf, spare);
                    buf.clear();
                    let file = Arc::clone(file);
                    *writing = Some(tokio::task::spawn_blocking(move || {
                        (&*file).write_all(&full)?;
                        Ok(full)
                    }));
                }
            }
            Sink::Pieces { piece, .. } => {
                let from = piece.len();
                piece.extend_from_slice(bytes);
                Arriving::of(up).apply(at, &mut piece[from..]);
            }
        }
        Ok(())
    }

    /// Makes everything up to `end` durable (`fsync`, or the piece put).
    async fn flush(&mut self, state: &AppState, up: &Upload, end: u64) -> Result<()> {
        match self {
            Sink::File {
                file, buf, writing, ..
            } => {
                Self::settle(writing).await?;
                let (file, rest) = (Arc::clone(file), std::mem::take(buf));
                *buf = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
                    (&*file).write_all(&rest)?;
                    file.sync_data()?;
                    Ok(rest)
                })
                .await
                .map_err(ApiError::internal)??;
                buf.clear();
            }
            Sink::Pieces { piece, at, pending } => {
                if !piece.is_empty() {
                    let key = state::piece_key(&up.id, *at);
                    state.blobs.put(&key, std::mem::take(piece)).await?;
                    pending.push(key);
                }
                *at = end;
            }
        }
        Ok(())
    }

    /// The stored offset now covers everything flushed.
    fn committed(&mut self) {
        if let Sink::Pieces { pending, .. } = self {
            pending.clear();
        }
    }

    /// Drops what was received past `committed` (a refused body): the file is cut back, the
    /// uncommitted pieces deleted (a failure there only leaves garbage past the stored offset,
    /// which the next PATCH overwrites or the upload's deletion removes).
    async fn abandon(&mut self, state: &AppState, committed: u64) -> Result<()> {
        match self {
            Sink::File {
                file,
                header,
                buf,
                writing,
            } => {
                // The write in flight must land before the cut, not after it.
                let settled = Self::settle(writing).await;
                buf.clear();
                let (file, end) = (Arc::clone(file), *header + committed);
                tokio::task::spawn_blocking(move || {
                    file.set_len(end)?;
                    file.sync_data()
                })
                .await
                .map_err(ApiError::internal)??;
                settled?;
            }
            Sink::Pieces { piece, pending, .. } => {
                piece.clear();
                for key in pending.drain(..) {
                    if let Err(e) = state.blobs.delete(&key).await {
                        tracing::warn!(error = %e, "could not delete a discarded upload piece");
                    }
                }
            }
        }
        Ok(())
    }
}

/// The body at the upload's durable offset, committed every [`COMMIT_EVERY`] bytes without a
/// checksum and at the end: returns the new durable offset and the error that cut the body,
/// if one did (the bytes before it are kept, unless a checksum covers the whole body).
async fn receive_into(
    state: &AppState,
    up: &Upload,
    body: Body,
    mut checksum: Option<Checksum>,
) -> Result<(u64, Option<ApiError>)> {
    let start = as_u64(up.upload_offset);
    let length = as_u64(up.upload_length);
    // Where the body says it ends (its Content-Length), within the upload.
    let body_end = body
        .size_hint()
        .exact()
        .map(|n| start.saturating_add(n).min(length));
    let mut sink = Sink::open(state, up).await?;
    let tail_with_end = sink.commits_tail();
    let mut stream = body.into_data_stream();
    let idle = Duration::from_secs(state.config.upload_idle_timeout.max(1));
    let (mut end, mut committed, mut flushed) = (start, start, start);
    let failure = loop {
        let bytes = match next_frame(&mut stream, idle).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => break None,
            Err(f) => break Some(f),
        };
        let room = usize::try_from(length - end).unwrap_or(usize::MAX);
        let take = bytes.len().min(room);
        if let Some(c) = checksum.as_mut() {
            c.update(&bytes[..take]);
        }
        sink.write(up, end, &bytes[..take]).await?;
        end += take as u64;
        if take < bytes.len() {
            // Overrunning Upload-Length: the client is confused; keep only what was committed.
            sink.abandon(state, committed).await?;
            return Err(too_large());
        }
        // A short last stretch is committed with the body's end (it is not acknowledged
        // before that anyway).
        let near_end =
            tail_with_end && body_end.is_some_and(|e| e.saturating_sub(end) < COMMIT_EVERY / 2);
        if end - flushed >= COMMIT_EVERY && !near_end {
            sink.flush(state, up, end).await?;
            flushed = end;
            if checksum.is_none() {
                advance(state, &up.id, committed, end).await?;
                sink.committed();
                committed = end;
            }
        }
    };
    if let Some(c) = checksum {
        // A checksum covers the whole body: an incomplete or mismatching one is discarded.
        if let Some(f) = failure {
            sink.abandon(state, start).await?;
            return Err(f);
        }
        if !c.matches() {
            sink.abandon(state, start).await?;
            return Err(checksum_mismatch());
        }
    }
    sink.flush(state, up, end).await?;
    if end > committed {
        advance(state, &up.id, committed, end).await?;
    }
    Ok((end, failure))
}

/// What arrived of a complete upload, encrypted as it arrived, after the nonce of its stored
/// file when it is written with that file's keystream ([`Arriving::header`]): its local file,
/// or its pieces read back in order from offset 0 to its length.
async fn arrived(state: &AppState, up: &Upload) -> Result<Vec<u8>> {
    // Complete: every byte up to the declared length was committed (`up` may be as loaded
    // before the last PATCH, with the offset it had then).
    let length = as_u64(up.upload_length);
    let arriving = Arriving::of(up);
    let header = arriving.header();
    if state.blobs.local_dir().is_some() {
        let mut bytes = tokio::fs::read(state.partial_path(&up.id)).await?;
        // Past the end: the tag of a completion interrupted after appending it. (A file shorter
        // than the upload, which only a damaged disk leaves, is checked as it is: refused.)
        bytes.truncate(usize::try_from(header + length).unwrap_or(usize::MAX));
        if let Some(nonce) = arriving.nonce()
            && let Some(first) = bytes.get_mut(..NONCE_LEN)
        {
            // The row's nonce is the one the bytes were written with.
            first.copy_from_slice(nonce);
        }
        return Ok(bytes);
    }
    let pieces: std::collections::HashMap<u64, (String, u64)> = state
        .blobs
        .list(&state::partial_prefix(&up.id))
        .await?
        .into_iter()
        .filter_map(|l| {
            let at = l.key.rsplit('/').next()?.parse().ok()?;
            Some((at, (l.key, l.size)))
        })
        .collect();
    // Room for the tag too: these bytes, the tag appended, may be the stored file.
    let mut out = Vec::with_capacity(usize::try_from(header + length).unwrap_or(0) + TAG_LEN);
    if let Some(nonce) = arriving.nonce() {
        out.extend_from_slice(nonce);
    }
    let mut at = 0;
    while at < length {
        // Each committed piece starts where the one before ended; a piece beside the chain
        // (past an offset that was never committed) is never read.
        let Some((key, size)) = pieces.get(&at) else {
            return Err(ApiError::internal(format_args!(
                "upload {}: no piece at offset {at}",
                up.id
            )));
        };
        let bytes = state.blobs.get(key).await?;
        if bytes.len() as u64 != *size || *size == 0 {
            return Err(ApiError::internal(format_args!(
                "upload {}: the piece at offset {at} changed while read",
                up.id
            )));
        }
        at += *size;
        out.extend_from_slice(&bytes);
    }
    if at != length {
        return Err(ApiError::internal(format_args!(
            "upload {}: its pieces end at {at}, not at {length}",
            up.id
        )));
    }
    Ok(out)
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
    let bytes = arrived(state, up).await?;
    let max_pixels = state.config.max_image_pixels;
    let owned = up.clone();
    // Decrypting, checking, hashing and sealing are CPU work on up to the upload limit: off the
    // async workers.
    let processed = tokio::task::spawn_blocking(move || check(&owned, bytes, max_pixels))
        .await
        .map_err(ApiError::internal)?;
    match processed {
        Ok(Checked { kind, sha, stored }) => {
            let name = format!("{}.{}", new_id(), kind.extension());
            store_file(state, up, &state::blob_key(&name), stored).await?;
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
            remove_arrived(state, &up.id).await;
            state.metrics.upload_completed();
            Ok(())
        }
        Err(e) => {
            store::uploads::reject(&state.db, &up.id).await?;
            remove_arrived(state, &up.id).await;
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

/// A complete upload checked: its type, the SHA-256 (hex) of the plain file (what a department
/// downloads), and its stored file.
struct Checked {
    kind: media::Kind,
    sha: String,
    stored: Stored,
}

/// A completed upload's stored file (sealed under its data key).
enum Stored {
    /// Sealed at completion (the checks changed the file, or it arrived in an older format).
    Sealed(Vec<u8>),
    /// What arrived, nonce first: with `tag` after it, it is the stored file.
    Arrived { bytes: Vec<u8>, tag: [u8; TAG_LEN] },
}

/// Decrypts what arrived, checks and cleans it ([`media::process`]), and makes its stored
/// file: the bytes as they arrived and their tag when they were written with the stored file's
/// keystream and the checks kept the file as it came (a photo the SPA re-encoded), the file
/// sealed anew otherwise.
fn check(
    up: &Upload,
    mut bytes: Vec<u8>,
    max_pixels: u64,
) -> std::result::Result<Checked, MediaError> {
    let sha256 = |b: &[u8]| hex(&sha2::Sha256::digest(b));
    match Arriving::of(up) {
        Arriving::File(key, nonce) => {
            // Not even the nonce: a file cut short on a damaged disk.
            let encrypted = bytes.get(NONCE_LEN..).ok_or(MediaError::Corrupt)?;
            // The tag (over the encrypted bytes) on a thread of its own, from the start to as
            // late as it is needed: it takes about as long as decrypting the bytes into a
            // second buffer, checking them and hashing them on this one.
            let (kind, sha, made) = std::thread::scope(|s| {
                let tagging = (encrypted.len() >= PARALLEL_FROM)
                    .then(|| s.spawn(|| key.file_tag(nonce, encrypted)));
                let plain = key.open_file_stream(nonce, encrypted);
                let (kind, cleaned, kept) = media::process(plain, max_pixels)?;
                if !kept {
                    let (sha, sealed) = digest_and_seal(key, &cleaned);
                    return Ok((kind, sha, Err(sealed)));
                }
                let sha = sha256(&cleaned);
                let tag = match tagging {
                    Some(t) => t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                    None => key.file_tag(nonce, encrypted),
                };
                Ok((kind, sha, Ok(tag)))
            })?;
            let stored = match made {
                Ok(tag) => Stored::Arrived { bytes, tag },
                Err(sealed) => Stored::Sealed(sealed),
            };
            Ok(Checked { kind, sha, stored })
        }
        Arriving::Stream(key) => {
            open_arrived(key, &mut bytes);
            let (kind, cleaned, _) = media::process(bytes, max_pixels)?;
            let (sha, sealed) = digest_and_seal(key, &cleaned);
            Ok(Checked {
                kind,
                sha,
                stored: Stored::Sealed(sealed),
            })
        }
        Arriving::Plain => {
            let (kind, cleaned, _) = media::process(bytes, max_pixels)?;
            Ok(Checked {
                kind,
                sha: sha256(&cleaned),
                stored: Stored::Sealed(cleaned),
            })
        }
    }
}

/// Stores a checked upload's file under `key`. What arrived in a local file is completed in
/// place (its tag appended and synced) and given the stored file's name as a second name: no
/// second copy is written. In object storage, or where a file cannot be linked, the whole
/// file is put.
async fn store_file(state: &AppState, up: &Upload, key: &str, stored: Stored) -> Result<()> {
    let (mut bytes, tag) = match stored {
        Stored::Sealed(sealed) => return Ok(state.blobs.put(key, sealed).await?),
        Stored::Arrived { bytes, tag } => (bytes, tag),
    };
    if state.blobs.local_dir().is_some() {
        let path = state.partial_path(&up.id);
        let (at, file) = (bytes.len() as u64, path.clone());
        let nonce = Arriving::of(up).nonce().copied();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::os::unix::fs::FileExt as _;
            let f = std::fs::OpenOptions::new().write(true).open(file)?;
            // The nonce the tag was computed under (the row's), then the tag.
            if let Some(nonce) = nonce {
                f.write_all_at(&nonce, 0)?;
            }
            f.write_all_at(&tag, at)?;
            // Anything past the tag (there should be nothing) is not the stored file's.
            f.set_len(at + TAG_LEN as u64)?;
            f.sync_data()
        })
        .await
        .map_err(ApiError::internal)??;
        match state.blobs.link(key, &path).await {
            Ok(()) => return Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "cannot link a completed upload's file: copying it");
            }
        }
    }
    bytes.extend_from_slice(&tag);
    Ok(state.blobs.put(key, bytes).await?)
}

/// Decrypts what arrived of an upload (its stream cipher), a large file in two halves at once.
fn open_arrived(key: &RecordKey, bytes: &mut [u8]) {
    if bytes.len() < PARALLEL_FROM {
        key.apply_stream(0, bytes);
        return;
    }
    let mid = bytes.len() / 2;
    let (first, second) = bytes.split_at_mut(mid);
    std::thread::scope(|s| {
        s.spawn(|| key.apply_stream(mid as u64, second));
        key.apply_stream(0, first);
    });
}

/// The SHA-256 (hex) of a cleaned file and the file sealed for storage; a large file is hashed
/// on a thread of its own while it is sealed.
fn digest_and_seal(key: &RecordKey, cleaned: &[u8]) -> (String, Vec<u8>) {
    let seal = |plain: &[u8]| key.seal(crate::crypto::FILE_LABEL, plain);
    if cleaned.len() < PARALLEL_FROM {
        return (hex(&sha2::Sha256::digest(cleaned)), seal(cleaned));
    }
    std::thread::scope(|s| {
        let hashing = s.spawn(|| hex(&sha2::Sha256::digest(cleaned)));
        let sealed = seal(cleaned);
        let sha = hashing
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (sha, sealed)
    })
}

/// Deletes what arrived of an upload now stored or refused; what a failure leaves is an
/// orphan that the sweep deletes.
async fn remove_arrived(state: &AppState, id: &str) {
    if let Err(e) = state.remove_partial(id).await {
        tracing::warn!(upload = %id, error = %e, "could not delete an upload's arrived bytes");
    }
}

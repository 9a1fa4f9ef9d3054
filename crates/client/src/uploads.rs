//! tus 1.0 uploads (`/api/uploads`): create, patch, head, terminate, and a whole file in
//! chunks.

use std::time::Duration;

use base64::Engine as _;
use onething_core::api::UploadInfo;
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::{Method, RequestBuilder};

use crate::{Client, Error, Result};

/// tus 1.0 §Tus-Resumable: the protocol version, sent with every request.
const TUS_VERSION: &str = "1.0.0";

/// How long a `PATCH` may take: its body can be megabytes on a slow line. Above the server's
/// own limit for uploads (20 times its request timeout: 10 minutes by default), so the
/// server's answer arrives first.
const PATCH_TIMEOUT: Duration = Duration::from_mins(20);

/// A new upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadCreated {
    /// Its id, the last segment of `Location`.
    pub id: String,
    /// `Upload-Expires`: when it is deleted unless completed and used.
    pub expires: Option<String>,
}

/// Where an upload stands (`HEAD`, or the answer of a `PATCH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadOffset {
    /// Bytes durably received.
    pub offset: u64,
    /// The declared length (a `PATCH` answer does not repeat it).
    pub length: Option<u64>,
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.parse().ok()
}

fn header_text(headers: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    Some(headers.get(name)?.to_str().ok()?.to_owned())
}

/// tus 1.0 §Upload-Metadata: `key base64(value)` pairs, comma-separated.
pub(crate) fn metadata(pairs: &[(&str, &str)]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    pairs
        .iter()
        .map(|(k, v)| format!("{k} {}", b64.encode(v)))
        .collect::<Vec<_>>()
        .join(",")
}

impl Client {
    fn tus(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        self.request(method, segments)
            .header("tus-resumable", TUS_VERSION)
    }

    /// `POST /api/uploads` with `Upload-Length` (tus creation). `metadata` becomes
    /// `Upload-Metadata` (`filename`, `filetype`; keys without spaces or commas).
    ///
    /// # Errors
    /// No answer; `401`, `413 upload_too_large`, `400 tus_header_invalid`; a `201` without
    /// `Location`.
    pub async fn create_upload(
        &self,
        length: u64,
        metadata_pairs: &[(&str, &str)],
    ) -> Result<UploadCreated> {
        let mut req = self
            .tus(Method::POST, &["uploads"])
            .header("upload-length", length);
        if !metadata_pairs.is_empty() {
            req = req.header("upload-metadata", metadata(metadata_pairs));
        }
        let res = Self::send(req).await?;
        let location = header_text(res.headers(), LOCATION)
            .ok_or_else(|| Error::Contract("creation without Location".into()))?;
        let id = location
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        if id.is_empty() {
            return Err(Error::Contract(format!(
                "Location {location:?} names no upload"
            )));
        }
        Ok(UploadCreated {
            id,
            expires: header_text(res.headers(), "upload-expires"),
        })
    }

    /// `PATCH /api/uploads/{id}`: appends `chunk` at `offset`; returns the new offset.
    ///
    /// # Errors
    /// No answer (ask [`Client::head_upload`] where to resume); `409 upload_offset_mismatch`,
    /// `410 upload_gone`, `423 upload_locked`, `422` when the completed file is refused.
    pub async fn patch_upload(&self, id: &str, offset: u64, chunk: Vec<u8>) -> Result<u64> {
        self.patch(id, offset, chunk, None).await
    }

    /// [`Client::patch_upload`] with `Upload-Checksum` (tus checksum extension), e.g.
    /// `sha256 <base64 digest>`: a chunk that does not match is discarded (`460`).
    ///
    /// # Errors
    /// As [`Client::patch_upload`], and `460 checksum_mismatch`.
    pub async fn patch_upload_with_checksum(
        &self,
        id: &str,
        offset: u64,
        chunk: Vec<u8>,
        checksum: &str,
    ) -> Result<u64> {
        self.patch(id, offset, chunk, Some(checksum)).await
    }

    async fn patch(
        &self,
        id: &str,
        offset: u64,
        chunk: Vec<u8>,
        checksum: Option<&str>,
    ) -> Result<u64> {
        let mut req = self
            .tus(Method::PATCH, &["uploads", id])
            .header(CONTENT_TYPE, "application/offset+octet-stream")
            .header("upload-offset", offset)
            .timeout(PATCH_TIMEOUT);
        if let Some(c) = checksum {
            req = req.header("upload-checksum", c);
        }
        let res = Self::send(req.body(chunk)).await?;
        header_u64(res.headers(), "upload-offset")
            .ok_or_else(|| Error::Contract("PATCH answer without Upload-Offset".into()))
    }

    /// `HEAD /api/uploads/{id}`: how much arrived.
    ///
    /// # Errors
    /// No answer; `404` or `410` (a `HEAD` answer has no body: [`Error::body`] is `None`).
    pub async fn head_upload(&self, id: &str) -> Result<UploadOffset> {
        let res = Self::send(self.tus(Method::HEAD, &["uploads", id])).await?;
        let offset = header_u64(res.headers(), "upload-offset")
            .ok_or_else(|| Error::Contract("HEAD answer without Upload-Offset".into()))?;
        Ok(UploadOffset {
            offset,
            length: header_u64(res.headers(), "upload-length"),
        })
    }

    /// `GET /api/uploads/{id}` (not tus): the upload's state, with the type found once complete.
    ///
    /// # Errors
    /// No answer; `404 upload_not_found`, `410 upload_gone`.
    pub async fn upload_info(&self, id: &str) -> Result<UploadInfo> {
        Self::json(self.tus(Method::GET, &["uploads", id])).await
    }

    /// `DELETE /api/uploads/{id}` (tus termination).
    ///
    /// # Errors
    /// No answer; `404 upload_not_found`.
    pub async fn delete_upload(&self, id: &str) -> Result<()> {
        Self::send(self.tus(Method::DELETE, &["uploads", id])).await?;
        Ok(())
    }

    /// A whole file: creates the upload and sends `bytes` in chunks of `chunk_size` (at least
    /// one byte); returns its id once the server has accepted the last byte.
    ///
    /// # Errors
    /// As [`Client::create_upload`] and [`Client::patch_upload`]; a `PATCH` answered with
    /// an offset other than the bytes sent.
    pub async fn upload(
        &self,
        bytes: &[u8],
        chunk_size: usize,
        metadata_pairs: &[(&str, &str)],
    ) -> Result<String> {
        let created = self
            .create_upload(bytes.len() as u64, metadata_pairs)
            .await?;
        let mut sent = 0;
        for chunk in bytes.chunks(chunk_size.max(1)) {
            let offset = self
                .patch_upload(&created.id, sent as u64, chunk.to_vec())
                .await?;
            sent += chunk.len();
            if offset != sent as u64 {
                return Err(Error::Contract(format!(
                    "PATCH to {sent} answered Upload-Offset {offset}"
                )));
            }
        }
        Ok(created.id)
    }
}

//! Sending one file to the tus 1.0 endpoint: creation-with-upload (tus 1.0 §creation-with-upload)
//! of the whole `Blob`, then `PATCH`es from the server's offset until it has everything. The bytes go
//! from the Blob to the network without entering wasm memory.
//!
//! Compression, progress, pause and resume after a reload are the upload pipeline's job; this
//! is the minimal honest transfer the materials page needs.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{API_BASE, FetchError, session};

const TUS: &str = "1.0.0";

fn headers(pairs: &[(&str, &str)]) -> Result<web_sys::Headers, FetchError> {
    let h = web_sys::Headers::new().map_err(|_| FetchError::Decode)?;
    let _ = h.set("Tus-Resumable", TUS);
    if let Some(token) = session::token() {
        let _ = h.set("Authorization", &format!("Bearer {token}"));
    }
    for (k, v) in pairs {
        let _ = h.set(k, v);
    }
    Ok(h)
}

async fn fetch(url: &str, init: &web_sys::RequestInit) -> Result<web_sys::Response, FetchError> {
    let window = web_sys::window().ok_or(FetchError::Network)?;
    let r = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .map_err(|_| FetchError::Network)?;
    let r: web_sys::Response = r.dyn_into().map_err(|_| FetchError::Decode)?;
    if r.ok() {
        Ok(r)
    } else {
        let text = match r.text() {
            Ok(p) => JsFuture::from(p)
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        let code = crate::json::from_str::<onething_core::api::ApiErrorBody>(&text)
            .map_or_else(|_| String::new(), |b| b.code);
        Err(FetchError::Api {
            status: r.status(),
            code,
        })
    }
}

/// A byte count as tus writes it. JS numbers are f64; formatting them as integers keeps float
/// formatting (several KB of wasm) out of the build.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn whole(n: f64) -> String {
    (n as u64).to_string()
}

/// The `Upload-Offset` header, a non-negative integer (tus 1.0 §"Upload-Offset"). Parsed as
/// an integer: float parsing would bring its tables (about 20 KB of wasm) into the build.
#[allow(clippy::cast_precision_loss)]
fn offset_of(r: &web_sys::Response) -> Option<f64> {
    r.headers()
        .get("Upload-Offset")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|n| n as f64)
}

/// Uploads `blob` and returns the upload id.
///
/// # Errors
/// See [`FetchError`]; the server's checks (type, size) answer with their codes.
pub async fn upload(blob: &web_sys::Blob) -> Result<String, FetchError> {
    let size = blob.size();
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let h = headers(&[
        ("Upload-Length", &whole(size)),
        ("Content-Type", "application/offset+octet-stream"),
    ])?;
    init.set_headers(&h);
    init.set_body(blob);
    let created = fetch(&format!("{API_BASE}/uploads"), &init).await?;
    let location = created
        .headers()
        .get("Location")
        .ok()
        .flatten()
        .ok_or(FetchError::Decode)?;
    let id = location
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let url = format!("{API_BASE}/uploads/{id}");
    let mut offset = offset_of(&created).unwrap_or(0.0);
    // The server may have kept only part of the first body: continue from its offset.
    while offset < size {
        let part = blob
            .slice_with_f64(offset)
            .map_err(|_| FetchError::Decode)?;
        let init = web_sys::RequestInit::new();
        init.set_method("PATCH");
        let h = headers(&[
            ("Upload-Offset", &whole(offset)),
            ("Content-Type", "application/offset+octet-stream"),
        ])?;
        init.set_headers(&h);
        init.set_body(&part);
        let r = fetch(&url, &init).await?;
        let next = offset_of(&r).ok_or(FetchError::Decode)?;
        if next <= offset {
            return Err(FetchError::Decode);
        }
        offset = next;
    }
    Ok(id)
}

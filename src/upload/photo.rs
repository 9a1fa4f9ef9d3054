//! The browser's side of the photo pipeline (`photo.js`): compression in a Worker with
//! OffscreenCanvas (where workers cannot draw, the page's canvas, in strips with a pause between
//! them so a large photo never freezes the page), SHA-256 fingerprints with SubtleCrypto, previews
//! as object URLs.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::LONG_EDGE;

#[wasm_bindgen(module = "/src/upload/photo.js")]
extern "C" {
    #[wasm_bindgen(js_name = compressPhoto)]
    fn compress_photo(
        blob: &web_sys::Blob,
        long_edge: u32,
        quality: f64,
        turns: u32,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = fingerprint)]
    fn fingerprint_js(blob: &web_sys::Blob) -> js_sys::Promise;
}

/// The photo compressed for sending (long edge [`LONG_EDGE`], JPEG, orientation applied) and
/// turned `turns` quarter turns; PDFs unchanged. `None` when it cannot be read as an image.
pub async fn compress(blob: &web_sys::Blob, turns: u32) -> Option<web_sys::Blob> {
    JsFuture::from(compress_photo(blob, LONG_EDGE, super::QUALITY, turns))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// The hex SHA-256 of the bytes, or empty when the browser cannot compute it here.
pub async fn fingerprint(blob: &web_sys::Blob) -> String {
    JsFuture::from(fingerprint_js(blob))
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// An object URL to preview an image (none for other types).
pub fn preview(blob: &web_sys::Blob) -> Option<String> {
    if !blob.type_().starts_with("image/") {
        return None;
    }
    web_sys::Url::create_object_url_with_blob(blob).ok()
}

/// Releases a preview's object URL.
pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

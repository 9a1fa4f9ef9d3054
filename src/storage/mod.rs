//! Storage on the device: the draft, its photos and queued submissions in IndexedDB, sealed with
//! AES-GCM under a non-extractable key (see `idb.js`), so the browser profile on disk never holds
//! an ID number in plaintext. When storage is unavailable (some private modes) or full, the app
//! keeps working in memory and says so ([`Health`]).

use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/storage/idb.js")]
extern "C" {
    #[wasm_bindgen(js_name = storageWorks)]
    async fn storage_works() -> JsValue;
    #[wasm_bindgen(js_name = failureKind)]
    fn failure_kind(err: &JsValue) -> String;
    #[wasm_bindgen(js_name = putText, catch)]
    async fn put_text(store: &str, id: &str, text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = getText, catch)]
    async fn get_text(store: &str, id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = remove, catch)]
    async fn remove_js(store: &str, id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = keysWith, catch)]
    async fn keys_with(store: &str, prefix: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = putPhoto, catch)]
    async fn put_photo_js(id: &str, blob: &web_sys::Blob, meta: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = putPhotoMeta, catch)]
    async fn put_photo_meta_js(id: &str, meta: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = getPhoto, catch)]
    async fn get_photo_js(id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = clearAll, catch)]
    async fn clear_all_js() -> Result<JsValue, JsValue>;
}

/// Whether what the person does is being kept on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Saved on the device.
    Saved,
    /// Storage is unavailable here (private mode, blocked): kept in memory only.
    Unavailable,
    /// The device's storage for this site is full: kept in memory only.
    Full,
}

// Reference-counted: owned by no component, so it lives as long as the page.
thread_local! {
    static HEALTH: ArcRwSignal<Health> = ArcRwSignal::new(Health::Saved);
}

/// The storage health, for the notice the wizard shows.
pub fn health() -> ArcRwSignal<Health> {
    HEALTH.with(Clone::clone)
}

fn set_health(ok: Result<JsValue, JsValue>) -> bool {
    let next = match &ok {
        Ok(_) => Health::Saved,
        Err(e) if failure_kind(e) == "quota" => Health::Full,
        Err(_) => Health::Unavailable,
    };
    HEALTH.with(|h| {
        if h.get_untracked() != next {
            h.set(next);
        }
    });
    ok.is_ok()
}

/// Checks once at start that sealed storage works here.
pub async fn probe() {
    let works = storage_works().await.as_bool().unwrap_or(false);
    set_health(if works {
        Ok(JsValue::TRUE)
    } else {
        Err(JsValue::NULL)
    });
}

/// The stores (see `idb.js`).
#[derive(Clone, Copy)]
pub enum Store {
    /// One draft per service.
    Drafts,
    /// Submissions waiting for the network.
    Outbox,
}

impl Store {
    fn name(self) -> &'static str {
        match self {
            Store::Drafts => "drafts",
            Store::Outbox => "outbox",
        }
    }
}

/// Seals and saves `value` under `id`; false (and the health notice) when it could not.
pub async fn put<T: Serialize>(store: Store, id: &str, value: &T) -> bool {
    let Ok(text) = crate::json::to_string(value) else {
        return false;
    };
    set_health(put_text(store.name(), id, &text).await)
}

/// The value saved under `id`, if any and readable.
pub async fn get<T: DeserializeOwned>(store: Store, id: &str) -> Option<T> {
    let text = get_text(store.name(), id).await.ok()?.as_string()?;
    crate::json::from_str(&text).ok()
}

/// Removes `id`.
pub async fn remove(store: Store, id: &str) {
    let _ = remove_js(store.name(), id).await;
}

/// The ids of a store (photos: `"photos"`) that start with `prefix`.
pub async fn ids(store: &str, prefix: &str) -> Vec<String> {
    keys_with(store, prefix)
        .await
        .ok()
        .map(|v| {
            js_sys::Array::from(&v)
                .iter()
                .filter_map(|k| k.as_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The ids of the queued submissions.
pub async fn outbox_ids() -> Vec<String> {
    ids("outbox", "").await
}

/// Saves a photo (sealed) with its metadata.
pub async fn put_photo<M: Serialize>(id: &str, blob: &web_sys::Blob, meta: &M) -> bool {
    let Ok(text) = crate::json::to_string(meta) else {
        return false;
    };
    set_health(put_photo_js(id, blob, &text).await)
}

/// Updates a saved photo's metadata.
pub async fn put_photo_meta<M: Serialize>(id: &str, meta: &M) {
    if let Ok(text) = crate::json::to_string(meta) {
        let _ = put_photo_meta_js(id, &text).await;
    }
}

/// A saved photo: its Blob (re-created in memory) and metadata.
pub async fn get_photo<M: DeserializeOwned>(id: &str) -> Option<(web_sys::Blob, M)> {
    let v = get_photo_js(id).await.ok()?;
    if v.is_undefined() {
        return None;
    }
    let blob = js_sys::Reflect::get(&v, &"blob".into())
        .ok()?
        .dyn_into::<web_sys::Blob>()
        .ok()?;
    let meta = js_sys::Reflect::get(&v, &"meta".into()).ok()?.as_string()?;
    Some((blob, crate::json::from_str(&meta).ok()?))
}

/// Removes a saved photo.
pub async fn remove_photo(id: &str) {
    let _ = remove_js("photos", id).await;
}

/// Forgets everything on this device: drafts, photos, queued submissions and the key.
pub async fn clear_all() {
    let _ = clear_all_js().await;
}

//! The photo pipeline of the wizard: take or pick a photo, compress it in the browser, keep it
//! (sealed) on the device, and send it resumably with progress. Each material page is a *slot*
//! (`service/material/page`); its photo survives a reload or a killed webview and its upload
//! continues from the server's offset.
//!
//! Photo bytes never enter wasm memory: Rust holds `Blob` handles only ([`photo`] is the
//! browser's side, [`tus`] moves `Blob.slice`s with XHR).

pub mod photo;
pub mod state;
pub mod tus;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use leptos::prelude::*;
use onething_core::engine::{Application, MaterialChoice};
use serde::{Deserialize, Serialize};

pub use state::{Failure, Status};
use tus::{Control, Ended, Job, Wish};

use crate::{api, storage};

/// What the page shows of one slot's photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    /// What the upload is doing.
    pub status: Status,
    /// An object URL of the compressed image, for the preview (none for PDFs).
    pub preview: Option<String>,
}

/// What is kept on the device beside the sealed photo: nothing personal.
#[derive(Serialize, Deserialize, Clone, Default)]
struct Meta {
    material: String,
    index: usize,
    /// SHA-256 of the compressed bytes (empty without SubtleCrypto).
    fingerprint: String,
    /// Where the upload lives on the server, once created.
    url: Option<String>,
    /// Set once the server has every byte.
    upload_id: Option<String>,
}

/// The JS-side things of a slot: never in signals (they are not `Send`).
struct Local {
    blob: web_sys::Blob,
    meta: Meta,
    control: Rc<Control>,
}

thread_local! {
    static LOCAL: RefCell<HashMap<String, Local>> = RefCell::new(HashMap::new());
}

/// The uploads of one service's wizard, provided as context by the wizard's shell.
#[derive(Clone, Copy)]
pub struct Uploads {
    service: StoredValue<String>,
    app: RwSignal<Application>,
    photos: RwSignal<BTreeMap<String, Photo>>,
    /// While true, nothing is sent: photos wait (sealed) on the device until the person has
    /// agreed to the privacy notice (see `crate::wizard::privacy`).
    held: RwSignal<bool>,
}

/// The long edge of a compressed photo, in pixels: sharp enough to read an ID card, small
/// enough (≈ 300 KB) for a slow uplink.
pub const LONG_EDGE: u32 = 1600;
const QUALITY: f64 = 0.85;

fn fingerprint_key(fp: &str) -> String {
    format!("onething.tus.{fp}")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

impl Uploads {
    /// The uploads of `service` (a draft's key: its photos' prefix), writing finished upload
    /// ids into `app`.
    pub fn new(service: String, app: RwSignal<Application>) -> Self {
        Uploads {
            service: StoredValue::new(service),
            app,
            photos: RwSignal::new(BTreeMap::new()),
            held: RwSignal::new(false),
        }
    }

    /// Holds every upload on the device (`true`), or lets the waiting ones go (`false`).
    pub fn hold(&self, held: bool) {
        let Some(was) = self.held.try_get_untracked() else {
            return;
        };
        self.held.set(held);
        if was && !held {
            let waiting: Vec<String> = self.photos.with_untracked(|p| {
                p.iter()
                    .filter(|(_, x)| x.status == Status::Waiting)
                    .map(|(k, _)| k.clone())
                    .collect()
            });
            for key in waiting {
                self.run(key);
            }
        }
    }

    /// Consent withdrawn: stops every upload, deletes what the server has of them and holds
    /// them again; the photos stay on the device and are sent anew once allowed.
    pub fn withdraw(&self) {
        self.held.set(true);
        let prefix = format!("{}/", self.service.get_value());
        let olds: Vec<(String, Option<String>, Meta)> = LOCAL.with(|l| {
            l.borrow_mut()
                .iter_mut()
                .filter(|(k, _)| k.starts_with(&prefix))
                .map(|(k, x)| {
                    x.control.ask(Wish::Cancel);
                    x.control = Rc::new(Control::default());
                    let url = x.meta.url.take();
                    x.meta.upload_id = None;
                    (k.clone(), url, x.meta.clone())
                })
                .collect()
        });
        for (key, url, meta) in olds {
            self.set_status(&key, Status::Waiting);
            leptos::task::spawn_local(async move {
                storage::put_photo_meta(&key, &meta).await;
                if let Some(s) = local_storage() {
                    let _ = s.remove_item(&fingerprint_key(&meta.fingerprint));
                }
                if let Some(url) = url {
                    tus::terminate(&url, api::session::token().as_deref()).await;
                }
            });
        }
        self.app.try_update(|a| {
            for choice in a.materials.values_mut() {
                if let MaterialChoice::Upload { upload_ids } = choice {
                    upload_ids.iter_mut().for_each(String::clear);
                }
            }
        });
    }

    fn slot(&self, material: &str, index: usize) -> String {
        format!("{}/{material}/{index}", self.service.get_value())
    }

    /// The photo of a slot, reactively. A slot whose upload was made on another device (the
    /// draft came from the server) shows as done, without a preview.
    pub fn photo(&self, material: &str, index: usize) -> Option<Photo> {
        let key = self.slot(material, index);
        self.photos.with(|p| p.get(&key).cloned()).or_else(|| {
            let elsewhere = self.app.with(|a| match a.materials.get(material) {
                Some(MaterialChoice::Upload { upload_ids }) => {
                    upload_ids.get(index).is_some_and(|u| !u.is_empty())
                }
                _ => false,
            });
            elsewhere.then_some(Photo {
                status: Status::Done,
                preview: None,
            })
        })
    }

    /// Bytes sent and total over a material's photos (for its progress bar).
    pub fn material_progress(&self, material: &str) -> Option<(f64, f64)> {
        let prefix = format!("{}/{material}/", self.service.get_value());
        let (mut sent, mut total, mut any) = (0.0, 0.0, false);
        self.photos.with(|p| {
            for (k, photo) in p.range(prefix.clone()..) {
                if !k.starts_with(&prefix) {
                    break;
                }
                let size = LOCAL.with(|l| l.borrow().get(k).map_or(0.0, |x| x.blob.size()));
                any = true;
                total += size;
                sent += match &photo.status {
                    Status::Sending { sent, .. } => *sent,
                    Status::Done => size,
                    _ => 0.0,
                };
            }
        });
        any.then_some((sent, total))
    }

    /// The upload ids of a material's finished photos, by page (empty where none).
    pub fn done_ids(&self, material: &str) -> Vec<String> {
        let prefix = format!("{}/{material}/", self.service.get_value());
        let mut ids: Vec<String> = Vec::new();
        LOCAL.with(|l| {
            for (k, x) in l.borrow().iter() {
                if let (true, Some(id)) = (k.starts_with(&prefix), &x.meta.upload_id) {
                    if ids.len() <= x.meta.index {
                        ids.resize(x.meta.index + 1, String::new());
                    }
                    ids[x.meta.index].clone_from(id);
                }
            }
        });
        ids
    }

    fn set_status(&self, key: &str, status: Status) {
        self.photos.try_update(|p| {
            if let Some(x) = p.get_mut(key).filter(|x| x.status != status) {
                x.status = status;
            }
        });
    }

    /// Takes a new photo (or file) into a slot, replacing what was there.
    pub fn add(&self, material: &str, index: usize, file: web_sys::Blob) {
        let key = self.slot(material, index);
        self.forget(&key, false);
        self.photos.try_update(|p| {
            p.insert(
                key.clone(),
                Photo {
                    status: Status::Preparing,
                    preview: None,
                },
            );
        });
        let this = *self;
        let material = material.to_owned();
        leptos::task::spawn_local(async move {
            let Some(blob) = photo::compress(&file, 0).await else {
                this.set_status(&key, Status::Failed(Failure::Unreadable));
                return;
            };
            this.take(&key, material, index, blob).await;
        });
    }

    /// Rotates a slot's photo a quarter turn clockwise (and sends the rotated one).
    pub fn rotate(&self, material: &str, index: usize) {
        let key = self.slot(material, index);
        let Some(blob) = LOCAL.with(|l| l.borrow().get(&key).map(|x| x.blob.clone())) else {
            return;
        };
        self.forget(&key, false);
        self.set_status(&key, Status::Preparing);
        let this = *self;
        let material = material.to_owned();
        leptos::task::spawn_local(async move {
            match photo::compress(&blob, 1).await {
                Some(rotated) => this.take(&key, material, index, rotated).await,
                None => this.set_status(&key, Status::Failed(Failure::Unreadable)),
            }
        });
    }

    async fn take(&self, key: &str, material: String, index: usize, blob: web_sys::Blob) {
        let fingerprint = photo::fingerprint(&blob).await;
        // The same bytes sent before (a re-picked photo, a reload): continue that upload.
        let url = (!fingerprint.is_empty())
            .then(|| {
                local_storage()?
                    .get_item(&fingerprint_key(&fingerprint))
                    .ok()?
            })
            .flatten();
        let meta = Meta {
            material,
            index,
            fingerprint,
            url,
            upload_id: None,
        };
        storage::put_photo(key, &blob, &meta).await;
        let preview = photo::preview(&blob);
        self.photos.try_update(|p| {
            p.insert(
                key.to_owned(),
                Photo {
                    status: Status::Waiting,
                    preview,
                },
            );
        });
        LOCAL.with(|l| {
            l.borrow_mut().insert(
                key.to_owned(),
                Local {
                    blob,
                    meta,
                    control: Rc::new(Control::default()),
                },
            );
        });
        self.run(key.to_owned());
    }

    /// Puts back the photos saved for this service (after a reload, a crash, days later) and
    /// resumes their uploads.
    pub async fn restore(&self) {
        let prefix = format!("{}/", self.service.get_value());
        for key in storage::ids("photos", &prefix).await {
            let Some((blob, meta)) = storage::get_photo::<Meta>(&key).await else {
                continue;
            };
            // The page may have closed while the device was read: then stop here.
            let Some(done) = self.app.try_with_untracked(|a| {
                meta.upload_id
                    .as_ref()
                    .is_some_and(|id| match a.materials.get(&meta.material) {
                        Some(MaterialChoice::Upload { upload_ids }) => {
                            upload_ids.get(meta.index) == Some(id)
                        }
                        _ => false,
                    })
            }) else {
                return;
            };
            let preview = photo::preview(&blob);
            self.photos.try_update(|p| {
                p.insert(
                    key.clone(),
                    Photo {
                        status: if done { Status::Done } else { Status::Waiting },
                        preview,
                    },
                );
            });
            LOCAL.with(|l| {
                l.borrow_mut().insert(
                    key.clone(),
                    Local {
                        blob,
                        meta,
                        control: Rc::new(Control::default()),
                    },
                );
            });
            if !done {
                self.run(key);
            }
        }
    }

    /// Pauses a slot's upload.
    pub fn pause(&self, material: &str, index: usize) {
        let key = self.slot(material, index);
        LOCAL.with(|l| {
            if let Some(x) = l.borrow().get(&key) {
                x.control.ask(Wish::Pause);
            }
        });
        self.set_status(&key, Status::Paused);
    }

    /// Resumes a paused or failed upload.
    pub fn resume(&self, material: &str, index: usize) {
        let key = self.slot(material, index);
        LOCAL.with(|l| {
            if let Some(x) = l.borrow().get(&key) {
                x.control.resume();
            }
        });
        self.set_status(&key, Status::Waiting);
        self.run(key);
    }

    /// Removes a slot's photo: stops its upload, tells the server to delete it, forgets it on
    /// the device and in the application.
    pub fn remove(&self, material: &str, index: usize) {
        let key = self.slot(material, index);
        self.forget(&key, true);
        self.photos.try_update(|p| {
            p.remove(&key);
        });
        self.app.try_update(|a| {
            if let Some(MaterialChoice::Upload { upload_ids }) = a.materials.get_mut(material) {
                if let Some(slot) = upload_ids.get_mut(index) {
                    slot.clear();
                }
                while upload_ids.last().is_some_and(String::is_empty) {
                    upload_ids.pop();
                }
            }
        });
    }

    /// Stops and drops what a slot held; `terminate` also deletes the upload on the server.
    fn forget(&self, key: &str, terminate: bool) {
        let Some(old) = LOCAL.with(|l| l.borrow_mut().remove(key)) else {
            return;
        };
        old.control.ask(Wish::Cancel);
        if let Some(url) = self
            .photos
            .try_with_untracked(|p| p.get(key).and_then(|x| x.preview.clone()))
            .flatten()
        {
            photo::revoke(&url);
        }
        let key = key.to_owned();
        leptos::task::spawn_local(async move {
            storage::remove_photo(&key).await;
            if terminate {
                if let Some(s) = local_storage() {
                    let _ = s.remove_item(&fingerprint_key(&old.meta.fingerprint));
                }
                if let Some(url) = old.meta.url {
                    tus::terminate(&url, api::session::token().as_deref()).await;
                }
            }
        });
    }

    /// Sends a slot's photo until done, paused, removed or failed.
    fn run(&self, key: String) {
        let this = *self;
        // Called after awaits (a photo prepared): the set may be gone with its page; what is
        // stored on the device is sent when the page opens again (`restore`).
        let Some(held) = self.held.try_get_untracked() else {
            return;
        };
        if held {
            self.set_status(&key, Status::Waiting);
            return;
        }
        leptos::task::spawn_local(async move {
            let Some((blob, url, control)) = LOCAL.with(|l| {
                l.borrow()
                    .get(&key)
                    .map(|x| (x.blob.clone(), x.meta.url.clone(), x.control.clone()))
            }) else {
                return;
            };
            if let Err(e) = crate::session::ensure().await {
                let f = if matches!(e, api::FetchError::Api { status: 401, .. }) {
                    Failure::SignedOut
                } else {
                    Failure::Unreachable
                };
                this.set_status(&key, Status::Failed(f));
                return;
            }
            let job = Job {
                blob,
                url,
                endpoint: format!("{}/uploads", api::API_BASE),
                token: api::session::token(),
            };
            let on_status: Rc<dyn Fn(Status)> = {
                let key = key.clone();
                Rc::new(move |s| this.set_status(&key, s))
            };
            let on_url: Rc<dyn Fn(Option<String>)> = {
                let key = key.clone();
                Rc::new(move |url: Option<String>| Self::remember_url(&key, url))
            };
            match tus::send(&job, &control, on_status, on_url).await {
                Ok(url) => this.finish(&key, &url).await,
                Err(Ended::Paused) => this.set_status(&key, Status::Paused),
                Err(Ended::Cancelled) => {}
                Err(Ended::Failed(f)) => this.set_status(&key, Status::Failed(f)),
            }
        });
    }

    fn remember_url(key: &str, url: Option<String>) {
        let meta = LOCAL.with(|l| {
            let mut l = l.borrow_mut();
            let x = l.get_mut(key)?;
            x.meta.url.clone_from(&url);
            Some(x.meta.clone())
        });
        let Some(meta) = meta else { return };
        if let (Some(s), false) = (local_storage(), meta.fingerprint.is_empty()) {
            let k = fingerprint_key(&meta.fingerprint);
            let _ = match &url {
                Some(u) => s.set_item(&k, u),
                None => s.remove_item(&k),
            };
        }
        let key = key.to_owned();
        leptos::task::spawn_local(async move { storage::put_photo_meta(&key, &meta).await });
    }

    async fn finish(&self, key: &str, url: &str) {
        let Some(id) = state::upload_id(url).map(str::to_owned) else {
            self.set_status(key, Status::Failed(Failure::Unreachable));
            return;
        };
        let meta = LOCAL.with(|l| {
            let mut l = l.borrow_mut();
            let x = l.get_mut(key)?;
            x.meta.upload_id = Some(id.clone());
            Some(x.meta.clone())
        });
        let Some(meta) = meta else { return };
        self.app.try_update(|a| {
            if let Some(MaterialChoice::Upload { upload_ids }) = a.materials.get_mut(&meta.material)
            {
                if upload_ids.len() <= meta.index {
                    upload_ids.resize(meta.index + 1, String::new());
                }
                upload_ids[meta.index].clone_from(&id);
            }
        });
        self.set_status(key, Status::Done);
        // The fingerprint resumes unfinished uploads only: the same bytes in another slot are a
        // new upload (tus-js-client's removeFingerprintOnSuccess).
        if let Some(s) = local_storage() {
            let _ = s.remove_item(&fingerprint_key(&meta.fingerprint));
        }
        storage::put_photo_meta(key, &meta).await;
    }

    /// Stops every upload of this service for now (the wizard is closing); what is stored stays,
    /// and [`Uploads::restore`] continues them when the wizard opens again.
    pub fn suspend(service: &str) {
        let prefix = format!("{service}/");
        LOCAL.with(|l| {
            l.borrow_mut().retain(|k, x| {
                let ours = k.starts_with(&prefix);
                if ours {
                    x.control.ask(Wish::Pause);
                }
                !ours
            });
        });
    }

    /// Forgets every photo of this service on the device (after submission). The uploads stay
    /// on the server: the application uses them.
    pub fn clear(&self) {
        let prefix = format!("{}/", self.service.get_value());
        let keys: Vec<String> = LOCAL.with(|l| {
            l.borrow()
                .keys()
                .filter(|k| k.starts_with(&prefix))
                .cloned()
                .collect()
        });
        for key in keys {
            self.forget(&key, false);
        }
        self.photos.try_update(BTreeMap::clear);
    }
}

/// Sends one file outside the wizard (a supplement's photo): compressed and resumable with
/// retries like any other, reporting progress; not kept on the device.
///
/// # Errors
/// Why it could not be sent.
pub async fn send_once(
    file: &web_sys::Blob,
    on_status: Rc<dyn Fn(Status)>,
) -> Result<String, Failure> {
    on_status(Status::Preparing);
    let blob = photo::compress(file, 0).await.ok_or(Failure::Unreadable)?;
    crate::session::ensure().await.map_err(|e| match e {
        api::FetchError::Api { status: 401, .. } => Failure::SignedOut,
        _ => Failure::Unreachable,
    })?;
    let job = Job {
        blob,
        url: None,
        endpoint: format!("{}/uploads", api::API_BASE),
        token: api::session::token(),
    };
    let control = Control::default();
    match tus::send(&job, &control, on_status, Rc::new(|_| {})).await {
        Ok(url) => state::upload_id(&url)
            .map(str::to_owned)
            .ok_or(Failure::Unreachable),
        Err(Ended::Failed(f)) => Err(f),
        Err(_) => Err(Failure::Unreachable),
    }
}

//! A tus 1.0 client over `XMLHttpRequest` (fetch cannot report upload progress): creation (with
//! upload, for files up to one chunk), `HEAD` to learn the server's offset after any doubt,
//! `PATCH` of `Blob.slice`s, termination. The bytes go from the Blob to the network without
//! entering wasm memory. Works against any tus 1.0 server: nothing here is specific to ours.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, XmlHttpRequest};

use super::state::{self, Failure, MAX_ATTEMPTS, Next, Status, backoff_ms, chunk_end, classify};

const TUS: &str = "1.0.0";
/// A request that moves no byte for this long is given up and retried (a stalled connection
/// never ends by itself). Long enough for a 1 MiB chunk at 100 kbps.
const REQUEST_TIMEOUT_MS: u32 = 120_000;

#[wasm_bindgen(module = "/src/upload/photo.js")]
extern "C" {
    #[wasm_bindgen(js_name = sleepOrWake)]
    fn sleep_or_wake(ms: f64) -> js_sys::Promise;
    /// Wakes every upload waiting for a retry (the person pressed Retry or Resume).
    #[wasm_bindgen(js_name = wakeUploads)]
    pub fn wake_uploads();
}

/// Why a run ended without the upload being complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The person paused it.
    Paused,
    /// The person removed the photo.
    Cancelled,
    /// It cannot go on by itself.
    Failed(Failure),
}

/// What the person asked of a running upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wish {
    /// Keep sending.
    #[default]
    Run,
    /// Stop for now, keep what the server has.
    Pause,
    /// Stop and forget (the server is told to delete it).
    Cancel,
}

/// The handle the page holds on a running upload: the request in flight, and the wish.
#[derive(Default)]
pub struct Control {
    xhr: RefCell<Option<XmlHttpRequest>>,
    wish: Cell<Wish>,
}

impl Control {
    /// Asks the upload to pause or cancel; the request in flight is aborted at once.
    pub fn ask(&self, wish: Wish) {
        self.wish.set(wish);
        if let (false, Some(x)) = (wish == Wish::Run, self.xhr.borrow().as_ref()) {
            let _ = x.abort();
        }
    }

    /// Lets a paused upload run again.
    pub fn resume(&self) {
        self.wish.set(Wish::Run);
    }

    fn stopped(&self) -> Option<Ended> {
        match self.wish.get() {
            Wish::Run => None,
            Wish::Pause => Some(Ended::Paused),
            Wish::Cancel => Some(Ended::Cancelled),
        }
    }
}

/// One file to send.
pub struct Job {
    /// The (compressed) file.
    pub blob: Blob,
    /// Where its upload lives on the server, when one was created before (resume).
    pub url: Option<String>,
    /// The endpoint that creates uploads (`…/uploads`).
    pub endpoint: String,
    /// The bearer token, if signed in.
    pub token: Option<String>,
}

/// An answer: the status (0 when there was none) and the request, to read headers from.
struct Answer {
    status: u16,
    xhr: XmlHttpRequest,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.xhr.get_response_header(name).ok().flatten()
    }

    fn offset(&self) -> Option<f64> {
        self.whole_header("Upload-Offset")
    }

    /// A byte count header, parsed as an integer: a float parse would add ~15 KB (brotli) of
    /// wasm for nothing (tus byte counts are integers).
    #[allow(clippy::cast_precision_loss)] // files are far below 2^53 bytes
    fn whole_header(&self, name: &str) -> Option<f64> {
        self.header(name)?
            .trim()
            .parse::<u64>()
            .ok()
            .map(|n| n as f64)
    }

    fn next(&self) -> Next {
        // Only the answers that may carry it: reading a header a cross-origin server did not
        // expose is refused (and logged) by the browser.
        let retry_after = matches!(self.status, 429 | 503)
            .then(|| self.header("Retry-After"))
            .flatten();
        classify(self.status, retry_after.as_deref())
    }
}

/// Byte counts as tus writes them: whole numbers (JS gives f64; float formatting would pull in
/// several KB of wasm).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn whole(n: f64) -> String {
    (n as u64).to_string()
}

async fn request(
    control: &Control,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&Blob>,
    on_progress: Option<Box<dyn Fn(f64)>>,
) -> Result<Answer, Ended> {
    let failed = || Ended::Failed(Failure::Unreachable);
    let xhr = XmlHttpRequest::new().map_err(|_| failed())?;
    xhr.open_with_async(method, url, true)
        .map_err(|_| failed())?;
    xhr.set_timeout(REQUEST_TIMEOUT_MS);
    for (k, v) in headers {
        let _ = xhr.set_request_header(k, v);
    }
    // Both listeners are removed when dropped at the end of this request.
    let progress = match (on_progress, xhr.upload()) {
        (Some(f), Ok(up)) => Some(crate::dom::listen(&up, "progress", move |e| {
            f(e.unchecked_ref::<web_sys::ProgressEvent>().loaded());
        })),
        _ => None,
    };
    // `loadend` fires exactly once after load, error, abort or timeout.
    let mut on_end = None;
    let ended = js_sys::Promise::new(&mut |resolve, _| {
        on_end = Some(crate::dom::listen(&xhr, "loadend", move |_| {
            let _ = resolve.call0(&JsValue::NULL);
        }));
    });
    *control.xhr.borrow_mut() = Some(xhr.clone());
    let sent = match body {
        Some(b) => xhr.send_with_opt_blob(Some(b)),
        None => xhr.send(),
    };
    if sent.is_ok() {
        let _ = JsFuture::from(ended).await;
    }
    control.xhr.borrow_mut().take();
    drop((progress, on_end));
    if let Some(stop) = control.stopped() {
        return Err(stop);
    }
    Ok(Answer {
        status: xhr.status().unwrap_or(0),
        xhr,
    })
}

fn base_headers<'a>(token: Option<&'a str>, bearer: &'a mut String) -> Vec<(&'a str, &'a str)> {
    let mut h = vec![("Tus-Resumable", TUS)];
    if let Some(t) = token {
        *bearer = format!("Bearer {t}");
        h.push(("Authorization", bearer.as_str()));
    }
    h
}

fn navigator_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Sends `job` to the end. `on_status` hears every change (progress at the XHR's pace, at least
/// every 50 ms while bytes move); `on_url` hears where the upload lives as soon as the server
/// created it, so a reload can resume it. Returns the upload's URL when the server has every byte.
///
/// # Errors
/// [`Ended`]: paused, cancelled, or a failure retrying cannot fix.
pub async fn send(
    job: &Job,
    control: &Control,
    on_status: Rc<dyn Fn(Status)>,
    on_url: Rc<dyn Fn(Option<String>)>,
) -> Result<String, Ended> {
    let size = job.blob.size();
    let mut url = job.url.clone();
    let mut offset: Option<f64> = None;
    let mut attempt = 0u32;
    let mut bearer = String::new();
    let auth = base_headers(job.token.as_deref(), &mut bearer);
    loop {
        if let Some(stop) = control.stopped() {
            return Err(stop);
        }
        if !navigator_online() {
            // No retries while the browser says offline; `online` wakes us at once.
            on_status(Status::Offline);
            let _ = JsFuture::from(sleep_or_wake(30_000.0)).await;
            continue;
        }
        let next = match (&url, offset) {
            (None, _) => {
                on_status(Status::Sending {
                    sent: 0.0,
                    total: size,
                });
                let (next, created) = create(job, control, &auth, size, on_status.clone()).await?;
                if let Some((location, at)) = created {
                    on_url(Some(location.clone()));
                    url = Some(location);
                    offset = Some(at);
                }
                next
            }
            (Some(u), None) => {
                let a = request(control, "HEAD", u, &auth, None, None).await?;
                let next = a.next();
                if next == Next::Ok {
                    let length = a.whole_header("Upload-Length");
                    if length.is_some_and(|l| (l - size).abs() > 0.5) {
                        // Not this file's upload (a changed photo): start a new one.
                        url = None;
                        on_url(None);
                        continue;
                    }
                    offset = a.offset();
                }
                next
            }
            (Some(_), Some(at)) if at >= size => {
                on_status(Status::Done);
                return url.ok_or(Ended::Failed(Failure::Unreachable));
            }
            (Some(u), Some(at)) => {
                let (next, moved) = patch(job, control, &auth, u, at, on_status.clone()).await?;
                if next == Next::Ok {
                    match moved {
                        Some(n) if n > at => {
                            offset = Some(n);
                            attempt = 0;
                        }
                        // An answer without progress: ask the server where it stands.
                        _ => offset = None,
                    }
                }
                next
            }
        };
        match next {
            Next::Ok => {}
            Next::Resync => offset = None,
            Next::Recreate => {
                url = None;
                offset = None;
                on_url(None);
            }
            Next::Stop(f) => return Err(Ended::Failed(f)),
            Next::Retry(after) => {
                offset = None;
                attempt += 1;
                if attempt > MAX_ATTEMPTS {
                    return Err(Ended::Failed(Failure::Unreachable));
                }
                on_status(Status::Waiting);
                let wait = after.unwrap_or_else(|| backoff_ms(attempt, js_sys::Math::random()));
                let _ = JsFuture::from(sleep_or_wake(wait)).await;
            }
        }
    }
}

/// One `PATCH` of the next chunk from `at`; returns the verdict and the server's new offset.
async fn patch(
    job: &Job,
    control: &Control,
    auth: &[(&str, &str)],
    url: &str,
    at: f64,
    on_status: Rc<dyn Fn(Status)>,
) -> Result<(Next, Option<f64>), Ended> {
    let size = job.blob.size();
    on_status(Status::Sending {
        sent: at,
        total: size,
    });
    let part = job
        .blob
        .slice_with_f64_and_f64(at, chunk_end(at, size))
        .map_err(|_| Ended::Failed(Failure::Unreachable))?;
    let start = whole(at);
    let mut h = auth.to_vec();
    h.push(("Upload-Offset", &start));
    h.push(("Content-Type", "application/offset+octet-stream"));
    let progress: Box<dyn Fn(f64)> = Box::new(move |loaded| {
        on_status(Status::Sending {
            sent: at + loaded,
            total: size,
        });
    });
    let a = request(control, "PATCH", url, &h, Some(&part), Some(progress)).await?;
    Ok((a.next(), a.offset()))
}

/// `POST` to the endpoint: with the whole file when it fits one chunk (creation-with-upload),
/// else empty. Returns the verdict and, when created, the upload's absolute URL and offset.
async fn create(
    job: &Job,
    control: &Control,
    auth: &[(&str, &str)],
    size: f64,
    on_status: Rc<dyn Fn(Status)>,
) -> Result<(Next, Option<(String, f64)>), Ended> {
    let length = whole(size);
    let kind = job.blob.type_();
    let metadata = format!("filetype {}", state::base64(kind.as_bytes()));
    let mut h = auth.to_vec();
    h.push(("Upload-Length", &length));
    h.push(("Upload-Metadata", &metadata));
    let with_body = state::fits_in_creation(size);
    let a = if with_body {
        h.push(("Content-Type", "application/offset+octet-stream"));
        let progress: Box<dyn Fn(f64)> = Box::new(move |loaded| {
            on_status(Status::Sending {
                sent: loaded,
                total: size,
            });
        });
        request(
            control,
            "POST",
            &job.endpoint,
            &h,
            Some(&job.blob),
            Some(progress),
        )
        .await?
    } else {
        request(control, "POST", &job.endpoint, &h, None, None).await?
    };
    let next = a.next();
    if next != Next::Ok {
        return Ok((next, None));
    }
    let Some(location) = a.header("Location") else {
        return Ok((Next::Stop(Failure::Unreachable), None));
    };
    // A relative Location is relative to the endpoint (which may be on another origin).
    let absolute = web_sys::Url::new_with_base(&location, &absolute_endpoint(&job.endpoint))
        .map(|u| u.href())
        .unwrap_or(location);
    Ok((Next::Ok, Some((absolute, a.offset().unwrap_or(0.0)))))
}

fn absolute_endpoint(endpoint: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    web_sys::Url::new_with_base(endpoint, &base).map_or_else(|_| endpoint.to_owned(), |u| u.href())
}

/// Tells the server to delete an upload (tus 1.0 §Termination); best effort: an upload never
/// used by an application expires on the server anyway.
pub async fn terminate(url: &str, token: Option<&str>) {
    let control = Control::default();
    let mut bearer = String::new();
    let h = base_headers(token, &mut bearer);
    let _ = request(&control, "DELETE", url, &h, None, None).await;
}

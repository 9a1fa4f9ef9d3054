//! The iframe side of the postMessage protocol. Only messages whose origin is exactly one of
//! `config.json`'s `host_origins` and whose source is our parent window are read; anything
//! else is dropped before it is parsed. Messages to the host go to that exact origin, never
//! to `*`: before the host has spoken, to the parent's origin when the browser tells it
//! (`location.ancestorOrigins`) and it is allowed, otherwise to each allowed origin in turn
//! (the browser delivers only the one that matches).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise};
use leptos::prelude::*;
use onething_core::Locale;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::js;
use super::protocol::{self, AppMessage, HostMessage, Theme};

/// What the host's messages change.
pub struct Apply {
    /// Elder mode.
    pub elder: RwSignal<bool>,
    /// The language.
    pub locale: RwSignal<Locale>,
    /// Applies a colour scheme.
    pub theme: fn(Theme),
}

/// The frame's connection to its host page.
pub struct Frame {
    allowed: Vec<String>,
    /// The host's origin once it has sent a valid message.
    origin: RefCell<Option<String>>,
    elder: Cell<Option<bool>>,
    signed_in: RefCell<Promise>,
    resolve_signed_in: RefCell<Option<Function>>,
    height: Cell<u32>,
}

impl Frame {
    /// A frame that listens to `allowed` origins only.
    pub fn new(allowed: Vec<String>) -> Self {
        let mut resolve = None;
        let signed_in = Promise::new(&mut |res, _| resolve = Some(res));
        Self {
            allowed,
            origin: RefCell::new(None),
            elder: Cell::new(None),
            signed_in: RefCell::new(signed_in),
            resolve_signed_in: RefCell::new(resolve),
            height: Cell::new(0),
        }
    }

    /// The elder-mode setting the host sent last.
    pub fn elder(&self) -> Option<bool> {
        self.elder.get()
    }

    /// Whether the host has signed the person in, waiting up to `ms` for it.
    pub async fn wait_signed_in(&self, ms: i32) -> bool {
        let promise = self.signed_in.borrow().clone();
        js::within(promise, ms).await.is_ok()
    }

    /// The session the host signed in ended: ask the host for a new ticket (`session_expired`)
    /// and wait for it again.
    pub fn ask_sign_in_again(&self) {
        let mut resolve = None;
        let promise = Promise::new(&mut |res, _| resolve = Some(res));
        *self.signed_in.borrow_mut() = promise;
        *self.resolve_signed_in.borrow_mut() = resolve;
        self.post(&AppMessage::SessionExpired);
    }

    /// The accepted message in `event`, if it comes from our parent at an allowed origin.
    pub fn read(&self, event: &web_sys::MessageEvent) -> Option<HostMessage> {
        let parent = web_sys::window()?.parent().ok().flatten()?;
        let from_parent = event
            .source()
            .is_some_and(|s| js_sys::Object::is(&s, &parent));
        if !from_parent || !self.allowed.iter().any(|a| *a == event.origin()) {
            return None;
        }
        let data = event.data();
        let text = if let Some(s) = data.as_string() {
            s
        } else if data.is_object() {
            js_sys::JSON::stringify(&data).ok()?.as_string()?
        } else {
            return None;
        };
        let message = protocol::accept(&event.origin(), &self.allowed, &text)?;
        *self.origin.borrow_mut() = Some(event.origin());
        Some(message)
    }

    /// Starts listening to the host; the listener lives as long as the page.
    pub fn listen(self: &Rc<Self>, apply: Apply) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let frame = self.clone();
        crate::dom::listen(&window, "message", move |event| {
            if crate::retired() {
                // The whole app has taken the page over and listens itself.
                return;
            }
            if let Some(message) = frame.read(event.unchecked_ref()) {
                frame.apply(message, &apply);
            }
        })
        .forget();
    }

    fn apply(self: &Rc<Self>, message: HostMessage, apply: &Apply) {
        match message {
            HostMessage::Ticket { ticket } => {
                let frame = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match crate::api::session::exchange(&ticket).await {
                        Ok(_) => {
                            if let Some(resolve) = frame.resolve_signed_in.borrow_mut().take() {
                                let _ = resolve.call0(&JsValue::NULL);
                            }
                            frame.post(&AppMessage::SignedIn);
                        }
                        Err(_) => frame.post(&AppMessage::TicketRejected),
                    }
                });
            }
            HostMessage::Locale { locale } => {
                if let Some(l) = Locale::from_tag(&locale) {
                    apply.locale.set(l);
                }
            }
            HostMessage::Elder { on } => {
                self.elder.set(Some(on));
                apply.elder.set(on);
            }
            HostMessage::Theme { theme } => (apply.theme)(theme),
        }
    }

    /// Sends `message` to the host page, at an exact origin only.
    pub fn post(&self, message: &AppMessage) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(parent) = window.parent().ok().flatten() else {
            return;
        };
        let Ok(data) = js_sys::JSON::parse(&message.to_json()) else {
            return;
        };
        for origin in self.targets() {
            let _ = parent.post_message(&data, &origin);
        }
    }

    fn targets(&self) -> Vec<String> {
        if let Some(origin) = self.origin.borrow().clone() {
            return vec![origin];
        }
        // Chromium and WebKit name the parent's origin; Firefox does not.
        let ancestor = web_sys::window()
            .and_then(|w| js::prop(&w.location().into(), "ancestorOrigins"))
            .and_then(|list| js::call(&list, "item", &JsValue::from(0)))
            .and_then(Result::ok)
            .and_then(|v| v.as_string());
        match ancestor {
            Some(a) if self.allowed.contains(&a) => vec![a],
            Some(_) => Vec::new(),
            None => self.allowed.clone(),
        }
    }

    /// Reports the page's height now and whenever it changes, so the host can size the iframe.
    pub fn report_height(self: &Rc<Self>) {
        let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        else {
            return;
        };
        let frame = self.clone();
        let measure = Closure::<dyn Fn()>::new(move || {
            let Some(body) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body())
            else {
                return;
            };
            let h = body.get_bounding_client_rect().height().ceil();
            // Heights are small positive numbers of CSS pixels.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let h = h.clamp(0.0, 1_000_000.0) as u32;
            // After a hand-over the whole app reports the heights.
            if !crate::retired() && h != frame.height.replace(h) {
                frame.post(&AppMessage::Height { height: h });
            }
        });
        if let Ok(observer) = web_sys::ResizeObserver::new(measure.as_ref().unchecked_ref()) {
            observer.observe(&body);
        }
        measure.forget();
    }
}

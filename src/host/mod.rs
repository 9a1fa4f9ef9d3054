//! The host bridge: one interface to whatever runs OneThing — a plain browser, the webview of an
//! app platform (浙里办's `ZWJSBridge`, WeChat's JSSDK, Alipay's `my`), or a host page around an
//! iframe (the postMessage protocol of `docs/embedding.md`). The host is detected once at start;
//! then each capability is feature-detected on the platform's bridge object and falls back to
//! the web platform when the bridge lacks it, so a half-injected or older bridge still works.
//!
//! The platform adapters (`zlb`, `wechat`, `alipay`) are deliberately thin: their APIs are
//! documented by the platforms but cannot be exercised outside their apps, so each one only maps
//! a capability onto the documented call and is tested against a fake bridge of that shape.

mod alipay;
mod frame;
pub mod js;
pub mod protocol;
mod share;
mod sign_in;
mod wechat;
mod zlb;

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub use frame::Frame;
pub use protocol::{AppMessage, HostMessage, Theme};

/// Who runs the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// A plain browser (the default): web APIs only.
    Browser,
    /// 浙里办 (Zhejiang's government service app), `window.ZWJSBridge`.
    Zlb,
    /// WeChat's webview or a mini-program's `web-view`, JSSDK `window.wx`.
    WeChat,
    /// Alipay's `web-view`, `window.my`.
    Alipay,
    /// An iframe in a host page allowed by `config.json`'s `host_origins`.
    Frame,
}

impl Platform {
    /// A stable name (`browser`, `zlb`, `wechat`, `alipay`, `frame`) for logs and tests.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Browser => "browser",
            Platform::Zlb => "zlb",
            Platform::WeChat => "wechat",
            Platform::Alipay => "alipay",
            Platform::Frame => "frame",
        }
    }
}

/// What the page can see of its host.
#[derive(Debug, Clone, Copy, Default)]
#[allow(clippy::struct_excessive_bools)] // independent observations, not a state machine
pub struct Signs<'a> {
    /// `window.ZWJSBridge` exists.
    pub zlb: bool,
    /// `window.wx` exists.
    pub wx: bool,
    /// `window.my` exists.
    pub my: bool,
    /// The user agent.
    pub user_agent: &'a str,
    /// The page is in a frame.
    pub framed: bool,
    /// `config.json` names host origins.
    pub host_origins: bool,
}

/// Which platform, from what the page can see. Bridges win over the user agent: a platform's
/// UA string appears in its other webviews too, the injected object does not.
pub fn detect(signs: &Signs) -> Platform {
    if signs.zlb {
        Platform::Zlb
    } else if signs.wx && signs.user_agent.contains("MicroMessenger") {
        Platform::WeChat
    } else if signs.my && signs.user_agent.contains("AlipayClient") {
        Platform::Alipay
    } else if signs.framed && signs.host_origins {
        Platform::Frame
    } else {
        Platform::Browser
    }
}

/// How a [`Host::share`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    /// The platform's own share panel took it (浙里办).
    Platform,
    /// The share card is set; the person shares from the platform's menu (WeChat lets a page
    /// set what is shared, not open the panel itself).
    Menu,
    /// The system share sheet took it (Web Share API).
    Sheet,
    /// The link is on the clipboard.
    Copied,
    /// The person closed the share sheet.
    Cancelled,
    /// Nothing could take it: show the link to copy by hand.
    Failed,
}

/// The global the first page's module sets (to `true`) when the person asked to share the
/// landing page's guide and the whole app must do it (`crate::lite`, the guide's share button).
pub const SHARE_ASKED: &str = "onething-share-asked";

/// Safe-area insets in CSS pixels (notches, home indicators).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Insets {
    /// Top.
    pub top: f64,
    /// Right.
    pub right: f64,
    /// Bottom.
    pub bottom: f64,
    /// Left.
    pub left: f64,
}

/// The bridge to the host, with one method per capability.
pub struct Host {
    platform: Platform,
    /// The platform's injected object (`ZWJSBridge`, `wx`, `my`); `undefined` otherwise.
    bridge: JsValue,
    frame: Option<Rc<Frame>>,
}

impl Host {
    /// Detects the host of this page.
    pub fn detect() -> Self {
        let ua = web_sys::window()
            .and_then(|w| w.navigator().user_agent().ok())
            .unwrap_or_default();
        let framed = web_sys::window()
            .and_then(|w| w.parent().ok().flatten().map(|p| p != w))
            .unwrap_or(false);
        let origins = &crate::config::get().host_origins;
        let platform = detect(&Signs {
            zlb: js::global("ZWJSBridge").is_some(),
            wx: js::global("wx").is_some(),
            my: js::global("my").is_some(),
            user_agent: &ua,
            framed,
            host_origins: !origins.is_empty(),
        });
        let bridge = match platform {
            Platform::Zlb => js::global("ZWJSBridge"),
            Platform::WeChat => js::global("wx"),
            Platform::Alipay => js::global("my"),
            Platform::Browser | Platform::Frame => None,
        };
        Self::with_bridge(
            platform,
            bridge.unwrap_or(JsValue::UNDEFINED),
            origins.clone(),
        )
    }

    /// A host of `platform` talking to `bridge` (tests pass a fake bridge object); a frame host
    /// accepts messages from `host_origins` only.
    pub fn with_bridge(platform: Platform, bridge: JsValue, host_origins: Vec<String>) -> Self {
        let frame = (platform == Platform::Frame).then(|| Rc::new(Frame::new(host_origins)));
        Self {
            platform,
            bridge,
            frame,
        }
    }

    /// Who runs the app.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// The iframe side of the postMessage protocol, when framed by an allowed host.
    pub fn frame(&self) -> Option<&Rc<Frame>> {
        self.frame.as_ref()
    }

    /// Waits (bounded by `ms`) until the host page has signed the person in through the
    /// protocol's `ticket` message; `false` when not framed or no ticket came in time.
    pub async fn wait_for_host_sign_in(&self, ms: i32) -> bool {
        match &self.frame {
            Some(frame) => frame.wait_signed_in(ms).await,
            None => false,
        }
    }

    /// Sets the title the host shows for the page (`document.title` is always set too).
    pub fn set_title(&self, title: &str) {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            d.set_title(title);
        }
        match self.platform {
            Platform::Zlb => zlb::set_title(&self.bridge, title),
            Platform::Alipay => alipay::set_title(&self.bridge, title),
            // WeChat shows `document.title` itself.
            Platform::WeChat | Platform::Browser => {}
            Platform::Frame => self.post(&AppMessage::Title {
                title: title.to_owned(),
            }),
        }
    }

    /// Asks the host to sign the person in again after their session ended mid-way, the way it
    /// signs in: an app platform reopens this page through its sign-in with a new ticket (see
    /// `sign_in`); the page then leaves (`true`). A plain browser or a frame: `false` (a frame
    /// host is asked with the protocol's `session_expired`, see [`Frame`]).
    pub async fn sign_in_again(&self) -> bool {
        match self.platform {
            Platform::Zlb | Platform::WeChat | Platform::Alipay => sign_in::reopen().await,
            Platform::Browser | Platform::Frame => false,
        }
    }

    /// Whether [`Host::close`] can leave the app (a plain browser tab cannot close itself).
    pub fn can_close(&self) -> bool {
        match self.platform {
            Platform::Zlb => js::has(&self.bridge, "close"),
            Platform::WeChat => wechat::can_close(&self.bridge),
            Platform::Alipay => js::has(&self.bridge, "navigateBack"),
            Platform::Frame => true,
            Platform::Browser => false,
        }
    }

    /// Closes the view (back to the host app); `false` when the host cannot.
    pub fn close(&self) -> bool {
        match self.platform {
            Platform::Zlb => js::call(&self.bridge, "close", &js::object(&[]).into()).is_some(),
            Platform::WeChat => wechat::close(&self.bridge),
            Platform::Alipay => {
                js::call(&self.bridge, "navigateBack", &js::object(&[]).into()).is_some()
            }
            Platform::Frame => {
                self.post(&AppMessage::Closed);
                true
            }
            Platform::Browser => false,
        }
    }

    /// Whether the host offers its own picture picker (an app platform's bridge).
    pub fn has_picker(&self) -> bool {
        matches!(
            self.platform,
            Platform::Zlb | Platform::WeChat | Platform::Alipay
        )
    }

    /// Pictures chosen with the host's own picker (camera or album), as `Blob`s for the same
    /// upload pipeline as the web file input. `None`: the host has no picker, or it failed —
    /// use the web file input. `Some(empty)`: the person cancelled.
    pub async fn pick_images(&self, max: u32) -> Option<Vec<web_sys::Blob>> {
        let max = max.clamp(1, 9);
        match self.platform {
            Platform::Zlb => zlb::pick_images(&self.bridge, max).await,
            Platform::WeChat => wechat::pick_images(&self.bridge, max).await,
            Platform::Alipay => alipay::pick_images(&self.bridge, max).await,
            Platform::Browser | Platform::Frame => None,
        }
    }

    /// Shares a link (`title`, a short `text`, `url`): the platform's share where its bridge
    /// has one (浙里办's share panel; WeChat's share card, shared from its menu), else the Web
    /// Share API, else the clipboard. Each step falls back to the next when it is missing or
    /// fails.
    pub async fn share(&self, title: &str, text: &str, url: &str) -> Shared {
        let platform = match self.platform {
            Platform::Zlb => zlb::share(&self.bridge, title, text, url).await,
            Platform::WeChat => wechat::share(&self.bridge, title, text, url).await,
            Platform::Alipay | Platform::Browser | Platform::Frame => None,
        };
        match platform {
            Some(done) => done,
            None => share::share(title, text, url).await,
        }
    }

    /// The host's elder-mode (长辈版) setting; `None` when the host has none to tell.
    pub async fn elder_mode(&self) -> Option<bool> {
        match self.platform {
            Platform::Zlb => zlb::elder_mode(&self.bridge).await,
            Platform::Frame => self.frame.as_ref().and_then(|f| f.elder()),
            Platform::Browser | Platform::WeChat | Platform::Alipay => None,
        }
    }

    /// Reports a page view (`path` inside the app) to the host's analytics.
    pub fn page_view(&self, path: &str, title: &str) {
        match self.platform {
            Platform::Zlb => zlb::page_view(&self.bridge, path, title),
            Platform::Frame => self.post(&AppMessage::step(path)),
            Platform::Browser | Platform::WeChat | Platform::Alipay => {}
        }
    }

    /// Tells the host an application was submitted.
    pub fn submitted(&self, service: &str, case_number: &str, application_id: &str) {
        let message = AppMessage::Submitted {
            service: service.to_owned(),
            case_number: case_number.to_owned(),
            application_id: application_id.to_owned(),
        };
        match self.platform {
            Platform::Frame => self.post(&message),
            // Mini-program pages receive these on back, close or share (a platform limit).
            Platform::WeChat => wechat::post(&self.bridge, &message),
            Platform::Alipay => alipay::post(&self.bridge, &message),
            Platform::Browser | Platform::Zlb => {}
        }
    }

    /// The safe-area insets, measured from CSS `env(safe-area-inset-*)`, which every webview
    /// here (WKWebView, Android WebView with `viewport-fit=cover`, X5) reports.
    pub fn safe_area_insets(&self) -> Insets {
        safe_area_from_css().unwrap_or_default()
    }

    fn post(&self, message: &AppMessage) {
        if let Some(frame) = &self.frame {
            frame.post(message);
        }
    }
}

fn safe_area_from_css() -> Option<Insets> {
    let window = web_sys::window()?;
    let document = window.document()?;
    let body = document.body()?;
    let probe: web_sys::HtmlElement = document.create_element("div").ok()?.dyn_into().ok()?;
    probe
        .set_attribute(
            "style",
            "position:fixed;visibility:hidden;pointer-events:none;\
             padding:env(safe-area-inset-top,0px) env(safe-area-inset-right,0px) \
             env(safe-area-inset-bottom,0px) env(safe-area-inset-left,0px)",
        )
        .ok()?;
    body.append_child(&probe).ok()?;
    let style = window.get_computed_style(&probe).ok().flatten();
    let px = |side: &str| {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(&format!("padding-{side}")).ok())
            .and_then(|v| v.trim_end_matches("px").parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let insets = Insets {
        top: px("top"),
        right: px("right"),
        bottom: px("bottom"),
        left: px("left"),
    };
    probe.remove();
    Some(insets)
}

thread_local! {
    static CURRENT: std::cell::OnceCell<Rc<Host>> = const { std::cell::OnceCell::new() };
}

/// The host of this page, detected on first use (after `config.json` has been read). A
/// page-wide handle rather than Leptos context: the bridge is JavaScript state (not `Send`), and
/// signing in (`crate::session`) reaches it outside any component.
pub fn current() -> Rc<Host> {
    CURRENT.with(|c| c.get_or_init(|| Rc::new(Host::detect())).clone())
}

/// Wires the host into the app: its elder-mode setting, the protocol's messages (ticket,
/// locale, elder mode, theme), the `ready` announcement, height reports, and the hardware back
/// button. Called once by `App`, after the preferences are provided.
pub fn provide() {
    let host = current();
    let crate::prefs::ElderPref(elder) = expect_context::<crate::prefs::ElderPref>();
    let crate::prefs::LocalePref(locale) = expect_context::<crate::prefs::LocalePref>();
    if matches!(host.platform(), Platform::Zlb) {
        let h = host.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(on) = h.elder_mode().await {
                elder.set(on);
            }
        });
    }
    if let Some(frame) = host.frame() {
        frame.listen(frame::Apply {
            elder,
            locale,
            theme: set_theme,
        });
        frame.post(&AppMessage::Ready {
            locale: locale.get_untracked().tag().to_owned(),
            elder: elder.get_untracked(),
        });
        frame.report_height();
    }
    if matches!(
        host.platform(),
        Platform::Zlb | Platform::WeChat | Platform::Alipay
    ) {
        back_closes_at_root(host);
    }
}

fn set_theme(theme: Theme) {
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("data-theme", theme.as_str());
    }
}

const ROOT_MARK: &str = "onething-root";

/// The hardware back button in an app platform's webview: history back works as in a browser,
/// but at the app's first page it would leave a blank webview, so there it closes the view.
/// The first history entry is marked and a copy of it pushed above, so that pressing back on
/// the first page lands on the mark (a `popstate` we can see) instead of leaving.
fn back_closes_at_root(host: Rc<Host>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(history) = window.history() else {
        return;
    };
    // Once per page: the first page's module may have done it before handing over.
    let global = js_sys::global();
    if js::prop(&global, ROOT_MARK).is_some() {
        return;
    }
    let _ = js_sys::Reflect::set(&global, &JsValue::from_str(ROOT_MARK), &JsValue::TRUE);
    let href = window.location().href().unwrap_or_default();
    let mark = js::object(&[(ROOT_MARK, JsValue::TRUE)]);
    if history
        .replace_state_with_url(&mark, "", Some(&href))
        .is_err()
        || history
            .push_state_with_url(&JsValue::NULL, "", Some(&href))
            .is_err()
    {
        return;
    }
    let on_pop = crate::dom::listen(&window, "popstate", move |ev| {
        let state = ev.unchecked_ref::<web_sys::PopStateEvent>().state();
        if js::prop(&state, ROOT_MARK).is_some() && !host.close() {
            // The host cannot close: stay on the first page rather than show a blank one.
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.forward();
            }
        }
    });
    // The listener lives as long as the page.
    on_pop.forget();
}

/// Reports every route change to the host (page views, the protocol's `step`). Rendered once
/// inside the router.
#[component]
pub fn HostReporter() -> impl IntoView {
    let r = crate::router::use_router();
    let host = current();
    Effect::new(move || {
        // The router's path is already under the deployment's base.
        let path = r.path();
        let path = if path.is_empty() { "/" } else { path.as_str() };
        let title = web_sys::window()
            .and_then(|w| w.document())
            .map(|d| d.title())
            .unwrap_or_default();
        host.page_view(path, &title);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signs(ua: &str) -> Signs<'_> {
        Signs {
            user_agent: ua,
            ..Signs::default()
        }
    }

    #[test]
    fn bridges_decide_the_platform_before_the_user_agent() {
        let wx_ua = "Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.50";
        let both = Signs {
            zlb: true,
            wx: true,
            ..signs(wx_ua)
        };
        assert_eq!(detect(&both), Platform::Zlb);
        assert_eq!(
            detect(&Signs {
                wx: true,
                ..signs(wx_ua)
            }),
            Platform::WeChat
        );
        assert_eq!(
            detect(&signs(wx_ua)),
            Platform::Browser,
            "WeChat's UA without the JSSDK: plain web"
        );
        let my = Signs {
            my: true,
            ..signs("… AlipayClient/10.5")
        };
        assert_eq!(detect(&my), Platform::Alipay);
        assert_eq!(
            detect(&Signs {
                my: true,
                ..signs("Chrome")
            }),
            Platform::Browser
        );
    }

    #[test]
    fn a_frame_is_a_host_only_with_allowed_origins() {
        let frame = |framed, host_origins| {
            detect(&Signs {
                framed,
                host_origins,
                ..signs("Chrome")
            })
        };
        assert_eq!(frame(true, true), Platform::Frame);
        assert_eq!(frame(true, false), Platform::Browser);
        assert_eq!(frame(false, true), Platform::Browser);
    }
}

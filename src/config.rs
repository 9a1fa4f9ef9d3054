//! Runtime configuration: `config.json` next to `index.html`, read once before the app mounts,
//! so one release build serves every deployment (API origin, embedding hosts, services shown,
//! feature switches) without rebuilding. A missing or broken file falls back to the defaults of
//! the reference server: API at `/api` on the same origin, no embedding hosts, every service.
//!
//! Paths: `index.html` carries `<base href="/">` and Trunk emits relative asset URLs, so serving
//! the build under a sub-path only means rewriting that one tag (see `docs/embedding.md`); the
//! router's base and `config.json`'s URL both follow the document's base URL.

use std::sync::OnceLock;

use serde::Deserialize;

/// Feature switches; all on unless `config.json` turns them off.
// Independent on/off switches, one per key of `config.json`'s `features`: not a state machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Features {
    /// Sign in through the server's development ticket issuer when no host gives a ticket.
    /// Production configurations turn it off.
    pub dev_sign_in: bool,
    /// Show the elder-mode (长辈版) switch in the top bar (a host that owns the setting may hide it).
    pub elder_switch: bool,
    /// Show the language switch in the top bar.
    pub language_switch: bool,
    /// Sign in through the server's OIDC provider (`/api/session/oidc/start`) when no host gives
    /// a ticket: a plain browser (H5) deployment. Off unless `config.json` turns it on.
    pub oidc_sign_in: bool,
}

impl Default for Features {
    fn default() -> Self {
        Self {
            dev_sign_in: true,
            elder_switch: true,
            language_switch: true,
            oidc_sign_in: false,
        }
    }
}

/// The deployment's settings, as written in `config.json`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Config {
    /// Where the API lives: a path on this origin (`/api`), relative to the page's base
    /// (`api`), or an absolute URL on another origin (`https://api.example.gov.cn/api`).
    pub api_base: String,
    /// Origins allowed to drive the app through the postMessage protocol when it runs in an
    /// iframe, compared exactly (`https://host.example.gov.cn`, no path, no wildcard).
    pub host_origins: Vec<String>,
    /// Language for a person who has not chosen one (`zh-CN` or `en`).
    pub default_locale: Option<String>,
    /// Service ids offered in the catalogue; empty offers every service the API has.
    pub services: Vec<String>,
    /// Feature switches.
    pub features: Features,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_base: "/api".into(),
            host_origins: Vec::new(),
            default_locale: None,
            services: Vec::new(),
            features: Features::default(),
        }
    }
}

impl Config {
    /// Parses `config.json`; unknown keys are ignored so that older builds accept newer files.
    ///
    /// # Errors
    /// When the text is not a JSON object of this shape.
    pub fn parse(text: &str) -> Result<Self, crate::json::JsonError> {
        let mut config: Self = crate::json::from_str(text)?;
        // An origin is scheme://host[:port] exactly; anything else (a path, `*`, `null`) could
        // never match an event's origin safely, so it is dropped rather than loosened.
        config.host_origins.retain(|o| is_origin(o));
        Ok(config)
    }

    /// Whether the catalogue offers service `id`.
    pub fn offers(&self, id: &str) -> bool {
        self.services.is_empty() || self.services.iter().any(|s| s == id)
    }
}

/// `scheme://host[:port]` with nothing after it, as `MessageEvent.origin` spells an origin.
pub fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '*', '@', ' '])
}

static CONFIG: OnceLock<Config> = OnceLock::new();

/// The configuration (the defaults until [`load`] has run).
pub fn get() -> &'static Config {
    CONFIG.get_or_init(Config::default)
}

/// Sets the configuration once; later calls are ignored (tests set it before anything reads it).
pub fn set(config: Config) {
    let _ = CONFIG.set(config);
}

/// The document's base URL (`<base href>`), or the page's own URL without one.
pub fn base_url() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default()
}

/// The router's base path: the path of the document's base URL without its trailing slash
/// (`""` at the root, `"/onething"` under a sub-path).
pub fn base_path() -> String {
    let base = base_url();
    let path = web_sys::Url::new(&base)
        .map(|u| u.pathname())
        .unwrap_or_default();
    path.trim_end_matches('/').to_owned()
}

/// The API's base URL with no trailing slash, resolved against the document's base URL.
pub fn api_base() -> String {
    let configured = &get().api_base;
    web_sys::Url::new_with_base(configured, &base_url())
        .map_or_else(|_| configured.clone(), |u| u.href())
        .trim_end_matches('/')
        .to_owned()
}

/// Reads `config.json` beside `index.html` (bounded: a host that never answers does not keep
/// the app from starting) and keeps it for [`get`].
pub async fn load() {
    let config = match fetch_text().await {
        Some(text) => Config::parse(&text).unwrap_or_else(|e| {
            web_sys::console::warn_1(&format!("config.json ignored: {e}").into());
            Config::default()
        }),
        None => Config::default(),
    };
    set(config);
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/config.js")]
extern "C" {
    /// The text of `config.json` (or `null`), requested when the module was evaluated; never
    /// taken from the HTTP cache unchecked, since deployments change it without a rebuild.
    #[wasm_bindgen(js_name = configText)]
    fn config_text() -> js_sys::Promise;
}

/// The text of `config.json` (fetched once per page), for a key only the whole app reads
/// (`crate::host`'s sign-in entry): [`Config`] is what both modules carry.
pub async fn text() -> Option<String> {
    fetch_text().await
}

async fn fetch_text() -> Option<String> {
    let text = crate::wait::within(config_text(), 5_000).await.ok()?;
    text.as_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_gives_the_reference_defaults() {
        let c = Config::parse("{}").expect("parses");
        assert_eq!(c, Config::default());
        assert!(c.features.dev_sign_in);
        assert!(c.offers("newborn"));
    }

    #[test]
    fn host_origins_that_are_not_exact_origins_are_dropped() {
        let c = Config::parse(
            r#"{"host_origins":["https://a.gov.cn","*","https://b.gov.cn/path","null","http://127.0.0.1:8080","https://*.gov.cn"]}"#,
        )
        .expect("parses");
        assert_eq!(
            c.host_origins,
            ["https://a.gov.cn", "http://127.0.0.1:8080"]
        );
    }

    #[test]
    fn a_service_list_limits_the_catalogue() {
        let c =
            Config::parse(r#"{"services":["newborn"],"features":{"dev_sign_in":false},"extra":1}"#)
                .expect("parses");
        assert!(c.offers("newborn"));
        assert!(!c.offers("shop-opening"));
        assert!(!c.features.dev_sign_in);
        assert!(
            c.features.elder_switch,
            "a switch not named keeps its default"
        );
    }
}

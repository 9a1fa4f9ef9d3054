//! The postMessage protocol between OneThing in an iframe and its host page (`docs/embedding.md`):
//! every message is a JSON object `{"protocol":"onething","version":1,"type":…}`. This module is
//! pure: it decides which messages are accepted, so the rule is tested natively.

use serde::Deserialize;

/// The protocol's name, in every message both ways.
pub const PROTOCOL: &str = "onething";
/// The protocol version this build speaks.
pub const VERSION: u32 = 1;
/// Larger messages are ignored unread: nothing the host sends needs more.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// A message from the host page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostMessage {
    /// A one-time login ticket for `POST /api/session`.
    Ticket {
        /// The ticket.
        ticket: String,
    },
    /// The language to show (`zh-CN` or `en`).
    Locale {
        /// The BCP 47 tag.
        locale: String,
    },
    /// Elder mode (长辈版) on or off.
    Elder {
        /// On.
        on: bool,
    },
    /// The colour scheme.
    Theme {
        /// `light` or `dark`.
        theme: Theme,
    },
}

/// A colour scheme the host may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// The default.
    Light,
    /// Light text on dark surfaces.
    Dark,
}

impl Theme {
    /// The value of `<html data-theme>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Every key any host message may have. One flat shape rather than a tagged enum keeps serde's
/// buffering machinery out of the wasm; which keys each type allows is checked in [`accept`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    protocol: String,
    version: u32,
    #[serde(rename = "type")]
    kind: String,
    ticket: Option<String>,
    locale: Option<String>,
    on: Option<bool>,
    theme: Option<String>,
}

/// The message, if `origin` is exactly one of `allowed` and `json` is a well-formed message of
/// this protocol version. Everything else is `None` and must change nothing.
pub fn accept(origin: &str, allowed: &[String], json: &str) -> Option<HostMessage> {
    if json.len() > MAX_MESSAGE_CHARS || !allowed.iter().any(|a| a == origin) {
        return None;
    }
    let raw: Raw = crate::json::from_str(json).ok()?;
    if raw.protocol != PROTOCOL || raw.version != VERSION {
        return None;
    }
    // Exactly the key of its type, no other.
    let keys = [
        raw.ticket.is_some(),
        raw.locale.is_some(),
        raw.on.is_some(),
        raw.theme.is_some(),
    ];
    if keys.iter().filter(|k| **k).count() != 1 {
        return None;
    }
    match (raw.kind.as_str(), raw.ticket, raw.locale, raw.on, raw.theme) {
        ("ticket", Some(ticket), ..)
            if !ticket.is_empty()
                && ticket.len() <= 512
                && ticket.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Some(HostMessage::Ticket { ticket })
        }
        // Exactly the tags this build speaks; `Locale::from_tag` is lenient (`EN`, `zh`), the
        // protocol is not.
        ("locale", _, Some(locale), ..) if matches!(locale.as_str(), "zh-CN" | "en") => {
            Some(HostMessage::Locale { locale })
        }
        ("elder", _, _, Some(on), _) => Some(HostMessage::Elder { on }),
        ("theme", .., Some(theme)) => match theme.as_str() {
            "light" => Some(HostMessage::Theme {
                theme: Theme::Light,
            }),
            "dark" => Some(HostMessage::Theme { theme: Theme::Dark }),
            _ => None,
        },
        _ => None,
    }
}

/// A message to the host page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppMessage {
    /// The app has started and listens; the host answers with a ticket and its settings.
    Ready {
        /// The language shown now.
        locale: String,
        /// Elder mode now.
        elder: bool,
    },
    /// Signed in with the host's ticket.
    SignedIn,
    /// The ticket could not be exchanged (expired, used, unknown).
    TicketRejected,
    /// The session ended while the person was in the app: the host is asked for a new ticket.
    SessionExpired,
    /// The page title changed.
    Title {
        /// The new `document.title`.
        title: String,
    },
    /// The content's height changed, in CSS pixels, so the host can size the iframe.
    Height {
        /// Height.
        height: u32,
    },
    /// The person moved to another page of the app.
    Step {
        /// The path inside the app (without the deployment's sub-path).
        path: String,
        /// The service, inside a wizard.
        service: Option<String>,
        /// The wizard step (`eligibility`, `page/baby`, `confirmation` …).
        step: Option<String>,
    },
    /// An application was submitted.
    Submitted {
        /// The service.
        service: String,
        /// The case number (办件编号) the person quotes.
        case_number: String,
        /// The application's id in the API.
        application_id: String,
    },
    /// The person asked to leave the app; the host should close the view.
    Closed,
}

/// `"text"`, escaped as JSON.
fn q(text: &str) -> String {
    crate::json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

impl AppMessage {
    /// The JSON text sent, with the envelope. Written by hand: a handful of fixed shapes.
    pub fn to_json(&self) -> String {
        let (kind, fields) = match self {
            AppMessage::Ready { locale, elder } => (
                "ready",
                format!(r#","locale":{},"elder":{elder}"#, q(locale)),
            ),
            AppMessage::SignedIn => ("signed_in", String::new()),
            AppMessage::TicketRejected => ("ticket_rejected", String::new()),
            AppMessage::SessionExpired => ("session_expired", String::new()),
            AppMessage::Title { title } => ("title", format!(r#","title":{}"#, q(title))),
            AppMessage::Height { height } => ("height", format!(r#","height":{height}"#)),
            AppMessage::Step {
                path,
                service,
                step,
            } => {
                let optional = |key: &str, v: &Option<String>| {
                    v.as_deref()
                        .map_or_else(String::new, |v| format!(r#","{key}":{}"#, q(v)))
                };
                let f = format!(
                    r#","path":{}{}{}"#,
                    q(path),
                    optional("service", service),
                    optional("step", step)
                );
                ("step", f)
            }
            AppMessage::Submitted {
                service,
                case_number,
                application_id,
            } => (
                "submitted",
                format!(
                    r#","service":{},"case_number":{},"application_id":{}"#,
                    q(service),
                    q(case_number),
                    q(application_id)
                ),
            ),
            AppMessage::Closed => ("closed", String::new()),
        };
        format!(r#"{{"protocol":"{PROTOCOL}","version":{VERSION},"type":"{kind}"{fields}}}"#)
    }

    /// The `step` message for an app path: the service and step are read from `/apply/{id}/…`
    /// (`id` is a draft's key: the service, or `service~suffix` for another draft of it).
    pub fn step(path: &str) -> Self {
        let mut parts = path.trim_matches('/').splitn(3, '/');
        let (service, step) = match (parts.next(), parts.next(), parts.next()) {
            (Some("apply"), Some(id), rest) => (
                Some(id.split('~').next().unwrap_or(id).to_owned()),
                rest.map(str::to_owned),
            ),
            _ => (None, None),
        };
        AppMessage::Step {
            path: path.to_owned(),
            service,
            step,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        vec!["https://host.gov.cn".into()]
    }

    #[test]
    fn well_formed_messages_from_the_allowed_origin_are_accepted() {
        let ok = |json: &str| accept("https://host.gov.cn", &allowed(), json);
        assert_eq!(
            ok(r#"{"protocol":"onething","version":1,"type":"ticket","ticket":"abc-123"}"#),
            Some(HostMessage::Ticket {
                ticket: "abc-123".into()
            })
        );
        assert_eq!(
            ok(r#"{"protocol":"onething","version":1,"type":"locale","locale":"en"}"#),
            Some(HostMessage::Locale {
                locale: "en".into()
            })
        );
        assert_eq!(
            ok(r#"{"type":"elder","on":true,"version":1,"protocol":"onething"}"#),
            Some(HostMessage::Elder { on: true })
        );
        assert_eq!(
            ok(r#"{"protocol":"onething","version":1,"type":"theme","theme":"dark"}"#),
            Some(HostMessage::Theme { theme: Theme::Dark })
        );
    }

    #[test]
    fn another_origin_never_gets_through() {
        let msg = r#"{"protocol":"onething","version":1,"type":"elder","on":true}"#;
        for origin in [
            "https://evil.example",
            "https://host.gov.cn.evil.example",
            "http://host.gov.cn",
            "https://host.gov.cn:443",
            "https://HOST.gov.cn",
            "null",
            "",
            "*",
        ] {
            assert_eq!(accept(origin, &allowed(), msg), None, "{origin}");
        }
        assert_eq!(
            accept("https://host.gov.cn", &[], msg),
            None,
            "no allow-list: nothing"
        );
    }

    #[test]
    fn malformed_messages_are_ignored() {
        for json in [
            "",
            "null",
            "42",
            r#""elder""#,
            "[]",
            r#"{"type":"elder","on":true}"#,
            r#"{"protocol":"onething","version":2,"type":"elder","on":true}"#,
            r#"{"protocol":"other","version":1,"type":"elder","on":true}"#,
            r#"{"protocol":"onething","version":1,"type":"elder","on":"yes"}"#,
            r#"{"protocol":"onething","version":1,"type":"elder","on":true,"more":1}"#,
            r#"{"protocol":"onething","version":1,"type":"locale","locale":"fr"}"#,
            r#"{"protocol":"onething","version":1,"type":"locale","locale":"EN"}"#,
            r#"{"protocol":"onething","version":1,"type":"locale","locale":"zh"}"#,
            r#"{"protocol":"onething","version":1,"type":"theme","theme":"pink"}"#,
            r#"{"protocol":"onething","version":1,"type":"ticket","ticket":""}"#,
            r#"{"protocol":"onething","version":1,"type":"ticket","ticket":"a b"}"#,
            r#"{"protocol":"onething","version":1,"type":"ready","locale":"en","elder":false}"#,
            r#"{"protocol":"onething","version":1,"type":"submitted"}"#,
            r#"{"protocol":"onething","version":1,"type":"elder","on":true,"locale":"en"}"#,
            r#"{"protocol":"onething","version":1,"type":"locale","on":true}"#,
            r#"{"protocol":"onething","version":1.5,"type":"elder","on":true}"#,
        ] {
            assert_eq!(
                accept("https://host.gov.cn", &allowed(), json),
                None,
                "{json}"
            );
        }
        let huge = format!(
            r#"{{"protocol":"onething","version":1,"type":"ticket","ticket":"{}"}}"#,
            "a".repeat(MAX_MESSAGE_CHARS)
        );
        assert_eq!(accept("https://host.gov.cn", &allowed(), &huge), None);
    }

    #[test]
    fn outgoing_messages_carry_the_envelope() {
        let json = AppMessage::Submitted {
            service: "newborn".into(),
            case_number: "330500-1".into(),
            application_id: "a1".into(),
        }
        .to_json();
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(v["protocol"], "onething");
        assert_eq!(v["version"], 1);
        assert_eq!(v["type"], "submitted");
        assert_eq!(v["case_number"], "330500-1");
        assert_eq!(
            AppMessage::step("/apply/newborn/page/baby"),
            AppMessage::Step {
                path: "/apply/newborn/page/baby".into(),
                service: Some("newborn".into()),
                step: Some("page/baby".into()),
            }
        );
        // Another draft of the same service: the host is told the service, not the draft's key.
        assert_eq!(
            AppMessage::step("/apply/newborn~3f9a01c2/eligibility"),
            AppMessage::Step {
                path: "/apply/newborn~3f9a01c2/eligibility".into(),
                service: Some("newborn".into()),
                step: Some("eligibility".into()),
            }
        );
        assert_eq!(
            AppMessage::SessionExpired.to_json(),
            r#"{"protocol":"onething","version":1,"type":"session_expired"}"#
        );
        let home: serde_json::Value =
            serde_json::from_str(&AppMessage::step("/").to_json()).expect("json");
        assert!(home.get("service").is_none());
        for m in [
            AppMessage::Ready {
                locale: "zh-CN".into(),
                elder: true,
            },
            AppMessage::SignedIn,
            AppMessage::TicketRejected,
            AppMessage::Title {
                title: "宝宝 \"出生\" — 一件事\n".into(),
            },
            AppMessage::Height { height: 812 },
            AppMessage::Closed,
        ] {
            let v: serde_json::Value = serde_json::from_str(&m.to_json()).expect("valid JSON");
            assert_eq!(v["protocol"], "onething");
            assert_eq!(v["version"], 1);
        }
        let title: serde_json::Value = serde_json::from_str(
            &AppMessage::Title {
                title: "a\"b".into(),
            }
            .to_json(),
        )
        .expect("json");
        assert_eq!(title["title"], "a\"b");
    }
}

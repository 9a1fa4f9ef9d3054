//! The postMessage protocol between OneThing in an iframe and its host page (`docs/embedding.md`):
//! every message is a JSON object `{"protocol":"onething","version":1,"type":…}`. This module is
//! pure: it decides which messages are accepted, so the rule is tested natively.

use serde::{Deserialize, Serialize};

/// The protocol's name, in every message both ways.
pub const PROTOCOL: &str = "onething";
/// The protocol version this build speaks.
pub const VERSION: u32 = 1;
/// Larger messages are ignored unread: nothing the host sends needs more.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// A message from the host page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
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

#[derive(Deserialize)]
struct Envelope<'a> {
    protocol: &'a str,
    version: u32,
}

/// The message, if `origin` is exactly one of `allowed` and `json` is a well-formed message of
/// this protocol version. Everything else is `None` and must change nothing.
pub fn accept(origin: &str, allowed: &[String], json: &str) -> Option<HostMessage> {
    if json.len() > MAX_MESSAGE_CHARS || !allowed.iter().any(|a| a == origin) {
        return None;
    }
    let envelope: Envelope = serde_json::from_str(json).ok()?;
    if envelope.protocol != PROTOCOL || envelope.version != VERSION {
        return None;
    }
    // Parse again without the envelope's keys, so unknown keys in the payload are refused.
    let mut value: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).ok()?;
    value.remove("protocol");
    value.remove("version");
    let message: HostMessage = serde_json::from_value(serde_json::Value::Object(value)).ok()?;
    let sane = match &message {
        HostMessage::Ticket { ticket } => {
            !ticket.is_empty()
                && ticket.len() <= 512
                && ticket.bytes().all(|b| b.is_ascii_graphic())
        }
        // Exactly the tags this build speaks; `Locale::from_tag` is lenient (`EN`, `zh`), the
        // protocol is not.
        HostMessage::Locale { locale } => matches!(locale.as_str(), "zh-CN" | "en"),
        HostMessage::Elder { .. } | HostMessage::Theme { .. } => true,
    };
    sane.then_some(message)
}

/// A message to the host page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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
        #[serde(skip_serializing_if = "Option::is_none")]
        service: Option<String>,
        /// The wizard step (`eligibility`, `page/baby`, `confirmation` …).
        #[serde(skip_serializing_if = "Option::is_none")]
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

impl AppMessage {
    /// The JSON text sent, with the envelope.
    pub fn to_json(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(map) = value.as_object_mut() {
            map.insert("protocol".into(), PROTOCOL.into());
            map.insert("version".into(), VERSION.into());
        }
        value.to_string()
    }

    /// The `step` message for an app path: the service and step are read from `/apply/{id}/…`.
    pub fn step(path: &str) -> Self {
        let mut parts = path.trim_matches('/').splitn(3, '/');
        let (service, step) = match (parts.next(), parts.next(), parts.next()) {
            (Some("apply"), Some(id), rest) => (Some(id.to_owned()), rest.map(str::to_owned)),
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
        let home: serde_json::Value =
            serde_json::from_str(&AppMessage::step("/").to_json()).expect("json");
        assert!(home.get("service").is_none());
    }
}

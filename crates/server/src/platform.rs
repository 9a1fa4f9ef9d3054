//! An app platform's ticket exchange: 浙里办, WeChat and Alipay open the page with a one-time
//! ticket (or code), and the server, not the browser, asks the platform whose it is. One generic
//! adapter, configured by flags: the URL, GET or POST, the credential header, and JSON pointers
//! to the identity in the answer (docs/embedding.md has each platform's configuration).

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use crate::Result;
use crate::config::{Config, ExchangeFields, ExchangeMethod};
use crate::identity::{self, Provider};

/// Who the platform says the ticket belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformIdentity {
    /// The platform's stable id of the person.
    pub subject: String,
    /// Full name, when the platform shares it.
    pub name: Option<String>,
    /// Mobile number, when shared.
    pub phone: Option<String>,
    /// Resident ID number, when shared.
    pub id_number: Option<String>,
}

/// One HTTP client for every exchange: its connection pool outlives a request.
pub(crate) fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        // Built without reqwest's own crypto provider (see the client crate); ring is the
        // process's default unless another was installed first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .user_agent(concat!("onething-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}

/// A text at `pointer` (numbers too: some platforms send ids as numbers).
fn text_at(answer: &Value, pointer: Option<&String>) -> Option<String> {
    match answer.pointer(pointer?)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads the identity out of a provider's answer (a platform's, or OIDC claims) with the
/// configured pointers. An answer without a subject is a refusal: platforms such as 浙里办
/// answer 200 with an error code inside.
///
/// # Errors
/// `401 ticket_invalid` when the answer names nobody.
pub fn identity_from(
    provider: Provider,
    f: &ExchangeFields,
    answer: &Value,
) -> Result<PlatformIdentity> {
    let subject = text_at(answer, Some(&f.subject))
        .ok_or_else(|| identity::refused(provider, "no subject in the answer"))?;
    Ok(PlatformIdentity {
        subject,
        name: text_at(answer, f.name.as_ref()),
        phone: text_at(answer, f.phone.as_ref()),
        id_number: text_at(answer, f.id_number.as_ref()),
    })
}

/// Asks the platform whose `ticket` this is. `None` when no exchange is configured.
///
/// # Errors
/// `401 ticket_invalid` when the platform refuses it (a 4xx, or an answer naming nobody);
/// `502 identity_provider_unavailable` on a timeout, a network failure, a 5xx or an answer
/// that is not JSON.
pub async fn exchange(config: &Config, ticket: &str) -> Result<Option<PlatformIdentity>> {
    let Some(url) = config.ticket_exchange_url.as_deref() else {
        return Ok(None);
    };
    let param = config.ticket_exchange_param.as_str();
    let mut request = match config.ticket_exchange_method {
        ExchangeMethod::Get => http().get(url).query(&[(param, ticket)]),
        ExchangeMethod::Post => http().post(url).json(&serde_json::json!({ param: ticket })),
    };
    if let Some((name, value)) = config
        .ticket_exchange_header
        .as_deref()
        .and_then(|h| h.split_once(':'))
    {
        request = request.header(name.trim(), value.trim());
    }
    let answer: Value = identity::ask(
        Provider::Platform,
        request,
        Duration::from_secs(config.ticket_exchange_timeout.max(1)),
    )
    .await?;
    identity_from(Provider::Platform, &config.ticket_exchange_fields, &answer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use onething_core::api::ErrorCode;

    fn config(fields: &str) -> Config {
        Config::parse_from(["onething-server", "--ticket-exchange-fields", fields])
    }

    #[test]
    fn pointers_read_nested_answers_and_numeric_ids() {
        let c = config(r#"{"subject":"/data/userId","name":"/data/userName"}"#);
        let who = identity_from(
            Provider::Platform,
            &c.ticket_exchange_fields,
            &serde_json::json!({"data": {"userId": 42, "userName": " 王小红 "}}),
        )
        .expect("identity");
        assert_eq!(who.subject, "42");
        assert_eq!(who.name.as_deref(), Some("王小红"));
        assert_eq!(who.phone, None);
    }

    #[test]
    fn an_answer_without_a_subject_is_a_refusal() {
        let c = config(r#"{"subject":"/data/userId"}"#);
        let e = identity_from(
            Provider::Platform,
            &c.ticket_exchange_fields,
            &serde_json::json!({"result": 1001, "errorMsg": "ticket expired"}),
        )
        .expect_err("refused");
        assert_eq!(e.code(), ErrorCode::TicketInvalid);
    }

    #[test]
    fn field_maps_must_be_pointers() {
        assert!(
            Config::try_parse_from([
                "onething-server",
                "--ticket-exchange-fields",
                r#"{"subject":"userId"}"#
            ])
            .is_err()
        );
    }
}

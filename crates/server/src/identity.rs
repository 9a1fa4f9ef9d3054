//! Identities: the answers every identity provider's sign-in gives when it fails (the platform
//! ticket exchange and OIDC share them), and the fake identities of the development ticket
//! issuer: a name, a mobile number and an 18-digit resident ID number that pass the format and
//! checksum rules (GB 11643-1999) but belong to nobody, used only when `--dev-tickets` is on.

use axum::http::StatusCode;
use onething_core::api::{Account, ErrorCode};

use crate::ApiError;
use crate::clock::random_bytes;

/// Who vouches for a person at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// An app platform's ticket exchange (浙里办, WeChat, Alipay).
    Platform,
    /// An `OpenID` Connect provider.
    Oidc,
}

impl Provider {
    fn name(self) -> &'static str {
        match self {
            Provider::Platform => "platform ticket exchange",
            Provider::Oidc => "OIDC provider",
        }
    }
}

/// `401 ticket_invalid`: the provider refused the person's ticket or sign-in (unknown, used,
/// expired, not started here); `why` goes to the log only.
pub fn refused(provider: Provider, why: &str) -> ApiError {
    tracing::info!(provider = provider.name(), why, "sign-in refused");
    let message = match provider {
        Provider::Platform => "ticket unknown, used or expired",
        Provider::Oidc => "the sign-in was refused, expired or not started here",
    };
    ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::TicketInvalid, message)
}

/// `401 ticket_invalid`: the OIDC provider's ID token failed a check (signature against the
/// provider's published keys, issuer, audience, expiry, nonce); `why` goes to the log only.
pub fn id_token_refused(why: &str) -> ApiError {
    tracing::warn!(why, "OIDC ID token refused");
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::TicketInvalid,
        "the identity provider's ID token failed its checks (signature, issuer, audience, expiry or nonce)",
    )
}

/// `502 identity_provider_unavailable`: no usable answer from the provider; the ticket or
/// sign-in may still be good, so trying again can help. `why` goes to the log only.
pub fn unavailable(provider: Provider, why: &str) -> ApiError {
    tracing::warn!(provider = provider.name(), why, "identity provider failed");
    let message = match provider {
        Provider::Platform => "the platform's ticket exchange did not answer usably",
        Provider::Oidc => "the OIDC provider did not answer usably",
    };
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        ErrorCode::IdentityProviderUnavailable,
        message,
    )
}

/// Asks an identity provider, server to server, within `timeout`: its JSON answer, a 4xx as its
/// refusal ([`refused`]), and anything else that is not a 2xx JSON answer (no connection, the
/// time up, a 5xx, not JSON) as it being unavailable ([`unavailable`]).
///
/// # Errors
/// `ticket_invalid` or `identity_provider_unavailable`, as above.
pub async fn ask<T: serde::de::DeserializeOwned>(
    provider: Provider,
    request: reqwest::RequestBuilder,
    timeout: std::time::Duration,
) -> Result<T, ApiError> {
    let response = request
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| unavailable(provider, &e.to_string()))?;
    let status = response.status();
    if status.is_client_error() {
        return Err(refused(provider, status.as_str()));
    }
    if !status.is_success() {
        return Err(unavailable(provider, status.as_str()));
    }
    response
        .json()
        .await
        .map_err(|e| unavailable(provider, &e.to_string()))
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "沈", "钱",
];
const GIVEN: &[&str] = &[
    "小红", "晓明", "丽华", "建国", "思远", "雨桐", "欣怡", "子涵", "海燕", "志强", "婷", "磊",
];
/// Huzhou's districts and counties (the reform's reported home), then Hangzhou's Shangcheng.
const REGIONS: &[&str] = &["330502", "330503", "330521", "330522", "330523", "330102"];
const PHONE_PREFIXES: &[&str] = &["138", "139", "158", "159", "187", "188", "186", "135"];

fn below(n: usize) -> usize {
    let r = u64::from_le_bytes(random_bytes::<8>());
    // n is tiny, so the modulo bias is negligible for test data.
    usize::try_from(r % (n as u64)).unwrap_or(0)
}

fn pick<'a>(list: &[&'a str]) -> &'a str {
    list[below(list.len())]
}

/// The GB 11643 check character of the first 17 digits.
pub fn id_check_char(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(char::from(CHECK[(sum % 11) as usize]))
}

/// A fake resident ID number: region, a birth date between 1980 and 1999, sequence, check.
pub fn fake_id_number() -> String {
    let year = 1980 + below(20);
    let month = 1 + below(12);
    let day = 1 + below(28);
    let seq = below(1000);
    let first17 = format!("{}{year:04}{month:02}{day:02}{seq:03}", pick(REGIONS));
    let check = id_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// A fake 11-digit mobile number.
pub fn fake_phone() -> String {
    format!("{}{:08}", pick(PHONE_PREFIXES), below(100_000_000))
}

/// A fake Chinese full name.
pub fn fake_name() -> String {
    format!("{}{}", pick(SURNAMES), pick(GIVEN))
}

/// A whole fake account holder (the id is filled in by the store).
pub fn fake_account() -> Account {
    Account {
        id: String::new(),
        name: fake_name(),
        phone: fake_phone(),
        id_number: fake_id_number(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_id_numbers_carry_a_valid_check_character() {
        for _ in 0..50 {
            let id = fake_id_number();
            assert_eq!(id.len(), 18);
            assert_eq!(id_check_char(&id[..17]), id.chars().last());
        }
        // The standard's own example.
        assert_eq!(id_check_char("11010519491231002"), Some('X'));
    }

    #[test]
    fn fake_phones_have_eleven_digits() {
        let p = fake_phone();
        assert_eq!(p.len(), 11);
        assert!(p.bytes().all(|b| b.is_ascii_digit()));
    }
}

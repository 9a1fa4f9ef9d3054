//! Random identifiers from the platform's CSPRNG (`crypto.getRandomValues`). Below every other
//! module of the SPA: the API client, the wizard and the development sign-in all draw from it.

/// 128 random bits from the platform's CSPRNG, as hex.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    if let Some(c) = crypto {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    bytes.iter().fold(String::with_capacity(32), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

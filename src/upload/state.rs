//! The upload state machine as plain data: what each photo is doing, how long to wait before a
//! retry, what an answer of the tus server means. No web APIs here, so it is tested natively.

/// The smallest and the default PATCH size: 1 MiB keeps a request short on a 3 Mbps uplink
/// (≈ 3 s) while the per-request cost (one round trip) stays under 4 % of it.
pub const CHUNK: f64 = 1_048_576.0;
/// Retries in a row (while online) before the photo shows as failed with a retry button.
pub const MAX_ATTEMPTS: u32 = 6;
const BACKOFF_BASE_MS: f64 = 1_000.0;
const BACKOFF_CAP_MS: f64 = 30_000.0;

/// What one photo is doing, as the person sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Being compressed and fingerprinted on the device.
    Preparing,
    /// In the queue, or waiting before a retry.
    Waiting,
    /// Bytes are moving.
    Sending {
        /// Bytes the server has (or that left the device in this request).
        sent: f64,
        /// The whole upload.
        total: f64,
    },
    /// Paused by the person.
    Paused,
    /// The browser reports no network; continues by itself when it returns.
    Offline,
    /// Stopped; the reason says whether retrying can help.
    Failed(Failure),
    /// On the server; the upload id is in the application.
    Done,
}

/// Why a photo could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Larger than the server accepts (413): retrying cannot help.
    TooLarge,
    /// Not an accepted type, or not a readable image (415, 422).
    Rejected,
    /// The server kept failing (5xx) or the network kept dropping.
    Unreachable,
    /// The session ended (401): sign in again.
    SignedOut,
    /// The photo could not be read or compressed on the device.
    Unreadable,
}

impl Status {
    /// Percent done, when it is known.
    pub fn percent(&self) -> Option<u8> {
        match self {
            Status::Sending { sent, total } if *total > 0.0 => Some(percent(*sent, *total)),
            Status::Done => Some(100),
            _ => None,
        }
    }
}

/// `sent / total` as a whole percent, never 100 before the last byte.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn percent(sent: f64, total: f64) -> u8 {
    if total <= 0.0 || sent >= total {
        return 100;
    }
    ((sent / total) * 100.0).floor().clamp(0.0, 99.0) as u8
}

/// What to do after the server (or the network) answered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// Carry on.
    Ok,
    /// Wait (`Some(ms)`: as long as the server asked with `Retry-After`) and try again.
    Retry(Option<f64>),
    /// The upload is gone on the server (404, 410): create it again from the first byte.
    Recreate,
    /// The offset we sent is not the server's (409, tus 1.0 §PATCH): ask it with HEAD.
    Resync,
    /// Stop: retrying cannot help.
    Stop(Failure),
}

/// Classifies an HTTP status (0: no answer at all) of a tus request.
pub fn classify(status: u16, retry_after: Option<&str>) -> Next {
    match status {
        200..=299 => Next::Ok,
        0 | 408 | 425 | 429 | 500..=599 => Next::Retry(retry_after.and_then(retry_after_ms)),
        401 | 403 => Next::Stop(Failure::SignedOut),
        404 | 410 => Next::Recreate,
        409 => Next::Resync,
        413 => Next::Stop(Failure::TooLarge),
        _ => Next::Stop(Failure::Rejected),
    }
}

/// `Retry-After` as delta-seconds (RFC 9110 §10.2.3), capped at five minutes; an HTTP-date is
/// not trusted (the phone's clock may be wrong) and falls back to the normal backoff.
pub fn retry_after_ms(value: &str) -> Option<f64> {
    let secs: u32 = value.trim().parse().ok()?;
    Some(f64::from(secs.min(300)) * 1000.0)
}

/// The wait before retry number `attempt` (1-based): "full jitter" (a uniformly random time
/// between 0 and the exponential ceiling), so phones that lost the network together do not all
/// come back in the same second. `random` is in `[0, 1)`.
pub fn backoff_ms(attempt: u32, random: f64) -> f64 {
    let ceiling =
        (BACKOFF_BASE_MS * 2f64.powi(attempt.min(16).cast_signed() - 1)).min(BACKOFF_CAP_MS);
    (random.clamp(0.0, 1.0) * ceiling).max(100.0)
}

/// The end of the next PATCH body.
pub fn chunk_end(offset: f64, size: f64) -> f64 {
    (offset + CHUNK).min(size)
}

/// Whether a file is small enough to go in the creation request itself (tus
/// creation-with-upload): one round trip instead of two.
pub fn fits_in_creation(size: f64) -> bool {
    size <= CHUNK
}

/// The upload id at the end of a tus `Location` (absolute or relative).
pub fn upload_id(location: &str) -> Option<&str> {
    location
        .split(['?', '#'])
        .next()?
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty())
}

/// Standard base64 (RFC 4648 §4) for tus `Upload-Metadata` values.
pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_never_claims_done_before_the_last_byte() {
        assert_eq!(percent(0.0, 10.0), 0);
        assert_eq!(percent(9.99, 10.0), 99);
        assert_eq!(percent(10.0, 10.0), 100);
        assert_eq!(percent(0.0, 0.0), 100);
        assert_eq!(Status::Paused.percent(), None);
    }

    #[test]
    fn server_answers_map_to_what_the_client_does() {
        assert_eq!(classify(204, None), Next::Ok);
        assert_eq!(classify(0, None), Next::Retry(None));
        assert_eq!(classify(503, Some("7")), Next::Retry(Some(7000.0)));
        assert_eq!(
            classify(429, Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            Next::Retry(None)
        );
        assert_eq!(classify(404, None), Next::Recreate);
        assert_eq!(classify(410, None), Next::Recreate);
        assert_eq!(classify(409, None), Next::Resync);
        assert_eq!(classify(413, None), Next::Stop(Failure::TooLarge));
        assert_eq!(classify(415, None), Next::Stop(Failure::Rejected));
        assert_eq!(classify(401, None), Next::Stop(Failure::SignedOut));
    }

    #[test]
    fn retry_after_is_capped_and_dates_are_ignored() {
        assert_eq!(retry_after_ms("3"), Some(3000.0));
        assert_eq!(retry_after_ms("86400"), Some(300_000.0));
        assert_eq!(retry_after_ms("-1"), None);
        assert_eq!(retry_after_ms("soon"), None);
    }

    #[test]
    fn backoff_grows_exponentially_with_full_jitter_and_a_cap() {
        assert!((backoff_ms(1, 0.999) - 999.0).abs() < 1.0);
        assert!((backoff_ms(3, 0.5) - 2000.0).abs() < 1e-9);
        assert!((backoff_ms(30, 0.999_999) - 30_000.0).abs() < 1.0);
        // Never a busy loop, even when the dice say 0.
        assert!((backoff_ms(2, 0.0) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn small_files_go_in_the_creation_request_and_big_ones_in_mib_chunks() {
        assert!(fits_in_creation(500_000.0));
        assert!(!fits_in_creation(20.0 * CHUNK));
        assert!((chunk_end(0.0, 20.0 * CHUNK) - CHUNK).abs() < 1e-9);
        assert!((chunk_end(19.5 * CHUNK, 20.0 * CHUNK) - 20.0 * CHUNK).abs() < 1e-9);
    }

    #[test]
    fn upload_ids_come_from_absolute_or_relative_locations() {
        assert_eq!(upload_id("/api/uploads/abc123"), Some("abc123"));
        assert_eq!(upload_id("http://127.0.0.1:1/files/x9/"), Some("x9"));
        assert_eq!(upload_id("/files/x9?token=1"), Some("x9"));
        assert_eq!(upload_id(""), None);
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("image/jpeg", "aW1hZ2UvanBlZw=="),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}

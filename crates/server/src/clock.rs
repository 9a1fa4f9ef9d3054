//! Time and randomness: a clock tests can move forward (expiry without sleeping), RFC 3339
//! formatting, and secrets from the operating system's CSPRNG, stored only as hashes.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Wall-clock seconds since the Unix epoch, plus an offset that tests may advance.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        real + self.offset.load(Ordering::Relaxed)
    }

    /// Sets this clock (and every clone of it) to read `unix` now and run on from there: the
    /// development clock (`--dev-clock`), and tests that check the rules on a given day.
    pub fn set(&self, unix: i64) {
        let real = self.now() - self.offset.load(Ordering::Relaxed);
        self.offset.store(unix - real, Ordering::Relaxed);
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.offset.fetch_add(secs, Ordering::Relaxed);
    }

    /// Today in China (UTC+8, no daylight saving) as days since 1970-01-01: what "today"
    /// means for the rules.
    pub fn today_in_china(&self) -> i64 {
        (self.now() + 8 * 3600).div_euclid(86_400)
    }
}

/// Unix seconds as an RFC 3339 UTC timestamp, e.g. `2026-11-28T01:02:03Z`.
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let date = onething_core::Date::from_days(days);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        date.year,
        date.month,
        date.day,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// An instant given as `YYYY-MM-DD` (10:00 that day in China, UTC+8) or as
/// `YYYY-MM-DDTHH:MM:SSZ` (UTC), in Unix seconds.
pub fn parse_instant(s: &str) -> Option<i64> {
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z')?)),
        None => (s, None),
    };
    let days = onething_core::Date::parse(date)?.to_days();
    let secs = match time {
        None => 2 * 3600,
        Some(t) => {
            let mut parts = t.split(':').map(|p| {
                (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse::<i64>().ok())
                    .flatten()
            });
            let (h, m, sec) = (parts.next()??, parts.next()??, parts.next()??);
            if parts.next().is_some() || h > 23 || m > 59 || sec > 59 {
                return None;
            }
            h * 3600 + m * 60 + sec
        }
    };
    Some(days * 86_400 + secs)
}

/// Unix seconds as an HTTP date (RFC 9110 §5.6.7), for `Upload-Expires`.
pub fn http_date(unix: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_secs(u64::try_from(unix.max(0)).unwrap_or(0));
    httpdate::fmt_http_date(t)
}

/// `n` bytes from the operating system's CSPRNG.
///
/// # Panics
/// When the operating system has no randomness to give (the server cannot run safely then).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut buf).expect("the OS random number generator failed");
    buf
}

/// A secret token: 256 random bits, URL-safe base64 (43 characters).
pub fn secret_token() -> String {
    random_text::<32>()
}

/// An opaque public id: 128 random bits, URL-safe base64 (22 characters).
pub fn new_id() -> String {
    random_text::<16>()
}

/// `N` random bytes as URL-safe base64 that never begins with `-`: a token or an id given to a
/// command line (the admin CLI, an operator's tools) is then never taken for an option. One
/// draw in 64 is drawn again, a loss of under 0.03 bits.
fn random_text<const N: usize>() -> String {
    loop {
        let text = URL_SAFE_NO_PAD.encode(random_bytes::<N>());
        if !text.starts_with('-') {
            return text;
        }
    }
}

/// What the store keeps instead of a secret: its SHA-256, hex. A stolen database then holds no
/// usable session or ticket.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_tokens_never_look_like_a_command_line_option() {
        // Plain base64 would start 1 in 64 of them with `-`: about 60 of these 4,000.
        for _ in 0..2_000 {
            assert!(!new_id().starts_with('-'));
            assert!(!secret_token().starts_with('-'));
        }
        assert_eq!(new_id().len(), 22);
        assert_eq!(secret_token().len(), 43);
    }

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_827_723), "2026-11-28T01:02:03Z");
    }

    #[test]
    fn instants_parse_as_dates_in_china_or_utc_times() {
        // 10:00 in China is 02:00 UTC.
        assert_eq!(
            parse_instant("2028-02-29").map(rfc3339).as_deref(),
            Some("2028-02-29T02:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-12-31T23:59:59Z")
                .map(rfc3339)
                .as_deref(),
            Some("2026-12-31T23:59:59Z")
        );
        for bad in [
            "2027-02-29",
            "2026-12-31T24:00:00Z",
            "2026-12-31T10:00",
            "tomorrow",
            "",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_set_clock_reads_that_day_in_china_and_runs_on() {
        let c = Clock::default();
        let d = c.clone();
        c.set(parse_instant("2028-02-29").expect("instant"));
        assert_eq!(
            d.today_in_china(),
            onething_core::Date::parse("2028-02-29")
                .expect("date")
                .to_days()
        );
        let before = d.now();
        c.advance(Duration::from_hours(24));
        assert!(d.now() >= before + 86_400);
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = secret_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, secret_token());
        assert_eq!(new_id().len(), 22);
        assert_eq!(hash_secret("x").len(), 64);
    }

    #[test]
    fn advancing_the_clock_moves_every_clone() {
        let c = Clock::default();
        let d = c.clone();
        let before = d.now();
        c.advance(Duration::from_hours(1));
        assert!(d.now() >= before + 3600);
    }
}

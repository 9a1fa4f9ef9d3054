//! Parsing the tus 1.0 request headers, as pure functions of their text: what the upload
//! routes trust about a client's `Upload-Length`, `Upload-Offset`, `Upload-Metadata` and
//! `Upload-Checksum`. Kept apart from the handlers so the fuzz targets (`fuzz/`) and the
//! stable-toolchain fuzz run reach exactly the code the server runs.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

/// Base64 as clients write it: padding optional, and unused bits of the last character
/// ignored (RFC 4648 §3.5 allows decoders to); what matters is the bytes it spells.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// Longest `Upload-Metadata` we accept, in bytes: file name and type need far less, and a
/// header of megabytes would only be stored and echoed back.
pub const MAX_METADATA_LEN: usize = 4096;

/// An `Upload-Length` or `Upload-Offset` value (tus 1.0 §Headers: "a non-negative integer").
/// Only ASCII digits: no sign, no spaces inside, no exponent; at most 19 digits so it fits
/// in SQLite's signed 64-bit integers.
pub fn parse_u64(raw: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(raw).ok()?.trim_matches([' ', '\t']);
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `Upload-Metadata` (tus 1.0 §Upload-Metadata): comma-separated `key[ base64value]`
/// pairs, keys unique, non-empty, ASCII, without spaces or commas.
pub fn parse_metadata(raw: &str) -> Option<HashMap<String, Option<Vec<u8>>>> {
    let mut out = HashMap::new();
    if raw.len() > MAX_METADATA_LEN {
        return None;
    }
    if raw.trim().is_empty() {
        return Some(out);
    }
    for pair in raw.split(',') {
        let mut parts = pair.trim().split(' ');
        let key = parts
            .next()
            .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_graphic()))?;
        let value = match parts.next() {
            None | Some("") => None,
            Some(v) => Some(LENIENT.decode(v).ok()?),
        };
        if parts.next().is_some() || out.insert(key.to_owned(), value).is_some() {
            return None;
        }
    }
    Some(out)
}

/// Longest file name accepted in `Upload-Metadata`, in bytes (as most file systems).
pub const MAX_FILENAME_LEN: usize = 255;

/// Whether the `filename` of `Upload-Metadata` is a plain file name: UTF-8, at most
/// [`MAX_FILENAME_LEN`] bytes, no path separators, control characters, or `.`/`..`. The
/// server never stores a file under the client's name, but the name is shown to staff and
/// echoed to the client, so a path or an escape sequence in it is refused, not passed on.
pub fn filename_ok(raw: &[u8]) -> bool {
    let Ok(name) = std::str::from_utf8(raw) else {
        return false;
    };
    !name.is_empty()
        && name.len() <= MAX_FILENAME_LEN
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
}

/// A checksum algorithm of the tus checksum extension that we support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `sha1`
    Sha1,
    /// `sha256`
    Sha256,
}

/// Why an `Upload-Checksum` header is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumError {
    /// Not `<algorithm> <base64 digest>`.
    Malformed,
    /// An algorithm we do not support (tus 1.0 §Checksum: 400).
    Unsupported,
}

/// Parses `Upload-Checksum` (tus 1.0 §Checksum): `<algorithm> <base64 digest>`.
///
/// # Errors
/// [`ChecksumError`] when malformed or unsupported.
pub fn parse_checksum(raw: &[u8]) -> Result<(Algorithm, Vec<u8>), ChecksumError> {
    let raw = std::str::from_utf8(raw).map_err(|_| ChecksumError::Malformed)?;
    let (algo, digest) = raw.trim().split_once(' ').ok_or(ChecksumError::Malformed)?;
    let algo = match algo {
        "sha1" => Algorithm::Sha1,
        "sha256" => Algorithm::Sha256,
        _ => return Err(ChecksumError::Unsupported),
    };
    let digest = LENIENT
        .decode(digest.trim())
        .map_err(|_| ChecksumError::Malformed)?;
    // A digest of the wrong length is well-formed but can never match: the body is read and
    // answered 460 like any other mismatch (tus 1.0 §Checksum).
    Ok((algo, digest))
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    #[test]
    fn metadata_is_parsed_per_the_spec() {
        let m = parse_metadata("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential")
            .expect("valid");
        assert_eq!(
            m["filename"].as_deref(),
            Some(b"world_domination_plan.pdf".as_slice())
        );
        assert_eq!(m["is_confidential"], None);
        assert!(parse_metadata("").expect("empty is fine").is_empty());
        assert!(parse_metadata("a AAA=,a AAA=").is_none(), "duplicate key");
        assert!(parse_metadata("a not*base64").is_none());
        assert!(parse_metadata("a AAA= extra").is_none());
        assert!(parse_metadata(&"a".repeat(MAX_METADATA_LEN + 1)).is_none());
    }

    #[test]
    fn file_names_are_names_not_paths() {
        assert!(filename_ok("身份证 正面.jpg".as_bytes()));
        for bad in [
            &b""[..],
            b"..",
            b"../../etc/passwd",
            b"a\\b.jpg",
            b"a\0.jpg",
            b"\x1b[31m.jpg",
            b"\xff.jpg",
        ] {
            assert!(!filename_ok(bad), "{bad:?}");
        }
        assert!(!filename_ok("a".repeat(MAX_FILENAME_LEN + 1).as_bytes()));
    }

    #[test]
    fn lengths_and_offsets_are_plain_digits() {
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b" 42 "), Some(42));
        for bad in [
            &b""[..],
            b"-1",
            b"+1",
            b"1e3",
            b"0x10",
            b"1 2",
            b"99999999999999999999",
            b"\xff",
        ] {
            assert_eq!(parse_u64(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn checksums_are_an_algorithm_and_base64() {
        let sha1 = STANDARD.encode([0u8; 20]);
        assert_eq!(
            parse_checksum(format!("sha1 {sha1}").as_bytes()).map(|c| c.0),
            Ok(Algorithm::Sha1)
        );
        assert_eq!(parse_checksum(b"sha256 ***"), Err(ChecksumError::Malformed));
        assert_eq!(parse_checksum(b"md5 AAAA"), Err(ChecksumError::Unsupported));
        assert_eq!(parse_checksum(b"sha1"), Err(ChecksumError::Malformed));
    }
}

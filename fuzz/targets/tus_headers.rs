//! Fuzz target: parsing of the tus 1.0 request headers (`Upload-Length`/`Upload-Offset`,
//! `Upload-Metadata`, `Upload-Checksum`, the metadata file name). Each parser must refuse or
//! accept without panicking, and what it accepts must be what the spec allows.

use onething_server::tus;

/// Runs one input.
pub fn run(data: &[u8]) {
    if let Some(n) = tus::parse_u64(data) {
        let text = std::str::from_utf8(data).expect("accepted numbers are text");
        assert_eq!(text.trim_matches([' ', '\t']).parse::<u64>().ok(), Some(n));
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(map) = tus::parse_metadata(text)
    {
        assert!(text.len() <= tus::MAX_METADATA_LEN);
        for (key, value) in &map {
            assert!(!key.is_empty() && !key.contains([' ', ',']));
            if key == "filename"
                && let Some(name) = value
                && tus::filename_ok(name)
            {
                let name = std::str::from_utf8(name).expect("accepted names are UTF-8");
                assert!(!name.contains(['/', '\\']) && name != "..");
            }
        }
    }
    if tus::parse_checksum(data).is_ok() {
        let text = std::str::from_utf8(data).expect("accepted checksums are text");
        assert!(text.trim().starts_with("sha1 ") || text.trim().starts_with("sha256 "));
    }
}

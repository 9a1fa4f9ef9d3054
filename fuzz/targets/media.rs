//! Fuzz target: the hand-written readers of uploaded files in `media` (type sniffing, JPEG
//! segments and EXIF, PNG chunks, HEIC boxes, the PDF scan). Every input is refused or accepted
//! without panicking; what is accepted is of the type its bytes say, and cleaning is a fixed
//! point: a cleaned file is accepted again, unchanged; a file said to be kept as it came is the
//! input, byte for byte.

use onething_server::media::{self, MediaError};

/// The server's default pixel limit (`--max-image-pixels`).
const MAX_PIXELS: u64 = 50_000_000;

/// Runs one input.
pub fn run(data: &[u8]) {
    let sniffed = media::sniff(data);
    match media::process(data.to_vec(), MAX_PIXELS) {
        Ok((kind, cleaned, kept)) => {
            assert_eq!(Some(kind), sniffed, "accepted as the type its bytes say");
            // A file said to be kept is stored as it arrived: it must be the input itself.
            assert!(!kept || cleaned == data, "said kept, but changed");
            let (again, twice, _) = media::process(cleaned.clone(), MAX_PIXELS)
                .expect("a cleaned file is accepted again");
            assert_eq!(
                (again, twice),
                (kind, cleaned),
                "cleaning twice changes nothing more"
            );
        }
        // A PDF with active content is refused as not allowed, like a type we do not take.
        Err(MediaError::NotAllowed) => {
            assert!(sniffed.is_none_or(|k| k == media::Kind::Pdf));
        }
        Err(MediaError::TooManyPixels | MediaError::Corrupt) => {
            assert!(
                sniffed.is_some(),
                "only a known type is read far enough to be refused"
            );
        }
    }
}

//! What a completed upload really is, read from its bytes, and its metadata stripped.
//!
//! Accepted: JPEG, PNG, HEIC, PDF (the materials citizens photograph or download). The type is
//! sniffed from magic bytes, never taken from the client's metadata. Image dimensions come from
//! the headers (JPEG `SOFn`, PNG `IHDR`, HEIC `ispe`), so a decompression bomb is refused before
//! anything decodes it. Metadata is removed by rewriting the container, not by re-encoding:
//! JPEG APP1..APP15 and COM segments go (keeping an ICC profile, Adobe's colour transform, and
//! the EXIF orientation alone, so a phone photo stays upright), PNG text, time and `eXIf` chunks
//! go. HEIC and PDF are stored as received (rewriting ISOBMFF or PDF is out of scope; the SPA
//! re-encodes photos to JPEG in the browser before uploading).

/// A type we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `image/jpeg`
    Jpeg,
    /// `image/png`
    Png,
    /// `image/heic`
    Heic,
    /// `application/pdf`
    Pdf,
}

impl Kind {
    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Heic => "image/heic",
            Kind::Pdf => "application/pdf",
        }
    }

    /// The file extension of stored blobs.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Heic => "heic",
            Kind::Pdf => "pdf",
        }
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaError {
    /// Not one of the accepted types.
    NotAllowed,
    /// More pixels than allowed.
    TooManyPixels,
    /// The header or container structure is broken.
    Corrupt,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const HEIC_BRANDS: [&[u8; 4]; 6] = [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"];

/// The type the bytes say, if accepted.
pub fn sniff(b: &[u8]) -> Option<Kind> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if b.starts_with(PNG_SIGNATURE) {
        Some(Kind::Png)
    } else if b.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else if is_heic(b) {
        Some(Kind::Heic)
    } else {
        None
    }
}

/// ISO/IEC 23008-12: an `ftyp` box whose major brand, or (for the generic `mif1`/`msf1`) one of
/// whose compatible brands, is a HEVC image brand. AVIF shares `mif1` but not these brands.
fn is_heic(b: &[u8]) -> bool {
    if b.len() < 16 || &b[4..8] != b"ftyp" {
        return false;
    }
    let size = be32(&b[0..4]) as usize;
    if size < 16 || size > b.len() {
        return false;
    }
    let major = &b[8..12];
    if HEIC_BRANDS.iter().any(|x| x.as_slice() == major) {
        return true;
    }
    (major == b"mif1" || major == b"msf1")
        && b[16..size]
            .chunks_exact(4)
            .any(|c| HEIC_BRANDS.iter().any(|x| x.as_slice() == c))
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Checks and cleans a completed upload: its type, its pixel count, its metadata. Returns the
/// type, the cleaned file, and whether that is the file given, unchanged (nothing to remove).
///
/// # Errors
/// The [`MediaError`] that refuses it.
pub fn process(bytes: Vec<u8>, max_pixels: u64) -> Result<(Kind, Vec<u8>, bool), MediaError> {
    let kind = sniff(&bytes).ok_or(MediaError::NotAllowed)?;
    let check = |w: u32, h: u32| {
        if w == 0 || h == 0 {
            Err(MediaError::Corrupt)
        } else if u64::from(w) * u64::from(h) > max_pixels {
            Err(MediaError::TooManyPixels)
        } else {
            Ok(())
        }
    };
    let (cleaned, kept) = match kind {
        Kind::Jpeg => {
            let (out, (w, h)) = clean_jpeg(&bytes)?;
            check(w, h)?;
            match out {
                Some(out) => (out, false),
                None => (bytes, true),
            }
        }
        Kind::Png => {
            let (out, (w, h)) = clean_png(&bytes)?;
            check(w, h)?;
            (out, false)
        }
        Kind::Heic => {
            let (w, h) = heic_dimensions(&bytes).ok_or(MediaError::Corrupt)?;
            check(w, h)?;
            (bytes, true)
        }
        Kind::Pdf => {
            if pdf_has_active_content(&bytes) {
                return Err(MediaError::NotAllowed);
            }
            (bytes, true)
        }
    };
    Ok((kind, cleaned, kept))
}

/// `b` without the zero bytes some encoders pad files with.
fn trim_zero_padding(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|&x| x != 0).map_or(0, |p| p + 1);
    &b[..end]
}

/// Whether a PDF carries what a material never needs and an attacker does: scripts, launch
/// actions, embedded files (ISO 32000-1 §12.6.4.16, §12.6.4.5, §7.11.4), or HTML that a
/// browser could be tricked into rendering (a PDF/HTML polyglot). Names in compressed object
/// streams are not seen; this is a filter in front of the departments' own checks, not a
/// PDF parser.
fn pdf_has_active_content(b: &[u8]) -> bool {
    const NAMES: [&[u8]; 5] = [
        b"/javascript",
        b"/js",
        b"/launch",
        b"/embeddedfile",
        b"/richmedia",
    ];
    const TAGS: [&[u8]; 4] = [b"<script", b"<html", b"<svg", b"<iframe"];
    let at = |i: usize, needle: &[u8]| {
        b.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    };
    // A name ends at a delimiter or whitespace (ISO 32000-1 §7.3.5), so `/JSX` is not `/JS`.
    let name_ends = |i: usize| {
        b.get(i)
            .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_' && *c != b'-')
    };
    // Only positions of `/` and `<` are candidates: a linear pass, fast on large scans.
    b.iter().enumerate().any(|(i, &c)| match c {
        b'/' => NAMES.iter().any(|n| at(i, n) && name_ends(i + n.len())),
        b'<' => TAGS.iter().any(|t| at(i, t)),
        _ => false,
    })
}

/// An image's width and height.
type Dimensions = (u32, u32);

/// Rewrites a JPEG without its metadata segments; also returns (width, height) from `SOFn`.
/// ITU-T T.81 §B.1: segments before the first SOS are `FF xx` + 16-bit length; everything from
/// SOS on (entropy-coded data, later scans, EOI) is copied as is. `None` for the file: nothing
/// to remove, the file is clean as it is.
fn clean_jpeg(b: &[u8]) -> Result<(Option<Vec<u8>>, Dimensions), MediaError> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut dims = None;
    // Whether `out` differs from `b` so far; a file with nothing to remove (the SPA's own
    // re-encoded photos) is kept as it came, without copying its image data.
    let mut changed = false;
    let mut i = 2;
    loop {
        if i + 1 >= b.len() || b[i] != 0xFF {
            return Err(MediaError::Corrupt);
        }
        // Fill bytes (§B.1.1.2): any number of 0xFF before a marker.
        while i + 1 < b.len() && b[i + 1] == 0xFF {
            i += 1;
            changed = true;
        }
        if i + 1 >= b.len() {
            return Err(MediaError::Corrupt);
        }
        let marker = b[i + 1];
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            out.extend_from_slice(&b[i..i + 2]);
            i += 2;
            continue;
        }
        if marker == 0xD9 || marker == 0xD8 || i + 4 > b.len() {
            return Err(MediaError::Corrupt);
        }
        let len = usize::from(be16(&b[i + 2..i + 4]));
        if len < 2 || i + 2 + len > b.len() {
            return Err(MediaError::Corrupt);
        }
        let seg = &b[i..i + 2 + len];
        let data = &seg[4..];
        let is_sof = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        if is_sof {
            if data.len() < 5 {
                return Err(MediaError::Corrupt);
            }
            // P, Y (height), X (width).
            dims = Some((u32::from(be16(&data[3..5])), u32::from(be16(&data[1..3]))));
        }
        if marker == 0xDA {
            // Everything from the first scan to EOI is image data; bytes after EOI are another
            // file riding along (a JPEG/HTML or JPEG/ZIP polyglot): refuse them.
            let rest = trim_zero_padding(&b[i..]);
            if !rest.ends_with(&[0xFF, 0xD9]) {
                return Err(MediaError::Corrupt);
            }
            if rest.len() != b.len() - i {
                changed = true;
            }
            if changed {
                out.extend_from_slice(rest);
            }
            break;
        }
        let keep = match marker {
            0xE1 => {
                if let Some(o) = data.strip_prefix(b"Exif\0\0").and_then(exif_orientation)
                    && o != 1
                {
                    out.extend_from_slice(&orientation_only_exif(o));
                }
                false
            }
            0xE2 => data.starts_with(b"ICC_PROFILE\0"),
            0xEE => data.starts_with(b"Adobe"),
            0xE3..=0xEF | 0xFE => false,
            // APP0 (JFIF) and every non-metadata segment (tables, frame, restart interval).
            _ => true,
        };
        if keep {
            out.extend_from_slice(seg);
        } else {
            changed = true;
        }
        i += 2 + len;
    }
    let dims = dims.ok_or(MediaError::Corrupt)?;
    Ok((changed.then_some(out), dims))
}

/// The Orientation tag (0x0112) of IFD0 of a TIFF structure (EXIF 2.3 §4.6.4), if present.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let le = match tiff.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |o: usize| -> Option<u16> {
        let s = tiff.get(o..o + 2)?;
        Some(if le {
            u16::from_le_bytes([s[0], s[1]])
        } else {
            u16::from_be_bytes([s[0], s[1]])
        })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let s = tiff.get(o..o + 4)?;
        Some(if le {
            u32::from_le_bytes([s[0], s[1], s[2], s[3]])
        } else {
            u32::from_be_bytes([s[0], s[1], s[2], s[3]])
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd)?);
    (0..count.min(512))
        .map(|k| ifd + 2 + 12 * k)
        .find(|&e| u16_at(e) == Some(0x0112))
        .and_then(|e| u16_at(e + 8))
        .filter(|o| (1..=8).contains(o))
}

/// An APP1 segment holding an EXIF block with nothing but the orientation.
fn orientation_only_exif(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian TIFF, IFD0 at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count 1
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // value padding
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let len = u16::try_from(2 + 6 + tiff.len()).unwrap_or(u16::MAX);
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&len.to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    seg
}

/// Rewrites a PNG without text, time and EXIF chunks (ISO/IEC 15948 §11.3); also returns
/// (width, height) from IHDR, which must come first.
fn clean_png(b: &[u8]) -> Result<(Vec<u8>, (u32, u32)), MediaError> {
    const DROP: [&[u8; 4]; 5] = [b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"];
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut i = PNG_SIGNATURE.len();
    let mut dims = None;
    loop {
        if i + 12 > b.len() {
            return Err(MediaError::Corrupt);
        }
        let len = be32(&b[i..i + 4]) as usize;
        let end = i
            .checked_add(12)
            .and_then(|x| x.checked_add(len))
            .ok_or(MediaError::Corrupt)?;
        if end > b.len() {
            return Err(MediaError::Corrupt);
        }
        let kind = &b[i + 4..i + 8];
        if dims.is_none() {
            if kind != b"IHDR" || len < 8 {
                return Err(MediaError::Corrupt);
            }
            dims = Some((be32(&b[i + 8..i + 12]), be32(&b[i + 12..i + 16])));
        }
        if !DROP.iter().any(|d| d.as_slice() == kind) {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            // Bytes after IEND are another file riding along (a polyglot): refuse them.
            if !trim_zero_padding(&b[i..]).is_empty() {
                return Err(MediaError::Corrupt);
            }
            break;
        }
    }
    Ok((out, dims.ok_or(MediaError::Corrupt)?))
}

/// The largest image spatial extents (`ispe`, ISO/IEC 23008-12 §6.5.3) found in the file's
/// `meta` box: the primary image or its grid. Scans for the box type, which is enough to bound
/// the decoder's work.
fn heic_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let head = &b[..b.len().min(1 << 20)];
    head.windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"ispe")
        .filter_map(|(at, _)| {
            let body = head.get(at + 8..at + 16)?; // after type + version/flags
            Some((be32(&body[0..4]), be32(&body[4..8])))
        })
        .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A structurally valid JPEG header with EXIF (orientation 6 and GPS-ish filler), a comment,
    /// an XMP-like APP1, and `w`×`h` in SOF0, followed by a fake scan.
    pub fn jpeg_with_exif(w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        // APP0 JFIF
        b.extend_from_slice(&[0xFF, 0xE0, 0, 16]);
        b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        // APP1 EXIF, little-endian, IFD0 with Orientation = 6 and a GPS pointer tag.
        let mut tiff = b"II\x2A\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&[6, 0, 0, 0]);
        tiff.extend_from_slice(&0x8825u16.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&[0x1E, 0, 0, 0]);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"GPS 30.87N 120.09E secret");
        let len = u16::try_from(2 + 6 + tiff.len()).unwrap();
        b.extend_from_slice(&[0xFF, 0xE1]);
        b.extend_from_slice(&len.to_be_bytes());
        b.extend_from_slice(b"Exif\0\0");
        b.extend_from_slice(&tiff);
        // APP1 XMP
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>secret</x:xmpmeta>";
        b.extend_from_slice(&[0xFF, 0xE1]);
        b.extend_from_slice(&u16::try_from(2 + xmp.len()).unwrap().to_be_bytes());
        b.extend_from_slice(xmp);
        // COM
        b.extend_from_slice(&[0xFF, 0xFE, 0, 8]);
        b.extend_from_slice(b"secret");
        // DQT (truncated table is fine for the parser)
        b.extend_from_slice(&[0xFF, 0xDB, 0, 4, 0, 1]);
        // SOF0: P=8, Y=h, X=w, 1 component
        b.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&[1, 1, 0x11, 0]);
        // SOS + entropy data + EOI
        b.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
        b.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56]);
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    /// A PNG with IHDR `w`×`h`, a tEXt chunk, an eXIf chunk, IDAT and IEND (CRCs are not
    /// checked by the cleaner, so zeros do).
    pub fn png_with_text(w: u32, h: u32) -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            b.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
            b.extend_from_slice(kind);
            b.extend_from_slice(data);
            b.extend_from_slice(&[0, 0, 0, 0]);
        };
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        chunk(b"tEXt", b"Author\0secret");
        chunk(b"eXIf", b"MM\0*secret");
        chunk(b"IDAT", b"\x78\x9c");
        chunk(b"IEND", b"");
        b
    }

    #[test]
    fn sniffing_reads_bytes_not_names() {
        assert_eq!(sniff(&jpeg_with_exif(1, 1)), Some(Kind::Jpeg));
        assert_eq!(sniff(&png_with_text(1, 1)), Some(Kind::Png));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Kind::Pdf));
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypmif1\0\0\0\0mif1heic");
        assert_eq!(sniff(&heic), Some(Kind::Heic));
        let mut avif = vec![0, 0, 0, 24];
        avif.extend_from_slice(b"ftypavif\0\0\0\0mif1avif");
        assert_eq!(sniff(&avif), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"<html>"), None);
    }

    #[test]
    fn jpeg_metadata_is_stripped_but_orientation_and_scan_are_kept() {
        let src = jpeg_with_exif(640, 480);
        let (kind, out, kept) = process(src.clone(), 1_000_000).expect("accepted");
        assert_eq!(kind, Kind::Jpeg);
        assert!(!kept, "changed");
        let has = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(has(&src, b"secret"));
        assert!(!has(&out, b"secret"), "EXIF/GPS, XMP and comments are gone");
        assert!(has(&out, b"JFIF"));
        assert!(out.ends_with(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]));
        let exif_at = out
            .windows(6)
            .position(|w| w == b"Exif\0\0")
            .expect("orientation kept");
        assert_eq!(exif_orientation(&out[exif_at + 6..]), Some(6));
        // Idempotent: cleaning twice changes nothing more.
        assert_eq!(process(out.clone(), 1_000_000).expect("again").1, out);
    }

    #[test]
    fn a_jpeg_with_nothing_to_strip_is_kept_as_it_came() {
        // APP0, a table, the frame, the scan: what a re-encoding canvas writes.
        let mut plain = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 7];
        plain.extend_from_slice(b"JFIF\0");
        plain.extend_from_slice(&[0xFF, 0xDB, 0, 4, 0, 1]);
        plain.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 10, 0, 20, 1, 1, 0x11, 0]);
        plain.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
        plain.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9]);
        assert_eq!(
            clean_jpeg(&plain).expect("valid").0,
            None,
            "nothing to copy"
        );
        let (_, out, kept) = process(plain.clone(), 1_000).expect("accepted");
        assert_eq!(out, plain);
        assert!(kept, "said to be the file given");
        // Fill bytes before a marker and zero padding after EOI are removed.
        let mut filled = plain.clone();
        filled.insert(6 + 5, 0xFF);
        let mut padded = plain.clone();
        padded.extend_from_slice(&[0, 0, 0]);
        for changed in [filled, padded] {
            let (_, out, kept) = process(changed, 1_000).expect("accepted");
            assert_eq!(out, plain);
            assert!(!kept, "said to be changed");
        }
    }

    #[test]
    fn png_text_chunks_are_stripped() {
        let (kind, out, _) = process(png_with_text(10, 10), 1_000).expect("accepted");
        assert_eq!(kind, Kind::Png);
        assert!(!out.windows(6).any(|w| w == b"secret"));
        assert!(out.windows(4).any(|w| w == b"IDAT"));
        assert!(out.ends_with(b"IEND\0\0\0\0"));
    }

    #[test]
    fn pixel_limits_come_from_headers() {
        assert_eq!(
            process(jpeg_with_exif(10_000, 10_000), 50_000_000),
            Err(MediaError::TooManyPixels)
        );
        assert_eq!(
            process(png_with_text(100_000, 100_000), 50_000_000),
            Err(MediaError::TooManyPixels)
        );
        let mut truncated = jpeg_with_exif(10, 10);
        truncated.truncate(30);
        assert_eq!(process(truncated, 100), Err(MediaError::Corrupt));
        assert_eq!(
            process(b"MZ\x90\0".to_vec(), 100),
            Err(MediaError::NotAllowed)
        );
    }
}

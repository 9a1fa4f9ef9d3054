//! Precompression of the release build: every text-like file of `dist/` gets a brotli (quality
//! 11) and a gzip (level 9) sibling, `<file>.br` and `<file>.gz`, made once at build time. The
//! reference server sends them to clients that accept them (`Accept-Encoding`), and any CDN or
//! nginx (`brotli_static`, `gzip_static`) can do the same; compressing on the fly per request
//! could only afford a low level (the first-page wasm went out 20 % larger).
//!
//! `index.html` gets siblings too, for static hosts: the reference server rewrites it per
//! request (a fresh CSP nonce) and compresses that answer itself.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::util::Error;

/// What compresses: text, JavaScript, WebAssembly, JSON. Images and fonts are compressed
/// already.
const COMPRESSIBLE: [&str; 7] = ["html", "js", "mjs", "css", "wasm", "json", "svg"];

/// Below this many bytes a file is sent as it is (headers would outweigh the saving).
const MIN_BYTES: u64 = 512;

/// Writes `.br` and `.gz` next to every compressible file under `dist`, replacing stale ones;
/// returns how many files were compressed.
pub fn precompress(dist: &Path) -> Result<usize, Error> {
    let mut files = Vec::new();
    collect(dist, &mut files)?;
    let mut n = 0;
    for file in files {
        let compressible = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible || std::fs::metadata(&file)?.len() < MIN_BYTES {
            continue;
        }
        let bytes = std::fs::read(&file)?;
        std::fs::write(sibling(&file, "br"), brotli(&bytes)?)?;
        std::fs::write(sibling(&file, "gz"), gzip(&bytes)?)?;
        n += 1;
    }
    Ok(n)
}

/// Brotli at quality 11 with a 4 MiB window: the smallest output, what a CDN serves.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

/// Gzip at level 9, for clients without brotli (plain-http webviews, old proxies).
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    Ok(gz.finish()?)
}

fn sibling(file: &Path, ext: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_files_get_both_siblings_and_they_decode_to_the_file() {
        let dir = std::env::temp_dir().join(format!("onething-compress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("snippets")).expect("dir");
        let js = "export const greeting = '你好';\n".repeat(100);
        std::fs::write(dir.join("snippets/a.js"), &js).expect("write");
        std::fs::write(dir.join("tiny.css"), "a{}").expect("write");
        std::fs::write(dir.join("icon.png"), vec![7u8; 4096]).expect("write");
        assert_eq!(precompress(&dir).expect("compress"), 1);
        let mut back = Vec::new();
        let br = std::fs::read(dir.join("snippets/a.js.br")).expect("br");
        ::brotli::BrotliDecompress(&mut &br[..], &mut back).expect("brotli");
        assert_eq!(back, js.as_bytes());
        let gz = std::fs::read(dir.join("snippets/a.js.gz")).expect("gz");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text)
            .expect("gzip");
        assert_eq!(text, js);
        assert!(
            !dir.join("tiny.css.br").exists(),
            "too small to be worth it"
        );
        assert!(!dir.join("icon.png.br").exists(), "compressed already");
        // A second run (a rebuild) compresses the same files, not its own output.
        assert_eq!(precompress(&dir).expect("again"), 1);
        std::fs::remove_dir_all(&dir).expect("clean");
    }
}

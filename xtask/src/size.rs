//! The first-load size of the release SPA: what a phone downloads before the app is usable
//! (index.html, css, js, wasm), raw, gzip and brotli, checked against `size-budget.toml`; and
//! what the whole app's module adds when the person opens the wizard or a case.

use std::io::Write as _;
use std::path::Path;

use crate::util::Error;

/// Sizes of one kind of file, in bytes.
#[derive(Default, Clone, Copy)]
pub struct Sizes {
    /// As stored.
    pub raw: usize,
    /// gzip, best compression.
    pub gzip: usize,
    /// brotli, quality 11.
    pub brotli: usize,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, o: Sizes) {
        self.raw += o.raw;
        self.gzip += o.gzip;
        self.brotli += o.brotli;
    }
}

fn measure(bytes: &[u8]) -> Result<Sizes, Error> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gzip = gz.finish()?.len();
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
    Ok(Sizes {
        raw: bytes.len(),
        gzip,
        brotli: br.len(),
    })
}

/// The kinds of file in the first load, in the order of [`first_load`].
pub const KINDS: [&str; 4] = ["html", "css", "js", "wasm"];

/// The first-load sizes of the build in `dist`, per kind of file (see [`KINDS`]): `index.html`,
/// the files it names (stylesheet, the first page's module and its wasm) and the snippets those
/// modules import. The whole app's module (`onething-full`), loaded when the person goes beyond
/// the catalogue and the landing pages, is not part of it: see [`whole_app`].
pub fn first_load(dist: &Path) -> Result<[Sizes; 4], Error> {
    sum(dist, &first_load_files(dist)?)
}

/// What opening the wizard adds to the first load: the whole app's module, its wasm and the
/// snippets it imports that the first load did not, per kind of file.
pub fn whole_app(dist: &Path) -> Result<[Sizes; 4], Error> {
    let first = first_load_files(dist)?;
    let mut files = Vec::new();
    for f in ["onething-full.js", "onething-full_bg.wasm"] {
        if dist.join(f).is_file() {
            files.push(f.to_owned());
        }
    }
    add_imports(dist, &mut files)?;
    files.retain(|f| !first.contains(f));
    sum(dist, &files)
}

fn sum(dist: &Path, files: &[String]) -> Result<[Sizes; 4], Error> {
    let mut per_kind = [Sizes::default(); 4];
    for f in files {
        let ext = Path::new(f)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("");
        if let Some(i) = KINDS.iter().position(|k| *k == ext) {
            per_kind[i] += measure(&std::fs::read(dist.join(f))?)?;
        }
    }
    Ok(per_kind)
}

/// `index.html` and what it names, with the snippets its modules import (paths under `dist`).
fn first_load_files(dist: &Path) -> Result<Vec<String>, Error> {
    let html = std::fs::read_to_string(dist.join("index.html"))?;
    let mut files = vec!["index.html".to_owned()];
    for name in quoted(&html) {
        let name = name.trim_start_matches("./");
        let kind = Path::new(name).extension().and_then(|e| e.to_str());
        if matches!(kind, Some("css" | "js" | "wasm"))
            && dist.join(name).is_file()
            && !files.iter().any(|f| f == name)
        {
            files.push(name.to_owned());
        }
    }
    add_imports(dist, &mut files)?;
    Ok(files)
}

/// Adds the wasm-bindgen snippets that the scripts in `files` import (transitively).
#[allow(clippy::case_sensitive_file_extension_comparisons)] // names wasm-bindgen wrote
fn add_imports(dist: &Path, files: &mut Vec<String>) -> Result<(), Error> {
    let mut i = 0;
    while i < files.len() {
        if files[i].ends_with(".js") {
            let dir = Path::new(&files[i])
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let text = std::fs::read_to_string(dist.join(&files[i]))?;
            for name in quoted(&text) {
                let Some(at) = name.find("snippets/") else {
                    continue;
                };
                let rel = dir.join(&name[at..]);
                let rel = rel.to_string_lossy().into_owned();
                if rel.ends_with(".js") && dist.join(&rel).is_file() && !files.contains(&rel) {
                    files.push(rel);
                }
            }
        }
        i += 1;
    }
    Ok(())
}

/// The contents of every '…' or "…" string in `text` (no escapes: file names).
fn quoted(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(['\'', '"']) {
        let q = &rest[start..=start];
        let after = &rest[start + 1..];
        let Some(end) = after.find(q) else {
            break;
        };
        if !after[..end].contains('\n') {
            out.push(&after[..end]);
        }
        rest = &after[end + 1..];
    }
    out
}

fn print_rows(title: &str, per_kind: [Sizes; 4]) -> Sizes {
    let mut total = Sizes::default();
    println!("{title:<30}raw      gzip    brotli");
    for (k, s) in KINDS.iter().zip(per_kind) {
        println!("  {k:<26}{:>8}  {:>8}  {:>8}", s.raw, s.gzip, s.brotli);
        total += s;
    }
    println!(
        "  {:<26}{:>8}  {:>8}  {:>8}",
        "total", total.raw, total.gzip, total.brotli
    );
    total
}

/// Prints the table and returns the first-load total.
pub fn report(dist: &Path) -> Result<Sizes, Error> {
    let total = print_rows("first load (bytes):", first_load(dist)?);
    let more = print_rows("+ the whole app, on Start:", whole_app(dist)?);
    println!(
        "  {:<26}{:>8}  {:>8}  {:>8}",
        "first load + whole app",
        total.raw + more.raw,
        total.gzip + more.gzip,
        total.brotli + more.brotli
    );
    Ok(total)
}

#[derive(serde::Deserialize)]
struct Budget {
    first_load_brotli_max: usize,
}

/// Prints the report and fails when the brotli total exceeds the budget.
pub fn check_budget(dist: &Path, budget_file: &Path) -> Result<(), Error> {
    let total = report(dist)?;
    let budget: Budget = toml::from_str(&std::fs::read_to_string(budget_file)?)?;
    let max = budget.first_load_brotli_max;
    #[allow(clippy::cast_precision_loss)]
    let pct = total.brotli as f64 * 100.0 / max as f64;
    println!(
        "size budget: {} of {max} bytes brotli ({pct:.0} %)",
        total.brotli
    );
    if total.brotli > max {
        return Err(format!(
            "first load is {} bytes brotli, over the budget of {max}",
            total.brotli
        )
        .into());
    }
    Ok(())
}

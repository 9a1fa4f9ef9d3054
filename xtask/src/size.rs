//! The first-load size of the release SPA: what a phone downloads before the app is usable
//! (index.html, css, js, wasm), raw, gzip and brotli, checked against `size-budget.toml`.

use std::io::Write as _;
use std::path::Path;

use crate::steps::Error;

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

/// The first-load sizes of the build in `dist`, per kind of file (see [`KINDS`]).
pub fn first_load(dist: &Path) -> Result<[Sizes; 4], Error> {
    let mut per_kind = [Sizes::default(); 4];
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        // Only the shell `index.html` is part of the first load, not other pages under dist.
        let is_shell = ext != "html" || path.file_name().is_some_and(|n| n == "index.html");
        if let Some(i) = KINDS.iter().position(|k| *k == ext).filter(|_| is_shell) {
            per_kind[i] += measure(&std::fs::read(&path)?)?;
        }
    }
    Ok(per_kind)
}

/// Prints the table and returns the first-load total.
pub fn report(dist: &Path) -> Result<Sizes, Error> {
    let per_kind = first_load(dist)?;
    let mut total = Sizes::default();
    println!("first-load payload (bytes):   raw      gzip    brotli");
    for (k, s) in KINDS.iter().zip(per_kind) {
        println!("  {k:<26}{:>8}  {:>8}  {:>8}", s.raw, s.gzip, s.brotli);
        total += s;
    }
    println!(
        "  {:<26}{:>8}  {:>8}  {:>8}",
        "total", total.raw, total.gzip, total.brotli
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

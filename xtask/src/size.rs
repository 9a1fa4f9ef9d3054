//! The first-load size of the release SPA: what a phone downloads before the app is usable
//! (index.html, css, js, wasm), raw, gzip and brotli, checked against `size-budget.toml`; and
//! what the whole app's module adds when the person opens the wizard or a case; and the
//! WebAssembly features each built module needs, checked against the supported browsers'.

use std::path::Path;

use crate::util::{Error, cmd, project_root};

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
    // Exactly what the build writes beside each file (`compress.rs`): the bytes a phone gets.
    Ok(Sizes {
        raw: bytes.len(),
        gzip: crate::compress::gzip(bytes)?.len(),
        brotli: crate::compress::brotli(bytes)?.len(),
    })
}

/// The kinds of file in the first load, in the order of [`first_load`].
pub const KINDS: [&str; 4] = ["html", "css", "js", "wasm"];

/// The first-load sizes of the build in `dist`, per kind of file (see [`KINDS`]): `index.html`
/// and the files it names (its own script's imports, `src/lite.js` and `src/register.js`) with
/// the snippets those import. The first page's wasm module, which the page starts only in the
/// cases `src/first.js` lists, and the whole app's module (`onething-full`), loaded when the
/// person goes beyond the catalogue and the landing pages, are not part of it: see
/// [`whole_app`].
pub fn first_load(dist: &Path) -> Result<[Sizes; 4], Error> {
    let sizes = sum(dist, &first_load_files(dist, "index.html")?)?;
    // A page whose text confuses the quote scanner (an escaped quote in an inline script)
    // would make the budget measure the HTML alone: the page's script always imports a module.
    if sizes[2].raw == 0 {
        return Err("index.html names no script that the size report can find \
                    (an escaped quote in an inline script?)"
            .into());
    }
    Ok(sizes)
}

/// The newborn one-thing's landing page as the build prerendered it: where a parent starts.
pub const LANDING: &str = "services/newborn/index.html";

/// The first load of the newborn landing page (its HTML carries the guide and the page's data as
/// JSON), per kind of file; the catalogue's when the build has no
/// prerendered landing page.
pub fn landing_first_load(dist: &Path) -> Result<[Sizes; 4], Error> {
    let page = if dist.join(LANDING).is_file() {
        LANDING
    } else {
        "index.html"
    };
    sum(dist, &first_load_files(dist, page)?)
}

/// The newborn one-thing's first step as a landing page fetches it while the guide is read, to
/// show it on Start (`src/first.js`): the build's fragment of the prerendered page.
pub const ENTRY: &str = "apply/newborn/eligibility/entry.zh-CN.html";

/// What opening the wizard adds to the first load: the whole app's module, its wasm and the
/// snippets it imports that the first load did not, and the first step's page, per kind of file.
pub fn whole_app(dist: &Path) -> Result<[Sizes; 4], Error> {
    let first = first_load_files(dist, "index.html")?;
    let mut files = Vec::new();
    for f in [ENTRY, "onething-full.js", "onething-full_bg.wasm"] {
        if dist.join(f).is_file() {
            files.push(f.to_owned());
        }
    }
    add_imports(dist, &mut files)?;
    files.retain(|f| !first.contains(f));
    sum(dist, &files)
}

/// The brotli bytes of all kinds together.
pub fn brotli(per_kind: &[Sizes; 4]) -> usize {
    per_kind.iter().map(|s| s.brotli).sum()
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

/// The page `page` (a path under `dist`) and what it names, with the snippets its modules
/// import (paths under `dist`; the page's names are relative to `<base href>`, the root).
fn first_load_files(dist: &Path, page: &str) -> Result<Vec<String>, Error> {
    let html = std::fs::read_to_string(dist.join(page))?;
    let mut files = vec![page.to_owned()];
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

/// Every piece of `text` between two quotes (`'` or `"`) that holds no white space: the file
/// names a page or a script quotes among them. Taken between any two quotes, not paired: a quote
/// inside a string of another kind (an apostrophe in a stylesheet's comment) cannot hide the
/// names after it; callers keep only the names of files that exist.
fn quoted(text: &str) -> Vec<&str> {
    text.split(['\'', '"'])
        .skip(1)
        .filter(|p| !p.is_empty() && !p.contains(char::is_whitespace))
        .collect()
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

/// Prints the table, checks the modules' WebAssembly features ([`check_wasm_features`]) and
/// returns the first-load total.
pub fn report(dist: &Path) -> Result<Sizes, Error> {
    let total = print_rows("first load (bytes):", first_load(dist)?);
    if dist.join(LANDING).is_file() {
        print_rows(
            "first load of the newborn landing page:",
            landing_first_load(dist)?,
        );
    }
    let more = print_rows("+ the whole app, on Start:", whole_app(dist)?);
    println!(
        "  {:<26}{:>8}  {:>8}  {:>8}",
        "first load + whole app",
        total.raw + more.raw,
        total.gzip + more.gzip,
        total.brotli + more.brotli
    );
    check_wasm_features(dist)?;
    Ok(total)
}

#[derive(serde::Deserialize)]
struct Budget {
    first_load_brotli_max: usize,
    journey_brotli_max: usize,
}

/// Prints the report and fails when a brotli total exceeds its budget: the first load of the
/// catalogue and of the newborn landing page (each), and the whole journey from the landing
/// page to a confirmation (its first load and the whole app).
pub fn check_budget(dist: &Path, budget_file: &Path) -> Result<(), Error> {
    report(dist)?;
    let budget: Budget = toml::from_str(&std::fs::read_to_string(budget_file)?)?;
    let catalogue = brotli(&first_load(dist)?);
    let landing = brotli(&landing_first_load(dist)?);
    let journey = landing + brotli(&whole_app(dist)?);
    let mut over = Vec::new();
    for (what, bytes, max) in [
        (
            "first load, catalogue",
            catalogue,
            budget.first_load_brotli_max,
        ),
        (
            "first load, newborn landing page",
            landing,
            budget.first_load_brotli_max,
        ),
        (
            "journey to a confirmation",
            journey,
            budget.journey_brotli_max,
        ),
    ] {
        #[allow(clippy::cast_precision_loss)]
        let pct = bytes as f64 * 100.0 / max as f64;
        println!("size budget: {what}: {bytes} of {max} bytes brotli ({pct:.0} %)");
        if bytes > max {
            over.push(format!(
                "{what} is {bytes} bytes brotli, over the budget of {max}"
            ));
        }
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(over.join("; ").into())
    }
}

/// The WebAssembly features of the baseline (README, "Supported browsers"), as rustc names them
/// in `.cargo/config.toml`, with binaryen's names for the same (reference types include the
/// overlong `call_indirect` encoding; bulk memory includes `memory.copy` and `memory.fill`).
pub const WASM_FEATURES: [(&str, &[&str]); 6] = [
    ("bulk-memory", &["bulk-memory", "bulk-memory-opt"]),
    ("mutable-globals", &["mutable-globals"]),
    ("nontrapping-fptoint", &["nontrapping-float-to-int"]),
    ("sign-ext", &["sign-ext"]),
    (
        "reference-types",
        &["reference-types", "call-indirect-overlong"],
    ),
    ("multivalue", &["multivalue"]),
];

/// The names in a wasm module's `target_features` custom section (the features the compiler
/// and linker used, `+name`), or `None` without one; and the module without that section.
fn target_features(wasm: &[u8]) -> Result<(Option<Vec<String>>, Vec<u8>), Error> {
    fn leb(b: &[u8], at: &mut usize) -> Result<usize, Error> {
        let mut value = 0usize;
        for shift in (0..35).step_by(7) {
            let byte = *b.get(*at).ok_or("wasm: truncated")?;
            *at += 1;
            value |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("wasm: LEB128 too long".into())
    }
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a wasm module".into());
    }
    let mut out = wasm[..8].to_vec();
    let mut found = None;
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at)?;
        let end = at
            .checked_add(size)
            .filter(|&e| e <= wasm.len())
            .ok_or("wasm: section past the end")?;
        if id == 0 {
            let mut p = at;
            let len = leb(wasm, &mut p)?;
            if wasm.get(p..p + len) == Some(b"target_features".as_slice()) {
                p += len;
                let mut names = Vec::new();
                for _ in 0..leb(wasm, &mut p)? {
                    let prefix = *wasm.get(p).ok_or("wasm: truncated")?;
                    p += 1;
                    let len = leb(wasm, &mut p)?;
                    let name = wasm.get(p..p + len).ok_or("wasm: truncated")?;
                    p += len;
                    if prefix == b'+' {
                        names.push(String::from_utf8_lossy(name).into_owned());
                    }
                }
                found = Some(names);
                at = end;
                continue;
            }
        }
        out.extend_from_slice(&wasm[start..end]);
        at = end;
    }
    Ok((found, out))
}

/// Fails when a built module needs a WebAssembly feature outside [`WASM_FEATURES`]: binaryen's
/// validator reads each module (without its `target_features` section, which would otherwise
/// enable what it lists) with only the baseline's features enabled, so an instruction or type
/// of any other feature is an error. Prints what the compiler says it used.
pub fn check_wasm_features(dist: &Path) -> Result<(), Error> {
    let mut modules: Vec<_> = std::fs::read_dir(dist)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    modules.sort();
    if modules.is_empty() {
        return Err(format!("no wasm module in {}", dist.display()).into());
    }
    let scratch = project_root().join("target/wasm-features");
    std::fs::create_dir_all(&scratch)?;
    let mut enable = vec!["--mvp-features".to_owned()];
    enable.extend(
        WASM_FEATURES
            .iter()
            .flat_map(|(_, binaryen)| binaryen.iter().map(|f| format!("--enable-{f}"))),
    );
    for module in &modules {
        let name = module
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let (used, bare) = target_features(&std::fs::read(module)?)?;
        let outside: Vec<_> = used
            .iter()
            .flatten()
            .filter(|u| {
                !WASM_FEATURES
                    .iter()
                    .any(|(rustc, binaryen)| rustc == u || binaryen.contains(&u.as_str()))
            })
            .cloned()
            .collect();
        let bare_path = scratch.join(&name);
        std::fs::write(&bare_path, bare)?;
        let out = cmd("wasm-opt")
            .args(&enable)
            .arg(&bare_path)
            .args(["-o", "-", "--quiet"])
            .output()?;
        let listed = used.map_or_else(|| "no target_features section".to_owned(), |u| u.join(", "));
        println!("wasm features: {name}: {listed}");
        if !outside.is_empty() {
            return Err(format!(
                "{name} was compiled for features outside the baseline: {}",
                outside.join(", ")
            )
            .into());
        }
        if !out.status.success() {
            let why: Vec<_> = String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| l.contains("requires") || l.contains("should be allowed"))
                .take(5)
                .map(str::to_owned)
                .collect();
            return Err(format!(
                "{name} uses WebAssembly beyond the supported browsers': {}",
                why.join(" | ")
            )
            .into());
        }
    }
    println!("wasm features: every module validates with the baseline's features only");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with a `target_features` section (+sign-ext, -simd128) and a type section.
    fn module() -> Vec<u8> {
        let mut section = vec![15];
        section.extend_from_slice(b"target_features");
        section.extend_from_slice(&[2, b'+', 8]);
        section.extend_from_slice(b"sign-ext");
        section.extend_from_slice(&[b'-', 7]);
        section.extend_from_slice(b"simd128");
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        wasm.push(0);
        wasm.push(u8::try_from(section.len()).unwrap());
        wasm.extend_from_slice(&section);
        wasm
    }

    #[test]
    fn target_features_are_read_and_their_section_removed() {
        let (used, bare) = target_features(&module()).unwrap();
        assert_eq!(used, Some(vec!["sign-ext".to_owned()]));
        assert_eq!(bare, b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0");
    }

    #[test]
    fn a_module_without_the_section_is_kept_whole() {
        let (used, bare) = target_features(b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0").unwrap();
        assert_eq!(used, None);
        assert_eq!(bare.len(), 14);
    }

    #[test]
    fn names_after_an_unpaired_quote_are_still_found() {
        let page = "<style>/* the person's page */</style><link href=\"./a.js\">\
                    <script>const p = {\"lite\":\"./snippets/x/src/lite.js\"};</script>";
        let names = quoted(page);
        assert!(names.contains(&"./a.js"), "{names:?}");
        assert!(names.contains(&"./snippets/x/src/lite.js"), "{names:?}");
    }

    #[test]
    fn not_wasm_is_an_error() {
        assert!(target_features(b"\0asm\x02\0\0\0").is_err());
        assert!(target_features(b"\0asm\x01\0\0\0\x01\x09\x01").is_err());
    }
}

//! Embeds the public-holiday calendar (`services/calendar/<year>.toml`) in the crate, so the SPA
//! and the server count working days from the same data. The directory is listed here, not in
//! code: a new year's notice is a new file and nothing else. The files are parsed (and checked)
//! by `src/value/calendar.rs`; this script only lists them, without their comments.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    let dir = Path::new(&manifest).join("../../services/calendar");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// Each year's arrangement file, in file-name order.\n");
    out.push_str("pub(crate) const YEAR_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        // The data lines only: the comments (the notice's citation) stay in the file, out of
        // the wasm.
        let text = fs::read_to_string(f).expect("read a calendar file");
        let data: String = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .flat_map(|l| [l, "\n"])
            .collect();
        let _ = writeln!(out, "    ({:?}, {:?}),", name.unwrap_or_default(), data);
    }
    out.push_str("];\n");
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let target = Path::new(&out_dir).join("calendar_files.rs");
    if fs::read_to_string(&target).ok().as_deref() != Some(out.as_str()) {
        fs::write(target, out).expect("write the calendar file list");
    }
}

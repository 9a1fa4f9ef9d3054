//! Generates the SPA's message tables from `locales/*.toml` at compile time: one struct field per
//! key, one static per language. A key present in one language and missing in the other fails the
//! build, so no user-facing text can exist in only one language.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const LOCALES: [(&str, &str); 2] = [("ZH_CN", "locales/zh-CN.toml"), ("EN", "locales/en.toml")];

fn main() {
    build_id();
    let mut tables: Vec<(&str, BTreeMap<String, String>)> = Vec::new();
    for (name, file) in LOCALES {
        println!("cargo::rerun-if-changed={file}");
        let source = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let table: BTreeMap<String, String> =
            toml::from_str(&source).unwrap_or_else(|e| panic!("{file}: {e}"));
        tables.push((name, table));
    }
    let keys: Vec<&String> = tables[0].1.keys().collect();
    for (name, table) in &tables[1..] {
        let other: Vec<&String> = table.keys().collect();
        for k in &keys {
            assert!(
                table.contains_key(*k),
                "locales: `{k}` is missing in {name}"
            );
        }
        for k in other {
            assert!(
                tables[0].1.contains_key(k),
                "locales: `{k}` is missing in {}",
                tables[0].0
            );
        }
    }
    for k in &keys {
        assert!(
            k.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "locales: `{k}` is not a snake_case key"
        );
    }

    let mut out = String::from(
        "/// Every user-facing message of the SPA, generated from `locales/*.toml`.\n\
         #[derive(Debug)]\npub struct Messages {\n",
    );
    for k in &keys {
        writeln!(out, "    pub {k}: &'static str,").expect("write");
    }
    out.push_str("}\n");
    for (name, table) in &tables {
        writeln!(out, "pub static {name}: Messages = Messages {{").expect("write");
        for (k, v) in table {
            writeln!(out, "    {k}: {v:?},").expect("write");
        }
        out.push_str("};\n");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("messages.rs");
    std::fs::write(dest, out).expect("write messages.rs");
}

/// `ONETHING_BUILD_ID`: a digest of everything compiled into the SPA. The first page's small
/// module loads the whole app's module by a fixed name (Trunk names it without a hash), so it
/// asks for it with `?v=<build id>`: a new build is never answered from an old cache entry.
fn build_id() {
    use std::hash::Hasher as _;
    let mut files = Vec::new();
    for root in [
        "src",
        "crates/core/src",
        "locales",
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
    ] {
        println!("cargo::rerun-if-changed={root}");
        collect(Path::new(root), &mut files);
    }
    files.sort();
    let mut h = std::hash::DefaultHasher::new();
    for f in &files {
        h.write(f.to_string_lossy().as_bytes());
        h.write(&std::fs::read(f).unwrap_or_default());
    }
    println!("cargo::rustc-env=ONETHING_BUILD_ID={:016x}", h.finish());
}

fn collect(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    match std::fs::read_dir(path) {
        Ok(entries) => {
            for e in entries.flatten() {
                collect(&e.path(), out);
            }
        }
        Err(_) if path.is_file() => out.push(path.to_path_buf()),
        Err(_) => {}
    }
}

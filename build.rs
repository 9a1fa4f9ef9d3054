//! Generates the SPA's message tables from `locales/*.toml` at compile time: one struct field per
//! key, one static per language. A key present in one language and missing in the other fails the
//! build, so no user-facing text can exist in only one language.
//!
//! And a second pair of tables for the first page's module (`src/lite.rs`), holding only the keys
//! its sources name (the rest empty): the whole app's texts stay out of the first load
//! (`src/i18n/mod.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const LOCALES: [(&str, &str); 2] = [("ZH_CN", "locales/zh-CN.toml"), ("EN", "locales/en.toml")];

/// The sources of the first page's module: `src/lite.rs` and every file whose code it links (the
/// names in its wasm: `onething::pages::home`, `onething::host`, …), whole folders where it links
/// part of one. A message key named anywhere in them is in its tables. A page or component
/// added to the first page must be listed here, else its texts are empty there (the
/// prerendering browser test compares the page's text before and after the module takes it
/// over).
const FIRST_PAGE_SOURCES: [&str; 20] = [
    "src/lite.rs",
    "src/lib.rs",
    "src/main.rs",
    "src/app.rs",
    "src/boot.rs",
    "src/config.rs",
    "src/dom.rs",
    "src/json.rs",
    "src/prefs.rs",
    "src/router.rs",
    "src/wait.rs",
    "src/api",
    "src/host",
    "src/components",
    "src/pages/home.rs",
    "src/pages/home",
    "src/pages/messages.rs",
    "src/pages/not_found.rs",
    "src/pages/service.rs",
    "src/wizard/outbox.rs",
];

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
    let named = first_page_words();
    for (name, table) in &tables {
        writeln!(out, "pub static FIRST_PAGE_{name}: Messages = Messages {{").expect("write");
        for (k, v) in table {
            let v = if named.contains(k.as_str()) {
                v.as_str()
            } else {
                ""
            };
            writeln!(out, "    {k}: {v:?},").expect("write");
        }
        out.push_str("};\n");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("messages.rs");
    std::fs::write(dest, out).expect("write messages.rs");
}

/// Every identifier-like word of [`FIRST_PAGE_SOURCES`].
fn first_page_words() -> std::collections::BTreeSet<String> {
    let mut files = Vec::new();
    for root in FIRST_PAGE_SOURCES {
        collect(Path::new(root), &mut files);
    }
    let mut words = std::collections::BTreeSet::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for w in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if !w.is_empty() {
                words.insert(w.to_owned());
            }
        }
    }
    words
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

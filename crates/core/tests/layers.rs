//! The crate's modules form layers: no module refers (through `crate::…` or `super::…` paths) to
//! a module that refers back to it, directly or through others. A cycle makes a change in one
//! module a change in all of them and leaves no order to read them in; this test names the first
//! one it finds. Paths through the crate root (`crate::Text`) are cycles too, since the root
//! re-exports everything: inside the crate, name the module (`crate::text::Text`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The module path of a source file: `src/engine/walk.rs` → `engine::walk`; `src/lib.rs` is the
/// crate root (the empty path).
fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

fn sources(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("source dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under src");
            out.push((module_of(rel), fs::read_to_string(&path).expect("source")));
        }
    }
}

/// The longest known module a path starting at `base` names: `engine::walk::Walk` →
/// `engine::walk`.
fn resolve(base: &[&str], rest: &str, modules: &BTreeSet<String>) -> String {
    let mut best = base.join("::");
    let mut parts: Vec<&str> = base.to_vec();
    for seg in rest.split("::") {
        let ident_len = seg
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if ident_len == 0 {
            break;
        }
        parts.push(&seg[..ident_len]);
        let candidate = parts.join("::");
        if modules.contains(&candidate) {
            best = candidate;
        }
        if ident_len < seg.len() {
            break;
        }
    }
    best
}

/// Every module each module of the sources under `root` refers to.
fn graph(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(root, root, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &files {
        let own: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        // Indents of the inline modules (`mod tests { … }`) the line is in: there, `super` is
        // first the inline module's parent.
        let mut inline: Vec<usize> = Vec::new();
        for line in text.lines() {
            let code = line.trim_start();
            let indent = line.len() - code.len();
            if code.starts_with("//") {
                continue;
            }
            if code == "}" && inline.last() == Some(&indent) {
                inline.pop();
            }
            if code.trim_start_matches("pub ").starts_with("mod ") && code.ends_with('{') {
                inline.push(indent);
            }
            let depth = inline.len();
            let mut targets = Vec::new();
            for (i, _) in line.match_indices("crate::") {
                targets.push(resolve(&[], &line[i + "crate::".len()..], &modules));
            }
            // `use child::…` and `self::child::…` name a child module by a relative path.
            let used = code
                .strip_prefix("pub use ")
                .or_else(|| code.strip_prefix("pub(crate) use "))
                .or_else(|| code.strip_prefix("use "))
                .map(|rest| rest.trim_start_matches("self::"));
            if let Some(rest) = used
                && depth == 0
                && !rest.starts_with("crate::")
                && !rest.starts_with("super::")
            {
                let target = resolve(&own, rest, &modules);
                if target != own.join("::") {
                    targets.push(target);
                }
            }
            if let Some(i) = line.find("super::") {
                let rest = &line[i..];
                let ups = rest.matches("super::").count();
                let tail = rest.rsplit("super::").next().unwrap_or_default();
                let levels = ups.saturating_sub(depth);
                let base = &own[..own.len().saturating_sub(levels)];
                targets.push(resolve(base, tail, &modules));
            }
            for target in targets {
                if &target != module {
                    edges.entry(module.clone()).or_default().insert(target);
                }
            }
        }
    }
    edges
}

/// A path from `to` back to `from`, if there is one.
fn path_back(
    edges: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if to == from {
        return Some(vec![from.to_owned()]);
    }
    if !seen.insert(to.to_owned()) {
        return None;
    }
    for next in edges.get(to).into_iter().flatten() {
        if let Some(mut rest) = path_back(edges, from, next, seen) {
            rest.insert(0, to.to_owned());
            return Some(rest);
        }
    }
    None
}

fn shown(m: &str) -> &str {
    if m.is_empty() { "crate (root)" } else { m }
}

/// The first cycle found, as the modules along it (the first one repeated at the end).
fn first_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    for (from, targets) in edges {
        for to in targets {
            if let Some(back) = path_back(edges, from, to, &mut BTreeSet::new()) {
                let cycle: Vec<&str> = std::iter::once(from.as_str())
                    .chain(back.iter().map(String::as_str))
                    .map(shown)
                    .collect();
                return Some(cycle.join(" → "));
            }
        }
    }
    None
}

#[test]
fn no_module_refers_to_a_module_that_refers_back() {
    let edges = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(
        edges
            .get("engine::walk")
            .is_some_and(|e| e.contains("definition")),
        "the scan sees the references: {edges:?}"
    );
    if let Some(cycle) = first_cycle(&edges) {
        panic!("module cycle: {cycle}");
    }
}

#[test]
fn the_scan_finds_cycles_through_children_parents_and_the_root() {
    let dir = std::env::temp_dir().join(format!("onething-layers-{}", std::process::id()));
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        fs::write(path, text).expect("write");
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub use a::A;\n");
    write("a/mod.rs", "mod inner;\npub use inner::A;\n");
    write("a/inner.rs", "use crate::b::B;\npub struct A;\n");
    write(
        "b.rs",
        "pub struct B;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
    );
    let check = || first_cycle(&graph(&dir));
    assert_eq!(check(), None, "an inline test module's `super` is its file");
    write("b.rs", "use crate::a::A;\npub struct B;\n");
    assert_eq!(check().as_deref(), Some("a → a::inner → b → a"));
    write("b.rs", "use crate::A;\npub struct B;\n");
    assert_eq!(
        check().as_deref(),
        Some("crate (root) → a → a::inner → b → crate (root)")
    );
    write("b.rs", "pub struct B;\n");
    write("a/inner.rs", "use super::helper;\npub struct A;\n");
    write(
        "a/mod.rs",
        "mod inner;\npub use inner::A;\nfn helper() {}\n",
    );
    assert_eq!(check().as_deref(), Some("a → a::inner → a"));
    fs::remove_dir_all(&dir).expect("clean up");
}

//! The module layering check of `cargo xtask test` (and `cargo xtask layers`): no import cycle
//! between the modules of `crates/core`, and the SPA's `api` layer knows HTTP and nothing
//! above it (no import of `host`, `wizard`, `pages`, `components`, `upload`, `storage`, and no
//! cycle through it).
//!
//! A small reader of Rust source, not a compiler: it follows `mod` declarations from the
//! crate root, reads every `use` and every `crate::`/`super::`/`self::` path outside comments,
//! strings and `#[cfg(test)]` items, and resolves re-exports (`pub use`, and the names a
//! module imports) to the module an item really lives in. Cycles are looked for level by
//! level: the child modules of each module must not import each other in a circle (counting
//! everything below each child). A module and its own submodules are one unit, so a child
//! using its parent's items through `super::` is no cycle.

mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::util::{Error, project_root};
use source::{Parsed, parse};

/// The SPA modules its `api` layer must not import: they are above it.
const ABOVE_API: [&str; 6] = ["host", "wizard", "pages", "components", "upload", "storage"];

/// `cargo xtask layers`, and a stage of `cargo xtask test`.
pub fn check() -> Result<(), Error> {
    let root = project_root();
    let read = |p: &Path| std::fs::read_to_string(p);
    let core = Crate::load(&root.join("crates/core/src/lib.rs"), &read)?;
    let spa = Crate::load(&root.join("src/lib.rs"), &read)?;
    let mut problems = Vec::new();
    for cycle in core.cycles() {
        problems.push(format!("crates/core: {}", cycle.describe(&root)));
    }
    problems.extend(
        spa.layer_problems("api", &ABOVE_API)
            .into_iter()
            .map(|p| format!("SPA: {}", p.replace(&format!("{}/", root.display()), ""))),
    );
    if problems.is_empty() {
        println!(
            "layers: no module cycle in crates/core ({} modules); the SPA's api imports nothing above it",
            core.modules.len()
        );
        Ok(())
    } else {
        for p in &problems {
            eprintln!("{p}\n");
        }
        Err(format!("{} layering problem(s), listed above", problems.len()).into())
    }
}

// ---------------------------------------------------------------------------------------------
// The crate: modules, where each path leads, cycles

/// A module path from the crate root (`["engine", "validators"]`; the root is empty).
type ModPath = Vec<String>;

#[derive(Debug)]
struct Module {
    file: PathBuf,
    children: BTreeSet<String>,
    /// Names its `use` declarations bind, to the absolute path they name.
    binds: BTreeMap<String, Vec<String>>,
    /// Absolute paths it names (`crate`, `super`, `self` and child paths made absolute), and
    /// where.
    refs: Vec<(Vec<String>, usize)>,
}

/// One import that makes a dependency: which module, which line of which file.
#[derive(Debug, Clone)]
struct Site {
    file: PathBuf,
    line: usize,
}

/// Modules that import each other in a circle, each step with an import that makes it.
#[derive(Debug)]
pub struct Cycle {
    /// `(from, to, where)`, in order around the circle; the last step ends where the first
    /// starts.
    steps: Vec<(String, String, Site)>,
}

impl Cycle {
    /// `a → b → a`, then one line per step naming its file, line and source.
    fn describe(&self, root: &Path) -> String {
        let mut names: Vec<&str> = self.steps.iter().map(|s| s.0.as_str()).collect();
        if let Some(first) = names.first().copied() {
            names.push(first);
        }
        let mut text = format!("module cycle {}", names.join(" → "));
        for (from, to, site) in &self.steps {
            let file = site.file.strip_prefix(root).unwrap_or(&site.file);
            let source = std::fs::read_to_string(&site.file)
                .ok()
                .and_then(|s| s.lines().nth(site.line - 1).map(|l| l.trim().to_owned()))
                .unwrap_or_default();
            let _ = write!(
                text,
                "\n  {from} → {to}: {}:{}: {source}",
                file.display(),
                site.line
            );
        }
        text
    }
}

fn show(path: &[String]) -> String {
    if path.is_empty() {
        "crate".into()
    } else {
        path.join("::")
    }
}

/// A crate's modules, read from its root file.
pub struct Crate {
    modules: BTreeMap<ModPath, Module>,
}

impl Crate {
    /// Reads the crate from `root_file` (`lib.rs`), following `mod` declarations through
    /// `read`.
    pub fn load(
        root_file: &Path,
        read: &dyn Fn(&Path) -> std::io::Result<String>,
    ) -> Result<Crate, Error> {
        let mut c = Crate {
            modules: BTreeMap::new(),
        };
        let src = read(root_file).map_err(|e| format!("{}: {e}", root_file.display()))?;
        let dir = root_file.parent().unwrap_or(Path::new("")).to_path_buf();
        c.add(&[], root_file, &dir, parse(&src), read)?;
        Ok(c)
    }

    fn add(
        &mut self,
        path: &[String],
        file: &Path,
        dir: &Path,
        parsed: Parsed,
        read: &dyn Fn(&Path) -> std::io::Result<String>,
    ) -> Result<(), Error> {
        let mut module = Module {
            file: file.to_path_buf(),
            children: parsed.children.iter().map(|(n, _)| n.clone()).collect(),
            binds: BTreeMap::new(),
            refs: Vec::new(),
        };
        for r in &parsed.paths {
            let Some(abs) = absolute(path, &module.children, &r.segments) else {
                continue;
            };
            if let Some(name) = &r.binds {
                module.binds.insert(name.clone(), abs.clone());
            }
            module.refs.push((abs, r.line));
        }
        self.modules.insert(path.to_vec(), module);
        for (name, inline) in parsed.children {
            let mut child = path.to_vec();
            child.push(name.clone());
            let child_dir = dir.join(&name);
            if let Some(body) = inline {
                self.add(&child, file, &child_dir, body, read)?;
            } else {
                let candidates = [dir.join(format!("{name}.rs")), child_dir.join("mod.rs")];
                let (child_file, src) = candidates
                    .iter()
                    .find_map(|f| read(f).ok().map(|s| (f.clone(), s)))
                    .ok_or_else(|| format!("{}: no file for `mod {name};`", file.display()))?;
                self.add(&child, &child_file, &child_dir, parse(&src), read)?;
            }
        }
        Ok(())
    }

    /// The module an absolute path leads to: through child modules, and through the names a
    /// module binds by `use` (re-exports), to where the item lives.
    fn resolve(&self, path: &[String], depth: usize) -> ModPath {
        let mut at: ModPath = Vec::new();
        for (i, seg) in path.iter().enumerate() {
            let Some(m) = self.modules.get(&at) else {
                break;
            };
            if m.children.contains(seg) {
                at.push(seg.clone());
            } else if let Some(target) = m.binds.get(seg)
                && depth < 16
            {
                let mut full = target.clone();
                full.extend_from_slice(&path[i + 1..]);
                return self.resolve(&full, depth + 1);
            } else {
                break;
            }
        }
        at
    }

    /// Every dependency between modules: `(from, to, where)`.
    fn edges(&self) -> Vec<(ModPath, ModPath, Site)> {
        let mut out = Vec::new();
        for (from, m) in &self.modules {
            for (abs, line) in &m.refs {
                let to = self.resolve(abs, 0);
                out.push((
                    from.clone(),
                    to,
                    Site {
                        file: m.file.clone(),
                        line: *line,
                    },
                ));
            }
        }
        out
    }

    /// The dependencies between sibling modules, per parent: for each parent, which child
    /// (counting everything below it) imports which other child, with one import that does.
    fn levels(&self) -> BTreeMap<ModPath, BTreeMap<(String, String), Site>> {
        let mut levels: BTreeMap<ModPath, BTreeMap<(String, String), Site>> = BTreeMap::new();
        for (from, to, site) in self.edges() {
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            // Within one module and its submodules: its own business.
            if common == from.len() || common == to.len() {
                continue;
            }
            levels
                .entry(from[..common].to_vec())
                .or_default()
                .entry((from[common].clone(), to[common].clone()))
                .or_insert(site);
        }
        levels
    }

    /// Every import cycle, one per strongly connected group of siblings.
    pub fn cycles(&self) -> Vec<Cycle> {
        let mut out = Vec::new();
        for (parent, edges) in self.levels() {
            let graph: BTreeMap<&str, Vec<&str>> =
                edges.keys().fold(BTreeMap::new(), |mut g, (a, b)| {
                    g.entry(a.as_str()).or_default().push(b.as_str());
                    g
                });
            let name = |n: &str| {
                let mut p = parent.clone();
                p.push(n.to_owned());
                show(&p)
            };
            for group in strongly_connected(&graph) {
                // The shortest circle through each member: together they show every module of
                // the group and how it closes the circle.
                let mut seen = BTreeSet::new();
                for start in &group {
                    let mut circle = circle_in(&graph, &group, start);
                    let first = circle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, n)| **n)
                        .map_or(0, |(i, _)| i);
                    circle.rotate_left(first);
                    if !seen.insert(circle.clone()) {
                        continue;
                    }
                    let steps = circle
                        .iter()
                        .zip(circle.iter().cycle().skip(1))
                        .map(|(a, b)| {
                            let site = edges[&((*a).to_owned(), (*b).to_owned())].clone();
                            (name(a), name(b), site)
                        })
                        .collect();
                    out.push(Cycle { steps });
                }
            }
        }
        out
    }

    /// What breaks the layer `layer` (a top-level module): an import of a module in `above`
    /// from inside it, or a cycle through it. Each as text with the file and line.
    pub fn layer_problems(&self, layer: &str, above: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for (from, to, site) in self.edges() {
            if from.first().map(String::as_str) == Some(layer)
                && to.first().is_some_and(|t| above.contains(&t.as_str()))
            {
                out.push(format!(
                    "`{}` imports `{}`, above the {layer} layer: {}:{}",
                    show(&from),
                    show(&to),
                    site.file.display(),
                    site.line
                ));
            }
        }
        let root = PathBuf::new();
        for cycle in self.cycles() {
            let through_layer = cycle
                .steps
                .iter()
                .any(|(from, _, _)| from == layer || from.starts_with(&format!("{layer}::")));
            if through_layer {
                out.push(cycle.describe(&root));
            }
        }
        out
    }
}

/// A path as written in module `at` made absolute from the crate root, or `None` when it
/// names another crate.
fn absolute(
    at: &[String],
    children: &BTreeSet<String>,
    segments: &[String],
) -> Option<Vec<String>> {
    let first = segments.first()?;
    let (mut base, rest) = match first.as_str() {
        "crate" => (Vec::new(), &segments[1..]),
        "self" => (at.to_vec(), &segments[1..]),
        "super" => {
            let mut base = at.to_vec();
            let mut rest = segments;
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
            (base, rest)
        }
        name if children.contains(name) => (at.to_vec(), segments),
        _ => return None,
    };
    base.extend_from_slice(rest);
    Some(base)
}

/// Tarjan's algorithm: the groups of more than one node that reach each other.
fn strongly_connected<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<Vec<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        groups: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(n: &'a str, g: &BTreeMap<&'a str, Vec<&'a str>>, s: &mut State<'a>) {
        let i = s.index.len();
        s.index.insert(n, i);
        s.low.insert(n, i);
        s.stack.push(n);
        s.on_stack.insert(n);
        for &m in g.get(n).map_or(&[][..], Vec::as_slice) {
            if !s.index.contains_key(m) {
                visit(m, g, s);
                let low = s.low[n].min(s.low[m]);
                s.low.insert(n, low);
            } else if s.on_stack.contains(m) {
                let low = s.low[n].min(s.index[m]);
                s.low.insert(n, low);
            }
        }
        if s.low[n] == s.index[n] {
            let mut group = Vec::new();
            while let Some(m) = s.stack.pop() {
                s.on_stack.remove(m);
                group.push(m);
                if m == n {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort_unstable();
                s.groups.push(group);
            }
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    for &n in graph.keys() {
        if !s.index.contains_key(n) {
            visit(n, graph, &mut s);
        }
    }
    s.groups
}

/// One shortest circle through `start`, staying inside its group.
fn circle_in<'a>(
    graph: &BTreeMap<&'a str, Vec<&'a str>>,
    group: &[&'a str],
    start: &'a str,
) -> Vec<&'a str> {
    let inside: BTreeSet<&str> = group.iter().copied().collect();
    // Breadth-first from the start's successors back to the start.
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for &m in graph.get(n).map_or(&[][..], Vec::as_slice) {
            if !inside.contains(m) || came_from.contains_key(m) {
                continue;
            }
            came_from.insert(m, n);
            if m == start {
                let mut circle = vec![start];
                let mut at = n;
                while at != start {
                    circle.push(at);
                    at = came_from[at];
                }
                circle[1..].reverse();
                return circle;
            }
            queue.push_back(m);
        }
    }
    group.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate in memory: `(path under src/, source)`.
    fn crate_of(files: &[(&str, &str)]) -> Crate {
        let files: BTreeMap<PathBuf, String> = files
            .iter()
            .map(|(p, s)| (Path::new("src").join(p), (*s).to_owned()))
            .collect();
        let read = |p: &Path| {
            files
                .get(p)
                .cloned()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        };
        Crate::load(Path::new("src/lib.rs"), &read).expect("loads")
    }

    fn cycle_names(c: &Crate) -> Vec<String> {
        c.cycles()
            .iter()
            .map(|c| {
                c.steps
                    .iter()
                    .map(|s| s.0.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn a_cycle_of_three_modules_is_found_and_named() {
        let c = crate_of(&[
            ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
            ("a.rs", "use crate::b::B;\npub struct A;\n"),
            ("b.rs", "use crate::c::{C, D as E};\npub struct B;\n"),
            (
                "c.rs",
                "pub struct C;\npub fn f() -> crate::a::A { todo() }\n",
            ),
        ]);
        assert_eq!(cycle_names(&c), ["a b c"]);
        let text = c.cycles()[0].describe(Path::new(""));
        assert!(text.starts_with("module cycle a → b → c → a"), "{text}");
        assert!(text.contains("c → a: src/c.rs:2"), "{text}");
    }

    #[test]
    fn layered_modules_pass() {
        let c = crate_of(&[
            ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
            ("a.rs", "use crate::b::B;\nuse crate::c::C;\n"),
            ("b.rs", "use crate::c::C;\npub struct B;\n"),
            ("c.rs", "pub struct C;\n"),
        ]);
        assert!(c.cycles().is_empty());
    }

    #[test]
    fn a_re_export_leads_to_the_module_the_item_lives_in() {
        // `api` takes `Def` through the crate root's re-export; `def` takes `api::Method`.
        let c = crate_of(&[
            (
                "lib.rs",
                "pub mod api;\npub mod def;\npub mod text;\npub use def::Def;\npub use text::Text;\n",
            ),
            ("api.rs", "use crate::{Def, Text};\npub enum Method {}\n"),
            ("def.rs", "pub use crate::api::Method;\nuse crate::Text;\n"),
            ("text.rs", "pub struct Text;\n"),
        ]);
        assert_eq!(cycle_names(&c), ["api def"]);
    }

    #[test]
    fn a_child_using_its_parents_items_is_no_cycle_but_siblings_are_checked() {
        let mut files = vec![
            ("lib.rs", "mod engine;\n"),
            (
                "engine/mod.rs",
                "mod date;\nmod validators;\npub use date::Date;\npub struct Answer;\nfn f() { validators::check() }\n",
            ),
            ("engine/date.rs", "pub struct Date;\n"),
            (
                "engine/validators.rs",
                "use super::{Answer, Date};\npub fn check() {}\n",
            ),
        ];
        assert!(crate_of(&files).cycles().is_empty());
        // The date module now takes something from the validators, which take the date.
        files[2] = (
            "engine/date.rs",
            "use super::validators::check;\npub struct Date;\n",
        );
        assert_eq!(
            cycle_names(&crate_of(&files)),
            ["engine::date engine::validators"]
        );
    }

    #[test]
    fn test_code_comments_and_strings_make_no_dependency() {
        let c = crate_of(&[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            (
                "a.rs",
                "// use crate::b::B;\n/* crate::b::B /* nested */ crate::b::B */\n\
                 const S: &str = \"crate::b::B\";\nconst R: &str = r#\"crate::b::\"B\"#;\n\
                 const C: char = '\"';\nfn f<'a>(x: &'a str) -> &'a str { x }\n\
                 #[cfg(test)]\nmod tests {\n    use crate::b::B;\n}\n\
                 #[cfg(test)]\nfn helper() { crate::b::g(); }\npub struct A;\n",
            ),
            ("b.rs", "use crate::a::A;\npub struct B;\n"),
        ]);
        assert!(c.cycles().is_empty());
    }

    #[test]
    fn the_api_layer_may_import_nothing_above_it() {
        let c = crate_of(&[
            ("lib.rs", "pub mod api;\npub mod host;\npub mod json;\n"),
            ("api/mod.rs", "pub mod session;\nuse crate::json;\n"),
            (
                "api/session.rs",
                "pub fn adopt() { crate::host::frame::send(); }\n",
            ),
            ("host/mod.rs", "pub mod frame;\n"),
            ("host/frame.rs", "pub fn send() {}\n"),
            ("json.rs", "pub fn parse() {}\n"),
        ]);
        let problems = c.layer_problems("api", &ABOVE_API);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("`api::session` imports `host::frame`, above the api layer"),
            "{problems:?}"
        );
        // Below it is fine, and so is the same crate without the import.
        let c = crate_of(&[
            ("lib.rs", "pub mod api;\npub mod host;\npub mod json;\n"),
            ("api/mod.rs", "pub mod session;\nuse crate::json;\n"),
            ("api/session.rs", "pub fn adopt() {}\n"),
            (
                "host/mod.rs",
                "pub mod frame;\nuse crate::api::session::adopt;\n",
            ),
            ("host/frame.rs", "pub fn send() {}\n"),
            ("json.rs", "pub fn parse() {}\n"),
        ]);
        assert!(c.layer_problems("api", &ABOVE_API).is_empty());
    }

    #[test]
    fn a_cycle_through_the_api_layer_is_reported() {
        let c = crate_of(&[
            ("lib.rs", "pub mod api;\npub mod i18n;\n"),
            ("api.rs", "use crate::i18n::Messages;\npub struct Err;\n"),
            (
                "i18n.rs",
                "pub struct Messages;\nfn f(_: crate::api::Err) {}\n",
            ),
        ]);
        let problems = c.layer_problems("api", &ABOVE_API);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("module cycle api → i18n → api"),
            "{problems:?}"
        );
    }
}

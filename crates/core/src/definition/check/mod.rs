//! Checking a definition when it loads: what the type system cannot say. Ids and uniqueness,
//! both languages present, every reference resolving, conditions reading only facts asked
//! before them, dependencies acyclic, every fact received by some department, satisfiers with
//! their texts. The first problem found is reported as a [`DefinitionError`] with its path.
//!
//! This file holds the entry points and the form-order bookkeeping; [`facts`] checks each fact's
//! parameters, [`items`] the sub-items, materials and rules.

mod facts;
mod guide;
mod items;
mod tracking;

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use super::types::{ChoiceOption, Fact, OptionSource, ServiceDefinition};
use crate::condition::Condition;
use crate::text::Text;

/// What is wrong with a definition: the file, the path inside it, and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// The file the definition came from (as given by the caller); empty from
    /// [`ServiceDefinition::check`].
    pub file: String,
    /// Path inside the definition, e.g. `sub_items[2].title.en`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.is_empty() {
            write!(f, "{}: ", self.file)?;
        }
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DefinitionError {}

impl DefinitionError {
    /// A problem at `path` inside a definition, before it is known which file that is.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        DefinitionError {
            file: String::new(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// The same problem, named in `file`.
    #[must_use]
    pub fn in_file(self, file: &str) -> Self {
        DefinitionError {
            file: file.to_owned(),
            ..self
        }
    }
}

impl ServiceDefinition {
    /// Parses a definition from TOML and checks it. `file` names the source in errors.
    ///
    /// # Errors
    /// A [`DefinitionError`] naming the path inside the file and what is wrong with it.
    #[cfg(feature = "toml")]
    pub fn from_toml(file: &str, source: &str) -> Result<Self, DefinitionError> {
        let mut def: ServiceDefinition = toml::from_str(source)
            .map_err(|e| DefinitionError::at("", e.to_string()).in_file(file))?;
        if def.version.is_empty() {
            def.version = derived_version(source);
        }
        def.fill_option_sources();
        def.check().map_err(|e| e.in_file(file))?;
        Ok(def)
    }

    /// Gives each choice with `options_from` and no `options` the options of its code list, so
    /// the definition served to the SPA carries them (the SPA embeds no code list).
    pub fn fill_option_sources(&mut self) {
        fn fill(f: &mut Fact) {
            if let Some(src) = f.options_from
                && f.options.is_empty()
            {
                f.options = source_options(src);
            }
            f.fields.iter_mut().for_each(fill);
        }
        self.facts.iter_mut().for_each(fill);
        self.eligibility.questions.iter_mut().for_each(fill);
    }

    /// Checks what the type system cannot: ids, uniqueness, both languages present, every
    /// reference resolving, conditions reading only facts asked before them, dependencies
    /// acyclic, every fact received by some department, satisfiers with their texts.
    ///
    /// # Errors
    /// The first problem found: the path inside the definition and what is wrong there (the
    /// error's `file` is empty; [`ServiceDefinition::from_toml`] names it).
    pub fn check(&self) -> Result<(), DefinitionError> {
        check_id("id", &self.id)?;
        check_version(&self.version)?;
        check_text("title", &self.title)?;
        check_text("summary", &self.summary)?;
        check_opt_text("region", self.region.as_ref())?;
        if self.sub_items.is_empty() {
            return err("sub_items", "a one-thing bundles at least one sub-item");
        }
        let mut seen = HashSet::new();
        for (i, item) in self.sub_items.iter().enumerate() {
            let at = |field: &str| format!("sub_items[{i}].{field}");
            check_id(&at("id"), &item.id)?;
            if !seen.insert(item.id.as_str()) {
                return err(at("id"), format!("duplicate sub-item id `{}`", item.id));
            }
            check_text(&at("title"), &item.title)?;
            check_text(&at("department"), &item.department)?;
            check_opt_text(&at("description"), item.description.as_ref())?;
            check_opt_text(&at("handled_in"), item.handled_in.as_ref())?;
            if item.time_limit_days == 0 {
                return err(at("time_limit_days"), "must be at least 1 working day");
            }
        }
        Checker::new(self)?.run()?;
        guide::check(self)
    }
}

/// The version of a definition whose file declares none: `d-` and the 64-bit FNV-1a digest of
/// the file's text in hex. Not a security measure: it tells versions apart, it does not
/// authenticate them.
#[cfg(feature = "toml")]
fn derived_version(source: &str) -> String {
    let digest = source.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("d-{digest:016x}")
}

/// A version is 1–40 characters of `A–Z a–z 0–9 . _ -` (it appears in URLs and logs). Empty
/// only for a definition built in code rather than loaded (the loader always fills it).
fn check_version(version: &str) -> Result<(), DefinitionError> {
    let ok = version.chars().count() <= 40
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        err(
            "version",
            format!("`{version}` is not a version: 1–40 of A–Z a–z 0–9 . _ -, e.g. \"2026.1\""),
        )
    }
}

/// The options a code list gives a choice.
pub(super) fn source_options(src: OptionSource) -> Vec<ChoiceOption> {
    match src {
        OptionSource::Ethnicity => crate::codes::ethnicity_options()
            .map(|(id, label)| ChoiceOption {
                id: id.to_owned(),
                label,
            })
            .collect(),
    }
}

/// What one check answers: fine, or the first problem.
type CheckResult = Result<(), DefinitionError>;

fn err<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, DefinitionError> {
    Err(DefinitionError::at(path, message))
}

/// The cross-reference checks, with the form order of every fact.
struct Checker<'a> {
    def: &'a ServiceDefinition,
    /// Position of each top-level fact and question in form order.
    order: BTreeMap<&'a str, usize>,
}

impl<'a> Checker<'a> {
    fn new(def: &'a ServiceDefinition) -> Result<Self, DefinitionError> {
        let mut order = BTreeMap::new();
        for (i, q) in def.eligibility.questions.iter().enumerate() {
            if order.insert(q.id.as_str(), order.len()).is_some() {
                return err(
                    format!("eligibility.questions[{i}].id"),
                    format!("duplicate fact id `{}`", q.id),
                );
            }
        }
        let mut fact_ids = HashSet::new();
        for (i, f) in def.facts.iter().enumerate() {
            if !fact_ids.insert(f.id.as_str())
                || def.eligibility.questions.iter().any(|q| q.id == f.id)
            {
                return err(
                    format!("facts[{i}].id"),
                    format!("duplicate fact id `{}`", f.id),
                );
            }
        }
        let mut on_page: BTreeMap<&str, usize> = BTreeMap::new();
        let mut page_ids = HashSet::new();
        for (p, page) in def.pages.iter().enumerate() {
            check_id(&format!("pages[{p}].id"), &page.id)?;
            if !page_ids.insert(page.id.as_str()) {
                return err(
                    format!("pages[{p}].id"),
                    format!("duplicate page id `{}`", page.id),
                );
            }
            check_text(&format!("pages[{p}].title"), &page.title)?;
            check_opt_text(&format!("pages[{p}].intro"), page.intro.as_ref())?;
            if page.facts.is_empty() {
                return err(
                    format!("pages[{p}].facts"),
                    "a page shows at least one fact",
                );
            }
            for (j, f) in page.facts.iter().enumerate() {
                let at = format!("pages[{p}].facts[{j}]");
                if !def.facts.iter().any(|x| &x.id == f) {
                    return err(at, format!("no fact `{f}` in `facts`"));
                }
                if on_page.insert(f, p).is_some() {
                    return err(at, format!("fact `{f}` is on more than one page"));
                }
                order.insert(f.as_str(), order.len());
            }
        }
        for (i, f) in def.facts.iter().enumerate() {
            if !on_page.contains_key(f.id.as_str()) {
                return err(
                    format!("facts[{i}]"),
                    format!("fact `{}` is on no page", f.id),
                );
            }
        }
        Ok(Checker { def, order })
    }

    fn run(&self) -> CheckResult {
        let def = self.def;
        if let Some(t) = &def.eligibility.intro {
            check_text("eligibility.intro", t)?;
        }
        for (i, q) in def.eligibility.questions.iter().enumerate() {
            self.fact(&format!("eligibility.questions[{i}]"), q, None)?;
        }
        let mut ids = HashSet::new();
        for (i, r) in def.eligibility.rules.iter().enumerate() {
            let at = |f: &str| format!("eligibility.rules[{i}].{f}");
            check_id(&at("id"), &r.id)?;
            if !ids.insert(r.id.as_str()) {
                return err(at("id"), format!("duplicate rule id `{}`", r.id));
            }
            check_text(&at("explanation"), &r.explanation)?;
            check_text(&at("fallback"), &r.fallback)?;
            for (j, id) in r.continue_with.iter().enumerate() {
                if def.sub_item(id).is_none() {
                    return err(
                        format!("eligibility.rules[{i}].continue_with[{j}]"),
                        format!("no sub-item `{id}`"),
                    );
                }
            }
            if let Some(link) = &r.single_item {
                check_text(&at("single_item.label"), &link.label)?;
                let h = link.href.as_str();
                let fine = (h.starts_with("https://") && h.len() > "https://".len())
                    || (h.starts_with('/') && !h.starts_with("//"));
                if !fine || h.chars().any(|c| c.is_whitespace() || c == '"' || c == '<') {
                    return err(
                        at("single_item.href"),
                        "a path of this app (`/services/…`) or an `https://` address",
                    );
                }
            }
            for f in r.require.facts() {
                if !def.eligibility.questions.iter().any(|q| q.id == f) {
                    return err(
                        at("require"),
                        format!("`{f}` is not an eligibility question"),
                    );
                }
            }
            if !r.require.sub_items().is_empty() {
                return err(
                    at("require"),
                    "eligibility is decided before sub-items are selected",
                );
            }
        }
        for (i, f) in def.facts.iter().enumerate() {
            self.fact(&format!("facts[{i}]"), f, None)?;
        }
        for (p, page) in def.pages.iter().enumerate() {
            if let Some(c) = &page.visible_if {
                let first = page.facts.first().map_or(usize::MAX, |f| self.pos(f));
                self.condition(&format!("pages[{p}].visible_if"), c, first, None)?;
            }
        }
        self.sub_items()?;
        self.delivery_choice()?;
        self.bundle_time_limit()?;
        for (i, entry) in def.shared_facts.iter().enumerate() {
            self.entry(&format!("shared_facts[{i}]"), entry)?;
        }
        self.reachable()?;
        self.materials()?;
        self.rules()?;
        self.stages_and_outcomes()?;
        self.amounts()?;
        for (i, r) in def.reported.iter().enumerate() {
            check_text(&format!("reported[{i}].label"), &r.label)?;
            check_text(&format!("reported[{i}].source"), &r.source)?;
            if r.before.is_some() && r.after.is_none() {
                return err(format!("reported[{i}].after"), "`before` goes with `after`");
            }
            if r.after.is_none() && r.reduced_percent.is_none() {
                return err(
                    format!("reported[{i}]"),
                    "a figure needs `before` and `after`, or `reduced_percent`",
                );
            }
            if r.reduced_percent.is_some_and(|p| p == 0 || p > 100) {
                return err(
                    format!("reported[{i}].reduced_percent"),
                    "a reduction between 1 and 100 %",
                );
            }
        }
        Ok(())
    }

    fn pos(&self, id: &str) -> usize {
        self.order.get(id).copied().unwrap_or(usize::MAX)
    }

    /// A condition at form position `at_pos` may read facts asked before it; inside a group,
    /// also the group's earlier fields (`group` = the group and the field's index).
    fn condition(
        &self,
        path: &str,
        c: &Condition,
        at_pos: usize,
        group: Option<(&Fact, usize)>,
    ) -> CheckResult {
        for f in c.facts() {
            if let Some((g, idx)) = group
                && let Some(j) = g.fields.iter().position(|x| x.id == f)
            {
                if j >= idx {
                    return err(
                        path,
                        format!(
                            "`{f}` is asked after this field: a condition may only read earlier answers"
                        ),
                    );
                }
                continue;
            }
            if self.def.fact(f).is_none() {
                return err(path, format!("no fact `{f}`"));
            }
            if self.pos(f) >= at_pos {
                return err(
                    path,
                    format!(
                        "`{f}` is not asked before this point: a condition may only read earlier answers"
                    ),
                );
            }
        }
        self.selected_ids(path, c)
    }

    fn selected_ids(&self, path: &str, c: &Condition) -> CheckResult {
        for s in c.sub_items() {
            if self.def.sub_item(s).is_none() {
                return err(path, format!("no sub-item `{s}`"));
            }
        }
        Ok(())
    }

    /// A condition evaluated after the whole form (materials, rules): any fact.
    fn late_condition(&self, path: &str, c: &Condition) -> CheckResult {
        for f in c.facts() {
            if self.def.fact(f).is_none() {
                return err(path, format!("no fact `{f}`"));
            }
        }
        self.selected_ids(path, c)
    }

    fn entry(&self, path: &str, entry: &str) -> CheckResult {
        if self.def.resolve(entry).is_none() {
            return err(
                path,
                format!("no fact `{entry}` (use a fact id, or group.field)"),
            );
        }
        Ok(())
    }
}

/// Whether `id` is an id of a definition (a service, a fact, a page …): 1–64 lower-case
/// letters, digits, `-` or `_`, starting with a letter. Safe in a URL path and a file name as
/// it is, which is why the server and the SPA check ids from URLs with it too.
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && id.as_bytes()[0].is_ascii_lowercase()
}

fn check_id(path: &str, id: &str) -> CheckResult {
    if is_id(id) {
        Ok(())
    } else {
        err(
            path,
            format!(
                "`{id}` is not an id: use 1-64 lower-case letters, digits, `-` or `_`, starting with a letter"
            ),
        )
    }
}

fn check_opt_text(path: &str, text: Option<&Text>) -> CheckResult {
    text.map_or(Ok(()), |t| check_text(path, t))
}

fn check_text(path: &str, text: &Text) -> CheckResult {
    match text.missing_language() {
        Some(lang) => err(format!("{path}.{lang}"), "text is missing in this language"),
        None => Ok(()),
    }
}

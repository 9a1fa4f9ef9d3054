//! The one-thing engine: given a [`ServiceDefinition`], the selected sub-items and the answers
//! so far, it says what to ask (visible pages and facts), what is valid (field errors with stable
//! codes and paths), what to provide (the deduplicated materials and how each may be satisfied),
//! whether the bundle applies (eligibility), and what each department receives (the projection).
//!
//! Everything here is a pure function of its inputs — `today` included — so the SPA (wasm32)
//! and the server (native) reach the same verdicts, and the server can re-check every submission
//! without trusting the client.
//!
//! ## Hidden-value policy
//! Answers to facts that are not visible (their page or condition is off, or no selected
//! sub-item needs them) stay in the draft, so switching a branch back restores them, but they are
//! never validated, never seen by conditions and never submitted: [`check_submission`] drops
//! them from the [`Projection`]. Conditions may only read facts asked before them (checked when a
//! definition loads), so one pass in form order decides visibility exactly.

pub mod date;
pub mod validators;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use date::{Date, DateTime};

use crate::Text;
use crate::condition::{Condition, Scope, order_values};
use crate::definition::{
    Check, DateBound, Fact, FactKind, IdType, MAX_GROUP_ITEMS, MAX_UPLOADS_PER_MATERIAL, Material,
    Page, Prefill, ReportedFigure, Rule, Satisfier, ServiceDefinition,
};

/// Answers by fact id. JSON: `{"mother_name": "王芳", "married": true, "children": [{…}]}`.
pub type Answers = BTreeMap<String, AnswerValue>;

/// One answer, in the JSON shape a form naturally produces (untagged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    /// Cleared: `null`. Counts as unanswered.
    Null,
    /// Yes/no: `true`.
    Bool(bool),
    /// Integer: `3200`.
    Integer(i64),
    /// Text, single choice (the option id), ID number, mobile, date (`2026-11-20`), date-time
    /// (`2026-11-20T08:30`), bank card: `"…"`.
    Text(String),
    /// Multiple choice: `["a", "b"]`.
    Choices(Vec<String>),
    /// Repeatable group: `[{"name": "…"}, {"name": "…"}]`.
    Group(Vec<Answers>),
    /// Address: `{"region": ["330000", "330500", "330502"], "detail": "…"}`.
    Address(Address),
    /// Any other JSON (a float, an unexpected object): one odd answer becomes a `wrong_type`
    /// error on its field instead of a rejected body. Serialised as `null`.
    Unsupported(Unsupported),
}

/// The content of an answer of no supported shape (see [`AnswerValue::Unsupported`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unsupported;

impl Serialize for Unsupported {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for Unsupported {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Unsupported)
    }
}

impl AnswerValue {
    /// Whether this counts as an answer: blank text, empty lists and empty addresses do not.
    pub fn is_answered(&self) -> bool {
        match self {
            AnswerValue::Null => false,
            AnswerValue::Bool(_) | AnswerValue::Integer(_) | AnswerValue::Unsupported(_) => true,
            AnswerValue::Text(s) => !s.trim().is_empty(),
            AnswerValue::Choices(c) => !c.is_empty(),
            AnswerValue::Group(g) => !g.is_empty(),
            AnswerValue::Address(a) => !a.region.is_empty() || !a.detail.trim().is_empty(),
        }
    }
}

/// An address: region cascade (GB/T 2260 codes) and the detail line.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Province, city, county codes, in order.
    pub region: Vec<String>,
    /// Street, number, building, room.
    #[serde(default)]
    pub detail: String,
}

/// How the applicant provides one material.
/// JSON: `{"kind": "upload", "upload_ids": ["…"]}`, `{"kind": "e_licence", "consent": true}`,
/// `{"kind": "commitment", "accepted": true}`, `{"kind": "deferred"}`, `{"kind": "at_window"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MaterialChoice {
    /// Photos or scans already uploaded (ids from the upload API), one per page.
    Upload {
        /// Upload ids, in page order.
        upload_ids: Vec<String>,
    },
    /// Fetch the e-licence (免证办); `consent` must be given.
    ELicence {
        /// The holder's consent.
        consent: bool,
    },
    /// Accept the commitment (承诺办) instead of a proof.
    Commitment {
        /// Whether the commitment text was accepted.
        accepted: bool,
    },
    /// Supply later (容缺受理).
    Deferred,
    /// Show at the window.
    AtWindow,
}

impl MaterialChoice {
    /// The satisfier this choice uses.
    pub fn satisfier(&self) -> Satisfier {
        match self {
            MaterialChoice::Upload { .. } => Satisfier::Upload,
            MaterialChoice::ELicence { .. } => Satisfier::ELicence,
            MaterialChoice::Commitment { .. } => Satisfier::Commitment,
            MaterialChoice::Deferred => Satisfier::Deferred,
            MaterialChoice::AtWindow => Satisfier::AtWindow,
        }
    }
}

/// A draft and, when submitted, the submission body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Application {
    /// The definition's id.
    pub service_id: String,
    /// Selected sub-item ids.
    #[serde(default)]
    pub sub_items: Vec<String>,
    /// Answers to the eligibility questions.
    #[serde(default)]
    pub eligibility: Answers,
    /// Answers to the form's facts.
    #[serde(default)]
    pub answers: Answers,
    /// How each material is provided, by material id.
    #[serde(default)]
    pub materials: BTreeMap<String, MaterialChoice>,
}

/// One validation error: a stable code (see [`crate::error_text`]) and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FieldError {
    /// `snake_case` code, e.g. `id_number_checksum`, or a definition rule's code.
    pub code: String,
    /// Where: `answers.mother_id_number`, `answers.children[1].weight_g`,
    /// `eligibility.born_in_hospital`, `materials.marriage_certificate`, `sub_items.x`.
    pub path: String,
}

impl FieldError {
    fn new(code: &str, path: impl Into<String>) -> Self {
        FieldError {
            code: code.to_owned(),
            path: path.into(),
        }
    }
}

/// A page's state for a task-list view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStatus {
    /// Nothing answered yet.
    NotStarted,
    /// Some required answers missing.
    InProgress,
    /// Every visible required fact answered, nothing invalid.
    Complete,
    /// An answer is invalid.
    HasErrors,
}

/// A page as the engine sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageState {
    /// The page id.
    pub id: String,
    /// Whether it is shown.
    pub visible: bool,
    /// Its completeness (meaningful when visible).
    pub status: PageStatus,
    /// Its visible facts, in order.
    pub facts: Vec<String>,
}

/// Whether the bundle applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EligibilityOutcome {
    /// Questions are still open (their ids).
    Incomplete {
        /// Visible questions without a valid answer.
        missing: Vec<String>,
    },
    /// The bundle applies.
    Eligible,
    /// It does not; why, and what to do instead.
    NotEligible {
        /// The failed rules.
        reasons: Vec<IneligibleReason>,
    },
}

/// One failed eligibility rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IneligibleReason {
    /// The rule id.
    pub rule: String,
    /// Why the bundle does not apply.
    pub explanation: Text,
    /// What to do instead.
    pub fallback: Text,
}

/// A material the application needs, asked once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialNeed {
    /// The material id.
    pub id: String,
    /// The selected sub-items that need it.
    pub sub_items: Vec<String>,
    /// The ways it may be provided now (e-licence only where one exists).
    pub satisfiers: Vec<Satisfier>,
}

/// What one department receives for one sub-item: only the facts and materials it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentPacket {
    /// The sub-item id.
    pub sub_item: String,
    /// The department.
    pub department: Text,
    /// Sub-items that must finish first.
    pub depends_on: Vec<String>,
    /// The answers it receives (eligibility answers included when it lists them).
    pub answers: Answers,
    /// The materials it receives.
    pub materials: BTreeMap<String, MaterialChoice>,
}

/// A material supplied later (容缺): a 补正 task after submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeferredMaterial {
    /// The material id.
    pub material: String,
    /// Working days allowed.
    pub due_days: u16,
    /// The sub-items waiting for it.
    pub sub_items: Vec<String>,
}

/// A valid submission, reduced to what is submitted: visible answers only (normalised: ID
/// numbers upper-cased, mobiles without spaces …), needed materials only, and per department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    /// The definition's id.
    pub service_id: String,
    /// The selected sub-items, in the definition's order.
    pub sub_items: Vec<String>,
    /// The visible eligibility answers.
    pub eligibility: Answers,
    /// The visible answers.
    pub answers: Answers,
    /// The needed materials.
    pub materials: BTreeMap<String, MaterialChoice>,
    /// What each selected sub-item's department receives.
    pub departments: Vec<DepartmentPacket>,
    /// Materials to supply later.
    pub deferred: Vec<DeferredMaterial>,
}

/// Everything the engine says about an application at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The selected sub-items that are known and available, in the definition's order.
    pub selected: Vec<String>,
    /// Whether the bundle applies.
    pub eligibility: EligibilityOutcome,
    /// The visible eligibility questions, in order.
    pub questions: Vec<String>,
    /// Every page in order, with visibility and status.
    pub pages: Vec<PageState>,
    /// Every visible field path (`answers.children[0].name` …), for the SPA's rendering.
    pub visible_paths: BTreeSet<String>,
    /// Every error, including `required` ones.
    pub errors: Vec<FieldError>,
    /// The needed materials.
    pub materials: Vec<MaterialNeed>,
}

impl Evaluation {
    /// Whether the application can be submitted.
    pub fn ready(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The signed-in account's data, for prefilling.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrefillData {
    /// Real name.
    pub name: Option<String>,
    /// ID number.
    pub id_number: Option<String>,
    /// Mobile number.
    pub mobile: Option<String>,
}

impl From<&crate::api::Account> for PrefillData {
    fn from(a: &crate::api::Account) -> Self {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        PrefillData {
            name: some(&a.name),
            id_number: some(&a.id_number),
            mobile: some(&a.phone),
        }
    }
}

/// The bundle's reduction figures, computed from the definition (all sub-items, every
/// conditional material) plus the reported ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reduction {
    /// One form per sub-item before (多表).
    pub forms_before: usize,
    /// One form now (一表).
    pub forms_after: usize,
    /// Material requests when each department asks for its own.
    pub material_requests_before: usize,
    /// Distinct materials asked once.
    pub materials_after: usize,
    /// Departments involved.
    pub departments: usize,
    /// Sum of the legal time limits, handled one after another.
    pub time_limit_days_before: u32,
    /// Longest chain of dependent time limits, handled in parallel.
    pub time_limit_days_after: u32,
    /// Reported figures, as given in the definition.
    pub reported: Vec<ReportedFigure>,
}

// ---------------------------------------------------------------------------------------------
// The walk: one pass in form order deciding visibility, validating, normalising.

/// What the walk learnt about one top-level fact or question.
struct Seen<'a> {
    id: &'a str,
    /// `answers.` or `eligibility.`.
    prefix: &'static str,
    page: Option<usize>,
    /// Answered in the draft (valid or not).
    answered: bool,
}

struct Walk<'a> {
    def: &'a ServiceDefinition,
    today: Date,
    selected: BTreeSet<&'a str>,
    /// Visible, valid, normalised answers by fact id (questions and facts share the namespace).
    values: BTreeMap<&'a str, AnswerValue>,
    visible: Vec<Seen<'a>>,
    visible_paths: BTreeSet<String>,
    errors: Vec<FieldError>,
    pages: Vec<(bool, Vec<String>)>,
    /// Needed facts: whole facts, and group fields by group.
    whole: BTreeSet<&'a str>,
    fields: BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// When tracing: every decision taken, by its path in the definition.
    trace: Option<RefCell<Vec<(String, bool)>>>,
}

impl Scope for Walk<'_> {
    fn value(&self, id: &str) -> Option<&AnswerValue> {
        self.values.get(id)
    }
    fn selected(&self, id: &str) -> bool {
        self.selected.contains(id)
    }
    fn today(&self) -> Date {
        self.today
    }
}

/// A group entry's scope: its own fields first, then the rest of the form.
struct ItemScope<'s> {
    item: &'s Answers,
    outer: &'s dyn Scope,
}

impl Scope for ItemScope<'_> {
    fn value(&self, id: &str) -> Option<&AnswerValue> {
        self.item.get(id).or_else(|| self.outer.value(id))
    }
    fn selected(&self, id: &str) -> bool {
        self.outer.selected(id)
    }
    fn today(&self) -> Date {
        self.outer.today()
    }
}

fn split_path(entry: &str) -> (&str, Option<&str>) {
    match entry.split_once('.') {
        Some((g, f)) => (g, Some(f)),
        None => (entry, None),
    }
}

impl<'a> Walk<'a> {
    fn run(def: &'a ServiceDefinition, app: &Application, today: Date) -> Self {
        Self::run_traced(def, app, today, false)
    }

    /// Evaluates an optional condition (absent: holds), recording it when tracing.
    fn decide(
        &self,
        scope: &dyn Scope,
        cond: Option<&Condition>,
        path: impl FnOnce() -> String,
    ) -> bool {
        let Some(c) = cond else { return true };
        let v = c.eval(scope);
        self.record(path, v);
        v
    }

    fn record(&self, path: impl FnOnce() -> String, v: bool) {
        if let Some(t) = &self.trace {
            t.borrow_mut().push((path(), v));
        }
    }

    fn run_traced(
        def: &'a ServiceDefinition,
        app: &Application,
        today: Date,
        tracing: bool,
    ) -> Self {
        let mut w = Walk {
            def,
            today,
            selected: BTreeSet::new(),
            values: BTreeMap::new(),
            visible: Vec::new(),
            visible_paths: BTreeSet::new(),
            errors: Vec::new(),
            pages: Vec::new(),
            whole: BTreeSet::new(),
            fields: BTreeMap::new(),
            trace: tracing.then(|| RefCell::new(Vec::new())),
        };
        for (i, q) in def.eligibility.questions.iter().enumerate() {
            if w.decide(&w, q.visible_if.as_ref(), || {
                format!("eligibility.questions[{i}].visible_if")
            }) {
                w.take(q, app.eligibility.get(&q.id), "eligibility.", None);
            }
        }
        // The selection is made after the pre-screen: enabled_if reads eligibility answers only.
        let wanted: BTreeSet<&str> = set_of(app.sub_items.iter().map(String::as_str));
        let mut chosen = BTreeSet::new();
        for (i, item) in def.sub_items.iter().enumerate() {
            let enabled = w.decide(&w, item.enabled_if.as_ref(), || {
                format!("sub_items[{i}].enabled_if")
            });
            if enabled && wanted.contains(item.id.as_str()) {
                chosen.insert(item.id.as_str());
            }
        }
        w.selected = chosen;
        let chosen_items: Vec<_> = def
            .sub_items
            .iter()
            .filter(|i| w.selected.contains(i.id.as_str()))
            .collect();
        for item in chosen_items {
            for entry in &item.facts {
                w.need(entry);
            }
        }
        if !w.selected.is_empty() {
            for entry in &def.shared_facts {
                w.need(entry);
            }
        }
        for (p, page) in def.pages.iter().enumerate() {
            let page_on = w.decide(&w, page.visible_if.as_ref(), || {
                format!("pages[{p}].visible_if")
            });
            let mut shown = Vec::new();
            for fid in &page.facts {
                let Some(fi) = def.facts.iter().position(|f| &f.id == fid) else {
                    continue;
                };
                let fact = &def.facts[fi];
                let needed = w.whole.contains(fid.as_str()) || w.fields.contains_key(fid.as_str());
                if page_on
                    && needed
                    && w.decide(&w, fact.visible_if.as_ref(), || {
                        format!("facts[{fi}].visible_if")
                    })
                {
                    shown.push(fid.clone());
                    w.take(fact, app.answers.get(fid), "answers.", Some(p));
                }
            }
            w.pages.push((page_on && !shown.is_empty(), shown));
        }
        w
    }

    fn need(&mut self, entry: &'a str) {
        match split_path(entry) {
            (g, Some(f)) => {
                self.fields.entry(g).or_default().insert(f);
            }
            (id, None) => {
                self.whole.insert(id);
            }
        }
    }

    fn field_needed(&self, group: &str, field: &str) -> bool {
        self.whole.contains(group) || self.fields.get(group).is_some_and(|s| s.contains(field))
    }

    /// Records a visible top-level fact: validates its answer and, when valid, keeps the
    /// normalised value for the conditions and rules that follow.
    fn take(
        &mut self,
        fact: &'a Fact,
        raw: Option<&AnswerValue>,
        prefix: &'static str,
        page: Option<usize>,
    ) {
        let path = format!("{prefix}{}", fact.id);
        self.visible_paths.insert(path.clone());
        let raw = raw.filter(|v| v.is_answered());
        self.visible.push(Seen {
            id: &fact.id,
            prefix,
            page,
            answered: raw.is_some(),
        });
        let Some(raw) = raw else {
            if !fact.optional {
                self.errors.push(FieldError::new("required", path));
            }
            return;
        };
        let result = if fact.kind == FactKind::Group {
            self.take_group(fact, raw, &path)
        } else {
            validate_value(fact, raw, self)
        };
        match result {
            Ok(v) => {
                self.values.insert(&fact.id, v);
            }
            Err(code) => self.errors.push(FieldError::new(code, path)),
        }
    }

    fn take_group(
        &mut self,
        fact: &'a Fact,
        raw: &AnswerValue,
        path: &str,
    ) -> Result<AnswerValue, &'static str> {
        let items: &[Answers] = match raw {
            AnswerValue::Group(items) => items,
            AnswerValue::Choices(c) if c.is_empty() => &[],
            _ => return Err("wrong_type"),
        };
        let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
        if count < fact.min_items.unwrap_or(1) {
            return Err("too_few_items");
        }
        if count > fact.max_items.unwrap_or(MAX_GROUP_ITEMS) {
            return Err("too_many_items");
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let mut clean = Answers::new();
            for (k, field) in fact.fields.iter().enumerate() {
                if !self.field_needed(&fact.id, &field.id) {
                    continue;
                }
                let scope = ItemScope {
                    item: &clean,
                    outer: self,
                };
                let shown = self.decide(&scope, field.visible_if.as_ref(), || {
                    let fi = self
                        .def
                        .facts
                        .iter()
                        .position(|f| f.id == fact.id)
                        .unwrap_or(0);
                    format!("facts[{fi}].fields[{k}].visible_if")
                });
                if !shown {
                    continue;
                }
                let fpath = format!("{path}[{i}].{}", field.id);
                let value = item.get(&field.id).filter(|v| v.is_answered());
                let verdict = value.map(|v| validate_value(field, v, &scope));
                self.visible_paths.insert(fpath.clone());
                match verdict {
                    None if !field.optional => self.errors.push(FieldError::new("required", fpath)),
                    None => {}
                    Some(Ok(v)) => {
                        clean.insert(field.id.clone(), v);
                    }
                    Some(Err(code)) => self.errors.push(FieldError::new(code, fpath)),
                }
            }
            out.push(clean);
        }
        Ok(AnswerValue::Group(out))
    }

    /// Every visible valid value of `name` (`fact` or `group.field`) with its path.
    fn values_at(&self, name: &str) -> Vec<(String, &AnswerValue)> {
        let (head, field) = split_path(name);
        let Some(v) = self.values.get(head) else {
            return Vec::new();
        };
        let prefix = if self.def.eligibility.questions.iter().any(|q| q.id == head) {
            "eligibility."
        } else {
            "answers."
        };
        match (field, v) {
            (None, v) => vec![(format!("{prefix}{head}"), v)],
            (Some(f), AnswerValue::Group(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    item.get(f).map(|v| (format!("{prefix}{head}[{i}].{f}"), v))
                })
                .collect(),
            (Some(_), _) => Vec::new(),
        }
    }

    fn check_rules(&mut self) {
        let mut found = Vec::new();
        for (ri, rule) in self.def.rules.iter().enumerate() {
            if !self.decide(self, rule.when.as_ref(), || format!("rules[{ri}].when")) {
                continue;
            }
            let (checked, at) = self.check_one(rule);
            if checked {
                self.record(|| format!("rules[{ri}].check"), at.is_empty());
            }
            found.extend(at.into_iter().map(|p| FieldError::new(&rule.code, p)));
        }
        self.errors.extend(found);
    }

    /// Runs one rule's check: whether there was something to check (both sides answered and
    /// valid), and the paths it reports on.
    fn check_one(&self, rule: &Rule) -> (bool, BTreeSet<String>) {
        let mut at = BTreeSet::new();
        // Whether the check had something to check (both sides answered and valid).
        let mut checked = false;
        match &rule.check {
            Check::Before { earlier, later } => {
                for (_, e) in self.values_at(earlier) {
                    for (lp, l) in self.values_at(later) {
                        checked = true;
                        if order_values(e, l).is_some_and(std::cmp::Ordering::is_ge) {
                            at.insert(lp);
                        }
                    }
                }
            }
            Check::Distinct { facts } => {
                let mut seen = BTreeSet::new();
                for name in facts {
                    for (p, v) in self.values_at(name) {
                        checked |= !seen.is_empty();
                        if let AnswerValue::Text(s) = v
                            && !seen.insert(s.trim().to_uppercase())
                        {
                            at.insert(p);
                        }
                    }
                }
            }
            Check::SameSurname { name, parent } => {
                for (_, pv) in self.values_at(parent) {
                    let AnswerValue::Text(parent_name) = pv else {
                        continue;
                    };
                    let sur = validators::surname(parent_name);
                    for (np, nv) in self.values_at(name) {
                        checked = true;
                        if let AnswerValue::Text(n) = nv
                            && !n.trim().starts_with(sur)
                        {
                            at.insert(np);
                        }
                    }
                }
            }
            Check::IdBirthDate {
                id_number,
                birth_date,
            } => {
                for (_, iv) in self.values_at(id_number) {
                    let AnswerValue::Text(id) = iv else { continue };
                    // Only 18-character numbers with a coded date: resident IDs (passport
                    // and permit numbers are shorter).
                    let Some(coded) = (id.len() == 18)
                        .then(|| validators::id_birth_date(id))
                        .flatten()
                    else {
                        continue;
                    };
                    for (bp, bv) in self.values_at(birth_date) {
                        checked = true;
                        if let AnswerValue::Text(b) = bv
                            && Date::parse(b.trim()) != Some(coded)
                        {
                            at.insert(bp);
                        }
                    }
                }
            }
            Check::SameAs { fact, other } => {
                for (_, ov) in self.values_at(other) {
                    for (fp, fv) in self.values_at(fact) {
                        checked = true;
                        if let (AnswerValue::Text(a), AnswerValue::Text(b)) = (fv, ov)
                            && a.trim() != b.trim()
                        {
                            at.insert(fp);
                        }
                    }
                }
            }
            Check::Holds(cond) => return self.check_holds(rule, cond),
        }
        (checked, at)
    }

    /// A `holds` rule: checked where its field is shown.
    fn check_holds(&self, rule: &Rule, cond: &Condition) -> (bool, BTreeSet<String>) {
        let mut at = BTreeSet::new();
        let mut checked = false;
        let field = rule.field.as_deref().unwrap_or_default();
        match split_path(field) {
            // On a group field: checked in each entry where that field is shown, with
            // the entry's own answers in scope.
            (group, Some(f)) => {
                if let Some(AnswerValue::Group(items)) = self.values.get(group) {
                    for (i, item) in items.iter().enumerate() {
                        let path = format!("answers.{group}[{i}].{f}");
                        if self.visible_paths.contains(&path) {
                            checked = true;
                            let scope = ItemScope { item, outer: self };
                            if !cond.eval(&scope) {
                                at.insert(path);
                            }
                        }
                    }
                }
            }
            // Checked only while the field it is reported on is shown.
            (head, None) => {
                if let Some(seen) = self.visible.iter().find(|s| s.id == head) {
                    checked = true;
                    if !cond.eval(self) {
                        at.insert(format!("{}{head}", seen.prefix));
                    }
                }
            }
        }
        (checked, at)
    }

    fn materials(&self) -> Vec<(&'a Material, MaterialNeed)> {
        let mut out = Vec::new();
        for (mi, m) in self.def.materials.iter().enumerate() {
            let sub_items: Vec<String> = self
                .def
                .sub_items
                .iter()
                .filter(|i| self.selected.contains(i.id.as_str()) && m.sub_items.contains(&i.id))
                .map(|i| i.id.clone())
                .collect();
            if sub_items.is_empty()
                || !self.decide(self, m.required_if.as_ref(), || {
                    format!("materials[{mi}].required_if")
                })
            {
                continue;
            }
            let e_licence_exists = m.e_licence.as_ref().is_some_and(|e| {
                self.decide(self, e.available_if.as_ref(), || {
                    format!("materials[{mi}].e_licence.available_if")
                })
            });
            let satisfiers = m
                .satisfiers
                .iter()
                .copied()
                .filter(|s| *s != Satisfier::ELicence || e_licence_exists)
                .collect();
            out.push((
                m,
                MaterialNeed {
                    id: m.id.clone(),
                    sub_items,
                    satisfiers,
                },
            ));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Single values.

fn text_of(v: &AnswerValue) -> Result<&str, &'static str> {
    match v {
        AnswerValue::Text(s) => Ok(s.trim()),
        _ => Err("wrong_type"),
    }
}

fn length_checked(s: &str, fact: &Fact, default_max: u32) -> Result<(), &'static str> {
    let n = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
    if fact.min_length.is_some_and(|m| n < m) {
        return Err("too_short");
    }
    if n > fact.max_length.unwrap_or(default_max) {
        return Err("too_long");
    }
    Ok(())
}

fn linked_id_type(fact: &Fact, scope: &dyn Scope) -> Option<IdType> {
    fact.id_type.or_else(|| {
        let linked = fact.id_type_fact.as_deref()?;
        match scope.value(linked)? {
            AnswerValue::Text(t) => IdType::from_id(t.trim()),
            _ => None,
        }
    })
}

/// The date a bound stands for, if its reference fact (if any) is answered.
fn bound_date(bound: &DateBound, scope: &dyn Scope) -> Option<Date> {
    let base = match &bound.fact {
        None => scope.today(),
        Some(f) => match scope.value(f)? {
            AnswerValue::Text(s) => {
                let s = s.trim();
                Date::parse(s).or_else(|| DateTime::parse(s).map(|t| t.date))?
            }
            _ => return None,
        },
    };
    Some(bound.offset().apply(base))
}

fn date_in_bounds(d: Date, fact: &Fact, scope: &dyn Scope) -> Result<(), &'static str> {
    if let Some(b) = &fact.earliest
        && bound_date(b, scope).is_some_and(|e| d < e)
    {
        return Err("date_too_early");
    }
    if let Some(b) = &fact.latest
        && bound_date(b, scope).is_some_and(|l| d > l)
    {
        return Err(if b.is_today() {
            "date_in_future"
        } else {
            "date_too_late"
        });
    }
    Ok(())
}

/// Validates one answered value of a non-group fact and returns it normalised.
///
/// # Errors
/// The stable code of the first problem found.
pub fn validate_value(
    fact: &Fact,
    v: &AnswerValue,
    scope: &dyn Scope,
) -> Result<AnswerValue, &'static str> {
    let text = |s: String| Ok(AnswerValue::Text(s));
    match fact.kind {
        FactKind::Text | FactKind::LongText => {
            let long = fact.kind == FactKind::LongText;
            let s = text_of(v)?;
            if validators::has_control_chars(s, long) {
                return Err("invalid_characters");
            }
            length_checked(s, fact, if long { 1000 } else { 100 })?;
            text(s.to_owned())
        }
        FactKind::Name => {
            let latin = linked_id_type(fact, scope).is_some_and(IdType::allows_latin_name);
            let s = validators::person_name(text_of(v)?, latin)?;
            length_checked(&s, fact, 60)?;
            text(s)
        }
        FactKind::IdNumber => {
            let Some(t) = linked_id_type(fact, scope) else {
                return Err("id_type_required");
            };
            text(validators::id_number(t, text_of(v)?, scope.today())?)
        }
        FactKind::Mobile => text(validators::mobile(text_of(v)?)?),
        FactKind::BankCard => text(validators::bank_card(text_of(v)?)?),
        FactKind::Date => {
            let d = Date::parse(text_of(v)?).ok_or("date_format")?;
            date_in_bounds(d, fact, scope)?;
            text(d.to_string())
        }
        FactKind::DateTime => {
            let t = DateTime::parse(text_of(v)?).ok_or("date_time_format")?;
            date_in_bounds(t.date, fact, scope)?;
            text(t.to_string())
        }
        FactKind::Integer => {
            let AnswerValue::Integer(n) = v else {
                return Err("wrong_type");
            };
            if fact.min.is_some_and(|m| *n < m) {
                return Err("too_small");
            }
            if fact.max.is_some_and(|m| *n > m) {
                return Err("too_large");
            }
            Ok(AnswerValue::Integer(*n))
        }
        FactKind::Choice => {
            let s = text_of(v)?;
            fact.option(s).ok_or("unknown_option")?;
            text(s.to_owned())
        }
        FactKind::MultiChoice => {
            let AnswerValue::Choices(cs) = v else {
                return Err("wrong_type");
            };
            let mut out: Vec<String> = Vec::new();
            // Keep the definition's option order, whatever order the client sent.
            for o in &fact.options {
                if cs.contains(&o.id) {
                    out.push(o.id.clone());
                }
            }
            if cs.iter().any(|c| fact.option(c).is_none()) {
                return Err("unknown_option");
            }
            let n = u32::try_from(out.len()).unwrap_or(u32::MAX);
            if fact.min_items.is_some_and(|m| n < m) {
                return Err("too_few_items");
            }
            if fact.max_items.is_some_and(|m| n > m) {
                return Err("too_many_items");
            }
            Ok(AnswerValue::Choices(out))
        }
        FactKind::YesNo => match v {
            AnswerValue::Bool(b) => Ok(AnswerValue::Bool(*b)),
            _ => Err("wrong_type"),
        },
        FactKind::Address => {
            let AnswerValue::Address(a) = v else {
                return Err("wrong_type");
            };
            validators::region_codes(&a.region)?;
            let detail = a.detail.trim();
            if detail.is_empty() {
                return Err("address_detail_required");
            }
            if validators::has_control_chars(detail, false) {
                return Err("invalid_characters");
            }
            length_checked(detail, fact, 120)?;
            Ok(AnswerValue::Address(Address {
                region: a.region.clone(),
                detail: detail.to_owned(),
            }))
        }
        FactKind::Group => Err("wrong_type"),
    }
}

// ---------------------------------------------------------------------------------------------
// Public answers.

fn eligibility_outcome(w: &Walk<'_>) -> EligibilityOutcome {
    let def = w.def;
    let visible_q: BTreeSet<&str> = set_of(
        w.visible
            .iter()
            .filter(|s| s.prefix == "eligibility.")
            .map(|s| s.id),
    );
    // A question is settled when it is hidden, or visible with a valid answer, or optional.
    let settled = |id: &str| {
        !visible_q.contains(id)
            || w.values.contains_key(id)
            || def.eligibility.questions.iter().any(|q| {
                q.id == id && q.optional && !w.visible.iter().any(|s| s.id == id && s.answered)
            })
    };
    let reasons: Vec<IneligibleReason> = def
        .eligibility
        .rules
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            r.require.facts().iter().all(|f| settled(f))
                && !w.decide(w, Some(&r.require), || {
                    format!("eligibility.rules[{i}].require")
                })
        })
        .map(|(_, r)| r)
        .map(|r| IneligibleReason {
            rule: r.id.clone(),
            explanation: r.explanation.clone(),
            fallback: r.fallback.clone(),
        })
        .collect();
    if !reasons.is_empty() {
        return EligibilityOutcome::NotEligible { reasons };
    }
    let missing: Vec<String> = def
        .eligibility
        .questions
        .iter()
        .filter(|q| !settled(&q.id))
        .map(|q| q.id.clone())
        .collect();
    if missing.is_empty() {
        EligibilityOutcome::Eligible
    } else {
        EligibilityOutcome::Incomplete { missing }
    }
}

fn selection_errors(def: &ServiceDefinition, app: &Application, w: &Walk<'_>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, id) in app.sub_items.iter().enumerate() {
        if !def.sub_items.iter().any(|s| &s.id == id) {
            errors.push(FieldError::new(
                "sub_item_unknown",
                format!("sub_items[{i}]"),
            ));
        }
    }
    if w.selected.is_empty() {
        errors.push(FieldError::new("no_sub_items", "sub_items"));
    }
    for item in &def.sub_items {
        let enabled = item.enabled_if.as_ref().is_none_or(|c| c.eval(w));
        let wanted = app.sub_items.contains(&item.id);
        let path = format!("sub_items.{}", item.id);
        if wanted && !enabled {
            errors.push(FieldError::new("sub_item_not_available", path));
        } else if !wanted && enabled && !item.optional {
            errors.push(FieldError::new("sub_item_required", path));
        } else if wanted
            && item.depends_on.iter().any(|d| {
                !w.selected.contains(d.as_str())
                    && def
                        .sub_items
                        .iter()
                        .any(|s| &s.id == d && s.enabled_if.as_ref().is_none_or(|c| c.eval(w)))
            })
        {
            errors.push(FieldError::new("sub_item_dependency", path));
        }
    }
    errors
}

fn material_errors(app: &Application, needs: &[(&Material, MaterialNeed)]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (m, need) in needs {
        let path = format!("materials.{}", m.id);
        let Some(choice) = app.materials.get(&m.id) else {
            errors.push(FieldError::new("material_missing", path));
            continue;
        };
        if !need.satisfiers.contains(&choice.satisfier()) {
            errors.push(FieldError::new("satisfier_not_allowed", path));
            continue;
        }
        let code = match choice {
            MaterialChoice::Upload { upload_ids } => {
                let distinct: BTreeSet<&str> = set_of(upload_ids.iter().map(String::as_str));
                let max = if m.pages.is_empty() {
                    MAX_UPLOADS_PER_MATERIAL
                } else {
                    m.pages.len()
                };
                if upload_ids.iter().all(|u| u.trim().is_empty()) {
                    Some("upload_missing")
                } else if distinct.len() != upload_ids.len()
                    || upload_ids.len() > max
                    || (!m.pages.is_empty() && upload_ids.len() != m.pages.len())
                {
                    Some("upload_count")
                } else {
                    None
                }
            }
            MaterialChoice::ELicence { consent: false } => Some("consent_required"),
            MaterialChoice::Commitment { accepted: false } => Some("commitment_not_accepted"),
            _ => None,
        };
        if let Some(code) = code {
            errors.push(FieldError::new(code, path));
        }
    }
    errors
}

fn page_status(w: &Walk<'_>, page: usize, errors: &[FieldError]) -> PageStatus {
    let facts: Vec<&Seen<'_>> = w.visible.iter().filter(|s| s.page == Some(page)).collect();
    let under = |e: &FieldError, s: &Seen<'_>| {
        e.path
            .strip_prefix(s.prefix)
            .and_then(|rest| rest.strip_prefix(s.id))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('[') || rest.starts_with('.'))
    };
    let mut missing = false;
    for s in &facts {
        for e in errors.iter().filter(|e| under(e, s)) {
            if e.code == "required" {
                missing = true;
            } else {
                return PageStatus::HasErrors;
            }
        }
    }
    if !facts.iter().any(|s| s.answered) {
        PageStatus::NotStarted
    } else if missing {
        PageStatus::InProgress
    } else {
        PageStatus::Complete
    }
}

/// Everything at once: selection, eligibility, pages with status, visible paths, every error,
/// materials. The SPA calls this on each change; the server through [`check_submission`].
pub fn evaluate(def: &ServiceDefinition, app: &Application, today: Date) -> Evaluation {
    let mut w = Walk::run(def, app, today);
    w.check_rules();
    let eligibility = eligibility_outcome(&w);
    let needs = w.materials();
    let mut errors = Vec::new();
    if app.service_id != def.id {
        errors.push(FieldError::new("service_mismatch", "service_id"));
    }
    if matches!(eligibility, EligibilityOutcome::NotEligible { .. }) {
        errors.push(FieldError::new("not_eligible", "eligibility"));
    }
    errors.extend(selection_errors(def, app, &w));
    errors.extend(w.errors.iter().cloned());
    errors.extend(material_errors(app, &needs));
    // Two rules may report the same problem on the same field (mother's and father's birth
    // dates against one child's): say it once.
    let mut seen = BTreeSet::new();
    errors.retain(|e| seen.insert((e.code.clone(), e.path.clone())));
    let pages = def
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (visible, facts) = w.pages[i].clone();
            PageState {
                id: p.id.clone(),
                visible,
                status: page_status(&w, i, &w.errors),
                facts,
            }
        })
        .collect();
    Evaluation {
        selected: def
            .sub_items
            .iter()
            .filter(|i| w.selected.contains(i.id.as_str()))
            .map(|i| i.id.clone())
            .collect(),
        eligibility,
        questions: w
            .visible
            .iter()
            .filter(|s| s.prefix == "eligibility.")
            .map(|s| s.id.to_owned())
            .collect(),
        pages,
        visible_paths: w.visible_paths.clone(),
        errors,
        materials: needs.into_iter().map(|(_, n)| n).collect(),
    }
}

/// Every decision the engine takes for this application — each condition it evaluates and each
/// cross-field rule it checks — by its path in the definition (`facts[3].visible_if`,
/// `rules[0].check` …) with its outcome. For definition authors' tests: together with
/// [`ServiceDefinition::decision_points`] it shows which branches a set of scenarios exercises.
pub fn decisions(def: &ServiceDefinition, app: &Application, today: Date) -> Vec<(String, bool)> {
    let mut w = Walk::run_traced(def, app, today, true);
    w.check_rules();
    eligibility_outcome(&w);
    w.materials();
    w.trace.map(RefCell::into_inner).unwrap_or_default()
}

/// The pages shown now, in order.
pub fn visible_pages<'d>(
    def: &'d ServiceDefinition,
    app: &Application,
    today: Date,
) -> Vec<&'d Page> {
    let w = Walk::run(def, app, today);
    def.pages
        .iter()
        .zip(&w.pages)
        .filter(|(_, (visible, _))| *visible)
        .map(|(p, _)| p)
        .collect()
}

/// The facts shown now on page `page_id`, in order (empty for a hidden or unknown page).
pub fn visible_facts<'d>(
    def: &'d ServiceDefinition,
    app: &Application,
    page_id: &str,
    today: Date,
) -> Vec<&'d Fact> {
    let w = Walk::run(def, app, today);
    let Some(i) = def.pages.iter().position(|p| p.id == page_id) else {
        return Vec::new();
    };
    w.pages[i]
        .1
        .iter()
        .filter_map(|id| def.facts.iter().find(|f| &f.id == id))
        .collect()
}

/// Each page's id, visibility and completeness, for a task list.
pub fn page_statuses(def: &ServiceDefinition, app: &Application, today: Date) -> Vec<PageState> {
    evaluate(def, app, today).pages
}

/// The errors on one page, `required` included (for its Continue button).
pub fn validate_page(
    def: &ServiceDefinition,
    app: &Application,
    page_id: &str,
    today: Date,
) -> Vec<FieldError> {
    let mut w = Walk::run(def, app, today);
    w.check_rules();
    let Some(i) = def.pages.iter().position(|p| p.id == page_id) else {
        return Vec::new();
    };
    let ids: Vec<&str> = w.pages[i].1.iter().map(String::as_str).collect();
    w.errors
        .into_iter()
        .filter(|e| {
            ids.iter().any(|id| {
                e.path
                    .strip_prefix("answers.")
                    .and_then(|r| r.strip_prefix(id))
                    .is_some_and(|r| r.is_empty() || r.starts_with('[') || r.starts_with('.'))
            })
        })
        .collect()
}

/// The errors of the eligibility questions, `required` included.
pub fn validate_eligibility(
    def: &ServiceDefinition,
    app: &Application,
    today: Date,
) -> Vec<FieldError> {
    let w = Walk::run(def, app, today);
    w.errors
        .into_iter()
        .filter(|e| e.path.starts_with("eligibility."))
        .collect()
}

/// Whether the bundle applies to these eligibility answers.
pub fn eligibility(def: &ServiceDefinition, answers: &Answers, today: Date) -> EligibilityOutcome {
    let app = Application {
        service_id: def.id.clone(),
        eligibility: answers.clone(),
        ..Application::default()
    };
    eligibility_outcome(&Walk::run(def, &app, today))
}

/// The sub-items available with these eligibility answers, in order: what the selection step
/// offers, all ticked (optional ones may be unticked).
pub fn available_sub_items(def: &ServiceDefinition, answers: &Answers, today: Date) -> Vec<String> {
    let app = Application {
        service_id: def.id.clone(),
        eligibility: answers.clone(),
        sub_items: def.sub_items.iter().map(|s| s.id.clone()).collect(),
        ..Application::default()
    };
    let w = Walk::run(def, &app, today);
    def.sub_items
        .iter()
        .filter(|s| w.selected.contains(s.id.as_str()))
        .map(|s| s.id.clone())
        .collect()
}

/// The materials needed now, each once, with the sub-items needing it and its allowed ways.
pub fn materials_needed(
    def: &ServiceDefinition,
    app: &Application,
    today: Date,
) -> Vec<MaterialNeed> {
    Walk::run(def, app, today)
        .materials()
        .into_iter()
        .map(|(_, n)| n)
        .collect()
}

/// The answers that would be submitted: visible, valid, normalised (hidden ones dropped).
pub fn visible_answers(def: &ServiceDefinition, app: &Application, today: Date) -> Answers {
    let w = Walk::run(def, app, today);
    w.visible
        .iter()
        .filter(|s| s.prefix == "answers.")
        .filter_map(|s| w.values.get(s.id).map(|v| (s.id.to_owned(), v.clone())))
        .collect()
}

/// Validates the whole application — service, eligibility, selection (mandatory items,
/// availability, dependencies), every visible fact, the cross-field rules and the materials — and,
/// when it is valid, returns what is submitted and what each department receives.
///
/// # Errors
/// Every problem found, in form order.
pub fn check_submission(
    def: &ServiceDefinition,
    app: &Application,
    today: Date,
) -> Result<Projection, Vec<FieldError>> {
    let eval = evaluate(def, app, today);
    if !eval.errors.is_empty() {
        return Err(eval.errors);
    }
    let w = Walk::run(def, app, today);
    let pick = |prefix: &str| -> Answers {
        map_of(
            w.visible
                .iter()
                .filter(|s| s.prefix == prefix)
                .filter_map(|s| w.values.get(s.id).map(|v| (s.id.to_owned(), v.clone()))),
        )
    };
    let eligibility = pick("eligibility.");
    let answers = pick("answers.");
    let needs = w.materials();
    let materials: BTreeMap<String, MaterialChoice> = map_of(
        needs
            .iter()
            .filter_map(|(m, _)| app.materials.get(&m.id).map(|c| (m.id.clone(), c.clone()))),
    );
    let departments = def
        .sub_items
        .iter()
        .filter(|i| w.selected.contains(i.id.as_str()))
        .map(|item| {
            let mut packet = Answers::new();
            let mut fields: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for entry in item.facts.iter().chain(&def.shared_facts) {
                match split_path(entry) {
                    (g, Some(f)) => {
                        fields.entry(g).or_default().insert(f);
                    }
                    (id, None) => {
                        if let Some(v) = w.values.get(id) {
                            packet.insert(id.to_owned(), v.clone());
                        }
                    }
                }
            }
            for (g, fs) in fields {
                if packet.contains_key(g) {
                    continue;
                }
                if let Some(AnswerValue::Group(items)) = w.values.get(g) {
                    let part = items
                        .iter()
                        .map(|it| {
                            map_of(
                                it.iter()
                                    .filter(|(k, _)| fs.contains(k.as_str()))
                                    .map(|(k, v)| (k.clone(), v.clone())),
                            )
                        })
                        .collect();
                    packet.insert(g.to_owned(), AnswerValue::Group(part));
                }
            }
            DepartmentPacket {
                sub_item: item.id.clone(),
                department: item.department.clone(),
                depends_on: item.depends_on.clone(),
                answers: packet,
                materials: map_of(
                    materials
                        .iter()
                        .filter(|(id, _)| {
                            needs
                                .iter()
                                .any(|(_, n)| &n.id == *id && n.sub_items.contains(&item.id))
                        })
                        .map(|(k, v)| (k.clone(), v.clone())),
                ),
            }
        })
        .collect();
    let deferred = needs
        .iter()
        .filter(|(m, _)| matches!(materials.get(&m.id), Some(MaterialChoice::Deferred)))
        .map(|(m, n)| DeferredMaterial {
            material: m.id.clone(),
            due_days: m.deferred_days.unwrap_or(0),
            sub_items: n.sub_items.clone(),
        })
        .collect();
    Ok(Projection {
        service_id: def.id.clone(),
        sub_items: eval.selected,
        eligibility,
        answers,
        materials,
        departments,
        deferred,
    })
}

/// Fills unanswered facts that declare a prefill source from the signed-in account. Existing
/// answers are never overwritten.
pub fn prefill(def: &ServiceDefinition, account: &PrefillData, answers: &mut Answers) {
    for fact in &def.facts {
        let value = match fact.prefill {
            Some(Prefill::AccountName) => account.name.clone(),
            Some(Prefill::AccountIdNumber) => account.id_number.clone(),
            Some(Prefill::AccountMobile) => account.mobile.clone(),
            None => None,
        };
        if let Some(v) = value
            && !answers.get(&fact.id).is_some_and(AnswerValue::is_answered)
        {
            answers.insert(fact.id.clone(), AnswerValue::Text(v));
        }
    }
}

/// When sub-item `id` finishes at the earliest: its time limit after its slowest dependency.
fn finish_of<'d>(
    def: &'d ServiceDefinition,
    id: &'d str,
    memo: &mut BTreeMap<&'d str, u32>,
    depth: usize,
) -> u32 {
    if let Some(v) = memo.get(id) {
        return *v;
    }
    let Some(item) = def.sub_items.iter().find(|s| s.id == id) else {
        return 0;
    };
    let before = if depth > def.sub_items.len() {
        0
    } else {
        item.depends_on
            .iter()
            .map(|d| finish_of(def, d, memo, depth + 1))
            .max()
            .unwrap_or(0)
    };
    let v = before + u32::from(item.time_limit_days);
    memo.insert(&item.id, v);
    v
}

/// A set built by inserting one by one. `collect()` into a B-tree sorts a vector first, and
/// each element type's sort is its own ~4 KB of wasm in the SPA; these sets are small.
fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for x in items {
        set.insert(x);
    }
    set
}

/// A map built by inserting one by one (a later duplicate key wins, as with `collect()`); see
/// [`set_of`].
fn map_of<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in items {
        map.insert(k, v);
    }
    map
}

/// The bundle's reduction figures (forms N → 1, material requests M → K, time limits summed
/// versus the longest dependency chain).
pub fn reduction(def: &ServiceDefinition) -> Reduction {
    let material_requests_before = def.materials.iter().map(|m| m.sub_items.len()).sum();
    let departments: BTreeSet<&str> =
        set_of(def.sub_items.iter().map(|s| s.department.zh.as_str()));
    // Longest path through depends_on (acyclic: checked when the definition loads).
    let mut finish: BTreeMap<&str, u32> = BTreeMap::new();
    let after = def
        .sub_items
        .iter()
        .map(|s| finish_of(def, &s.id, &mut finish, 0))
        .max()
        .unwrap_or(0);
    Reduction {
        forms_before: def.sub_items.len(),
        forms_after: 1,
        material_requests_before,
        materials_after: def.materials.len(),
        departments: departments.len(),
        time_limit_days_before: def
            .sub_items
            .iter()
            .map(|s| u32::from(s.time_limit_days))
            .sum(),
        time_limit_days_after: after,
        reported: def.reported.clone(),
    }
}

#[cfg(test)]
mod tests;

//! The walk: one pass over a definition in form order, deciding what is visible, validating
//! and normalising each visible answer, then checking the cross-field rules and working out the
//! materials. Every public question of the engine starts with a walk.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use super::collect::set_of;
use super::model::{Application, FieldError, MaterialNeed};
use super::validate::validate_value;
use super::validators;
use crate::condition::{Condition, Scope, order_values};
use crate::definition::{
    Check, Fact, FactKind, MAX_GROUP_ITEMS, Material, Rule, Satisfier, ServiceDefinition,
};
use crate::errors::EngineError;
use crate::value::{AnswerValue, Answers, Date};

/// What the walk learnt about one top-level fact or question.
pub(super) struct Seen<'a> {
    pub(super) id: &'a str,
    /// `answers.` or `eligibility.`.
    pub(super) prefix: &'static str,
    pub(super) page: Option<usize>,
    /// Answered in the draft (valid or not).
    pub(super) answered: bool,
}

pub(super) struct Walk<'a> {
    pub(super) def: &'a ServiceDefinition,
    today: Date,
    pub(super) selected: BTreeSet<&'a str>,
    /// When eligibility rules fail and together let the person go on with some sub-items
    /// (`continue_with`): those. Only they are available then.
    pub(super) limited: Option<BTreeSet<&'a str>>,
    /// Visible, valid, normalised answers by fact id (questions and facts share the namespace).
    pub(super) values: BTreeMap<&'a str, AnswerValue>,
    pub(super) visible: Vec<Seen<'a>>,
    pub(super) visible_paths: BTreeSet<String>,
    pub(super) errors: Vec<FieldError>,
    pub(super) pages: Vec<(bool, Vec<String>)>,
    /// Needed facts: whole facts, and group fields by group.
    whole: BTreeSet<&'a str>,
    fields: BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// When tracing: every decision taken, by its path in the definition.
    pub(super) trace: Option<RefCell<Vec<(String, bool)>>>,
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

pub(super) fn split_path(entry: &str) -> (&str, Option<&str>) {
    match entry.split_once('.') {
        Some((g, f)) => (g, Some(f)),
        None => (entry, None),
    }
}

impl<'a> Walk<'a> {
    pub(super) fn run(def: &'a ServiceDefinition, app: &Application, today: Date) -> Self {
        Self::run_traced(def, app, today, false)
    }

    /// Whether eligibility question `id` is settled: hidden, validly answered, or optional and
    /// left blank. A rule is judged only once all it reads is settled.
    pub(super) fn settled(&self, id: &str) -> bool {
        let visible = self
            .visible
            .iter()
            .any(|s| s.prefix == "eligibility." && s.id == id);
        !visible
            || self.values.contains_key(id)
            || self.def.eligibility.questions.iter().any(|q| {
                q.id == id && q.optional && !self.visible.iter().any(|s| s.id == id && s.answered)
            })
    }

    /// The indexes of the eligibility rules that fail, recording each judged rule when
    /// `traced`.
    pub(super) fn failed_rules(&self, traced: bool) -> Vec<usize> {
        self.def
            .eligibility
            .rules
            .iter()
            .enumerate()
            .filter(|(i, r)| {
                r.require.facts().iter().all(|f| self.settled(f))
                    && !if traced {
                        self.decide(self, Some(&r.require), || {
                            format!("eligibility.rules[{i}].require")
                        })
                    } else {
                        r.require.eval(self)
                    }
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The sub-items the person may go on with when the bundle does not apply: those every
    /// failed rule lists in `continue_with`. `None` when the bundle applies or a failed rule
    /// leaves nothing.
    fn fallback_sub_items(&self) -> Option<BTreeSet<&'a str>> {
        let def = self.def;
        let failed = self.failed_rules(false);
        let mut rules = failed.iter().map(|i| &def.eligibility.rules[*i]);
        let first = rules.next()?;
        let mut set: BTreeSet<&'a str> = set_of(first.continue_with.iter().map(String::as_str));
        for r in rules {
            set.retain(|id| r.continue_with.iter().any(|c| c == id));
        }
        (!set.is_empty()).then_some(set)
    }

    /// Whether sub-item `id` is within the fallback (always, when there is none).
    pub(super) fn within_fallback(&self, id: &str) -> bool {
        self.limited.as_ref().is_none_or(|l| l.contains(id))
    }

    /// Evaluates an optional condition (absent: holds), recording it when tracing.
    pub(super) fn decide(
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

    pub(super) fn run_traced(
        def: &'a ServiceDefinition,
        app: &Application,
        today: Date,
        tracing: bool,
    ) -> Self {
        let mut w = Walk {
            def,
            today,
            selected: BTreeSet::new(),
            limited: None,
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
        // When the bundle does not apply, the failed rules may still let some sub-items go on.
        w.limited = w.fallback_sub_items();
        // The selection is made after the pre-screen: enabled_if reads eligibility answers only.
        let wanted: BTreeSet<&str> = set_of(app.sub_items.iter().map(String::as_str));
        let mut chosen = BTreeSet::new();
        for (i, item) in def.sub_items.iter().enumerate() {
            let enabled = w.decide(&w, item.enabled_if.as_ref(), || {
                format!("sub_items[{i}].enabled_if")
            }) && w.within_fallback(&item.id);
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
                self.errors
                    .push(FieldError::new(EngineError::Required, path));
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
    ) -> Result<AnswerValue, EngineError> {
        let items: &[Answers] = match raw {
            AnswerValue::Group(items) => items,
            AnswerValue::Choices(c) if c.is_empty() => &[],
            _ => return Err(EngineError::WrongType),
        };
        let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
        if count < fact.min_items.unwrap_or(1) {
            return Err(EngineError::TooFewItems);
        }
        if count > fact.max_items.unwrap_or(MAX_GROUP_ITEMS) {
            return Err(EngineError::TooManyItems);
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
                    None if !field.optional => self
                        .errors
                        .push(FieldError::new(EngineError::Required, fpath)),
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

    pub(super) fn check_rules(&mut self) {
        let mut found = Vec::new();
        for (ri, rule) in self.def.rules.iter().enumerate() {
            if !self.decide(self, rule.when.as_ref(), || format!("rules[{ri}].when")) {
                continue;
            }
            let (checked, at) = self.check_one(rule);
            if checked {
                self.record(|| format!("rules[{ri}].check"), at.is_empty());
            }
            found.extend(at.into_iter().map(|p| FieldError::rule(&rule.code, p)));
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
                            && !seen.insert(s.trim().to_ascii_uppercase())
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
            Check::OneOf { fact, others } => {
                let allowed: Vec<&str> = others
                    .iter()
                    .flat_map(|o| self.values_at(o))
                    .filter_map(|(_, v)| match v {
                        AnswerValue::Text(t) => Some(t.trim()),
                        _ => None,
                    })
                    .collect();
                if !allowed.is_empty() {
                    for (fp, fv) in self.values_at(fact) {
                        checked = true;
                        if let AnswerValue::Text(t) = fv
                            && !allowed.contains(&t.trim())
                        {
                            at.insert(fp);
                        }
                    }
                }
            }
            Check::Sum { field, equals } => return self.check_sum(field, *equals),
            Check::Holds(cond) => return self.check_holds(rule, cond),
        }
        (checked, at)
    }

    /// A `sum` rule: the integer answers of a group field add up to `equals`. Only a complete
    /// column is summed (a missing or invalid share has its own error); reported on the last.
    fn check_sum(&self, field: &str, equals: i64) -> (bool, BTreeSet<String>) {
        let mut at = BTreeSet::new();
        let values = self.values_at(field);
        let (group, f) = split_path(field);
        let shown = match self.values.get(group) {
            Some(AnswerValue::Group(items)) => (0..items.len())
                .filter(|i| {
                    self.visible_paths
                        .contains(&format!("answers.{group}[{i}].{}", f.unwrap_or("")))
                })
                .count(),
            _ => 0,
        };
        if shown == 0 || values.len() != shown {
            return (false, at);
        }
        let total: i64 = values
            .iter()
            .map(|(_, v)| match v {
                AnswerValue::Integer(n) => *n,
                _ => 0,
            })
            .sum();
        if total != equals
            && let Some((last, _)) = values.last()
        {
            at.insert(last.clone());
        }
        (true, at)
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

    pub(super) fn materials(&self) -> Vec<(&'a Material, MaterialNeed)> {
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

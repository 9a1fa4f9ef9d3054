//! Finding things in a definition: a fact, sub-item, material or page by id, a `group.field`
//! name, and every place where the definition decides something.

use std::collections::BTreeMap;

use super::types::{Fact, FactKind, Material, Page, ServiceDefinition, SubItem};
use crate::condition::Condition;
use crate::value::{Address, AnswerValue, Answers};

impl ServiceDefinition {
    /// The working days of the longest chain of dependent sub-items (each after its slowest
    /// dependency, the rest in parallel): the bundle's time limit when all run at once.
    pub fn longest_chain_days(&self) -> u32 {
        // Longest path through depends_on (acyclic: checked when the definition loads).
        let mut finish: BTreeMap<&str, u32> = BTreeMap::new();
        self.sub_items
            .iter()
            .map(|s| finish_of(self, &s.id, &mut finish, 0))
            .max()
            .unwrap_or(0)
    }

    /// The top-level fact or eligibility question with this id.
    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.facts
            .iter()
            .chain(&self.eligibility.questions)
            .find(|f| f.id == id)
    }

    /// The fact a name refers to: `id`, or `group.field` for a group's field.
    pub fn resolve(&self, name: &str) -> Option<&Fact> {
        match name.split_once('.') {
            Some((g, f)) => self.fact(g).filter(|g| g.kind == FactKind::Group)?.field(f),
            None => self.fact(name),
        }
    }

    /// Every place where the definition decides something — each condition and each cross-field
    /// rule's check — by path (`facts[3].visible_if`, `rules[0].check` …). See
    /// [`crate::engine::decisions`].
    pub fn decision_points(&self) -> Vec<String> {
        let mut out = Vec::new();
        let opt = |c: Option<&Condition>, path: String| c.map(|_| path);
        for (i, q) in self.eligibility.questions.iter().enumerate() {
            out.extend(opt(
                q.visible_if.as_ref(),
                format!("eligibility.questions[{i}].visible_if"),
            ));
        }
        for (i, r) in self.eligibility.rules.iter().enumerate() {
            out.extend(opt(
                Some(&r.require),
                format!("eligibility.rules[{i}].require"),
            ));
        }
        for (i, s) in self.sub_items.iter().enumerate() {
            out.extend(opt(
                s.enabled_if.as_ref(),
                format!("sub_items[{i}].enabled_if"),
            ));
        }
        for (i, p) in self.pages.iter().enumerate() {
            out.extend(opt(p.visible_if.as_ref(), format!("pages[{i}].visible_if")));
        }
        for (i, f) in self.facts.iter().enumerate() {
            out.extend(opt(f.visible_if.as_ref(), format!("facts[{i}].visible_if")));
            for (k, field) in f.fields.iter().enumerate() {
                out.extend(opt(
                    field.visible_if.as_ref(),
                    format!("facts[{i}].fields[{k}].visible_if"),
                ));
            }
        }
        for (i, m) in self.materials.iter().enumerate() {
            out.extend(opt(
                m.required_if.as_ref(),
                format!("materials[{i}].required_if"),
            ));
            out.extend(opt(
                m.e_licence.as_ref().and_then(|e| e.available_if.as_ref()),
                format!("materials[{i}].e_licence.available_if"),
            ));
        }
        for (i, r) in self.rules.iter().enumerate() {
            out.extend(opt(r.when.as_ref(), format!("rules[{i}].when")));
            out.push(format!("rules[{i}].check"));
        }
        out
    }

    /// The sub-item with this id.
    pub fn sub_item(&self, id: &str) -> Option<&SubItem> {
        self.sub_items.iter().find(|s| s.id == id)
    }

    /// The material with this id.
    pub fn material(&self, id: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.id == id)
    }

    /// The page with this id.
    pub fn page(&self, id: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.id == id)
    }

    /// Every answered address of `answers` with its error path (`answers.<fact>`,
    /// `answers.<group>[<index>].<field>`): what the server checks against the full region
    /// table.
    pub fn address_answers<'a>(&self, answers: &'a Answers) -> Vec<(String, &'a Address)> {
        let mut out = Vec::new();
        for fact in &self.facts {
            match (fact.kind, answers.get(&fact.id)) {
                (FactKind::Address, Some(AnswerValue::Address(a))) => {
                    out.push((format!("answers.{}", fact.id), a));
                }
                (FactKind::Group, Some(AnswerValue::Group(items))) => {
                    for (i, item) in items.iter().enumerate() {
                        for field in fact.fields.iter().filter(|f| f.kind == FactKind::Address) {
                            if let Some(AnswerValue::Address(a)) = item.get(&field.id) {
                                out.push((format!("answers.{}[{i}].{}", fact.id, field.id), a));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Keeps of a draft (its selected sub-items, eligibility answers, answers and materials,
    /// the parts of an application) what this definition still has: a draft started under an
    /// earlier version drops the sub-items, questions, facts, group fields and materials that
    /// are gone. An answer whose question is still there stays even when it no longer fits
    /// (an option removed, a type changed): the engine then reports it on its step, which is
    /// where the person is sent. Returns whether anything was dropped.
    pub fn retain_applicable<M>(
        &self,
        sub_items: &mut Vec<String>,
        eligibility: &mut Answers,
        answers: &mut Answers,
        materials: &mut BTreeMap<String, M>,
    ) -> bool {
        let before = (
            sub_items.len(),
            eligibility.len(),
            answers.len(),
            materials.len(),
        );
        sub_items.retain(|s| self.sub_item(s).is_some());
        eligibility.retain(|q, _| self.eligibility.questions.iter().any(|f| &f.id == q));
        answers.retain(|id, _| self.facts.iter().any(|f| &f.id == id));
        materials.retain(|m, _| self.material(m).is_some());
        let mut dropped_fields = false;
        for (id, value) in answers.iter_mut() {
            let (Some(group), AnswerValue::Group(items)) = (self.fact(id), value) else {
                continue;
            };
            for item in items.iter_mut() {
                let n = item.len();
                item.retain(|f, _| group.field(f).is_some());
                dropped_fields |= item.len() != n;
            }
        }
        dropped_fields
            || before
                != (
                    sub_items.len(),
                    eligibility.len(),
                    answers.len(),
                    materials.len(),
                )
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
    let Some(item) = def.sub_item(id) else {
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

//! Finding things in a definition: a fact, sub-item, material or page by id, a `group.field`
//! name, and every place where the definition decides something.

use super::types::{Fact, FactKind, Material, Page, ServiceDefinition, SubItem};
use crate::condition::Condition;

impl ServiceDefinition {
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
}

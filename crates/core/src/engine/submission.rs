//! A submission: the whole application checked, and reduced to what is submitted and what each
//! department receives; and prefilling from the signed-in account.

use std::collections::{BTreeMap, BTreeSet};

use super::collect::map_of;
use super::evaluate::evaluate;
use super::model::{
    Application, DeferredMaterial, DepartmentPacket, FieldError, MaterialChoice, PrefillData,
    Projection,
};
use super::walk::{Walk, split_path};
use crate::definition::{Prefill, ServiceDefinition};
use crate::value::{AnswerValue, Answers, Date};

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

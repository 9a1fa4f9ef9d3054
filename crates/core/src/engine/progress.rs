//! A case after submission, as its definition describes it: which tracking stage a department
//! may enter next ([`stage_move`]), whether a sub-item may complete ([`stages_missing`]), and
//! whether what a department records for a stage or an outcome fits its fields
//! ([`check_record`]). The server runs these on every move; the rules live here so they are
//! tested natively with the definitions.

use std::collections::BTreeMap;

use super::model::FieldError;
use super::validate::validate_value;
use crate::condition::Scope;
use crate::definition::{Fact, Stage, SubItem};
use crate::errors::EngineError;
use crate::value::{AnswerValue, Date};

/// Why a stage cannot be entered now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageRefusal {
    /// The sub-item declares no stage with this id.
    Unknown,
    /// Stages before it that the sub-item must pass first (not reached yet).
    Waiting(Vec<String>),
    /// A later stage was reached already, and this one is not repeatable.
    Passed,
}

/// Whether the department may enter stage `to` of `item`, given the stages reached so far
/// (ids, oldest first). Every required stage listed before it must have been reached; a stage
/// that is not `repeatable` is never entered after a later one (recording it again while it
/// is the latest reached is fine: a rebooked date).
///
/// # Errors
/// The [`StageRefusal`].
pub fn stage_move(item: &SubItem, reached: &[String], to: &str) -> Result<(), StageRefusal> {
    let Some(index) = item.stages.iter().position(|s| s.id == to) else {
        return Err(StageRefusal::Unknown);
    };
    let waiting: Vec<String> = item.stages[..index]
        .iter()
        .filter(|s| !s.optional && !reached.contains(&s.id))
        .map(|s| s.id.clone())
        .collect();
    if !waiting.is_empty() {
        return Err(StageRefusal::Waiting(waiting));
    }
    let furthest = reached
        .iter()
        .filter_map(|r| item.stages.iter().position(|s| &s.id == r))
        .max();
    if !item.stages[index].repeatable && furthest.is_some_and(|f| f > index) {
        return Err(StageRefusal::Passed);
    }
    Ok(())
}

/// The required stages of `item` not reached yet: it may complete only when this is empty.
pub fn stages_missing(item: &SubItem, reached: &[String]) -> Vec<String> {
    item.stages
        .iter()
        .filter(|s| !s.optional && !reached.contains(&s.id))
        .map(|s| s.id.clone())
        .collect()
}

/// The `rising` fields of `stage` whose new value in `record` does not come after the last
/// one recorded for a field of the same id in `earlier` (the records of the stages entered
/// before, oldest first): an escalation goes up, never down or sideways. A value not among the
/// field's options (a lower level another stage offers) counts as below them all. Errors are at
/// `record.<field>`; run after [`check_record`], on its normalised values.
pub fn rising_problems(
    stage: &Stage,
    earlier: &[&BTreeMap<String, AnswerValue>],
    record: &BTreeMap<String, AnswerValue>,
) -> Vec<FieldError> {
    let text = |v: Option<&AnswerValue>| match v {
        Some(AnswerValue::Text(t)) => Some(t.clone()),
        _ => None,
    };
    stage
        .rising
        .iter()
        .filter_map(|id| {
            let field = stage.record.iter().find(|f| &f.id == id)?;
            let rank = |v: &str| field.options.iter().position(|o| o.id == v);
            let new = rank(&text(record.get(id))?)?;
            let last = earlier.iter().rev().find_map(|r| text(r.get(id)))?;
            rank(&last)
                .is_some_and(|old| new <= old)
                .then(|| FieldError::new(EngineError::NotRising, format!("record.{id}")))
        })
        .collect()
}

struct Today(Date);

impl Scope for Today {
    fn value(&self, _: &str) -> Option<&AnswerValue> {
        None
    }
    fn selected(&self, _: &str) -> bool {
        false
    }
    fn today(&self) -> Date {
        self.0
    }
}

/// Checks what a department records against `fields` (a stage's or an outcome's): every
/// required field answered, each value valid for its kind, no field the definition lacks.
/// Returns the values normalised (as the engine normalises answers). Errors are at
/// `record.<field>`.
///
/// # Errors
/// Every problem found.
pub fn check_record(
    fields: &[Fact],
    record: &BTreeMap<String, AnswerValue>,
    today: Date,
) -> Result<BTreeMap<String, AnswerValue>, Vec<FieldError>> {
    let scope = Today(today);
    let mut errors = Vec::new();
    let mut out = BTreeMap::new();
    for key in record.keys() {
        if !fields.iter().any(|f| &f.id == key) {
            errors.push(FieldError::new(
                EngineError::UnknownField,
                format!("record.{key}"),
            ));
        }
    }
    for f in fields {
        let path = format!("record.{}", f.id);
        match record.get(&f.id).filter(|v| v.is_answered()) {
            None if f.optional => {}
            None => errors.push(FieldError::new(EngineError::Required, path)),
            Some(v) => match validate_value(f, v, &scope) {
                Ok(v) => {
                    out.insert(f.id.clone(), v);
                }
                Err(e) => errors.push(FieldError::new(e, path)),
            },
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A record that fits `fields`, for demonstrations (the server's demo mode moves cases along
/// with it): each required field gets a plain valid value — today for a date, the smallest
/// allowed integer, the first option, yes, a text following its mask or `演示` padded to its
/// shortest length. Optional fields stay empty.
pub fn sample_record(fields: &[Fact], today: Date) -> BTreeMap<String, AnswerValue> {
    use crate::definition::FactKind;
    fields
        .iter()
        .filter(|f| !f.optional)
        .filter_map(|f| {
            let v = match f.kind {
                FactKind::Date => AnswerValue::Text(today.to_string()),
                FactKind::Integer => AnswerValue::Integer(f.min.unwrap_or(1)),
                FactKind::Choice => AnswerValue::Text(f.options.first()?.id.clone()),
                FactKind::YesNo => AnswerValue::Bool(true),
                FactKind::Text | FactKind::LongText => {
                    AnswerValue::Text(if let Some(m) = &f.mask {
                        m.chars()
                            .map(|c| match c {
                                'A' => 'D',
                                '9' => '1',
                                c => c,
                            })
                            .collect()
                    } else {
                        let min = usize::try_from(f.min_length.unwrap_or(2)).unwrap_or(2);
                        let mut s = String::from("演示");
                        while s.chars().count() < min {
                            s.push('示');
                        }
                        s
                    })
                }
                _ => return None,
            };
            Some((f.id.clone(), v))
        })
        .collect()
}

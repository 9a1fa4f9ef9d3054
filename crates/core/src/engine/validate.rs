//! Validating one answered value of a non-group fact against its kind and parameters, and
//! normalising it (trimmed text, upper-case ID numbers, dates in one format, choices in the
//! definition's order).

use super::validators;
use crate::condition::Scope;
use crate::definition::{DateBound, Fact, FactKind, IdType};
use crate::errors::EngineError;
use crate::value::{Address, AnswerValue, Date, DateTime};

fn text_of(v: &AnswerValue) -> Result<&str, EngineError> {
    match v {
        AnswerValue::Text(s) => Ok(s.trim()),
        _ => Err(EngineError::WrongType),
    }
}

fn length_checked(s: &str, fact: &Fact, default_max: u32) -> Result<(), EngineError> {
    let n = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
    if fact.min_length.is_some_and(|m| n < m) {
        return Err(EngineError::TooShort);
    }
    if n > fact.max_length.unwrap_or(default_max) {
        return Err(EngineError::TooLong);
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

fn date_in_bounds(d: Date, fact: &Fact, scope: &dyn Scope) -> Result<(), EngineError> {
    if let Some(b) = &fact.earliest
        && bound_date(b, scope).is_some_and(|e| d < e)
    {
        return Err(EngineError::DateTooEarly);
    }
    if let Some(b) = &fact.latest
        && bound_date(b, scope).is_some_and(|l| d > l)
    {
        return Err(if b.is_today() {
            EngineError::DateInFuture
        } else {
            EngineError::DateTooLate
        });
    }
    Ok(())
}

/// A multiple choice: known options, in the definition's order, within the item bounds.
fn multi_choice(fact: &Fact, v: &AnswerValue) -> Result<AnswerValue, EngineError> {
    let AnswerValue::Choices(cs) = v else {
        return Err(EngineError::WrongType);
    };
    let mut out: Vec<String> = Vec::new();
    // Keep the definition's option order, whatever order the client sent.
    for o in &fact.options {
        if cs.contains(&o.id) {
            out.push(o.id.clone());
        }
    }
    if cs.iter().any(|c| fact.option(c).is_none()) {
        return Err(EngineError::UnknownOption);
    }
    let n = u32::try_from(out.len()).unwrap_or(u32::MAX);
    if fact.min_items.is_some_and(|m| n < m) {
        return Err(EngineError::TooFewItems);
    }
    if fact.max_items.is_some_and(|m| n > m) {
        return Err(EngineError::TooManyItems);
    }
    Ok(AnswerValue::Choices(out))
}

/// Validates one answered value of a non-group fact and returns it normalised.
///
/// # Errors
/// The stable code of the first problem found.
pub fn validate_value(
    fact: &Fact,
    v: &AnswerValue,
    scope: &dyn Scope,
) -> Result<AnswerValue, EngineError> {
    let text = |s: String| Ok(AnswerValue::Text(s));
    match fact.kind {
        FactKind::Text if fact.mask.is_some() => text(validators::masked_text(
            text_of(v)?,
            fact.mask.as_deref().unwrap_or_default(),
        )?),
        FactKind::Text | FactKind::LongText => {
            let long = fact.kind == FactKind::LongText;
            let s = text_of(v)?;
            if validators::has_control_chars(s, long) {
                return Err(EngineError::InvalidCharacters);
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
                return Err(EngineError::IdTypeRequired);
            };
            text(validators::id_number(t, text_of(v)?, scope.today())?)
        }
        FactKind::Mobile => text(validators::mobile(text_of(v)?)?),
        FactKind::BankCard => text(validators::bank_card(text_of(v)?)?),
        FactKind::CreditCode => text(validators::credit_code(text_of(v)?)?),
        FactKind::Date => {
            let d = Date::parse(text_of(v)?).ok_or(EngineError::DateFormat)?;
            date_in_bounds(d, fact, scope)?;
            text(d.to_string())
        }
        FactKind::DateTime => {
            let t = DateTime::parse(text_of(v)?).ok_or(EngineError::DateTimeFormat)?;
            date_in_bounds(t.date, fact, scope)?;
            text(t.to_string())
        }
        FactKind::Integer => {
            let AnswerValue::Integer(n) = v else {
                return Err(EngineError::WrongType);
            };
            if fact.min.is_some_and(|m| *n < m) {
                return Err(EngineError::TooSmall);
            }
            if fact.max.is_some_and(|m| *n > m) {
                return Err(EngineError::TooLarge);
            }
            Ok(AnswerValue::Integer(*n))
        }
        FactKind::Choice => {
            let s = text_of(v)?;
            fact.option(s).ok_or(EngineError::UnknownOption)?;
            text(s.to_owned())
        }
        FactKind::MultiChoice => multi_choice(fact, v),
        FactKind::YesNo => match v {
            AnswerValue::Bool(b) => Ok(AnswerValue::Bool(*b)),
            _ => Err(EngineError::WrongType),
        },
        FactKind::Address => {
            let AnswerValue::Address(a) = v else {
                return Err(EngineError::WrongType);
            };
            validators::region_codes(&a.region)?;
            let detail = a.detail.trim();
            if detail.is_empty() {
                return Err(EngineError::AddressDetailRequired);
            }
            if validators::has_control_chars(detail, false) {
                return Err(EngineError::InvalidCharacters);
            }
            length_checked(detail, fact, 120)?;
            Ok(AnswerValue::Address(Address {
                region: a.region.clone(),
                detail: detail.to_owned(),
            }))
        }
        FactKind::Group => Err(EngineError::WrongType),
    }
}

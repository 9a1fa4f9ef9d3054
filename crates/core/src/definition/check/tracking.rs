//! The checks of what happens after submission: each sub-item's stages and outcome (ids,
//! texts, the fields a department records), and the computed amounts (their rules read
//! integer facts and earlier amounts only, and nest boundedly).

use std::collections::HashSet;

use super::{CheckResult, Checker, check_id, check_opt_text, check_text, err};
use crate::definition::expr::{Expr, MAX_EXPR_DEPTH};
use crate::definition::types::{Fact, FactKind, OutcomeKind};

/// The kinds a department's record may have: what a desk types, nothing personal.
const RECORD_KINDS: [FactKind; 6] = [
    FactKind::Text,
    FactKind::LongText,
    FactKind::Date,
    FactKind::Integer,
    FactKind::Choice,
    FactKind::YesNo,
];

impl Checker<'_> {
    /// Stages and outcomes: ids unique in their sub-item, both languages, record fields of
    /// the allowed kinds; a payment records an amount and a date, a filing its number.
    pub(super) fn stages_and_outcomes(&self) -> CheckResult {
        for (i, item) in self.def.sub_items.iter().enumerate() {
            let mut ids = HashSet::new();
            for (j, st) in item.stages.iter().enumerate() {
                let at = format!("sub_items[{i}].stages[{j}]");
                check_id(&format!("{at}.id"), &st.id)?;
                if !ids.insert(st.id.as_str()) {
                    return err(format!("{at}.id"), format!("duplicate stage `{}`", st.id));
                }
                check_text(&format!("{at}.title"), &st.title)?;
                check_opt_text(&format!("{at}.description"), st.description.as_ref())?;
                self.record(&format!("{at}.record"), &st.record)?;
                for (k, field) in st.rising.iter().enumerate() {
                    if !st
                        .record
                        .iter()
                        .any(|f| &f.id == field && f.kind == FactKind::Choice)
                    {
                        return err(
                            format!("{at}.rising[{k}]"),
                            format!("`{field}` is not a choice field of this stage's record"),
                        );
                    }
                }
            }
            let Some(o) = &item.outcome else { continue };
            let at = format!("sub_items[{i}].outcome");
            check_text(&format!("{at}.title"), &o.title)?;
            check_opt_text(&format!("{at}.description"), o.description.as_ref())?;
            self.record(&format!("{at}.record"), &o.record)?;
            if let Some(p) = &o.pays {
                if o.kind != OutcomeKind::Payment {
                    return err(format!("{at}.pays"), "only a payment pays an amount");
                }
                if !self.def.amounts.iter().any(|a| a.id == p.amount) {
                    return err(
                        format!("{at}.pays.amount"),
                        format!("no amount `{}`", p.amount),
                    );
                }
                if !o
                    .record
                    .iter()
                    .any(|f| f.id == p.record && f.kind == FactKind::Integer)
                {
                    return err(
                        format!("{at}.pays.record"),
                        format!("`{}` is not an integer field of the record", p.record),
                    );
                }
            }
            let has = |k: FactKind| o.record.iter().any(|f| f.kind == k && !f.optional);
            let needs: &[(FactKind, &str)] = match o.kind {
                OutcomeKind::Payment => &[
                    (FactKind::Integer, "the amount paid"),
                    (FactKind::Date, "the date paid"),
                ],
                OutcomeKind::Filing => &[(FactKind::Text, "the filing number")],
                OutcomeKind::Connection | OutcomeKind::Publication => {
                    &[(FactKind::Date, "the date")]
                }
                OutcomeKind::Certificate | OutcomeKind::Reply => &[],
            };
            for (kind, what) in needs {
                if !has(*kind) {
                    return err(
                        format!("{at}.record"),
                        format!(
                            "a {:?} outcome records {what}: a required {kind:?} field",
                            o.kind
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    /// A department's record: fields with unique ids, of the allowed kinds, without what only
    /// a form's question has (conditions, prefill, ID types, groups, bounds on other facts).
    fn record(&self, path: &str, fields: &[Fact]) -> CheckResult {
        let mut ids = HashSet::new();
        for (k, f) in fields.iter().enumerate() {
            let at = format!("{path}[{k}]");
            check_id(&format!("{at}.id"), &f.id)?;
            if !ids.insert(f.id.as_str()) {
                return err(format!("{at}.id"), format!("duplicate field `{}`", f.id));
            }
            check_text(&format!("{at}.label"), &f.label)?;
            check_opt_text(&format!("{at}.help"), f.help.as_ref())?;
            check_opt_text(&format!("{at}.unit"), f.unit.as_ref())?;
            if !RECORD_KINDS.contains(&f.kind) {
                return err(
                    format!("{at}.type"),
                    "a record field is text, long_text, date, integer, choice or yes_no",
                );
            }
            let bound_on_fact = [&f.earliest, &f.latest]
                .iter()
                .any(|b| b.as_ref().is_some_and(|b| b.fact.is_some()));
            if f.visible_if.is_some()
                || f.prefill.is_some()
                || f.warning.is_some()
                || f.sensitive
                || f.id_type.is_some()
                || f.id_type_fact.is_some()
                || f.options_from.is_some()
                || bound_on_fact
            {
                return err(
                    &at,
                    "a record field has no visible_if, prefill, warning, sensitive, ID type, options_from or date bound on a fact",
                );
            }
            self.kind_params(&at, f, usize::MAX, None)?;
        }
        Ok(())
    }

    /// Computed amounts: unique ids, both languages, a selected sub-item that exists, rules
    /// reading integer facts (conditions: any fact) and earlier amounts, bounded nesting.
    pub(super) fn amounts(&self) -> CheckResult {
        let mut ids: Vec<&str> = Vec::new();
        for (i, a) in self.def.amounts.iter().enumerate() {
            let at = |f: &str| format!("amounts[{i}].{f}");
            check_id(&at("id"), &a.id)?;
            if ids.contains(&a.id.as_str()) {
                return err(at("id"), format!("duplicate amount `{}`", a.id));
            }
            check_text(&at("label"), &a.label)?;
            check_text(&at("unit"), &a.unit)?;
            check_opt_text(&at("help"), a.help.as_ref())?;
            if let Some(s) = &a.sub_item
                && self.def.sub_item(s).is_none()
            {
                return err(at("sub_item"), format!("no sub-item `{s}`"));
            }
            if a.value.depth() > MAX_EXPR_DEPTH {
                return err(
                    at("value"),
                    format!("nests deeper than {MAX_EXPR_DEPTH} levels"),
                );
            }
            let mut problem = None;
            a.value.walk(&mut |e| {
                if problem.is_some() {
                    return;
                }
                problem = match e {
                    Expr::Fact(f) => match self.def.fact(f) {
                        Some(x) if x.kind == FactKind::Integer => None,
                        _ => Some(format!("`{f}` is not a top-level integer fact")),
                    },
                    Expr::Amount(x) if !ids.contains(&x.as_str()) => {
                        Some(format!("`{x}` is not an amount defined before this one"))
                    }
                    Expr::Sum(xs) | Expr::Product(xs) | Expr::Min(xs) | Expr::Max(xs)
                        if xs.is_empty() =>
                    {
                        Some("an empty list".to_owned())
                    }
                    Expr::Percent { percent, .. } if !(1..=100).contains(percent) => {
                        Some("a percentage between 1 and 100".to_owned())
                    }
                    Expr::If { when, .. } => self
                        .late_condition(&at("value"), when)
                        .err()
                        .map(|e| e.message),
                    _ => None,
                };
            });
            if let Some(p) = problem {
                return err(at("value"), p);
            }
            ids.push(&a.id);
        }
        Ok(())
    }
}

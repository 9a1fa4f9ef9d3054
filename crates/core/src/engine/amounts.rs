//! Computed amounts (a subsidy claimed): each [`Amount`]'s rule evaluated over the visible,
//! valid answers, in the definition's order (a rule may read earlier amounts). Shown before
//! submission and on the case page; never typed by the person, never trusted from the client.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::Application;
use super::walk::Walk;
use crate::condition::Scope;
use crate::definition::{Expr, ServiceDefinition};
use crate::value::{AnswerValue, Date};

/// One computed amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComputedAmount {
    /// The amount's id in the definition.
    pub id: String,
    /// Its value; none while an answer it needs is missing or invalid (or it overflows).
    pub value: Option<i64>,
}

/// The definition's amounts for this application (those whose `sub_item` is selected, or that
/// name none), in the definition's order.
pub fn amounts(def: &ServiceDefinition, app: &Application, today: Date) -> Vec<ComputedAmount> {
    if def.amounts.is_empty() {
        return Vec::new();
    }
    let w = Walk::run(def, app, today);
    let mut done: BTreeMap<&str, Option<i64>> = BTreeMap::new();
    let mut out = Vec::new();
    for a in &def.amounts {
        let counted = a.sub_item.as_deref().is_none_or(|s| w.selected(s));
        // An amount not counted is 0 to the amounts after it (a total of what applies).
        let value = if counted {
            eval(&a.value, &w, &done)
        } else {
            Some(0)
        };
        done.insert(&a.id, value);
        if counted {
            out.push(ComputedAmount {
                id: a.id.clone(),
                value,
            });
        }
    }
    out
}

fn all(
    xs: &[Expr],
    scope: &dyn Scope,
    done: &BTreeMap<&str, Option<i64>>,
    f: fn(i64, i64) -> Option<i64>,
) -> Option<i64> {
    let mut it = xs.iter();
    let first = eval(it.next()?, scope, done)?;
    it.try_fold(first, |acc, x| f(acc, eval(x, scope, done)?))
}

/// One rule's value: integer arithmetic, checked (an overflow is no value).
pub fn eval(e: &Expr, scope: &dyn Scope, done: &BTreeMap<&str, Option<i64>>) -> Option<i64> {
    match e {
        Expr::Value(v) => Some(*v),
        Expr::Fact(f) => match scope.value(f)? {
            AnswerValue::Integer(n) => Some(*n),
            _ => None,
        },
        Expr::Amount(a) => done.get(a.as_str()).copied().flatten(),
        Expr::Sum(xs) => all(xs, scope, done, i64::checked_add),
        Expr::Product(xs) => all(xs, scope, done, i64::checked_mul),
        Expr::Min(xs) => all(xs, scope, done, |a, b| Some(a.min(b))),
        Expr::Max(xs) => all(xs, scope, done, |a, b| Some(a.max(b))),
        Expr::Percent { of, percent } => eval(of, scope, done)?
            .checked_mul(*percent)
            .map(|x| x.div_euclid(100)),
        Expr::If {
            when,
            then,
            otherwise,
        } => {
            if when.eval(scope) {
                eval(then, scope, done)
            } else {
                otherwise.as_ref().map_or(Some(0), |o| eval(o, scope, done))
            }
        }
    }
}

/// An amount as people read it: digits grouped by thousands (`1,500,000`).
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

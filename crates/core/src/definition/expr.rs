//! The rule of a computed amount (a subsidy claimed): a structured expression over integer
//! answers, never a string to evaluate. [`super::types::Amount`] holds one; the engine
//! evaluates it (`engine::amounts`).

use serde::{Deserialize, Serialize};

use crate::condition::Condition;

/// The rule of an amount (`Amount::value`): a structured expression over integer answers, never a string to
/// evaluate. Integer arithmetic; a result that does not fit an `i64` is no result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Expr {
    /// A constant.
    Value(i64),
    /// The visible, valid answer of an integer fact (unanswered: no result yet).
    Fact(String),
    /// An earlier amount of the same definition (a total of two subsidies).
    Amount(String),
    /// The sum.
    Sum(Vec<Expr>),
    /// The product.
    Product(Vec<Expr>),
    /// The smallest (a cap).
    Min(Vec<Expr>),
    /// The largest (a floor).
    Max(Vec<Expr>),
    /// `percent` % of `of`, rounded down (a cap of 30 % of the price).
    Percent {
        /// The base.
        of: Box<Expr>,
        /// The percentage, 1 to 100.
        percent: i64,
    },
    /// `then` when the condition holds, else `else` (0 when absent). Only the branch taken
    /// is computed.
    If {
        /// The condition (any fact of the form).
        when: Condition,
        /// Its value when the condition holds.
        then: Box<Expr>,
        /// Its value otherwise.
        #[serde(default, rename = "else", skip_serializing_if = "Option::is_none")]
        otherwise: Option<Box<Expr>>,
    },
}

impl Expr {
    /// The facts it reads (its conditions' included), for definition checks.
    pub fn facts(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| match e {
            Expr::Fact(f) => out.push(f.as_str()),
            Expr::If { when, .. } => out.extend(when.facts()),
            _ => {}
        });
        out
    }

    /// Every node, depth first (itself first).
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Value(_) | Expr::Fact(_) | Expr::Amount(_) => {}
            Expr::Sum(xs) | Expr::Product(xs) | Expr::Min(xs) | Expr::Max(xs) => {
                for x in xs {
                    x.walk(f);
                }
            }
            Expr::Percent { of, .. } => of.walk(f),
            Expr::If {
                then, otherwise, ..
            } => {
                then.walk(f);
                if let Some(o) = otherwise {
                    o.walk(f);
                }
            }
        }
    }

    /// How deep it nests (a bound on what a definition may make the engine do).
    pub fn depth(&self) -> usize {
        1 + match self {
            Expr::Value(_) | Expr::Fact(_) | Expr::Amount(_) => 0,
            Expr::Sum(xs) | Expr::Product(xs) | Expr::Min(xs) | Expr::Max(xs) => {
                xs.iter().map(Expr::depth).max().unwrap_or(0)
            }
            Expr::Percent { of, .. } => of.depth(),
            Expr::If {
                then, otherwise, ..
            } => then
                .depth()
                .max(otherwise.as_ref().map_or(0, |o| o.depth())),
        }
    }
}

/// Deepest nesting of an amount's rule.
pub const MAX_EXPR_DEPTH: usize = 8;

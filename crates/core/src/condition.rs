//! The condition language of service definitions: a small, structured, side-effect-free tree
//! (`all` / `any` / `not` / `equals` / `in` / `compare` / `answered` / `selected`), evaluated
//! identically by the SPA and the server. There is no string `eval`: a condition is data that
//! serde reads, and the evaluator is a plain recursive match.
//!
//! A condition names facts by id. What "the value of a fact" is comes from a [`Scope`]: the
//! engine's scope sees only answers that are currently visible, so a stale hidden answer can never
//! switch anything on (see the hidden-value policy in `engine`).

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::value::{AnswerValue, Date, DateTime};

/// A condition over the answers so far. In TOML, an inline table with one key:
/// `{ equals = { fact = "marital_status", value = "married" } }`,
/// `{ all = [ { answered = "father_name" }, { not = { selected = "maternity_benefit" } } ] }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Every condition holds (an empty list holds).
    All(Vec<Condition>),
    /// At least one condition holds (an empty list does not).
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
    /// The fact's answer equals `value`. For a multiple choice: `value` is among the choices.
    /// An unanswered (or hidden) fact equals nothing.
    Equals {
        /// Fact id.
        fact: String,
        /// The value to compare with.
        value: Literal,
    },
    /// The fact's answer is one of `values` (for a multiple choice: any chosen option is).
    In {
        /// Fact id.
        fact: String,
        /// Accepted values.
        values: Vec<Literal>,
    },
    /// Orders the fact's answer against a literal, another fact or a date relative to today.
    /// Integers compare as numbers, dates and date-times as dates (a date-time by its date when
    /// compared with a date), repeatable groups and multiple choices by their number of items.
    Compare(Comparison),
    /// The fact has a (visible) answer. A yes/no answered "no" is answered.
    Answered(String),
    /// The sub-item with this id is among the selected ones.
    Selected(String),
}

/// The operands of [`Condition::Compare`]: exactly one of `value`, `other_fact`, `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// Fact id on the left.
    pub fact: String,
    /// The ordering that must hold between the fact and the right-hand side.
    pub op: CompareOp,
    /// A literal right-hand side (an integer, or a date as `YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Literal>,
    /// Another fact on the right-hand side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_fact: Option<String>,
    /// A date relative to today on the right-hand side (`today = { months = -6 }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today: Option<Offset>,
}

/// An ordering operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
}

impl CompareOp {
    /// Whether `ord` (left compared with right) satisfies the operator.
    pub fn holds(self, ord: Ordering) -> bool {
        match self {
            CompareOp::Lt => ord == Ordering::Less,
            CompareOp::Le => ord != Ordering::Greater,
            CompareOp::Gt => ord == Ordering::Greater,
            CompareOp::Ge => ord != Ordering::Less,
        }
    }
}

/// A calendar offset: years, then months, then days (all default to 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offset {
    /// Years to add (negative: back).
    #[serde(default)]
    pub years: i32,
    /// Months to add.
    #[serde(default)]
    pub months: i32,
    /// Days to add.
    #[serde(default)]
    pub days: i32,
}

impl Offset {
    /// `date` moved by this offset.
    pub fn apply(self, date: Date) -> Date {
        date.add_months(self.years * 12 + self.months)
            .add_days(i64::from(self.days))
    }
}

/// A constant in a condition: yes/no, integer or text (option ids, dates as `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    /// Yes/no.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// Text: an option id, or a date.
    Text(String),
}

/// Where a condition finds the values it tests.
pub trait Scope {
    /// The visible answer of fact `id`, if any.
    fn value(&self, id: &str) -> Option<&AnswerValue>;
    /// Whether the sub-item `id` is selected.
    fn selected(&self, id: &str) -> bool;
    /// Today's date, for `compare … today`.
    fn today(&self) -> Date;
}

impl Condition {
    /// Evaluates the condition. Pure: the same scope gives the same answer on every platform.
    pub fn eval(&self, scope: &dyn Scope) -> bool {
        match self {
            Condition::All(cs) => cs.iter().all(|c| c.eval(scope)),
            Condition::Any(cs) => cs.iter().any(|c| c.eval(scope)),
            Condition::Not(c) => !c.eval(scope),
            Condition::Equals { fact, value } => {
                scope.value(fact).is_some_and(|v| matches_literal(v, value))
            }
            Condition::In { fact, values } => scope
                .value(fact)
                .is_some_and(|v| values.iter().any(|l| matches_literal(v, l))),
            Condition::Compare(c) => compare(c, scope),
            Condition::Answered(fact) => scope.value(fact).is_some_and(AnswerValue::is_answered),
            Condition::Selected(id) => scope.selected(id),
        }
    }

    /// Every fact id the condition reads, in order of appearance (for definition checks).
    pub fn facts(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_facts(&mut out);
        out
    }

    fn collect_facts<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Condition::All(cs) | Condition::Any(cs) => {
                for c in cs {
                    c.collect_facts(out);
                }
            }
            Condition::Not(c) => c.collect_facts(out),
            Condition::Equals { fact, .. }
            | Condition::In { fact, .. }
            | Condition::Answered(fact) => out.push(fact),
            Condition::Compare(c) => {
                out.push(&c.fact);
                if let Some(o) = &c.other_fact {
                    out.push(o);
                }
            }
            Condition::Selected(_) => {}
        }
    }

    /// Every sub-item id the condition tests with `selected`.
    pub fn sub_items(&self) -> Vec<&str> {
        match self {
            Condition::All(cs) | Condition::Any(cs) => {
                cs.iter().flat_map(Condition::sub_items).collect()
            }
            Condition::Not(c) => c.sub_items(),
            Condition::Selected(id) => vec![id.as_str()],
            _ => Vec::new(),
        }
    }
}

fn matches_literal(v: &AnswerValue, l: &Literal) -> bool {
    match (v, l) {
        (AnswerValue::Bool(a), Literal::Bool(b)) => a == b,
        (AnswerValue::Integer(a), Literal::Integer(b)) => a == b,
        (AnswerValue::Text(a), Literal::Text(b)) => a.trim() == b,
        (AnswerValue::Choices(cs), Literal::Text(b)) => cs.iter().any(|c| c == b),
        _ => false,
    }
}

/// A value reduced to something orderable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ordinal {
    Number(i64),
    Day(Date),
    Moment(DateTime),
}

fn ordinal(v: &AnswerValue) -> Option<Ordinal> {
    match v {
        AnswerValue::Integer(n) => Some(Ordinal::Number(*n)),
        AnswerValue::Text(s) => {
            let s = s.trim();
            Date::parse(s)
                .map(Ordinal::Day)
                .or_else(|| DateTime::parse(s).map(Ordinal::Moment))
        }
        AnswerValue::Choices(cs) => i64::try_from(cs.len()).ok().map(Ordinal::Number),
        AnswerValue::Group(items) => i64::try_from(items.len()).ok().map(Ordinal::Number),
        AnswerValue::Null
        | AnswerValue::Bool(_)
        | AnswerValue::Address(_)
        | AnswerValue::Unsupported(_) => None,
    }
}

fn literal_ordinal(l: &Literal) -> Option<Ordinal> {
    match l {
        Literal::Integer(n) => Some(Ordinal::Number(*n)),
        Literal::Text(s) => ordinal(&AnswerValue::Text(s.clone())),
        Literal::Bool(_) => None,
    }
}

/// Orders two ordinals of compatible kinds: a date-time against a date compares by its date.
fn order(a: Ordinal, b: Ordinal) -> Option<Ordering> {
    match (a, b) {
        (Ordinal::Number(x), Ordinal::Number(y)) => Some(x.cmp(&y)),
        (Ordinal::Day(x), Ordinal::Day(y)) => Some(x.cmp(&y)),
        (Ordinal::Moment(x), Ordinal::Moment(y)) => Some(x.cmp(&y)),
        (Ordinal::Moment(x), Ordinal::Day(y)) => Some(x.date.cmp(&y)),
        (Ordinal::Day(x), Ordinal::Moment(y)) => Some(x.cmp(&y.date)),
        _ => None,
    }
}

fn compare(c: &Comparison, scope: &dyn Scope) -> bool {
    let Some(left) = scope.value(&c.fact).and_then(ordinal) else {
        return false;
    };
    let right = if let Some(l) = &c.value {
        literal_ordinal(l)
    } else if let Some(o) = &c.other_fact {
        scope.value(o).and_then(ordinal)
    } else {
        c.today.map(|off| Ordinal::Day(off.apply(scope.today())))
    };
    right
        .and_then(|r| order(left, r))
        .is_some_and(|ord| c.op.holds(ord))
}

/// Compares two answers as the `compare` condition would (used by cross-field rules).
pub(crate) fn order_values(a: &AnswerValue, b: &AnswerValue) -> Option<Ordering> {
    order(ordinal(a)?, ordinal(b)?)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    #[derive(Debug, Clone)]
    struct Map {
        values: BTreeMap<String, AnswerValue>,
        selected: BTreeSet<String>,
        today: Date,
    }

    impl Scope for Map {
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

    fn scope(pairs: &[(&str, AnswerValue)]) -> Map {
        Map {
            values: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            selected: ["household_registration".to_owned()].into(),
            today: Date::parse("2026-11-28").expect("date"),
        }
    }

    fn cond(json: &str) -> Condition {
        serde_json::from_str(json).expect(json)
    }

    #[test]
    fn equals_and_in_match_by_kind() {
        let s = scope(&[
            ("status", AnswerValue::Text("married".into())),
            ("twins", AnswerValue::Bool(true)),
            ("weeks", AnswerValue::Integer(38)),
            (
                "langs",
                AnswerValue::Choices(vec!["zh".into(), "en".into()]),
            ),
        ]);
        assert!(cond(r#"{"equals":{"fact":"status","value":"married"}}"#).eval(&s));
        assert!(!cond(r#"{"equals":{"fact":"status","value":"single"}}"#).eval(&s));
        assert!(cond(r#"{"equals":{"fact":"twins","value":true}}"#).eval(&s));
        assert!(!cond(r#"{"equals":{"fact":"twins","value":"true"}}"#).eval(&s));
        assert!(cond(r#"{"equals":{"fact":"weeks","value":38}}"#).eval(&s));
        assert!(cond(r#"{"equals":{"fact":"langs","value":"en"}}"#).eval(&s));
        assert!(cond(r#"{"in":{"fact":"status","values":["single","married"]}}"#).eval(&s));
        assert!(!cond(r#"{"in":{"fact":"status","values":[]}}"#).eval(&s));
        // Unanswered facts equal nothing, and so their negation holds.
        assert!(!cond(r#"{"equals":{"fact":"nobody","value":"x"}}"#).eval(&s));
        assert!(cond(r#"{"not":{"equals":{"fact":"nobody","value":"x"}}}"#).eval(&s));
    }

    #[test]
    fn compare_orders_numbers_dates_and_counts() {
        let s = scope(&[
            ("weeks", AnswerValue::Integer(38)),
            ("born", AnswerValue::Text("2026-06-01".into())),
            ("at", AnswerValue::Text("2026-06-01T23:10".into())),
            (
                "kids",
                AnswerValue::Group(vec![BTreeMap::new(), BTreeMap::new()]),
            ),
        ]);
        assert!(cond(r#"{"compare":{"fact":"weeks","op":"ge","value":37}}"#).eval(&s));
        assert!(!cond(r#"{"compare":{"fact":"weeks","op":"lt","value":38}}"#).eval(&s));
        assert!(cond(r#"{"compare":{"fact":"born","op":"ge","today":{"months":-6}}}"#).eval(&s));
        assert!(!cond(r#"{"compare":{"fact":"born","op":"ge","today":{"months":-5}}}"#).eval(&s));
        assert!(cond(r#"{"compare":{"fact":"at","op":"le","other_fact":"born"}}"#).eval(&s));
        assert!(!cond(r#"{"compare":{"fact":"at","op":"lt","other_fact":"born"}}"#).eval(&s));
        assert!(cond(r#"{"compare":{"fact":"kids","op":"gt","value":1}}"#).eval(&s));
        // Incomparable kinds never hold, in either direction.
        assert!(!cond(r#"{"compare":{"fact":"weeks","op":"lt","value":"2026-01-01"}}"#).eval(&s));
        assert!(!cond(r#"{"compare":{"fact":"weeks","op":"ge","value":"2026-01-01"}}"#).eval(&s));
    }

    #[test]
    fn answered_and_selected() {
        let s = scope(&[
            ("no", AnswerValue::Bool(false)),
            ("blank", AnswerValue::Text("  ".into())),
        ]);
        assert!(cond(r#"{"answered":"no"}"#).eval(&s));
        assert!(!cond(r#"{"answered":"blank"}"#).eval(&s));
        assert!(!cond(r#"{"answered":"missing"}"#).eval(&s));
        assert!(cond(r#"{"selected":"household_registration"}"#).eval(&s));
        assert!(!cond(r#"{"selected":"maternity_benefit"}"#).eval(&s));
        assert!(cond(r#"{"all":[]}"#).eval(&s));
        assert!(!cond(r#"{"any":[]}"#).eval(&s));
    }

    #[test]
    fn facts_and_sub_items_are_listed() {
        let c = cond(
            r#"{"all":[{"answered":"a"},{"not":{"compare":{"fact":"b","op":"lt","other_fact":"c"}}},{"any":[{"selected":"s"},{"in":{"fact":"d","values":[1]}}]}]}"#,
        );
        assert_eq!(c.facts(), ["a", "b", "c", "d"]);
        assert_eq!(c.sub_items(), ["s"]);
    }

    #[test]
    fn unknown_operators_are_rejected() {
        assert!(serde_json::from_str::<Condition>(r#"{"eval":"1==1"}"#).is_err());
        assert!(
            serde_json::from_str::<Condition>(r#"{"equals":{"fact":"a","value":1,"x":2}}"#)
                .is_err()
        );
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        const FACTS: [&str; 4] = ["a", "b", "c", "d"];

        fn literal() -> impl Strategy<Value = Literal> {
            prop_oneof![
                any::<bool>().prop_map(Literal::Bool),
                (-3i64..3).prop_map(Literal::Integer),
                prop::sample::select(vec!["x", "y", "2026-01-01", "2026-06-01"])
                    .prop_map(|s| Literal::Text(s.to_owned())),
            ]
        }

        fn value() -> impl Strategy<Value = AnswerValue> {
            prop_oneof![
                Just(AnswerValue::Null),
                any::<bool>().prop_map(AnswerValue::Bool),
                (-3i64..3).prop_map(AnswerValue::Integer),
                prop::sample::select(vec!["x", "y", " ", "2026-01-01", "2026-06-01T10:00"])
                    .prop_map(|s| AnswerValue::Text(s.to_owned())),
                prop::collection::vec(prop::sample::select(vec!["x", "y"]), 0..3)
                    .prop_map(|v| AnswerValue::Choices(v.into_iter().map(str::to_owned).collect())),
            ]
        }

        fn fact() -> impl Strategy<Value = String> {
            prop::sample::select(FACTS.to_vec()).prop_map(str::to_owned)
        }

        fn op() -> impl Strategy<Value = CompareOp> {
            prop::sample::select(vec![
                CompareOp::Lt,
                CompareOp::Le,
                CompareOp::Gt,
                CompareOp::Ge,
            ])
        }

        fn condition() -> impl Strategy<Value = Condition> {
            let leaf = prop_oneof![
                (fact(), literal()).prop_map(|(fact, value)| Condition::Equals { fact, value }),
                (fact(), prop::collection::vec(literal(), 0..3))
                    .prop_map(|(fact, values)| Condition::In { fact, values }),
                (fact(), op(), literal()).prop_map(|(fact, op, v)| Condition::Compare(
                    Comparison {
                        fact,
                        op,
                        value: Some(v),
                        other_fact: None,
                        today: None,
                    }
                )),
                (fact(), op(), fact()).prop_map(|(fact, op, o)| Condition::Compare(Comparison {
                    fact,
                    op,
                    value: None,
                    other_fact: Some(o),
                    today: None,
                })),
                (fact(), op(), -12i32..12).prop_map(|(fact, op, months)| Condition::Compare(
                    Comparison {
                        fact,
                        op,
                        value: None,
                        other_fact: None,
                        today: Some(Offset {
                            years: 0,
                            months,
                            days: 0
                        }),
                    }
                )),
                fact().prop_map(Condition::Answered),
                prop::sample::select(vec!["s", "t"])
                    .prop_map(|s| Condition::Selected(s.to_owned())),
            ];
            leaf.prop_recursive(4, 32, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Condition::All),
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Condition::Any),
                    inner.prop_map(|c| Condition::Not(Box::new(c))),
                ]
            })
        }

        fn scope() -> impl Strategy<Value = Map> {
            (
                prop::collection::btree_map(fact(), value(), 0..4),
                any::<bool>(),
            )
                .prop_map(|(values, s)| Map {
                    values,
                    selected: if s {
                        ["s".to_owned()].into()
                    } else {
                        BTreeSet::new()
                    },
                    today: Date::parse("2026-03-31").expect("date"),
                })
        }

        proptest! {
            #[test]
            fn negation_is_an_involution(c in condition(), s in scope()) {
                let nn = Condition::Not(Box::new(Condition::Not(Box::new(c.clone()))));
                prop_assert_eq!(nn.eval(&s), c.eval(&s));
            }

            #[test]
            fn all_and_any_are_and_and_or(a in condition(), b in condition(), s in scope()) {
                let (x, y) = (a.eval(&s), b.eval(&s));
                prop_assert_eq!(Condition::All(vec![a.clone(), b.clone()]).eval(&s), x && y);
                prop_assert_eq!(Condition::Any(vec![a.clone(), b.clone()]).eval(&s), x || y);
                // De Morgan.
                let not = |c: &Condition| Condition::Not(Box::new(c.clone()));
                prop_assert_eq!(
                    not(&Condition::All(vec![a.clone(), b.clone()])).eval(&s),
                    Condition::Any(vec![not(&a), not(&b)]).eval(&s)
                );
            }

            #[test]
            fn in_is_any_of_equals(f in fact(), values in prop::collection::vec(literal(), 0..4), s in scope()) {
                let any_eq = Condition::Any(values.iter().map(|v| Condition::Equals { fact: f.clone(), value: v.clone() }).collect());
                prop_assert_eq!(Condition::In { fact: f, values }.eval(&s), any_eq.eval(&s));
            }

            #[test]
            fn strict_and_loose_orders_are_complements_when_comparable(f in fact(), n in -3i64..3, m in -3i64..3) {
                let s = Map {
                    values: [(f.clone(), AnswerValue::Integer(n))].into(),
                    selected: BTreeSet::new(),
                    today: Date::parse("2026-03-31").expect("date"),
                };
                let cmp = |op| Condition::Compare(Comparison { fact: f.clone(), op, value: Some(Literal::Integer(m)), other_fact: None, today: None });
                prop_assert_eq!(cmp(CompareOp::Lt).eval(&s), !cmp(CompareOp::Ge).eval(&s));
                prop_assert_eq!(cmp(CompareOp::Gt).eval(&s), !cmp(CompareOp::Le).eval(&s));
                prop_assert_eq!(cmp(CompareOp::Lt).eval(&s), n < m);
            }

            /// The SPA receives conditions as JSON: the trip changes neither the tree nor its
            /// verdict, and evaluating twice gives the same answer.
            #[test]
            fn json_round_trip_preserves_the_verdict(c in condition(), s in scope()) {
                let back: Condition = serde_json::from_str(&serde_json::to_string(&c).expect("ser")).expect("de");
                prop_assert_eq!(&back, &c);
                prop_assert_eq!(back.eval(&s), c.eval(&s));
                prop_assert_eq!(c.eval(&s), c.eval(&s));
            }

            /// Only the facts a condition names can change its verdict.
            #[test]
            fn unnamed_facts_do_not_matter(c in condition(), s in scope(), v in value()) {
                let named = c.facts();
                if let Some(other) = FACTS.iter().find(|f| !named.contains(f)) {
                    let mut t = Map { values: s.values.clone(), selected: s.selected.clone(), today: s.today };
                    t.values.insert((*other).to_owned(), v);
                    prop_assert_eq!(c.eval(&t), c.eval(&s));
                }
            }
        }
    }
}

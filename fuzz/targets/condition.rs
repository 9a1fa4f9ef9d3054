//! Fuzz target: the condition language's evaluator. Input is JSON
//! `{"condition": …, "answers": {…}, "selected": […], "today": days}`; the evaluator must not
//! panic, must be deterministic, and `not` must negate.

use std::collections::BTreeMap;

use onething_core::condition::Scope;
use onething_core::{AnswerValue, Condition, Date};

#[derive(serde::Deserialize)]
struct Input {
    condition: Condition,
    #[serde(default)]
    answers: BTreeMap<String, AnswerValue>,
    #[serde(default)]
    selected: Vec<String>,
    #[serde(default)]
    today: i32,
}

impl Scope for Input {
    fn value(&self, id: &str) -> Option<&AnswerValue> {
        self.answers.get(id)
    }

    fn selected(&self, id: &str) -> bool {
        self.selected.iter().any(|s| s == id)
    }

    fn today(&self) -> Date {
        Date::from_days(i64::from(self.today))
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(input) = serde_json::from_slice::<Input>(data) else {
        return;
    };
    let first = input.condition.eval(&input);
    assert_eq!(first, input.condition.eval(&input), "evaluation is pure");
    let negated = Condition::Not(Box::new(input.condition.clone()));
    assert_eq!(negated.eval(&input), !first, "`not` negates");
    let _ = input.condition.facts();
    let _ = input.condition.sub_items();
}

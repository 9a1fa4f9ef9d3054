//! The wizard's steps, their URLs, and where a person may be: every step has a URL so back and
//! reload work, and a deep link to a step the person cannot reach yet goes to the first
//! incomplete one instead.

use onething_core::engine::{EligibilityOutcome, Evaluation};

/// One step of the wizard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The situation questions (情形选择).
    Eligibility,
    /// Choosing the optional sub-items.
    SubItems,
    /// A question page of the definition, by page id.
    Page(String),
    /// The materials (一套材料).
    Materials,
    /// Check your answers.
    Check,
    /// Declaration, consent and submit.
    Declaration,
}

impl Step {
    /// The step's URL for service `service`.
    pub fn url(&self, service: &str) -> String {
        match self {
            Step::Eligibility => format!("/apply/{service}/eligibility"),
            Step::SubItems => format!("/apply/{service}/sub-items"),
            Step::Page(id) => format!("/apply/{service}/page/{id}"),
            Step::Materials => format!("/apply/{service}/materials"),
            Step::Check => format!("/apply/{service}/check"),
            Step::Declaration => format!("/apply/{service}/declaration"),
        }
    }
}

/// The steps in order for the application as it stands: visible pages only, and the
/// materials step only when something is needed.
pub fn sequence(eval: &Evaluation) -> Vec<Step> {
    let mut steps = vec![Step::Eligibility, Step::SubItems];
    steps.extend(
        eval.pages
            .iter()
            .filter(|p| p.visible)
            .map(|p| Step::Page(p.id.clone())),
    );
    if !eval.materials.is_empty() {
        steps.push(Step::Materials);
    }
    steps.push(Step::Check);
    steps.push(Step::Declaration);
    steps
}

fn has_error(eval: &Evaluation, prefix: &str) -> bool {
    eval.errors.iter().any(|e| e.path.starts_with(prefix))
}

/// Whether the person has done everything a step asks.
pub fn is_complete(eval: &Evaluation, step: &Step) -> bool {
    match step {
        // The fallback of 情形 goes on too, with the sub-items it leaves (the rest elsewhere).
        Step::Eligibility => matches!(
            eval.eligibility,
            EligibilityOutcome::Eligible | EligibilityOutcome::Partial { .. }
        ),
        Step::SubItems => !eval.selected.is_empty() && !has_error(eval, "sub_items"),
        Step::Page(id) => eval
            .pages
            .iter()
            .any(|p| &p.id == id && p.status == onething_core::engine::PageStatus::Complete),
        Step::Materials => !has_error(eval, "materials"),
        Step::Check | Step::Declaration => false,
    }
}

/// The first step not yet complete (the check page when all the form is done).
pub fn first_incomplete(eval: &Evaluation) -> Step {
    sequence(eval)
        .into_iter()
        .find(|s| !is_complete(eval, s))
        .unwrap_or(Step::Check)
}

/// Whether a person may open `step` now: any step up to the first incomplete one. Steps
/// after it would let them skip questions.
pub fn reachable(eval: &Evaluation, step: &Step) -> bool {
    let seq = sequence(eval);
    let Some(at) = seq.iter().position(|s| s == step) else {
        return false;
    };
    // The check page is a review, never "complete": once everything before it is done, the
    // declaration after it may be opened too.
    let first = seq
        .iter()
        .position(|s| *s != Step::Check && !is_complete(eval, s))
        .unwrap_or(seq.len());
    at <= first
}

/// The step after `step`, if any.
pub fn next(eval: &Evaluation, step: &Step) -> Option<Step> {
    let seq = sequence(eval);
    let at = seq.iter().position(|s| s == step)?;
    seq.get(at + 1).cloned()
}

/// The step before `step`, if any.
pub fn previous(eval: &Evaluation, step: &Step) -> Option<Step> {
    let seq = sequence(eval);
    let at = seq.iter().position(|s| s == step)?;
    at.checked_sub(1).and_then(|i| seq.get(i).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use onething_core::ServiceDefinition;
    use onething_core::engine::{AnswerValue, Application, Date, evaluate};

    fn newborn() -> ServiceDefinition {
        ServiceDefinition::from_toml("newborn.toml", include_str!("../../services/newborn.toml"))
            .expect("loads")
    }

    fn today() -> Date {
        Date::new(2026, 11, 28).expect("date")
    }

    #[test]
    fn a_fresh_application_starts_at_eligibility_and_cannot_skip_ahead() {
        let def = newborn();
        let app = Application {
            service_id: def.id.clone(),
            ..Application::default()
        };
        let eval = evaluate(&def, &app, today());
        assert_eq!(first_incomplete(&eval), Step::Eligibility);
        assert!(reachable(&eval, &Step::Eligibility));
        assert!(
            !reachable(&eval, &Step::Check),
            "the check page needs the form done"
        );
        assert!(!reachable(&eval, &Step::Page("mother".into())));
    }

    #[test]
    fn hidden_pages_are_not_steps() {
        let def = newborn();
        let mut app = Application {
            service_id: def.id.clone(),
            sub_items: def.sub_items.iter().map(|s| s.id.clone()).collect(),
            ..Application::default()
        };
        app.answers.insert(
            "marital_status".into(),
            AnswerValue::Text("single_parent".into()),
        );
        let eval = evaluate(&def, &app, today());
        let seq = sequence(&eval);
        assert!(
            !seq.contains(&Step::Page("father".into())),
            "single parent: no father page"
        );
        assert_eq!(seq.first(), Some(&Step::Eligibility));
        assert_eq!(seq.last(), Some(&Step::Declaration));
        let mother = Step::Page("mother".into());
        assert_eq!(
            previous(&eval, &next(&eval, &mother).expect("next")),
            Some(mother)
        );
    }

    #[test]
    fn urls_name_the_service_and_step() {
        assert_eq!(
            Step::Page("baby".into()).url("newborn"),
            "/apply/newborn/page/baby"
        );
        assert_eq!(Step::SubItems.url("newborn"), "/apply/newborn/sub-items");
    }
}

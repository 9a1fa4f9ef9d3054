//! The engine's public questions about an application in progress: everything at once
//! ([`evaluate`]), or one part (visible pages and facts, a page's errors, eligibility, the
//! available sub-items, the materials, the answers that would be submitted), and the trace of
//! every decision taken.

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::collect::set_of;
use super::model::{
    Application, EligibilityOutcome, Evaluation, FieldError, IneligibleReason, MaterialChoice,
    MaterialNeed, PageState, PageStatus,
};
use super::walk::{Seen, Walk};
use crate::definition::{Fact, MAX_UPLOADS_PER_MATERIAL, Material, Page, ServiceDefinition};
use crate::errors::EngineError;
use crate::value::{Answers, Date};

fn eligibility_outcome(w: &Walk<'_>) -> EligibilityOutcome {
    let def = w.def;
    let reasons: Vec<IneligibleReason> = w
        .failed_rules(true)
        .into_iter()
        .map(|i| &def.eligibility.rules[i])
        .map(|r| IneligibleReason {
            rule: r.id.clone(),
            explanation: r.explanation.clone(),
            fallback: r.fallback.clone(),
            single_item: r.single_item.clone(),
        })
        .collect();
    if !reasons.is_empty() {
        return match &w.limited {
            Some(limited) => EligibilityOutcome::Partial {
                reasons,
                sub_items: def
                    .sub_items
                    .iter()
                    .filter(|s| limited.contains(s.id.as_str()))
                    .map(|s| s.id.clone())
                    .collect(),
            },
            None => EligibilityOutcome::NotEligible { reasons },
        };
    }
    let missing: Vec<String> = def
        .eligibility
        .questions
        .iter()
        .filter(|q| !w.settled(&q.id))
        .map(|q| q.id.clone())
        .collect();
    if missing.is_empty() {
        EligibilityOutcome::Eligible
    } else {
        EligibilityOutcome::Incomplete { missing }
    }
}

fn selection_errors(def: &ServiceDefinition, app: &Application, w: &Walk<'_>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, id) in app.sub_items.iter().enumerate() {
        if def.sub_item(id).is_none() {
            errors.push(FieldError::new(
                EngineError::SubItemUnknown,
                format!("sub_items[{i}]"),
            ));
        }
    }
    if w.selected.is_empty() {
        errors.push(FieldError::new(EngineError::NoSubItems, "sub_items"));
    }
    for item in &def.sub_items {
        let enabled =
            item.enabled_if.as_ref().is_none_or(|c| c.eval(w)) && w.within_fallback(&item.id);
        let wanted = app.sub_items.contains(&item.id);
        let path = format!("sub_items.{}", item.id);
        if wanted && !enabled {
            errors.push(FieldError::new(EngineError::SubItemNotAvailable, path));
        } else if !wanted && enabled && !item.optional {
            errors.push(FieldError::new(EngineError::SubItemRequired, path));
        } else if wanted
            && item.depends_on.iter().any(|d| {
                !w.selected.contains(d.as_str())
                    && def.sub_item(d).is_some_and(|s| {
                        s.enabled_if.as_ref().is_none_or(|c| c.eval(w)) && w.within_fallback(&s.id)
                    })
            })
        {
            errors.push(FieldError::new(EngineError::SubItemDependency, path));
        }
    }
    errors
}

fn material_errors(app: &Application, needs: &[(&Material, MaterialNeed)]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (m, need) in needs {
        let path = format!("materials.{}", m.id);
        let Some(choice) = app.materials.get(&m.id) else {
            errors.push(FieldError::new(EngineError::MaterialMissing, path));
            continue;
        };
        if !need.satisfiers.contains(&choice.satisfier()) {
            errors.push(FieldError::new(EngineError::SatisfierNotAllowed, path));
            continue;
        }
        let code = match choice {
            MaterialChoice::Upload { upload_ids } => {
                let distinct: BTreeSet<&str> = set_of(upload_ids.iter().map(String::as_str));
                let max = if m.pages.is_empty() {
                    MAX_UPLOADS_PER_MATERIAL
                } else {
                    m.pages.len()
                };
                if upload_ids.iter().all(|u| u.trim().is_empty()) {
                    Some(EngineError::UploadMissing)
                } else if distinct.len() != upload_ids.len()
                    || upload_ids.len() > max
                    || (!m.pages.is_empty() && upload_ids.len() != m.pages.len())
                {
                    Some(EngineError::UploadCount)
                } else {
                    None
                }
            }
            MaterialChoice::ELicence { consent: false } => Some(EngineError::ConsentRequired),
            MaterialChoice::Commitment { accepted: false } => {
                Some(EngineError::CommitmentNotAccepted)
            }
            _ => None,
        };
        if let Some(code) = code {
            errors.push(FieldError::new(code, path));
        }
    }
    errors
}

fn page_status(w: &Walk<'_>, page: usize, errors: &[FieldError]) -> PageStatus {
    let facts: Vec<&Seen<'_>> = w.visible.iter().filter(|s| s.page == Some(page)).collect();
    let under = |e: &FieldError, s: &Seen<'_>| {
        e.path
            .strip_prefix(s.prefix)
            .and_then(|rest| rest.strip_prefix(s.id))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('[') || rest.starts_with('.'))
    };
    let mut missing = false;
    for s in &facts {
        for e in errors.iter().filter(|e| under(e, s)) {
            if e.is(EngineError::Required) {
                missing = true;
            } else {
                return PageStatus::HasErrors;
            }
        }
    }
    if !facts.iter().any(|s| s.answered) {
        PageStatus::NotStarted
    } else if missing {
        PageStatus::InProgress
    } else {
        PageStatus::Complete
    }
}

/// Everything at once: selection, eligibility, pages with status, visible paths, every error,
/// materials. The SPA calls this on each change; the server through [`check_submission`].
pub fn evaluate(def: &ServiceDefinition, app: &Application, today: Date) -> Evaluation {
    let mut w = Walk::run(def, app, today);
    w.check_rules();
    let eligibility = eligibility_outcome(&w);
    let needs = w.materials();
    let mut errors = Vec::new();
    if app.service_id != def.id {
        errors.push(FieldError::new(EngineError::ServiceMismatch, "service_id"));
    }
    if matches!(eligibility, EligibilityOutcome::NotEligible { .. }) {
        errors.push(FieldError::new(EngineError::NotEligible, "eligibility"));
    }
    errors.extend(selection_errors(def, app, &w));
    errors.extend(w.errors.iter().cloned());
    errors.extend(material_errors(app, &needs));
    // Two rules may report the same problem on the same field (mother's and father's birth
    // dates against one child's): say it once.
    let mut seen = BTreeSet::new();
    errors.retain(|e| seen.insert((e.code.clone(), e.path.clone())));
    let pages = def
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (visible, facts) = w.pages[i].clone();
            PageState {
                id: p.id.clone(),
                visible,
                status: page_status(&w, i, &w.errors),
                facts,
            }
        })
        .collect();
    Evaluation {
        selected: def
            .sub_items
            .iter()
            .filter(|i| w.selected.contains(i.id.as_str()))
            .map(|i| i.id.clone())
            .collect(),
        eligibility,
        questions: w
            .visible
            .iter()
            .filter(|s| s.prefix == "eligibility.")
            .map(|s| s.id.to_owned())
            .collect(),
        pages,
        visible_paths: w.visible_paths.clone(),
        errors,
        materials: needs.into_iter().map(|(_, n)| n).collect(),
    }
}

/// Every decision the engine takes for this application — each condition it evaluates and each
/// cross-field rule it checks — by its path in the definition (`facts[3].visible_if`,
/// `rules[0].check` …) with its outcome. For definition authors' tests: together with
/// [`ServiceDefinition::decision_points`] it shows which branches a set of scenarios exercises.
pub fn decisions(def: &ServiceDefinition, app: &Application, today: Date) -> Vec<(String, bool)> {
    let mut w = Walk::run_traced(def, app, today, true);
    w.check_rules();
    eligibility_outcome(&w);
    w.materials();
    w.trace.map(RefCell::into_inner).unwrap_or_default()
}

/// The pages shown now, in order.
pub fn visible_pages<'d>(
    def: &'d ServiceDefinition,
    app: &Application,
    today: Date,
) -> Vec<&'d Page> {
    let w = Walk::run(def, app, today);
    def.pages
        .iter()
        .zip(&w.pages)
        .filter(|(_, (visible, _))| *visible)
        .map(|(p, _)| p)
        .collect()
}

/// The facts shown now on page `page_id`, in order (empty for a hidden or unknown page).
pub fn visible_facts<'d>(
    def: &'d ServiceDefinition,
    app: &Application,
    page_id: &str,
    today: Date,
) -> Vec<&'d Fact> {
    let w = Walk::run(def, app, today);
    let Some(i) = def.pages.iter().position(|p| p.id == page_id) else {
        return Vec::new();
    };
    w.pages[i]
        .1
        .iter()
        .filter_map(|id| def.facts.iter().find(|f| &f.id == id))
        .collect()
}

/// Each page's id, visibility and completeness, for a task list.
pub fn page_statuses(def: &ServiceDefinition, app: &Application, today: Date) -> Vec<PageState> {
    evaluate(def, app, today).pages
}

/// The errors on one page, `required` included (for its Continue button).
pub fn validate_page(
    def: &ServiceDefinition,
    app: &Application,
    page_id: &str,
    today: Date,
) -> Vec<FieldError> {
    let mut w = Walk::run(def, app, today);
    w.check_rules();
    let Some(i) = def.pages.iter().position(|p| p.id == page_id) else {
        return Vec::new();
    };
    let ids: Vec<&str> = w.pages[i].1.iter().map(String::as_str).collect();
    w.errors
        .into_iter()
        .filter(|e| {
            ids.iter().any(|id| {
                e.path
                    .strip_prefix("answers.")
                    .and_then(|r| r.strip_prefix(id))
                    .is_some_and(|r| r.is_empty() || r.starts_with('[') || r.starts_with('.'))
            })
        })
        .collect()
}

/// The errors of the eligibility questions, `required` included.
pub fn validate_eligibility(
    def: &ServiceDefinition,
    app: &Application,
    today: Date,
) -> Vec<FieldError> {
    let w = Walk::run(def, app, today);
    w.errors
        .into_iter()
        .filter(|e| e.path.starts_with("eligibility."))
        .collect()
}

/// Whether the bundle applies to these eligibility answers.
pub fn eligibility(def: &ServiceDefinition, answers: &Answers, today: Date) -> EligibilityOutcome {
    let app = Application {
        service_id: def.id.clone(),
        eligibility: answers.clone(),
        ..Application::default()
    };
    eligibility_outcome(&Walk::run(def, &app, today))
}

/// The sub-items available with these eligibility answers, in order: what the selection step
/// offers, all ticked (optional ones may be unticked).
pub fn available_sub_items(def: &ServiceDefinition, answers: &Answers, today: Date) -> Vec<String> {
    let app = Application {
        service_id: def.id.clone(),
        eligibility: answers.clone(),
        sub_items: def.sub_items.iter().map(|s| s.id.clone()).collect(),
        ..Application::default()
    };
    let w = Walk::run(def, &app, today);
    def.sub_items
        .iter()
        .filter(|s| w.selected.contains(s.id.as_str()))
        .map(|s| s.id.clone())
        .collect()
}

/// The materials needed now, each once, with the sub-items needing it and its allowed ways.
pub fn materials_needed(
    def: &ServiceDefinition,
    app: &Application,
    today: Date,
) -> Vec<MaterialNeed> {
    Walk::run(def, app, today)
        .materials()
        .into_iter()
        .map(|(_, n)| n)
        .collect()
}

/// The answers that would be submitted: visible, valid, normalised (hidden ones dropped).
pub fn visible_answers(def: &ServiceDefinition, app: &Application, today: Date) -> Answers {
    let w = Walk::run(def, app, today);
    w.visible
        .iter()
        .filter(|s| s.prefix == "answers.")
        .filter_map(|s| w.values.get(s.id).map(|v| (s.id.to_owned(), v.clone())))
        .collect()
}

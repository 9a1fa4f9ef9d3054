//! Privacy first (PIPL): before anything a person types or photographs leaves the phone, the
//! wizard shows what is collected, for which departments, why, how long it is kept and how it
//! is protected, and asks for consent, with a separate consent for sensitive personal
//! information (art. 29). Until then the draft and its photos stay on the device
//! ([`super::Wizard`] holds the server sync and the uploads); the consent travels with the
//! submission and is recorded with the case. The figures come from the server
//! (`GET /api/privacy`), so the notice says what is true of the server it talks to.

use onething_core::ServiceDefinition;
use onething_core::api::PrivacyFacts;
use onething_core::definition::FactKind;
use onething_core::engine::{AnswerValue, Application};
use onething_core::text::Locale;

use crate::api::{self, FetchError};

const FACTS_KEY: &str = "onething.privacy-facts";

/// The server's figures for the notice: asked for once per page, and kept (they hold nothing
/// personal) so the notice reads the same offline.
///
/// # Errors
/// No answer now and none kept from before.
pub async fn facts() -> Result<PrivacyFacts, FetchError> {
    let local = super::draft::local_storage();
    match api::privacy_facts().await {
        Ok(f) => {
            if let (Some(ls), Ok(text)) = (local, crate::json::to_string(&f)) {
                let _ = ls.set_item(FACTS_KEY, &text);
            }
            Ok(f)
        }
        Err(e) => local
            .and_then(|ls| ls.get_item(FACTS_KEY).ok().flatten())
            .and_then(|t| crate::json::from_str(&t).ok())
            .ok_or(e),
    }
}

/// Each department of the service with the items it handles (joined by `sep`), in the
/// definition's order.
pub fn departments(def: &ServiceDefinition, l: Locale, sep: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for s in &def.sub_items {
        let dept = s.department.get(l).to_owned();
        let title = s.title.get(l).to_owned();
        match out.iter_mut().find(|(d, _)| *d == dept) {
            Some((_, items)) => items.push(title),
            None => out.push((dept, vec![title])),
        }
    }
    out.into_iter()
        .map(|(d, items)| (d, items.join(sep)))
        .collect()
}

/// The questions marked as sensitive personal information (ID numbers, bank cards …).
pub fn sensitive(def: &ServiceDefinition, l: Locale) -> Vec<String> {
    let mut out = Vec::new();
    for f in &def.facts {
        if f.sensitive {
            out.push(f.label.get(l).to_owned());
        }
        for inner in f.fields.iter().filter(|x| x.sensitive) {
            out.push(format!("{} · {}", f.label.get(l), inner.label.get(l)));
        }
    }
    out
}

/// What a person recognises a draft by: the names in it (a child's first, in the form's
/// order), else its first plain answer; never a sensitive one.
pub fn label(def: &ServiceDefinition, app: &Application) -> Option<String> {
    let text = |v: Option<&AnswerValue>| match v {
        Some(AnswerValue::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_owned()),
        _ => None,
    };
    for f in &def.facts {
        if f.sensitive {
            continue;
        }
        match (f.kind, app.answers.get(&f.id)) {
            (FactKind::Group, Some(AnswerValue::Group(items))) => {
                let names: Vec<String> = f
                    .fields
                    .iter()
                    .filter(|x| x.kind == FactKind::Name && !x.sensitive)
                    .flat_map(|x| items.iter().filter_map(|a| text(a.get(&x.id))))
                    .collect();
                if !names.is_empty() {
                    return Some(names.join("、"));
                }
            }
            (FactKind::Name, v) => {
                if let Some(t) = text(v) {
                    return Some(t);
                }
            }
            _ => {}
        }
    }
    def.facts
        .iter()
        .filter(|f| !f.sensitive && matches!(f.kind, FactKind::Text))
        .find_map(|f| text(app.answers.get(&f.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn newborn() -> ServiceDefinition {
        ServiceDefinition::from_toml("newborn.toml", include_str!("../../services/newborn.toml"))
            .expect("definition")
    }

    #[test]
    fn a_draft_is_labelled_by_the_childs_name_never_by_an_id_number() {
        let def = newborn();
        let mut app = Application {
            service_id: "newborn".into(),
            ..Application::default()
        };
        assert_eq!(label(&def, &app), None);
        app.answers.insert(
            "mother_id_number".into(),
            AnswerValue::Text("110101199003071234".into()),
        );
        assert_eq!(label(&def, &app), None);
        app.answers
            .insert("mother_name".into(), AnswerValue::Text("王芳".into()));
        assert_eq!(label(&def, &app).as_deref(), Some("王芳"));
        let mut baby = onething_core::engine::Answers::new();
        baby.insert("name".into(), AnswerValue::Text("李小宝".into()));
        app.answers
            .insert("children".into(), AnswerValue::Group(vec![baby]));
        assert_eq!(label(&def, &app).as_deref(), Some("李小宝"));
    }

    #[test]
    fn the_notice_lists_every_department_and_the_sensitive_questions() {
        let def = newborn();
        let deps = departments(&def, Locale::En, ", ");
        assert!(deps.len() >= 3, "{deps:?}");
        let sens = sensitive(&def, Locale::En);
        assert!(
            sens.iter().any(|s| s.contains("Mother's ID number")),
            "{sens:?}"
        );
    }
}

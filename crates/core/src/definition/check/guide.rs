//! The checks of a definition's `[guide]` section (the section itself: `definition::guide`).

use std::collections::HashSet;

use super::DefinitionError;
use crate::definition::types::ServiceDefinition;
use crate::text::Text;

/// Checks the definition's guide, when it has one: both languages of every text, who can
/// apply said, synonyms neither blank nor repeated, `when` naming materials that are needed
/// only in some situations, a dialable hotline.
///
/// # Errors
/// The first problem, at its path inside the definition (`guide.faq[1].a.en`).
pub fn check(def: &ServiceDefinition) -> Result<(), DefinitionError> {
    let Some(g) = &def.guide else {
        return Ok(());
    };
    if g.who.is_empty() {
        return Err(DefinitionError::at(
            "guide.who",
            "say who can apply (at least one line)",
        ));
    }
    for (i, t) in g.who.iter().enumerate() {
        text(&format!("guide.who[{i}]"), t)?;
    }
    let mut seen = HashSet::new();
    for (i, s) in g.synonyms.iter().enumerate() {
        let s = s.trim();
        if s.is_empty() || !seen.insert(s.to_lowercase()) {
            return Err(DefinitionError::at(
                format!("guide.synonyms[{i}]"),
                "a synonym is a non-blank word not listed before",
            ));
        }
    }
    for (id, t) in &g.when {
        let path = format!("guide.when.{id}");
        match def.materials.iter().find(|m| &m.id == id) {
            None => return Err(DefinitionError::at(path, format!("no material `{id}`"))),
            Some(m) if m.required_if.is_none() => {
                return Err(DefinitionError::at(
                    path,
                    "this material is always needed (it has no `required_if`)",
                ));
            }
            Some(_) => text(&path, t)?,
        }
    }
    text("guide.fees", &g.fees)?;
    for (i, t) in g.legal_basis.iter().enumerate() {
        text(&format!("guide.legal_basis[{i}]"), t)?;
    }
    for (i, w) in g.windows.iter().enumerate() {
        text(&format!("guide.windows[{i}].office"), &w.office)?;
        text(&format!("guide.windows[{i}].address"), &w.address)?;
        text(&format!("guide.windows[{i}].hours"), &w.hours)?;
    }
    if !dialable(&g.hotline) {
        return Err(DefinitionError::at(
            "guide.hotline",
            "a phone number: digits, spaces and `-`, at least 3 digits",
        ));
    }
    if let Some(t) = &g.hotline_note {
        text("guide.hotline_note", t)?;
    }
    for (i, f) in g.faq.iter().enumerate() {
        text(&format!("guide.faq[{i}].q"), &f.q)?;
        text(&format!("guide.faq[{i}].a"), &f.a)?;
    }
    Ok(())
}

/// Whether `number` can be dialled as it is written (`12345`, `0572-2399999`).
fn dialable(number: &str) -> bool {
    number.chars().filter(char::is_ascii_digit).count() >= 3
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
}

fn text(path: &str, t: &Text) -> Result<(), DefinitionError> {
    match t.missing_language() {
        Some(lang) => Err(DefinitionError::at(
            format!("{path}.{lang}"),
            "text is missing in this language",
        )),
        None => Ok(()),
    }
}

#[cfg(all(test, feature = "toml"))]
mod tests {
    use super::*;

    const BASE: &str = r#"
id = "x"
title = { zh = "一件事", en = "One thing" }
summary = { zh = "说明", en = "About" }
[[materials]]
id = "id_card"
title = { zh = "身份证", en = "ID card" }
sub_items = ["a"]
satisfiers = ["upload"]
[[materials]]
id = "proxy"
title = { zh = "委托书", en = "Power of attorney" }
sub_items = ["a"]
required_if = { equals = { fact = "q", value = true } }
satisfiers = ["upload"]
[eligibility]
questions = [{ id = "q", label = { zh = "代办？", en = "By proxy?" }, type = "yes_no" }]
[[sub_items]]
id = "a"
title = { zh = "事项", en = "Item" }
department = { zh = "部门", en = "Department" }
time_limit_days = 1
facts = ["q"]
"#;

    const GUIDE: &str = r#"
[guide]
synonyms = ["办证", "certificate"]
who = [{ zh = "本人", en = "Yourself" }]
when = { proxy = { zh = "他人代办时", en = "When someone applies for you" } }
fees = { zh = "免费", en = "Free" }
legal_basis = [{ zh = "《某某条例》", en = "The Regulations" }]
windows = [{ office = { zh = "政务服务中心", en = "Service centre" }, address = { zh = "某路 1 号", en = "1 Road" }, hours = { zh = "工作日", en = "Working days" } }]
hotline = "12345"
faq = [{ q = { zh = "要多久？", en = "How long?" }, a = { zh = "一天。", en = "A day." } }]
"#;

    fn load(guide: &str) -> Result<ServiceDefinition, DefinitionError> {
        ServiceDefinition::from_toml("x.toml", &format!("{BASE}{guide}"))
    }

    fn path_of(guide: &str) -> String {
        load(guide).expect_err("must be refused").path
    }

    #[test]
    fn a_definition_without_a_guide_loads() {
        assert!(load("").expect("loads").guide.is_none());
    }

    #[test]
    fn a_complete_guide_loads() {
        let def = load(GUIDE).expect("loads");
        let g = def.guide.expect("a guide");
        assert_eq!(g.synonyms, ["办证", "certificate"]);
        assert_eq!(g.when["proxy"].en, "When someone applies for you");
    }

    #[test]
    fn every_text_needs_both_languages() {
        let guide = GUIDE.replace(
            r#"a = { zh = "一天。", en = "A day." }"#,
            r#"a = { zh = "一天。", en = " " }"#,
        );
        assert_eq!(path_of(&guide), "guide.faq[0].a.en");
        let guide = GUIDE.replace(r#"fees = { zh = "免费""#, r#"fees = { zh = """#);
        assert_eq!(path_of(&guide), "guide.fees.zh");
    }

    #[test]
    fn who_can_apply_is_required() {
        let guide = GUIDE.replace(r#"who = [{ zh = "本人", en = "Yourself" }]"#, "who = []");
        assert_eq!(path_of(&guide), "guide.who");
    }

    #[test]
    fn synonyms_are_not_blank_or_repeated() {
        let guide = GUIDE.replace(
            r#"["办证", "certificate"]"#,
            r#"["办证", "Certificate", "certificate"]"#,
        );
        assert_eq!(path_of(&guide), "guide.synonyms[2]");
        let guide = GUIDE.replace(r#"["办证", "certificate"]"#, r#"["办证", " "]"#);
        assert_eq!(path_of(&guide), "guide.synonyms[1]");
    }

    #[test]
    fn when_names_a_material_needed_only_sometimes() {
        let guide = GUIDE.replace("when = { proxy", "when = { nope");
        assert_eq!(path_of(&guide), "guide.when.nope");
        let guide = GUIDE.replace("when = { proxy", "when = { id_card");
        assert_eq!(path_of(&guide), "guide.when.id_card");
    }

    #[test]
    fn the_hotline_can_be_dialled() {
        for bad in ["", "12", "call us", "+86 12345"] {
            let guide = GUIDE.replace(r#"hotline = "12345""#, &format!("hotline = \"{bad}\""));
            assert_eq!(path_of(&guide), "guide.hotline", "{bad}");
        }
        let guide = GUIDE.replace(r#"hotline = "12345""#, r#"hotline = "0572-2399 999""#);
        assert!(load(&guide).is_ok());
    }

    #[test]
    fn every_shipped_definition_has_a_guide() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).expect("services/") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let name = path.display().to_string();
            let source = std::fs::read_to_string(&path).expect("readable");
            let def = ServiceDefinition::from_toml(&name, &source).expect("loads");
            let g = def
                .guide
                .as_ref()
                .unwrap_or_else(|| panic!("{name} has no [guide]"));
            assert!(!g.synonyms.is_empty() && !g.faq.is_empty(), "{name}");
            n += 1;
        }
        assert!(n >= 7, "{n} definitions");
    }

    #[test]
    fn the_newborn_guide_says_when_each_conditional_document_is_needed() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services/newborn.toml");
        let source = std::fs::read_to_string(path).expect("readable");
        let def = ServiceDefinition::from_toml("newborn.toml", &source).expect("loads");
        let g = def.guide.expect("a guide");
        for m in def.materials.iter().filter(|m| m.required_if.is_some()) {
            assert!(g.when.contains_key(&m.id), "{}", m.id);
        }
        assert!(g.synonyms.iter().any(|s| s == "上户口"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let guide = GUIDE.replace("fees =", "feez =");
        assert!(load(&guide).is_err());
    }
}

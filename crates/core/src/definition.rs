//! Service definitions: a one-thing (一件事) described as data, one file per service in
//! `services/`. Operators add a one-thing by writing a file, not code.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Text;

/// A bundle of departmental items for one life or business event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDefinition {
    /// Stable id, used in URLs and file names (`newborn`): lower-case ASCII letters, digits, `-`.
    pub id: String,
    /// The one-thing's name.
    pub title: Text,
    /// One sentence on what it is.
    pub summary: Text,
    /// The departmental items (事项) it bundles, in the order they are handled.
    pub sub_items: Vec<SubItem>,
}

/// One departmental item (事项) inside a one-thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubItem {
    /// Stable id inside the definition (`birth_certificate`).
    pub id: String,
    /// The item's name.
    pub title: Text,
    /// The department that handles it.
    pub department: Text,
    /// Legal time limit in working days (承诺时限).
    pub time_limit_days: u16,
    /// Whether the citizen may leave it out.
    #[serde(default)]
    pub optional: bool,
}

/// What is wrong with a definition: the file, the path inside it, and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// The file the definition came from (as given by the caller).
    pub file: String,
    /// Path inside the definition, e.g. `sub_items[2].title.en`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: at `{}`: {}", self.file, self.path, self.message)
        }
    }
}

impl std::error::Error for DefinitionError {}

impl ServiceDefinition {
    /// Parses a definition from TOML and checks it. `file` names the source in errors.
    ///
    /// # Errors
    /// A [`DefinitionError`] naming the path inside the file and what is wrong with it.
    #[cfg(feature = "toml")]
    pub fn from_toml(file: &str, source: &str) -> Result<Self, DefinitionError> {
        let def: ServiceDefinition = toml::from_str(source).map_err(|e| DefinitionError {
            file: file.to_owned(),
            path: String::new(),
            message: e.to_string(),
        })?;
        def.check().map_err(|(path, message)| DefinitionError {
            file: file.to_owned(),
            path,
            message,
        })?;
        Ok(def)
    }

    /// Checks what the type system cannot: ids, uniqueness, both languages present.
    ///
    /// # Errors
    /// The path inside the definition and what is wrong there.
    pub fn check(&self) -> Result<(), (String, String)> {
        check_id("id", &self.id)?;
        check_text("title", &self.title)?;
        check_text("summary", &self.summary)?;
        if self.sub_items.is_empty() {
            return Err((
                "sub_items".into(),
                "a one-thing bundles at least one sub-item".into(),
            ));
        }
        let mut seen = HashSet::new();
        for (i, item) in self.sub_items.iter().enumerate() {
            let at = |field: &str| format!("sub_items[{i}].{field}");
            check_id(&at("id"), &item.id)?;
            if !seen.insert(item.id.as_str()) {
                return Err((at("id"), format!("duplicate sub-item id `{}`", item.id)));
            }
            check_text(&at("title"), &item.title)?;
            check_text(&at("department"), &item.department)?;
            if item.time_limit_days == 0 {
                return Err((
                    at("time_limit_days"),
                    "must be at least 1 working day".into(),
                ));
            }
        }
        Ok(())
    }
}

fn check_id(path: &str, id: &str) -> Result<(), (String, String)> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && id.as_bytes()[0].is_ascii_lowercase();
    if ok {
        Ok(())
    } else {
        Err((
            path.to_owned(),
            format!(
                "`{id}` is not an id: use 1-64 lower-case letters, digits, `-` or `_`, starting with a letter"
            ),
        ))
    }
}

fn check_text(path: &str, text: &Text) -> Result<(), (String, String)> {
    match text.missing_language() {
        Some(lang) => Err((
            format!("{path}.{lang}"),
            "text is missing in this language".into(),
        )),
        None => Ok(()),
    }
}

#[cfg(all(test, feature = "toml"))]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "newborn"
title = { zh = "新生儿出生一件事", en = "Newborn" }
summary = { zh = "一次办好", en = "All at once" }

[[sub_items]]
id = "birth_certificate"
title = { zh = "出生医学证明", en = "Birth medical certificate" }
department = { zh = "卫生健康委员会", en = "Health Commission" }
time_limit_days = 1
"#;

    #[test]
    fn minimal_definition_loads() {
        let d = ServiceDefinition::from_toml("newborn.toml", MINIMAL).expect("valid");
        assert_eq!(d.sub_items.len(), 1);
        assert!(!d.sub_items[0].optional);
    }

    #[test]
    fn missing_english_is_reported_with_its_path() {
        let src = MINIMAL.replace("en = \"Birth medical certificate\"", "en = \"\"");
        let e = ServiceDefinition::from_toml("newborn.toml", &src).unwrap_err();
        assert_eq!(e.path, "sub_items[0].title.en");
        assert!(
            e.to_string()
                .starts_with("newborn.toml: at `sub_items[0].title.en`")
        );
    }

    #[test]
    fn duplicate_sub_item_ids_are_rejected() {
        let dup = format!(
            "{MINIMAL}\n{}",
            &MINIMAL[MINIMAL.find("[[sub_items]]").unwrap()..]
        );
        let e = ServiceDefinition::from_toml("x.toml", &dup).unwrap_err();
        assert_eq!(e.path, "sub_items[1].id");
    }

    #[test]
    fn unknown_keys_and_bad_ids_are_rejected() {
        let typo = MINIMAL.replace("time_limit_days", "time_limit_dayz");
        assert!(
            ServiceDefinition::from_toml("x.toml", &typo)
                .unwrap_err()
                .message
                .contains("time_limit_dayz")
        );
        let bad = MINIMAL.replace("id = \"newborn\"", "id = \"New Born\"");
        assert_eq!(
            ServiceDefinition::from_toml("x.toml", &bad)
                .unwrap_err()
                .path,
            "id"
        );
        let zero = MINIMAL.replace("time_limit_days = 1", "time_limit_days = 0");
        assert_eq!(
            ServiceDefinition::from_toml("x.toml", &zero)
                .unwrap_err()
                .path,
            "sub_items[0].time_limit_days"
        );
    }
}

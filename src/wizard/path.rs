//! Field paths, as the engine reports them (`answers.mother_name`,
//! `answers.children[1].weight_g`, `eligibility.married`), and reading and writing answers by
//! path inside an [`Application`].

use onething_core::engine::{AnswerValue, Answers, Application};

/// A parsed field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// `answers` or `eligibility`.
    pub section: Section,
    /// The top-level fact id.
    pub fact: String,
    /// Inside a repeatable group: the item index and the field id.
    pub item: Option<(usize, String)>,
}

/// Which part of the application a path points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The eligibility questions (情形).
    Eligibility,
    /// The form's facts.
    Answers,
}

impl FieldPath {
    /// A top-level fact in `section`.
    pub fn fact(section: Section, fact: &str) -> Self {
        FieldPath {
            section,
            fact: fact.to_owned(),
            item: None,
        }
    }

    /// A field of item `index` of the group `group`.
    pub fn group_field(group: &str, index: usize, field: &str) -> Self {
        FieldPath {
            section: Section::Answers,
            fact: group.to_owned(),
            item: Some((index, field.to_owned())),
        }
    }

    /// Parses the engine's notation; `None` for anything else (e.g. `materials.x`).
    pub fn parse(path: &str) -> Option<Self> {
        let (section, rest) = if let Some(r) = path.strip_prefix("answers.") {
            (Section::Answers, r)
        } else if let Some(r) = path.strip_prefix("eligibility.") {
            (Section::Eligibility, r)
        } else {
            return None;
        };
        match rest.split_once('[') {
            None => Some(FieldPath::fact(section, rest)),
            Some((fact, tail)) => {
                let (index, field) = tail.split_once("].")?;
                Some(FieldPath {
                    section,
                    fact: fact.to_owned(),
                    item: Some((index.parse().ok()?, field.to_owned())),
                })
            }
        }
    }

    /// The engine's notation.
    pub fn to_engine(&self) -> String {
        let section = match self.section {
            Section::Answers => "answers",
            Section::Eligibility => "eligibility",
        };
        match &self.item {
            None => format!("{section}.{}", self.fact),
            Some((i, field)) => format!("{section}.{}[{i}].{field}", self.fact),
        }
    }

    /// An HTML id for the input of this path (letters, digits and `-` only).
    pub fn dom_id(&self) -> String {
        let mut id = String::from("f-");
        for c in self.to_engine().chars() {
            id.push(if c.is_ascii_alphanumeric() { c } else { '-' });
        }
        id
    }

    /// Whether an error path concerns this field (exactly, or anything inside it).
    pub fn covers(&self, error_path: &str) -> bool {
        covers(&self.to_engine(), error_path)
    }

    fn answers<'a>(&self, app: &'a Application) -> &'a Answers {
        match self.section {
            Section::Answers => &app.answers,
            Section::Eligibility => &app.eligibility,
        }
    }

    /// The answer at this path, if any.
    pub fn get<'a>(&self, app: &'a Application) -> Option<&'a AnswerValue> {
        let top = self.answers(app).get(&self.fact)?;
        match &self.item {
            None => Some(top),
            Some((i, field)) => match top {
                AnswerValue::Group(items) => items.get(*i)?.get(field),
                _ => None,
            },
        }
    }

    /// Stores `value` at this path, creating group items as needed.
    pub fn set(&self, app: &mut Application, value: AnswerValue) {
        let answers = match self.section {
            Section::Answers => &mut app.answers,
            Section::Eligibility => &mut app.eligibility,
        };
        match &self.item {
            None => {
                answers.insert(self.fact.clone(), value);
            }
            Some((i, field)) => {
                let top = answers
                    .entry(self.fact.clone())
                    .or_insert_with(|| AnswerValue::Group(Vec::new()));
                if !matches!(top, AnswerValue::Group(_)) {
                    *top = AnswerValue::Group(Vec::new());
                }
                if let AnswerValue::Group(items) = top {
                    while items.len() <= *i {
                        items.push(Answers::new());
                    }
                    items[*i].insert(field.clone(), value);
                }
            }
        }
    }
}

/// The text of an answer as an input shows it (numbers as digits, everything else empty).
pub fn as_text(value: Option<&AnswerValue>) -> String {
    match value {
        Some(AnswerValue::Text(s)) => s.clone(),
        Some(AnswerValue::Integer(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Whether an error path concerns the field whose engine path ([`FieldPath::to_engine`]) is
/// `field` (exactly, or anything inside it).
pub fn covers(field: &str, error_path: &str) -> bool {
    error_path
        .strip_prefix(field)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_through_the_engine_notation() {
        for p in [
            "answers.mother_name",
            "answers.children[1].weight_g",
            "eligibility.married",
        ] {
            assert_eq!(FieldPath::parse(p).expect(p).to_engine(), p);
        }
        assert_eq!(FieldPath::parse("materials.mother_id_card"), None);
        assert_eq!(FieldPath::parse("answers.children[x].name"), None);
    }

    #[test]
    fn setting_a_group_field_creates_the_items_it_needs() {
        let mut app = Application::default();
        let p = FieldPath::group_field("children", 1, "name");
        p.set(&mut app, AnswerValue::Text("王小二".into()));
        assert_eq!(p.get(&app), Some(&AnswerValue::Text("王小二".into())));
        let Some(AnswerValue::Group(items)) = app.answers.get("children") else {
            panic!("a group")
        };
        assert_eq!(
            items.len(),
            2,
            "item 0 exists, empty, so item 1 can hold the answer"
        );
    }

    #[test]
    fn a_field_covers_errors_inside_it_but_not_its_neighbours() {
        let p = FieldPath::fact(Section::Answers, "mother_id");
        assert!(p.covers("answers.mother_id"));
        assert!(p.covers("answers.mother_id.region"));
        assert!(!p.covers("answers.mother_id_number"));
        assert_eq!(
            FieldPath::group_field("children", 0, "name").dom_id(),
            "f-answers-children-0--name"
        );
    }
}

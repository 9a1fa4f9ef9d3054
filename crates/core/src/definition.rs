//! Service definitions: a one-thing (一件事) described as data, one file per service in
//! `services/`. Operators add a one-thing by writing a file, not code.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Text;
pub use crate::api::DeliveryMethod;
use crate::condition::{Condition, Offset};

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
    /// Whose practice this definition follows (provinces differ), e.g. 浙江省湖州市.
    #[serde(default)]
    pub region: Option<Text>,
    /// The situation pre-screen (情形选择), asked before anything else.
    #[serde(default)]
    pub eligibility: Eligibility,
    /// The one form (一表申请): every fact any sub-item needs, each asked once.
    #[serde(default)]
    pub facts: Vec<Fact>,
    /// Facts every selected sub-item's department receives (the applicant, the mailing address).
    #[serde(default)]
    pub shared_facts: Vec<String>,
    /// How the facts group into steps, in order.
    #[serde(default)]
    pub pages: Vec<Page>,
    /// The one set of materials (一套材料): each asked once however many sub-items need it.
    #[serde(default)]
    pub materials: Vec<Material>,
    /// Cross-field rules, checked when the facts they read are answered and valid.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Figures reported for this one-thing (steps 9 → 3 …), shown beside the computed ones.
    #[serde(default)]
    pub reported: Vec<ReportedFigure>,
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
    /// What the item gives the citizen, in one sentence.
    #[serde(default)]
    pub description: Option<Text>,
    /// When the item is available at all; reads eligibility answers only (the selection is made
    /// right after the pre-screen). Absent: always available.
    #[serde(default)]
    pub enabled_if: Option<Condition>,
    /// Items that must be done first (户口登记 before 医保参保): the dependant waits for them.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The facts this item's department receives: a fact id, an eligibility question id, a
    /// group id (all its fields) or `group.field` (that field only). Data minimisation: a fact
    /// no selected item needs is not asked.
    #[serde(default)]
    pub facts: Vec<String>,
    /// When the department is in another region (跨域办, e.g. 长三角), which one.
    #[serde(default)]
    pub handled_in: Option<Text>,
    /// How the result reaches the citizen (mailed, picked up at a window, issued as an
    /// e-licence). Absent: mailed only.
    #[serde(default)]
    pub results: Option<ResultDelivery>,
}

impl SubItem {
    /// The ways its result may be delivered (mail when the definition says nothing).
    pub fn result_methods(&self) -> Vec<DeliveryMethod> {
        self.results
            .as_ref()
            .map_or_else(|| vec![DeliveryMethod::Mail], |r| r.methods.clone())
    }
}

/// The ways a sub-item's result may reach the citizen, and what each needs to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultDelivery {
    /// The ways offered (at least one, none twice).
    pub methods: Vec<DeliveryMethod>,
    /// Where to pick the result up; needed with `window`.
    #[serde(default)]
    pub window: Option<PickupWindow>,
    /// Where the citizen finds the e-licence (an app's menu path); needed with `e_licence`.
    #[serde(default)]
    pub e_licence: Option<Text>,
}

/// A service window where a result is picked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupWindow {
    /// The office (e.g. 吴兴区政务服务中心 3 号窗口).
    pub office: Text,
    /// Its address.
    pub address: Text,
    /// When it is open.
    pub hours: Text,
}

/// The situation pre-screen (情形选择).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Shown above the questions.
    #[serde(default)]
    pub intro: Option<Text>,
    /// The questions, asked in order (facts, usually yes/no or choices).
    #[serde(default)]
    pub questions: Vec<Fact>,
    /// Every rule must hold for the bundle to apply.
    #[serde(default)]
    pub rules: Vec<EligibilityRule>,
}

/// One condition of the bundle, with what to tell the citizen when it fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRule {
    /// Stable id.
    pub id: String,
    /// Must hold for the bundle to apply.
    pub require: Condition,
    /// Why the bundle does not apply.
    pub explanation: Text,
    /// What to do instead (single-item handling, 单件办理).
    pub fallback: Text,
}

/// The kind of a fact, which decides its input and its validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// One line of text (`min_length`, `max_length`; default at most 100 characters).
    Text,
    /// Free text over several lines (default at most 1000 characters).
    LongText,
    /// A person's name: Chinese characters (and the middle dot of minority names), or Latin
    /// letters when the linked ID type (`id_type_fact`) is a foreign document.
    Name,
    /// An ID document number, checked by type: `id_type` fixed, or read from `id_type_fact`.
    IdNumber,
    /// A mainland mobile number (11 digits starting with 1).
    Mobile,
    /// A date `YYYY-MM-DD`, within `earliest` and `latest`.
    Date,
    /// A date and time `YYYY-MM-DDTHH:MM`, its date within `earliest` and `latest`.
    DateTime,
    /// An integer within `min` and `max`, shown with `unit`.
    Integer,
    /// One of `options` (answer: the option id).
    Choice,
    /// Several of `options` (answer: a list of option ids; `min_items`, `max_items`).
    MultiChoice,
    /// Yes or no (answer: `true` / `false`).
    YesNo,
    /// A region cascade (GB/T 2260 codes, province → city → county) and a detail line.
    Address,
    /// A bank card number (ISO/IEC 7812: 12–19 digits, Luhn check digit).
    BankCard,
    /// A repeatable group of `fields` (children: twins get one certificate each),
    /// between `min_items` and `max_items` entries.
    Group,
}

/// Kinds of ID documents a person may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// 居民身份证 (also the number format of 港澳台居民居住证): GB 11643-1999.
    ResidentId,
    /// A passport (foreign or Chinese).
    Passport,
    /// 港澳居民来往内地通行证.
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证.
    TaiwanPermit,
}

impl IdType {
    /// Parses the snake-case id used as a choice option id.
    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "resident_id" => Some(IdType::ResidentId),
            "passport" => Some(IdType::Passport),
            "hk_macao_permit" => Some(IdType::HkMacaoPermit),
            "taiwan_permit" => Some(IdType::TaiwanPermit),
            _ => None,
        }
    }

    /// Whether names on this document may be written in Latin letters.
    pub fn allows_latin_name(self) -> bool {
        !matches!(self, IdType::ResidentId)
    }
}

/// Where a fact's first value can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    /// The signed-in account's real name.
    AccountName,
    /// The signed-in account's ID number.
    AccountIdNumber,
    /// The signed-in account's mobile number.
    AccountMobile,
}

/// An option of a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// Stable id (the answer's value).
    pub id: String,
    /// What the citizen reads.
    pub label: Text,
}

/// A date bound: a date relative to today, or to another fact's answer when `fact` is given.
/// `{ days = 0 }` is today; `{ fact = "birth_date", days = 1 }` is the day after that fact.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateBound {
    /// Relative to this fact's date (or date-time's date) instead of today.
    #[serde(default)]
    pub fact: Option<String>,
    /// Years to add.
    #[serde(default)]
    pub years: i32,
    /// Months to add.
    #[serde(default)]
    pub months: i32,
    /// Days to add.
    #[serde(default)]
    pub days: i32,
}

impl DateBound {
    /// The offset part.
    pub fn offset(&self) -> Offset {
        Offset {
            years: self.years,
            months: self.months,
            days: self.days,
        }
    }

    /// Whether this bound is exactly "today" (an upper bound then means "not in the future").
    pub fn is_today(&self) -> bool {
        self.fact.is_none() && self.offset() == Offset::default()
    }
}

/// One question of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// Stable id, unique in the definition (inside a group: unique in the group).
    pub id: String,
    /// The question or field label.
    pub label: Text,
    /// The kind of answer.
    #[serde(rename = "type")]
    pub kind: FactKind,
    /// A hint under the label.
    #[serde(default)]
    pub help: Option<Text>,
    /// A warning shown prominently (e.g. a name printed on a certificate cannot change).
    #[serde(default)]
    pub warning: Option<Text>,
    /// Whether it may be left blank.
    #[serde(default)]
    pub optional: bool,
    /// When it is asked; may read facts asked before it only. Absent: always.
    #[serde(default)]
    pub visible_if: Option<Condition>,
    /// Where its first value comes from.
    #[serde(default)]
    pub prefill: Option<Prefill>,
    /// Sensitive personal information (PIPL art. 28): masked on screen unless asked to show.
    #[serde(default)]
    pub sensitive: bool,
    /// Text kinds: fewest characters.
    #[serde(default)]
    pub min_length: Option<u32>,
    /// Text kinds: most characters.
    #[serde(default)]
    pub max_length: Option<u32>,
    /// Integer: smallest value.
    #[serde(default)]
    pub min: Option<i64>,
    /// Integer: largest value.
    #[serde(default)]
    pub max: Option<i64>,
    /// Integer: the unit shown beside the input (g, cm, 周).
    #[serde(default)]
    pub unit: Option<Text>,
    /// Date kinds: the earliest allowed date.
    #[serde(default)]
    pub earliest: Option<DateBound>,
    /// Date kinds: the latest allowed date (`{ days = 0 }`: not in the future).
    #[serde(default)]
    pub latest: Option<DateBound>,
    /// Choice kinds: the options.
    #[serde(default)]
    pub options: Vec<ChoiceOption>,
    /// ID number: the fixed document type.
    #[serde(default)]
    pub id_type: Option<IdType>,
    /// ID number and name: the choice fact (options named after [`IdType`]s) giving the type.
    #[serde(default)]
    pub id_type_fact: Option<String>,
    /// Group: its fields.
    #[serde(default)]
    pub fields: Vec<Fact>,
    /// Group and multiple choice: fewest entries.
    #[serde(default)]
    pub min_items: Option<u32>,
    /// Group and multiple choice: most entries.
    #[serde(default)]
    pub max_items: Option<u32>,
}

impl Fact {
    /// The group field with this id.
    pub fn field(&self, id: &str) -> Option<&Fact> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The option with this id.
    pub fn option(&self, id: &str) -> Option<&ChoiceOption> {
        self.options.iter().find(|o| o.id == id)
    }
}

/// One step of the form: one topic per page on a phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Stable id (used in the SPA's URL).
    pub id: String,
    /// The page heading.
    pub title: Text,
    /// A sentence under the heading.
    #[serde(default)]
    pub intro: Option<Text>,
    /// The facts on this page, in order.
    pub facts: Vec<String>,
    /// When the page is shown; may read facts of earlier pages only. A page whose facts are all
    /// hidden is not shown either.
    #[serde(default)]
    pub visible_if: Option<Condition>,
}

/// A way a material can be provided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfier {
    /// A photo or scan.
    Upload,
    /// 免证办: fetched from the e-licence platform, with the holder's consent.
    ELicence,
    /// 承诺办: a signed commitment replaces the proof.
    Commitment,
    /// 容缺受理: supplied within `deferred_days` after submission (becomes a 补正 task).
    Deferred,
    /// Shown in person at the window when collecting the result.
    AtWindow,
}

/// Fetching a material from the e-licence platform (电子证照).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ELicence {
    /// The consent the holder gives (e.g. the father authorises his ID e-licence).
    pub consent: Text,
    /// When an e-licence exists at all (e.g. only for 居民身份证). Absent: always.
    #[serde(default)]
    pub available_if: Option<Condition>,
    /// When the e-licence is another person's (the other parent's ID card): that person
    /// authorises the fetch in their own account. Submitting creates a consent request only
    /// they can answer. Absent: the applicant's own e-licence.
    #[serde(default)]
    pub holder: Option<ELicenceHolder>,
}

/// The other person whose e-licence a material fetches, and the terms of their consent (PIPL
/// art. 14 and 17: who asks, for what, for how long; art. 15: it may be refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ELicenceHolder {
    /// Who the holder is to the child or applicant (父亲, the father), as the request names them.
    pub role: Text,
    /// The top-level `name` fact holding the holder's name.
    pub name_fact: String,
    /// The top-level `id_number` fact holding the holder's ID number: only the signed-in
    /// account with this number may answer the request.
    pub id_number_fact: String,
    /// Days the authorisation lasts once given.
    pub valid_days: u16,
    /// Days the holder has to answer; after that the request expires.
    pub answer_days: u16,
}

/// One material (一套材料 entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Stable id.
    pub id: String,
    /// Its name.
    pub title: Text,
    /// What exactly is wanted.
    #[serde(default)]
    pub description: Option<Text>,
    /// The sub-items that need it; it is asked once if any selected one does.
    pub sub_items: Vec<String>,
    /// When it is needed at all (e.g. only when unmarried). Absent: always.
    #[serde(default)]
    pub required_if: Option<Condition>,
    /// Accepted media types for uploads.
    #[serde(default = "default_accept")]
    pub accept: Vec<String>,
    /// Largest accepted file, in bytes.
    #[serde(default = "default_max_bytes")]
    pub max_bytes: u64,
    /// The pages to photograph (ID card front and back): one upload each. Empty: one or more.
    #[serde(default)]
    pub pages: Vec<Text>,
    /// The ways it can be provided.
    pub satisfiers: Vec<Satisfier>,
    /// Needed when `satisfiers` has `e_licence`.
    #[serde(default)]
    pub e_licence: Option<ELicence>,
    /// The commitment text, needed when `satisfiers` has `commitment`.
    #[serde(default)]
    pub commitment: Option<Text>,
    /// Days allowed to supply it later, needed when `satisfiers` has `deferred`.
    #[serde(default)]
    pub deferred_days: Option<u16>,
}

fn default_accept() -> Vec<String> {
    vec!["image/jpeg".into(), "image/png".into()]
}

fn default_max_bytes() -> u64 {
    10 * 1024 * 1024
}

/// Most entries of a repeatable group without its own `max_items`: a bound on what one
/// submission can make the engine (and a department) process.
pub const MAX_GROUP_ITEMS: u32 = 50;

/// Most uploads one material accepts when it names no pages.
pub const MAX_UPLOADS_PER_MATERIAL: usize = 10;

/// A cross-field rule with its own error code and text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// The error code reported (`snake_case`).
    pub code: String,
    /// The error text.
    pub message: Text,
    /// When the rule applies. Absent: always.
    #[serde(default)]
    pub when: Option<Condition>,
    /// What must hold.
    pub check: Check,
    /// `holds` only: the fact the error is reported on.
    #[serde(default)]
    pub field: Option<String>,
}

/// The checks a cross-field rule can make. Fact names may be `group.field` (every entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Every `earlier` date is strictly before every `later` date (dates or date-times).
    /// Reported on `later`.
    Before {
        /// The earlier fact.
        earlier: String,
        /// The later fact.
        later: String,
    },
    /// All answers of these facts differ (ID numbers of different people). Reported on the
    /// second of two equal answers.
    Distinct {
        /// The facts compared.
        facts: Vec<String>,
    },
    /// `name` starts with the surname of `parent` (a compound surname such as 欧阳 counts as
    /// one). Reported on `name`.
    SameSurname {
        /// The name that must carry the surname.
        name: String,
        /// The name the surname is taken from.
        parent: String,
    },
    /// A resident ID number's birth date (GB 11643-1999 §5.2.2) equals the birth date fact.
    /// Other document types are not checked. Reported on `birth_date`.
    IdBirthDate {
        /// The ID number fact.
        id_number: String,
        /// The birth date fact.
        birth_date: String,
    },
    /// `fact` has the same text as `other` (the account holder is the owner). Reported on
    /// `fact`.
    SameAs {
        /// The fact checked.
        fact: String,
        /// The fact it must equal.
        other: String,
    },
    /// A condition holds. Reported on the rule's `field`; when that is a group field
    /// (`children.name`), checked in each entry showing it, with the entry's fields in scope.
    Holds(Condition),
}

/// A reported result of the reform for this one-thing (e.g. steps 9 → 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedFigure {
    /// What was counted (办事环节, 申请材料 …).
    pub label: Text,
    /// Before the reform.
    pub before: u32,
    /// After.
    pub after: u32,
    /// Who reported it.
    pub source: Text,
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

    /// The top-level fact or eligibility question with this id.
    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.facts
            .iter()
            .chain(&self.eligibility.questions)
            .find(|f| f.id == id)
    }

    /// The fact a name refers to: `id`, or `group.field` for a group's field.
    pub fn resolve(&self, name: &str) -> Option<&Fact> {
        match name.split_once('.') {
            Some((g, f)) => self.fact(g).filter(|g| g.kind == FactKind::Group)?.field(f),
            None => self.fact(name),
        }
    }

    /// Every place where the definition decides something — each condition and each cross-field
    /// rule's check — by path (`facts[3].visible_if`, `rules[0].check` …). See
    /// [`crate::engine::decisions`].
    pub fn decision_points(&self) -> Vec<String> {
        let mut out = Vec::new();
        let opt = |c: Option<&Condition>, path: String| c.map(|_| path);
        for (i, q) in self.eligibility.questions.iter().enumerate() {
            out.extend(opt(
                q.visible_if.as_ref(),
                format!("eligibility.questions[{i}].visible_if"),
            ));
        }
        for (i, r) in self.eligibility.rules.iter().enumerate() {
            out.extend(opt(
                Some(&r.require),
                format!("eligibility.rules[{i}].require"),
            ));
        }
        for (i, s) in self.sub_items.iter().enumerate() {
            out.extend(opt(
                s.enabled_if.as_ref(),
                format!("sub_items[{i}].enabled_if"),
            ));
        }
        for (i, p) in self.pages.iter().enumerate() {
            out.extend(opt(p.visible_if.as_ref(), format!("pages[{i}].visible_if")));
        }
        for (i, f) in self.facts.iter().enumerate() {
            out.extend(opt(f.visible_if.as_ref(), format!("facts[{i}].visible_if")));
            for (k, field) in f.fields.iter().enumerate() {
                out.extend(opt(
                    field.visible_if.as_ref(),
                    format!("facts[{i}].fields[{k}].visible_if"),
                ));
            }
        }
        for (i, m) in self.materials.iter().enumerate() {
            out.extend(opt(
                m.required_if.as_ref(),
                format!("materials[{i}].required_if"),
            ));
            out.extend(opt(
                m.e_licence.as_ref().and_then(|e| e.available_if.as_ref()),
                format!("materials[{i}].e_licence.available_if"),
            ));
        }
        for (i, r) in self.rules.iter().enumerate() {
            out.extend(opt(r.when.as_ref(), format!("rules[{i}].when")));
            out.push(format!("rules[{i}].check"));
        }
        out
    }

    /// The sub-item with this id.
    pub fn sub_item(&self, id: &str) -> Option<&SubItem> {
        self.sub_items.iter().find(|s| s.id == id)
    }

    /// The material with this id.
    pub fn material(&self, id: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.id == id)
    }

    /// The page with this id.
    pub fn page(&self, id: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.id == id)
    }

    /// Checks what the type system cannot: ids, uniqueness, both languages present, every
    /// reference resolving, conditions reading only facts asked before them, dependencies
    /// acyclic, every fact received by some department, satisfiers with their texts.
    ///
    /// # Errors
    /// The path inside the definition and what is wrong there.
    pub fn check(&self) -> Result<(), (String, String)> {
        check_id("id", &self.id)?;
        check_text("title", &self.title)?;
        check_text("summary", &self.summary)?;
        check_opt_text("region", self.region.as_ref())?;
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
            check_opt_text(&at("description"), item.description.as_ref())?;
            check_opt_text(&at("handled_in"), item.handled_in.as_ref())?;
            if item.time_limit_days == 0 {
                return Err((
                    at("time_limit_days"),
                    "must be at least 1 working day".into(),
                ));
            }
        }
        Checker::new(self)?.run()
    }
}

type CheckResult = Result<(), (String, String)>;

fn err<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, (String, String)> {
    Err((path.into(), message.into()))
}

/// The cross-reference checks, with the form order of every fact.
struct Checker<'a> {
    def: &'a ServiceDefinition,
    /// Position of each top-level fact and question in form order.
    order: BTreeMap<&'a str, usize>,
}

impl<'a> Checker<'a> {
    fn new(def: &'a ServiceDefinition) -> Result<Self, (String, String)> {
        let mut order = BTreeMap::new();
        for (i, q) in def.eligibility.questions.iter().enumerate() {
            if order.insert(q.id.as_str(), order.len()).is_some() {
                return err(
                    format!("eligibility.questions[{i}].id"),
                    format!("duplicate fact id `{}`", q.id),
                );
            }
        }
        let mut fact_ids = HashSet::new();
        for (i, f) in def.facts.iter().enumerate() {
            if !fact_ids.insert(f.id.as_str())
                || def.eligibility.questions.iter().any(|q| q.id == f.id)
            {
                return err(
                    format!("facts[{i}].id"),
                    format!("duplicate fact id `{}`", f.id),
                );
            }
        }
        let mut on_page: BTreeMap<&str, usize> = BTreeMap::new();
        let mut page_ids = HashSet::new();
        for (p, page) in def.pages.iter().enumerate() {
            check_id(&format!("pages[{p}].id"), &page.id)?;
            if !page_ids.insert(page.id.as_str()) {
                return err(
                    format!("pages[{p}].id"),
                    format!("duplicate page id `{}`", page.id),
                );
            }
            check_text(&format!("pages[{p}].title"), &page.title)?;
            check_opt_text(&format!("pages[{p}].intro"), page.intro.as_ref())?;
            if page.facts.is_empty() {
                return err(
                    format!("pages[{p}].facts"),
                    "a page shows at least one fact",
                );
            }
            for (j, f) in page.facts.iter().enumerate() {
                let at = format!("pages[{p}].facts[{j}]");
                if !def.facts.iter().any(|x| &x.id == f) {
                    return err(at, format!("no fact `{f}` in `facts`"));
                }
                if on_page.insert(f, p).is_some() {
                    return err(at, format!("fact `{f}` is on more than one page"));
                }
                order.insert(f.as_str(), order.len());
            }
        }
        for (i, f) in def.facts.iter().enumerate() {
            if !on_page.contains_key(f.id.as_str()) {
                return err(
                    format!("facts[{i}]"),
                    format!("fact `{}` is on no page", f.id),
                );
            }
        }
        Ok(Checker { def, order })
    }

    fn run(&self) -> CheckResult {
        let def = self.def;
        if let Some(t) = &def.eligibility.intro {
            check_text("eligibility.intro", t)?;
        }
        for (i, q) in def.eligibility.questions.iter().enumerate() {
            self.fact(&format!("eligibility.questions[{i}]"), q, None)?;
        }
        let mut ids = HashSet::new();
        for (i, r) in def.eligibility.rules.iter().enumerate() {
            let at = |f: &str| format!("eligibility.rules[{i}].{f}");
            check_id(&at("id"), &r.id)?;
            if !ids.insert(r.id.as_str()) {
                return err(at("id"), format!("duplicate rule id `{}`", r.id));
            }
            check_text(&at("explanation"), &r.explanation)?;
            check_text(&at("fallback"), &r.fallback)?;
            for f in r.require.facts() {
                if !def.eligibility.questions.iter().any(|q| q.id == f) {
                    return err(
                        at("require"),
                        format!("`{f}` is not an eligibility question"),
                    );
                }
            }
            if !r.require.sub_items().is_empty() {
                return err(
                    at("require"),
                    "eligibility is decided before sub-items are selected",
                );
            }
        }
        for (i, f) in def.facts.iter().enumerate() {
            self.fact(&format!("facts[{i}]"), f, None)?;
        }
        for (p, page) in def.pages.iter().enumerate() {
            if let Some(c) = &page.visible_if {
                let first = page.facts.first().map_or(usize::MAX, |f| self.pos(f));
                self.condition(&format!("pages[{p}].visible_if"), c, first, None)?;
            }
        }
        self.sub_items()?;
        for (i, entry) in def.shared_facts.iter().enumerate() {
            self.entry(&format!("shared_facts[{i}]"), entry)?;
        }
        self.reachable()?;
        self.materials()?;
        self.rules()?;
        for (i, r) in def.reported.iter().enumerate() {
            check_text(&format!("reported[{i}].label"), &r.label)?;
            check_text(&format!("reported[{i}].source"), &r.source)?;
        }
        Ok(())
    }

    fn pos(&self, id: &str) -> usize {
        self.order.get(id).copied().unwrap_or(usize::MAX)
    }

    /// A condition at form position `at_pos` may read facts asked before it; inside a group,
    /// also the group's earlier fields (`group` = the group and the field's index).
    fn condition(
        &self,
        path: &str,
        c: &Condition,
        at_pos: usize,
        group: Option<(&Fact, usize)>,
    ) -> CheckResult {
        for f in c.facts() {
            if let Some((g, idx)) = group
                && let Some(j) = g.fields.iter().position(|x| x.id == f)
            {
                if j >= idx {
                    return err(
                        path,
                        format!(
                            "`{f}` is asked after this field: a condition may only read earlier answers"
                        ),
                    );
                }
                continue;
            }
            if self.def.fact(f).is_none() {
                return err(path, format!("no fact `{f}`"));
            }
            if self.pos(f) >= at_pos {
                return err(
                    path,
                    format!(
                        "`{f}` is not asked before this point: a condition may only read earlier answers"
                    ),
                );
            }
        }
        self.selected_ids(path, c)
    }

    fn selected_ids(&self, path: &str, c: &Condition) -> CheckResult {
        for s in c.sub_items() {
            if self.def.sub_item(s).is_none() {
                return err(path, format!("no sub-item `{s}`"));
            }
        }
        Ok(())
    }

    /// A condition evaluated after the whole form (materials, rules): any fact.
    fn late_condition(&self, path: &str, c: &Condition) -> CheckResult {
        for f in c.facts() {
            if self.def.fact(f).is_none() {
                return err(path, format!("no fact `{f}`"));
            }
        }
        self.selected_ids(path, c)
    }

    fn id_type_source(
        &self,
        path: &str,
        name: &str,
        before: usize,
        group: Option<(&Fact, usize)>,
    ) -> CheckResult {
        let source = group
            .and_then(|(g, idx)| g.fields[..idx].iter().find(|x| x.id == name))
            .or_else(|| self.def.fact(name).filter(|_| self.pos(name) < before));
        let Some(source) = source else {
            return err(
                path,
                format!("`{name}` is not a fact asked before this one"),
            );
        };
        if source.kind != FactKind::Choice
            || source.options.is_empty()
            || source
                .options
                .iter()
                .any(|o| IdType::from_id(&o.id).is_none())
        {
            return err(
                path,
                format!(
                    "`{name}` must be a choice whose option ids are ID types (resident_id, passport, hk_macao_permit, taiwan_permit)"
                ),
            );
        }
        Ok(())
    }

    fn fact(&self, path: &str, f: &Fact, group: Option<(&Fact, usize)>) -> CheckResult {
        let at = |x: &str| format!("{path}.{x}");
        check_id(&at("id"), &f.id)?;
        check_text(&at("label"), &f.label)?;
        check_opt_text(&at("help"), f.help.as_ref())?;
        check_opt_text(&at("warning"), f.warning.as_ref())?;
        check_opt_text(&at("unit"), f.unit.as_ref())?;
        // A group field's conditions may read top-level facts asked before the group.
        let before = group.map_or_else(|| self.pos(&f.id), |(g, _)| self.pos(&g.id));
        if let Some(c) = &f.visible_if {
            self.condition(&at("visible_if"), c, before, group)?;
        }
        self.kind_params(path, f, before, group)?;
        self.id_params(path, f, before, group)?;
        if f.kind == FactKind::Group {
            self.group_fields(path, f, group)?;
        }
        if let Some(p) = f.prefill {
            let fits = match p {
                Prefill::AccountName => f.kind == FactKind::Name,
                Prefill::AccountIdNumber => f.kind == FactKind::IdNumber,
                Prefill::AccountMobile => f.kind == FactKind::Mobile,
            };
            if !fits {
                return err(
                    at("prefill"),
                    "this prefill source does not fit the fact's type",
                );
            }
        }
        Ok(())
    }

    /// The type-specific parameters fit the type.
    fn kind_params(
        &self,
        path: &str,
        f: &Fact,
        before: usize,
        group: Option<(&Fact, usize)>,
    ) -> CheckResult {
        let at = |x: &str| format!("{path}.{x}");
        let kind = f.kind;
        let is = |ks: &[FactKind]| ks.contains(&kind);
        let texty = [FactKind::Text, FactKind::LongText, FactKind::Name];
        if (f.min_length.is_some() || f.max_length.is_some()) && !is(&texty) {
            return err(
                at("max_length"),
                "lengths apply to text, long_text and name facts",
            );
        }
        if f.min_length.zip(f.max_length).is_some_and(|(a, b)| a > b) {
            return err(at("min_length"), "min_length is larger than max_length");
        }
        if (f.min.is_some() || f.max.is_some() || f.unit.is_some()) && kind != FactKind::Integer {
            return err(at("min"), "min, max and unit apply to integer facts");
        }
        if f.min.zip(f.max).is_some_and(|(a, b)| a > b) {
            return err(at("min"), "min is larger than max");
        }
        if (f.earliest.is_some() || f.latest.is_some())
            && !is(&[FactKind::Date, FactKind::DateTime])
        {
            return err(
                at("latest"),
                "earliest and latest apply to date and date_time facts",
            );
        }
        for (name, b) in [("earliest", &f.earliest), ("latest", &f.latest)] {
            if let Some(DateBound { fact: Some(r), .. }) = b {
                let ok = group
                    .and_then(|(g, idx)| g.fields[..idx].iter().find(|x| &x.id == r))
                    .or_else(|| self.def.fact(r).filter(|_| self.pos(r) < before))
                    .is_some_and(|x| matches!(x.kind, FactKind::Date | FactKind::DateTime));
                if !ok {
                    return err(
                        at(name),
                        format!("`{r}` is not a date fact asked before this one"),
                    );
                }
            }
        }
        let choice = is(&[FactKind::Choice, FactKind::MultiChoice]);
        if choice == f.options.is_empty() {
            return err(
                at("options"),
                "choice and multi_choice facts (only) have options",
            );
        }
        let mut opt_ids = HashSet::new();
        for (k, o) in f.options.iter().enumerate() {
            check_id(&format!("{path}.options[{k}].id"), &o.id)?;
            if !opt_ids.insert(o.id.as_str()) {
                return err(
                    format!("{path}.options[{k}].id"),
                    format!("duplicate option `{}`", o.id),
                );
            }
            check_text(&format!("{path}.options[{k}].label"), &o.label)?;
        }
        if (kind == FactKind::Group) == f.fields.is_empty() {
            return err(at("fields"), "group facts (only) have fields");
        }
        if (f.min_items.is_some() || f.max_items.is_some())
            && !is(&[FactKind::Group, FactKind::MultiChoice])
        {
            return err(
                at("max_items"),
                "min_items and max_items apply to group and multi_choice facts",
            );
        }
        if f.min_items.zip(f.max_items).is_some_and(|(a, b)| a > b) {
            return err(at("min_items"), "min_items is larger than max_items");
        }
        Ok(())
    }

    /// ID numbers and names: where the document type comes from.
    fn id_params(
        &self,
        path: &str,
        f: &Fact,
        before: usize,
        group: Option<(&Fact, usize)>,
    ) -> CheckResult {
        let at = |x: &str| format!("{path}.{x}");
        let kind = f.kind;
        match (kind, &f.id_type, &f.id_type_fact) {
            (FactKind::IdNumber, Some(_), Some(_)) | (FactKind::IdNumber, None, None) => {
                return err(
                    at("id_type"),
                    "an id_number fact has either id_type or id_type_fact",
                );
            }
            (FactKind::IdNumber | FactKind::Name, _, Some(src)) => {
                self.id_type_source(&at("id_type_fact"), src, before, group)?;
            }
            (FactKind::IdNumber | FactKind::Name, _, None) | (_, None, None) => {}
            _ => {
                return err(
                    at("id_type"),
                    "id_type and id_type_fact apply to id_number and name facts",
                );
            }
        }
        if kind == FactKind::Name && f.id_type.is_some() {
            return err(
                at("id_type"),
                "a name reads its document type from id_type_fact",
            );
        }
        Ok(())
    }

    /// A group's fields: unique, valid, not nested.
    fn group_fields(&self, path: &str, f: &Fact, group: Option<(&Fact, usize)>) -> CheckResult {
        let at = |x: &str| format!("{path}.{x}");
        if group.is_some() {
            return err(at("type"), "groups do not nest");
        }
        if f.prefill.is_some() {
            return err(at("prefill"), "a group is not prefilled");
        }
        let mut ids = HashSet::new();
        for (k, field) in f.fields.iter().enumerate() {
            let fpath = format!("{path}.fields[{k}]");
            if !ids.insert(field.id.as_str()) {
                return err(
                    format!("{fpath}.id"),
                    format!("duplicate field id `{}`", field.id),
                );
            }
            self.fact(&fpath, field, Some((f, k)))?;
        }
        Ok(())
    }

    fn entry(&self, path: &str, entry: &str) -> CheckResult {
        if self.def.resolve(entry).is_none() {
            return err(
                path,
                format!("no fact `{entry}` (use a fact id, or group.field)"),
            );
        }
        Ok(())
    }

    /// An e-licence holder names a top-level fact of each kind, and positive periods.
    fn holder(&self, at: &str, h: &ELicenceHolder) -> CheckResult {
        check_text(&format!("{at}.role"), &h.role)?;
        for (field, id, kind) in [
            ("name_fact", &h.name_fact, FactKind::Name),
            ("id_number_fact", &h.id_number_fact, FactKind::IdNumber),
        ] {
            match self.def.fact(id) {
                Some(f) if f.kind == kind => {}
                _ => {
                    return err(
                        format!("{at}.{field}"),
                        format!("`{id}` is not a top-level fact of type {kind:?}"),
                    );
                }
            }
        }
        if h.valid_days == 0 || h.answer_days == 0 {
            return err(
                format!("{at}.valid_days"),
                "valid_days and answer_days must be at least 1",
            );
        }
        Ok(())
    }

    /// Result delivery: methods listed once, each with what it needs.
    fn results(at: &str, r: &ResultDelivery) -> CheckResult {
        if r.methods.is_empty() {
            return err(format!("{at}.methods"), "at least one method");
        }
        let set: HashSet<_> = r.methods.iter().collect();
        if set.len() != r.methods.len() {
            return err(format!("{at}.methods"), "a method is listed twice");
        }
        let has = |m: DeliveryMethod| r.methods.contains(&m);
        if has(DeliveryMethod::Window) != r.window.is_some() {
            return err(
                format!("{at}.window"),
                "`window` (office, address, hours) goes with the window method",
            );
        }
        if let Some(w) = &r.window {
            check_text(&format!("{at}.window.office"), &w.office)?;
            check_text(&format!("{at}.window.address"), &w.address)?;
            check_text(&format!("{at}.window.hours"), &w.hours)?;
        }
        if has(DeliveryMethod::ELicence) != r.e_licence.is_some() {
            return err(
                format!("{at}.e_licence"),
                "`e_licence` (where to find it) goes with the e_licence method",
            );
        }
        if let Some(t) = &r.e_licence {
            check_text(&format!("{at}.e_licence"), t)?;
        }
        Ok(())
    }

    fn sub_items(&self) -> CheckResult {
        let def = self.def;
        for (i, item) in def.sub_items.iter().enumerate() {
            let at = |f: &str| format!("sub_items[{i}].{f}");
            if let Some(c) = &item.enabled_if {
                for f in c.facts() {
                    if !def.eligibility.questions.iter().any(|q| q.id == f) {
                        return err(
                            at("enabled_if"),
                            format!(
                                "`{f}` is not an eligibility question: availability is decided right after the pre-screen"
                            ),
                        );
                    }
                }
                if !c.sub_items().is_empty() {
                    return err(
                        at("enabled_if"),
                        "availability cannot depend on the selection",
                    );
                }
            }
            for (j, d) in item.depends_on.iter().enumerate() {
                if d == &item.id || def.sub_item(d).is_none() {
                    return err(
                        format!("sub_items[{i}].depends_on[{j}]"),
                        format!("no other sub-item `{d}`"),
                    );
                }
            }
            for (j, f) in item.facts.iter().enumerate() {
                self.entry(&format!("sub_items[{i}].facts[{j}]"), f)?;
            }
            if let Some(r) = &item.results {
                Self::results(&at("results"), r)?;
            }
        }
        // Dependencies must be acyclic: Kahn's algorithm, reporting a member of the cycle.
        let mut done: HashSet<&str> = HashSet::new();
        loop {
            let ready: Vec<&str> = def
                .sub_items
                .iter()
                .filter(|s| {
                    !done.contains(s.id.as_str())
                        && s.depends_on.iter().all(|d| done.contains(d.as_str()))
                })
                .map(|s| s.id.as_str())
                .collect();
            if ready.is_empty() {
                break;
            }
            done.extend(ready);
        }
        if let Some((i, s)) = def
            .sub_items
            .iter()
            .enumerate()
            .find(|(_, s)| !done.contains(s.id.as_str()))
        {
            return err(
                format!("sub_items[{i}].depends_on"),
                format!("`{}` is part of a dependency cycle", s.id),
            );
        }
        Ok(())
    }

    /// Data minimisation, checked at load: a fact no department receives must not be asked.
    fn reachable(&self) -> CheckResult {
        let def = self.def;
        let entries: Vec<&str> = def
            .sub_items
            .iter()
            .flat_map(|s| s.facts.iter())
            .chain(&def.shared_facts)
            .map(String::as_str)
            .collect();
        for (i, f) in def.facts.iter().enumerate() {
            let whole = entries.contains(&f.id.as_str());
            if f.kind == FactKind::Group {
                for (k, field) in f.fields.iter().enumerate() {
                    let named = format!("{}.{}", f.id, field.id);
                    if !whole && !entries.contains(&named.as_str()) {
                        return err(
                            format!("facts[{i}].fields[{k}]"),
                            format!(
                                "no sub-item receives `{named}`: list it in a sub-item's facts or in shared_facts"
                            ),
                        );
                    }
                }
            } else if !whole {
                return err(
                    format!("facts[{i}]"),
                    format!(
                        "no sub-item receives `{}`: list it in a sub-item's facts or in shared_facts",
                        f.id
                    ),
                );
            }
        }
        Ok(())
    }

    fn materials(&self) -> CheckResult {
        let def = self.def;
        let mut ids = HashSet::new();
        for (i, m) in def.materials.iter().enumerate() {
            let at = |f: &str| format!("materials[{i}].{f}");
            check_id(&at("id"), &m.id)?;
            if !ids.insert(m.id.as_str()) {
                return err(at("id"), format!("duplicate material id `{}`", m.id));
            }
            check_text(&at("title"), &m.title)?;
            check_opt_text(&at("description"), m.description.as_ref())?;
            if m.sub_items.is_empty() {
                return err(
                    at("sub_items"),
                    "a material is needed by at least one sub-item",
                );
            }
            for (j, s) in m.sub_items.iter().enumerate() {
                if def.sub_item(s).is_none() {
                    return err(
                        format!("materials[{i}].sub_items[{j}]"),
                        format!("no sub-item `{s}`"),
                    );
                }
            }
            if let Some(c) = &m.required_if {
                self.late_condition(&at("required_if"), c)?;
            }
            if m.accept.is_empty()
                || m.accept.iter().any(|a| {
                    a.split_once('/')
                        .is_none_or(|(t, s)| t.is_empty() || s.is_empty())
                })
            {
                return err(at("accept"), "list media types such as image/jpeg");
            }
            if m.max_bytes == 0 {
                return err(at("max_bytes"), "must be positive");
            }
            for (k, p) in m.pages.iter().enumerate() {
                check_text(&format!("materials[{i}].pages[{k}]"), p)?;
            }
            if m.satisfiers.is_empty() {
                return err(
                    at("satisfiers"),
                    "a material needs at least one way to be provided",
                );
            }
            let set: HashSet<_> = m.satisfiers.iter().collect();
            if set.len() != m.satisfiers.len() {
                return err(at("satisfiers"), "a satisfier is listed twice");
            }
            let has = |s: Satisfier| m.satisfiers.contains(&s);
            if has(Satisfier::ELicence) != m.e_licence.is_some() {
                return err(
                    at("e_licence"),
                    "`e_licence` (with its consent text) goes with the e_licence satisfier",
                );
            }
            if let Some(e) = &m.e_licence {
                check_text(&at("e_licence.consent"), &e.consent)?;
                if let Some(c) = &e.available_if {
                    self.late_condition(&at("e_licence.available_if"), c)?;
                }
                if let Some(h) = &e.holder {
                    self.holder(&at("e_licence.holder"), h)?;
                }
            }
            if has(Satisfier::Commitment) != m.commitment.is_some() {
                return err(
                    at("commitment"),
                    "the commitment text goes with the commitment satisfier",
                );
            }
            if let Some(t) = &m.commitment {
                check_text(&at("commitment"), t)?;
            }
            if has(Satisfier::Deferred) != m.deferred_days.is_some_and(|d| d > 0) {
                return err(
                    at("deferred_days"),
                    "deferred_days (at least 1) goes with the deferred satisfier",
                );
            }
        }
        Ok(())
    }

    fn rules(&self) -> CheckResult {
        let mut ids = HashSet::new();
        for (i, r) in self.def.rules.iter().enumerate() {
            let at = |f: &str| format!("rules[{i}].{f}");
            check_id(&at("id"), &r.id)?;
            if !ids.insert(r.id.as_str()) {
                return err(at("id"), format!("duplicate rule id `{}`", r.id));
            }
            if r.code.is_empty()
                || !r
                    .code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return err(at("code"), "an error code is snake_case");
            }
            check_text(&at("message"), &r.message)?;
            if let Some(c) = &r.when {
                self.late_condition(&at("when"), c)?;
            }
            let names: Vec<&str> = match &r.check {
                Check::Before { earlier, later } => vec![earlier, later],
                Check::Distinct { facts } => facts.iter().map(String::as_str).collect(),
                Check::SameSurname { name, parent } => vec![name, parent],
                Check::IdBirthDate {
                    id_number,
                    birth_date,
                } => vec![id_number, birth_date],
                Check::SameAs { fact, other } => vec![fact, other],
                Check::Holds(c) => {
                    // On a group field, the condition may read that entry's fields too.
                    let group = r
                        .field
                        .as_deref()
                        .and_then(|f| f.split_once('.'))
                        .and_then(|(g, _)| self.def.fact(g));
                    for f in c.facts() {
                        if self.def.fact(f).is_none() && group.is_none_or(|g| g.field(f).is_none())
                        {
                            return err(at("check"), format!("no fact `{f}`"));
                        }
                    }
                    self.selected_ids(&at("check"), c)?;
                    Vec::new()
                }
            };
            for n in names {
                self.entry(&at("check"), n)?;
            }
            match (&r.check, &r.field) {
                (Check::Holds(_), None) => {
                    return err(
                        at("field"),
                        "a `holds` rule names the field its error is shown on",
                    );
                }
                (Check::Holds(_), Some(f)) => self.entry(&at("field"), f)?,
                (_, Some(_)) => return err(at("field"), "only `holds` rules name a field"),
                _ => {}
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

fn check_opt_text(path: &str, text: Option<&Text>) -> Result<(), (String, String)> {
    text.map_or(Ok(()), |t| check_text(path, t))
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

    /// A definition using every part of the format, to break one piece at a time.
    const RICH: &str = r#"
id = "rich"
title = { zh = "全", en = "Rich" }
summary = { zh = "全部", en = "Everything" }
shared_facts = ["name"]

[[eligibility.questions]]
id = "local"
label = { zh = "本地？", en = "Local?" }
type = "yes_no"

[[eligibility.rules]]
id = "must_be_local"
require = { equals = { fact = "local", value = true } }
explanation = { zh = "仅限本地。", en = "Local only." }
fallback = { zh = "回原籍。", en = "Go home." }

[[facts]]
id = "doc_type"
label = { zh = "证件", en = "Document" }
type = "choice"
options = [{ id = "resident_id", label = { zh = "身份证", en = "ID card" } }, { id = "passport", label = { zh = "护照", en = "Passport" } }]

[[facts]]
id = "name"
label = { zh = "姓名", en = "Name" }
type = "name"
id_type_fact = "doc_type"

[[facts]]
id = "number"
label = { zh = "号码", en = "Number" }
type = "id_number"
id_type_fact = "doc_type"
visible_if = { answered = "doc_type" }

[[facts]]
id = "born"
label = { zh = "出生", en = "Born" }
type = "date"
latest = { days = 0 }

[[facts]]
id = "kids"
label = { zh = "子女", en = "Children" }
type = "group"

[[facts.fields]]
id = "age"
label = { zh = "年龄", en = "Age" }
type = "integer"

[[facts.fields]]
id = "school"
label = { zh = "学校", en = "School" }
type = "text"
visible_if = { compare = { fact = "age", op = "ge", value = 6 } }

[[pages]]
id = "one"
title = { zh = "一", en = "One" }
facts = ["doc_type", "name", "number", "born"]

[[pages]]
id = "two"
title = { zh = "二", en = "Two" }
facts = ["kids"]
visible_if = { selected = "b" }

[[materials]]
id = "card"
title = { zh = "卡", en = "Card" }
sub_items = ["a"]
satisfiers = ["upload", "e_licence", "deferred", "commitment"]
e_licence = { consent = { zh = "同意", en = "Agree" } }
deferred_days = 5
commitment = { zh = "承诺", en = "Promise" }

[[rules]]
id = "r"
code = "rule_code"
message = { zh = "错", en = "Wrong" }
check = { holds = { answered = "born" } }
field = "born"

[[sub_items]]
id = "a"
title = { zh = "甲", en = "A" }
department = { zh = "甲局", en = "Bureau A" }
time_limit_days = 1
facts = ["doc_type", "number", "born"]

[[sub_items]]
id = "b"
title = { zh = "乙", en = "B" }
department = { zh = "乙局", en = "Bureau B" }
time_limit_days = 1
optional = true
depends_on = ["a"]
enabled_if = { equals = { fact = "local", value = true } }
facts = ["kids"]
"#;

    fn broken(from: &str, to: &str) -> DefinitionError {
        assert!(RICH.contains(from), "the base has `{from}`");
        ServiceDefinition::from_toml("rich.toml", &RICH.replacen(from, to, 1)).expect_err(to)
    }

    #[test]
    fn the_rich_definition_loads() {
        let d = ServiceDefinition::from_toml("rich.toml", RICH).expect("valid");
        assert_eq!(d.decision_points().len(), 6);
        assert_eq!(
            d.resolve("kids.school").map(|f| f.kind),
            Some(FactKind::Text)
        );
        assert!(d.resolve("kids.nothing").is_none());
        assert!(d.resolve("name.x").is_none());
    }

    #[test]
    #[expect(clippy::too_many_lines, reason = "one table of broken definitions")]
    fn broken_references_are_reported_with_their_path() {
        let cases = [
            // A fact on no page, a page showing an unknown fact.
            (
                r#"facts = ["doc_type", "name", "number", "born"]"#,
                r#"facts = ["doc_type", "name", "number"]"#,
                "facts[3]",
                "on no page",
            ),
            (
                r#"facts = ["kids"]"#,
                r#"facts = ["kids", "ghost"]"#,
                "pages[1].facts[1]",
                "no fact `ghost`",
            ),
            // Conditions read earlier answers only, and known ones.
            (
                r#"visible_if = { answered = "doc_type" }"#,
                r#"visible_if = { answered = "born" }"#,
                "facts[2].visible_if",
                "not asked before",
            ),
            (
                r#"visible_if = { answered = "doc_type" }"#,
                r#"visible_if = { answered = "nobody" }"#,
                "facts[2].visible_if",
                "no fact `nobody`",
            ),
            (
                r#"visible_if = { compare = { fact = "age""#,
                r#"visible_if = { compare = { fact = "school""#,
                "facts[4].fields[1].visible_if",
                "asked after",
            ),
            (
                r#"visible_if = { selected = "b" }"#,
                r#"visible_if = { selected = "z" }"#,
                "pages[1].visible_if",
                "no sub-item `z`",
            ),
            (
                r#"visible_if = { selected = "b" }"#,
                r#"visible_if = { answered = "kids" }"#,
                "pages[1].visible_if",
                "not asked before",
            ),
            (
                r#"enabled_if = { equals = { fact = "local""#,
                r#"enabled_if = { equals = { fact = "born""#,
                "sub_items[1].enabled_if",
                "not an eligibility question",
            ),
            (
                r#"require = { equals = { fact = "local""#,
                r#"require = { equals = { fact = "born""#,
                "eligibility.rules[0].require",
                "not an eligibility question",
            ),
            // Dependencies exist and do not loop.
            (
                r#"depends_on = ["a"]"#,
                r#"depends_on = ["b"]"#,
                "sub_items[1].depends_on[0]",
                "no other sub-item",
            ),
            (
                "time_limit_days = 1\nfacts = [\"doc_type\"",
                "time_limit_days = 1\ndepends_on = [\"b\"]\nfacts = [\"doc_type\"",
                "sub_items[0].depends_on",
                "cycle",
            ),
            // Data minimisation.
            (
                "value = true } }\nfacts = [\"kids\"]",
                "value = true } }\nfacts = [\"kids.age\"]",
                "facts[4].fields[1]",
                "kids.school",
            ),
            (
                r#"facts = ["doc_type", "number", "born"]"#,
                r#"facts = ["doc_type", "number"]"#,
                "facts[3]",
                "no sub-item receives `born`",
            ),
            (
                r#"facts = ["doc_type", "number", "born"]"#,
                r#"facts = ["doc_type", "number", "born.x"]"#,
                "sub_items[0].facts[2]",
                "group.field",
            ),
            // Satisfiers come with their texts.
            (
                "e_licence = { consent = { zh = \"同意\", en = \"Agree\" } }\n",
                "",
                "materials[0].e_licence",
                "consent",
            ),
            (
                "deferred_days = 5",
                "deferred_days = 0",
                "materials[0].deferred_days",
                "deferred",
            ),
            // Another person's e-licence names facts of the right kinds and positive periods.
            (
                "e_licence = { consent = { zh = \"同意\", en = \"Agree\" } }\n",
                "e_licence = { consent = { zh = \"同意\", en = \"Agree\" }, holder = { role = { zh = \"父亲\", en = \"the father\" }, name_fact = \"born\", id_number_fact = \"number\", valid_days = 90, answer_days = 7 } }\n",
                "materials[0].e_licence.holder.name_fact",
                "Name",
            ),
            (
                "e_licence = { consent = { zh = \"同意\", en = \"Agree\" } }\n",
                "e_licence = { consent = { zh = \"同意\", en = \"Agree\" }, holder = { role = { zh = \"父亲\", en = \"the father\" }, name_fact = \"name\", id_number_fact = \"number\", valid_days = 0, answer_days = 7 } }\n",
                "materials[0].e_licence.holder.valid_days",
                "at least 1",
            ),
            // Result delivery: each method with what it needs.
            (
                "time_limit_days = 1\nfacts = [\"doc_type\"",
                "time_limit_days = 1\nresults = { methods = [\"window\"] }\nfacts = [\"doc_type\"",
                "sub_items[0].results.window",
                "office",
            ),
            (
                "time_limit_days = 1\nfacts = [\"doc_type\"",
                "time_limit_days = 1\nresults = { methods = [\"mail\", \"mail\"] }\nfacts = [\"doc_type\"",
                "sub_items[0].results.methods",
                "twice",
            ),
            (
                "time_limit_days = 1\nfacts = [\"doc_type\"",
                "time_limit_days = 1\nresults = { methods = [\"mail\"], e_licence = { zh = \"我的证照\", en = \"My licences\" } }\nfacts = [\"doc_type\"",
                "sub_items[0].results.e_licence",
                "e_licence method",
            ),
            (
                "commitment = { zh = \"承诺\", en = \"Promise\" }",
                "commitment = { zh = \"承诺\", en = \"\" }",
                "materials[0].commitment.en",
                "missing",
            ),
            (
                r#"satisfiers = ["upload", "e_licence""#,
                r#"satisfiers = ["upload", "upload", "e_licence""#,
                "materials[0].satisfiers",
                "twice",
            ),
            (
                r#"sub_items = ["a"]"#,
                r#"sub_items = ["x"]"#,
                "materials[0].sub_items[0]",
                "no sub-item `x`",
            ),
            // Rules.
            ("field = \"born\"", "", "rules[0].field", "names the field"),
            (
                "code = \"rule_code\"",
                "code = \"Rule Code\"",
                "rules[0].code",
                "snake_case",
            ),
            // Parameters fit the type.
            (
                "type = \"yes_no\"",
                "type = \"choice\"",
                "eligibility.questions[0].options",
                "options",
            ),
            (
                "id_type_fact = \"doc_type\"\nvisible_if",
                "visible_if",
                "facts[2].id_type",
                "either id_type or id_type_fact",
            ),
            (
                "id_type_fact = \"doc_type\"\nvisible_if",
                "id_type_fact = \"born\"\nvisible_if",
                "facts[2].id_type_fact",
                "is not a fact asked before",
            ),
            (
                r#"{ id = "passport", label"#,
                r#"{ id = "visa", label"#,
                "facts[1].id_type_fact",
                "ID types",
            ),
            (
                "latest = { days = 0 }",
                "latest = { fact = \"kids\" }",
                "facts[3].latest",
                "not a date fact",
            ),
            (
                "type = \"date\"\nlatest",
                "type = \"text\"\nlatest",
                "facts[3].latest",
                "apply to date",
            ),
            (
                "type = \"integer\"",
                "type = \"group\"",
                "facts[4].fields[0].fields",
                "group facts (only) have fields",
            ),
            (
                "type = \"name\"\nid_type_fact",
                "type = \"name\"\nprefill = \"account_mobile\"\nid_type_fact",
                "facts[1].prefill",
                "does not fit",
            ),
            (
                r#"id = "born""#,
                r#"id = "local""#,
                "facts[3].id",
                "duplicate fact id",
            ),
        ];
        for (from, to, path, message) in cases {
            let e = broken(from, to);
            assert_eq!(e.path, path, "{to}: {e}");
            assert!(e.message.contains(message), "{to}: {e}");
            assert_eq!(e.file, "rich.toml");
        }
    }

    #[test]
    fn unknown_keys_in_nested_tables_are_rejected() {
        let e = broken("type = \"date\"", "type = \"date\"\nmaximum = 3");
        assert!(e.message.contains("maximum"), "{e}");
        let e = broken("type = \"date\"", "type = \"datum\"");
        assert!(e.message.contains("datum"), "{e}");
        let e = broken("check = { holds", "check = { eval = \"1\" }\nx = { holds");
        assert!(e.message.contains("eval"), "{e}");
    }
}

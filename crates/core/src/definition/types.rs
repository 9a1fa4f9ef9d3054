//! The definition format's types: a one-thing as data, exactly as `services/*.toml` spell it
//! (serde reads them; [`super::check`] then checks what the types cannot say).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::guide::PickupWindow;
use crate::condition::{Condition, Offset};
use crate::text::Text;
use crate::wire;

/// A bundle of departmental items for one life or business event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDefinition {
    /// Stable id, used in URLs and file names (`newborn`): lower-case ASCII letters, digits, `-`.
    pub id: String,
    /// The definition's version (`2026.1`): what a case records it was submitted under and a
    /// draft what it was started under. Written in the file, or, when the file has none,
    /// derived from its content when it loads (`d-` and 16 hex digits), so every loaded
    /// definition has one and any edit changes it. 1–40 of `A–Z a–z 0–9 . _ -`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
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
    /// The form's question of how results reach the person: a `choice` fact whose option ids
    /// are [`DeliveryMethod`] names. Each selected sub-item delivers that way when its results
    /// allow it; otherwise its `results.unavailable` says so before submission. Absent: the
    /// form offers no choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_fact: Option<String>,
    /// The bundle's published time limit in working days (承诺时限): the longest chain of
    /// dependent sub-items must fit within it (sub-items without dependencies run in parallel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_days: Option<u16>,
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
    /// Figures the form computes from its answers (the subsidy claimed), shown before
    /// submission: see [`super::tracking`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amounts: Vec<Amount>,
    /// The service guide (办事指南) beyond what the rest says: see [`super::guide`].
    #[serde(default)]
    pub guide: Option<super::guide::Guide>,
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
    /// The tracking stages the department moves it through while in progress (联合踏勘,
    /// 协同接入, 联合验收), in their usual order. Empty: the generic states only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// What its result is (a connection, a payment, a filing …) and what the department
    /// records on completing it. Absent: a certificate, delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

impl SubItem {
    /// Whether its result is delivered after completion (mail, window, e-licence): yes unless
    /// it declares an outcome and no `results` (a connection or a payment ends at completion).
    pub fn delivers(&self) -> bool {
        self.results.is_some() || self.outcome.is_none()
    }

    /// The stage with this id.
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// The ways its result may be delivered (mail when the definition says nothing).
    pub fn result_methods(&self) -> Vec<DeliveryMethod> {
        self.results
            .as_ref()
            .map_or_else(|| vec![DeliveryMethod::Mail], |r| r.methods.clone())
    }

    /// How its result goes when the person chose `chosen`: that way when offered, else the
    /// first listed way.
    pub fn delivery_for(&self, chosen: Option<DeliveryMethod>) -> DeliveryMethod {
        let methods = self.result_methods();
        chosen
            .filter(|c| methods.contains(c))
            .or_else(|| methods.first().copied())
            .unwrap_or(DeliveryMethod::Mail)
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
    /// The ways the form offers (see `delivery_fact`) that this sub-item cannot take, each with
    /// what happens instead (its result then goes its first listed way). Shown before
    /// submission to whoever chose that way.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unavailable: BTreeMap<DeliveryMethod, Text>,
}

/// How a sub-item's result reaches the citizen.
//
// A definition's `results.methods`, and the way a delivered result took on the API, where
// `crate::api` re-exports it. (The `///` line above is the contract's description of the
// schema: `docs/openapi.json` carries it.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// 邮寄到家: mailed by a courier, with a tracking number.
    Mail,
    /// 窗口领取: picked up at a service window, with a pickup code.
    Window,
    /// 电子证照: issued as an e-licence in the citizen's account.
    ELicence,
}

impl DeliveryMethod {
    /// The wire name (`mail`, `window`, `e_licence`).
    pub fn as_str(self) -> &'static str {
        wire::name(&self)
    }
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
    /// The sub-items that can still be done here when this rule fails: the person continues
    /// with these instead of stopping (the rest are handled elsewhere, as `fallback` says).
    /// Empty: none can.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub continue_with: Vec<String>,
    /// The single-item service to go to instead, as a link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_item: Option<ServiceLink>,
}

/// A link to another service (a page of this app, `/services/…`, or a government portal's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLink {
    /// What the link says (the service's name).
    pub label: Text,
    /// Where it goes: a path of this app starting with `/`, or an `https://` address.
    pub href: String,
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
    /// A unified social credit code (统一社会信用代码, GB 32100-2015: 18 characters with a
    /// check character).
    CreditCode,
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
    /// Parses the snake-case id used as a choice option id (the wire name: `resident_id` …).
    pub fn from_id(id: &str) -> Option<Self> {
        wire::parse(id)
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

/// A national code list a choice takes its options from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionSource {
    /// The 56 nationalities (民族) of GB 3304-1991, in the standard's code order (01 汉族 …
    /// 56 基诺族); option ids are the standard's romanised names (`han`, `mongol` …).
    Ethnicity,
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
    /// Choice kinds: a national code list giving the options instead of `options` (filled in
    /// when the definition loads, so the served definition carries them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_from: Option<OptionSource>,
    /// Text: the printed form the answer must follow, `A` a capital letter, `9` a digit, any
    /// other character itself (`A999999999`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<String>,
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
    /// All answers of these facts differ (ID numbers of different people), compared trimmed and
    /// with ASCII letters' case ignored. Reported on the second of two equal answers.
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
    /// `fact`'s text equals the answer of one of `others` (a baby's 民族 follows a parent's).
    /// Checked when `fact` and at least one of `others` are answered; reported on `fact`.
    OneOf {
        /// The fact checked (may be `group.field`: every entry).
        fact: String,
        /// The facts whose answers it may take.
        others: Vec<String>,
    },
    /// The answers of an integer group field add up to `equals` (shareholders' percentages make
    /// 100). Checked when every entry showing the field has a valid answer; reported on the last
    /// entry's field.
    Sum {
        /// The group field, `group.field`.
        field: String,
        /// The total required.
        equals: i64,
    },
    /// A condition holds. Reported on the rule's `field`; when that is a group field
    /// (`children.name`), checked in each entry showing it, with the entry's fields in scope.
    Holds(Condition),
}

/// A reported result of the reform for this one-thing (e.g. steps 9 → 3, or 环节压减 83 %):
/// counts before and after, a reduction in percent, or both, as the source reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedFigure {
    /// What was counted (办事环节, 申请材料 …).
    pub label: Text,
    /// Before the reform (with `after`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<u32>,
    /// After (with `before`, or alone with `reduced_percent`: the 4 days of a 73 % cut).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u32>,
    /// The reduction as reported, in percent (1–100), when the source gives it so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduced_percent: Option<u8>,
    /// Who reported it.
    pub source: Text,
}

impl ReportedFigure {
    /// The figure as shown: `9 → 3`, `−83 %`, `4（−73 %）` or `15 → 4（−73 %）`.
    pub fn figure(&self) -> String {
        let counts = match (self.before, self.after) {
            (Some(b), Some(a)) => Some(format!("{b} → {a}")),
            (None, Some(a)) => Some(a.to_string()),
            _ => None,
        };
        match (counts, self.reduced_percent) {
            (Some(c), Some(p)) => format!("{c}（−{p} %）"),
            (Some(c), None) => c,
            (None, Some(p)) => format!("−{p} %"),
            (None, None) => String::new(),
        }
    }
}

/// One tracking stage of a sub-item while it is in progress (`in_progress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Stable id inside the sub-item (`joint_survey`).
    pub id: String,
    /// Its name, as the applicant reads it (联合踏勘).
    pub title: Text,
    /// What happens in it, in one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Whether the sub-item may complete without passing it (督办 happens only when needed).
    #[serde(default)]
    pub optional: bool,
    /// Whether it may be entered again later, after other stages (a second escalation). A
    /// stage that is not repeatable is entered in the listed order: never after a later one
    /// (it may be recorded again while it is the current one: a rebooked survey date).
    #[serde(default)]
    pub repeatable: bool,
    /// What the department records on entering it, shown to the applicant (a date, who
    /// handles, by when). Fields of kind `text`, `long_text`, `date`, `integer`, `choice` or
    /// `yes_no`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record: Vec<Fact>,
    /// Choice fields of `record` that only go up their option order each time the stage is
    /// entered (四级响应: county → city → province, never down or sideways): the value must come
    /// after the last one recorded for a field of the same id, in this stage or an earlier one
    /// (a value not among this field's options, a township, counts as below them all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rising: Vec<String>,
}

/// What kind of thing a sub-item's result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// A certificate or licence (证照): usually delivered (mail, window, e-licence).
    Certificate,
    /// A supply connected (接入完成): water, power, gas, broadband.
    Connection,
    /// Money paid into the applicant's account (拨付): its record has the amount and the date.
    Payment,
    /// A filing accepted (备案): its record has the filing number.
    Filing,
    /// A written reply to what was asked (答复): an enterprise's problem handled.
    Reply,
    /// Something published (亮晒, 公示): where and when.
    Publication,
}

/// The result of a sub-item: its kind, its name, and what the department records when it
/// completes the sub-item (`completed`). A sub-item with an outcome and no `results` ends at
/// `completed`: nothing is delivered (a connection is not a parcel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// What kind of result.
    pub kind: OutcomeKind,
    /// Its name, as the applicant reads it (接入完成, 补贴已拨付).
    pub title: Text,
    /// One sentence on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// What the department records (a payment: the amount and the date; a filing: its number).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record: Vec<Fact>,
    /// A payment's link to the computed amounts: which one it pays, into which integer field
    /// of `record` (the demo pays it; a department's screen can propose it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pays: Option<Pays>,
}

/// What a payment pays: a computed amount (`[[amounts]]` id) into a record field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pays {
    /// The computed amount's id (`total_claimed`).
    pub amount: String,
    /// The outcome record's integer field that receives it (`amount_paid`).
    pub record: String,
}

/// A figure the form computes from its answers by the definition's rule (the subsidy claimed),
/// shown before submission and never typed by the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    /// Stable id (its own namespace).
    pub id: String,
    /// What it is (申领购置补贴).
    pub label: Text,
    /// Its unit (元).
    pub unit: Text,
    /// The rule in words, shown under it (每千瓦时 1 500 元，最高 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// Counted and shown only when this sub-item is selected. Absent: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_item: Option<String>,
    /// The rule.
    pub value: super::expr::Expr,
}

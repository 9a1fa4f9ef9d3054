//! The engine's error codes and their user-facing text in both languages, shared by the SPA
//! (which shows them) and the server (which returns the codes). Codes are stable: the SPA and
//! stored data rely on them. A definition's cross-field rules add their own codes and texts
//! (see [`ServiceDefinition::error_text`]).
//!
//! Each code is a variant of [`EngineError`]: its wire name comes from serde, and its texts are
//! matched per language, so a code without a text in either language does not compile.

use serde::{Deserialize, Serialize};

use crate::definition::ServiceDefinition;
use crate::text::Locale;
use crate::wire;

/// Every code the engine reports. On the wire (`FieldError::code`) it is the `snake_case` name,
/// e.g. `id_number_checksum`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineError {
    /// A required question has no answer.
    Required,
    /// The answer has the wrong JSON shape for its fact (or an unsupported one).
    WrongType,
    /// Text shorter than `min_length`.
    TooShort,
    /// Text longer than `max_length` (or the kind's default).
    TooLong,
    /// Text with control characters (line breaks in a one-line text).
    InvalidCharacters,
    /// A name of one character.
    NameTooShort,
    /// A name with characters its document does not allow.
    NameInvalidCharacters,
    /// A resident ID number not of 17 digits and a digit or `X`.
    IdNumberFormat,
    /// A resident ID number whose province code does not exist.
    IdNumberRegion,
    /// A resident ID number whose coded birth date is impossible.
    IdNumberBirthDate,
    /// A resident ID number whose check character is wrong (GB 11643-1999 §5.2.4).
    IdNumberChecksum,
    /// An ID number whose document type is not chosen yet.
    IdTypeRequired,
    /// A passport number not of 5 to 17 letters or digits.
    PassportFormat,
    /// A Hong Kong, Macao or Taiwan permit number of the wrong shape.
    PermitFormat,
    /// Not an 11-digit mainland mobile number.
    MobileFormat,
    /// Not a date `YYYY-MM-DD`.
    DateFormat,
    /// Not a date and time `YYYY-MM-DDTHH:MM`.
    DateTimeFormat,
    /// A date after today where the latest allowed is today.
    DateInFuture,
    /// A date before `earliest`.
    DateTooEarly,
    /// A date after `latest`.
    DateTooLate,
    /// An integer below `min`.
    TooSmall,
    /// An integer above `max`.
    TooLarge,
    /// A choice that is not among the options.
    UnknownOption,
    /// Fewer entries or choices than `min_items`.
    TooFewItems,
    /// More entries or choices than `max_items`.
    TooManyItems,
    /// An address without a complete, known province, city and county.
    AddressRegion,
    /// An address without its detail line.
    AddressDetailRequired,
    /// A bank card number not of 12 to 19 digits.
    BankCardFormat,
    /// A bank card number whose Luhn check digit is wrong.
    BankCardChecksum,
    /// A unified social credit code not of 18 characters of its set (GB 32100-2015).
    CreditCodeFormat,
    /// A unified social credit code whose check character is wrong (GB 32100-2015 §5).
    CreditCodeChecksum,
    /// Text that does not follow its fact's `mask` (a certificate number's printed form).
    TextFormat,
    /// The application names another service.
    ServiceMismatch,
    /// No sub-item is selected.
    NoSubItems,
    /// A selected sub-item the definition does not have.
    SubItemUnknown,
    /// A mandatory sub-item left out.
    SubItemRequired,
    /// A selected sub-item not available with these eligibility answers.
    SubItemNotAvailable,
    /// A selected sub-item whose available dependency is not selected.
    SubItemDependency,
    /// The bundle does not apply (an eligibility rule fails).
    NotEligible,
    /// A needed material with no way of providing it chosen.
    MaterialMissing,
    /// A material provided in a way it does not allow now.
    SatisfierNotAllowed,
    /// An upload choice without uploads.
    UploadMissing,
    /// Too many, repeated or (for named pages) not one upload per page.
    UploadCount,
    /// An e-licence fetch without consent.
    ConsentRequired,
    /// A commitment not accepted.
    CommitmentNotAccepted,
    /// A value for something the definition does not ask (a department's record naming a
    /// field its stage or outcome does not have).
    UnknownField,
    /// A value that must go up its options' order (an escalation: county → city → province)
    /// is the same as, or below, the last one recorded.
    NotRising,
}

impl EngineError {
    /// The stable code, e.g. `id_number_checksum`.
    pub fn as_str(self) -> &'static str {
        wire::name(&self)
    }

    /// The engine's code with this name, if it is one (a definition rule's code is not).
    pub fn parse(code: &str) -> Option<Self> {
        wire::parse(code)
    }

    /// The user-facing text in `locale`.
    pub fn text(self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.zh(),
            Locale::En => self.en(),
        }
    }

    fn zh(self) -> &'static str {
        match self {
            EngineError::Required => "请填写此项。",
            EngineError::WrongType => "此项的格式不对，请重新填写。",
            EngineError::TooShort => "内容太短了。",
            EngineError::TooLong => "内容太长了，请精简。",
            EngineError::InvalidCharacters => "含有不能使用的字符。",
            EngineError::NameTooShort => "请填写完整的姓名。",
            EngineError::NameInvalidCharacters => {
                "姓名只能使用汉字（少数民族姓名可用“·”分隔）；外国证件可用字母。"
            }
            EngineError::IdNumberFormat => "身份证号码应为18位，最后一位可以是数字或X。",
            EngineError::IdNumberRegion => "身份证号码的前两位不是有效的省份代码。",
            EngineError::IdNumberBirthDate => "身份证号码中的出生日期不正确。",
            EngineError::IdNumberChecksum => "身份证号码有误，请逐位核对。",
            EngineError::IdTypeRequired => "请先选择证件类型。",
            EngineError::PassportFormat => "护照号码应为5至17位字母或数字。",
            EngineError::PermitFormat => "通行证号码格式不正确。",
            EngineError::MobileFormat => "请填写11位手机号码。",
            EngineError::DateFormat => "请按“年-月-日”填写日期。",
            EngineError::DateTimeFormat => "请填写日期和时间。",
            EngineError::DateInFuture => "日期不能晚于今天。",
            EngineError::DateTooEarly => "日期太早了。",
            EngineError::DateTooLate => "日期太晚了。",
            EngineError::TooSmall => "数值太小了。",
            EngineError::TooLarge => "数值太大了。",
            EngineError::UnknownOption => "请从选项中选择。",
            EngineError::TooFewItems => "数量不够。",
            EngineError::TooManyItems => "数量超出上限。",
            EngineError::AddressRegion => "请选择完整的省、市、区县。",
            EngineError::AddressDetailRequired => "请填写详细地址。",
            EngineError::BankCardFormat => "银行卡号应为12至19位数字。",
            EngineError::BankCardChecksum => "银行卡号有误，请核对。",
            EngineError::CreditCodeFormat => {
                "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）。"
            }
            EngineError::CreditCodeChecksum => "统一社会信用代码有误，请逐位核对。",
            EngineError::TextFormat => "格式不正确，请按证件上印制的样式填写。",
            EngineError::ServiceMismatch => "申请与事项不一致。",
            EngineError::NoSubItems => "请至少选择一个事项。",
            EngineError::SubItemUnknown => "所选事项不存在。",
            EngineError::SubItemRequired => "此事项为必办事项，不能取消。",
            EngineError::SubItemNotAvailable => "根据您的情形，此事项不可办理。",
            EngineError::SubItemDependency => "此事项需要先办理它所依赖的事项。",
            EngineError::NotEligible => "您的情形不适用本套餐，请按单个事项办理。",
            EngineError::MaterialMissing => "请提供此材料。",
            EngineError::SatisfierNotAllowed => "此材料不能用这种方式提供。",
            EngineError::UploadMissing => "请上传照片。",
            EngineError::UploadCount => "上传的照片数量不对。",
            EngineError::ConsentRequired => "请确认授权调取电子证照。",
            EngineError::CommitmentNotAccepted => "请阅读并接受承诺。",
            EngineError::UnknownField => "没有这一项。",
            EngineError::NotRising => "只能逐级提升，不能平级或降级。",
        }
    }

    fn en(self) -> &'static str {
        match self {
            EngineError::Required => "Please answer this question.",
            EngineError::WrongType => "This answer has the wrong form. Please enter it again.",
            EngineError::TooShort => "This is too short.",
            EngineError::TooLong => "This is too long. Please shorten it.",
            EngineError::InvalidCharacters => "This contains characters that cannot be used.",
            EngineError::NameTooShort => "Please enter the full name.",
            EngineError::NameInvalidCharacters => {
                "A name may use Chinese characters only (minority names may use “·”); names on foreign documents may use letters."
            }
            EngineError::IdNumberFormat => {
                "A resident ID number has 18 characters; the last may be a digit or X."
            }
            EngineError::IdNumberRegion => {
                "The first two digits of the ID number are not a valid province code."
            }
            EngineError::IdNumberBirthDate => "The birth date inside the ID number is not valid.",
            EngineError::IdNumberChecksum => {
                "This ID number is not valid. Please check each digit."
            }
            EngineError::IdTypeRequired => "Please choose the type of ID document first.",
            EngineError::PassportFormat => "A passport number has 5 to 17 letters or digits.",
            EngineError::PermitFormat => "This permit number is not in the right format.",
            EngineError::MobileFormat => "Please enter an 11-digit mainland mobile number.",
            EngineError::DateFormat => "Please enter a date as year-month-day.",
            EngineError::DateTimeFormat => "Please enter a date and a time.",
            EngineError::DateInFuture => "The date cannot be in the future.",
            EngineError::DateTooEarly => "This date is too early.",
            EngineError::DateTooLate => "This date is too late.",
            EngineError::TooSmall => "This number is too small.",
            EngineError::TooLarge => "This number is too large.",
            EngineError::UnknownOption => "Please choose one of the options.",
            EngineError::TooFewItems => "Please add more entries.",
            EngineError::TooManyItems => "There are too many entries.",
            EngineError::AddressRegion => "Please choose the province, city and county.",
            EngineError::AddressDetailRequired => "Please enter the street address.",
            EngineError::BankCardFormat => "A bank card number has 12 to 19 digits.",
            EngineError::BankCardChecksum => "This bank card number is not valid. Please check it.",
            EngineError::CreditCodeFormat => {
                "A unified social credit code has 18 digits or capital letters (no I, O, S, V or Z)."
            }
            EngineError::CreditCodeChecksum => {
                "This unified social credit code is not valid. Please check each character."
            }
            EngineError::TextFormat => {
                "This is not in the expected format. Please copy it as printed on the document."
            }
            EngineError::ServiceMismatch => "This application belongs to another service.",
            EngineError::NoSubItems => "Please choose at least one item.",
            EngineError::SubItemUnknown => "This item does not exist.",
            EngineError::SubItemRequired => "This item is mandatory and cannot be left out.",
            EngineError::SubItemNotAvailable => "This item is not available in your situation.",
            EngineError::SubItemDependency => {
                "This item needs an item it depends on; please select that too."
            }
            EngineError::NotEligible => {
                "This bundle does not apply in your situation; please apply for the items one by one."
            }
            EngineError::MaterialMissing => "Please provide this document.",
            EngineError::SatisfierNotAllowed => "This document cannot be provided this way.",
            EngineError::UploadMissing => "Please upload a photo.",
            EngineError::UploadCount => "The number of photos is not right.",
            EngineError::ConsentRequired => "Please give your consent to fetch the e-licence.",
            EngineError::CommitmentNotAccepted => "Please read and accept the commitment.",
            EngineError::UnknownField => "This is not asked here.",
            EngineError::NotRising => {
                "This can only go up a level from the last one, never the same or lower."
            }
        }
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The user-facing text of an engine error code; a generic text for an unknown code (a newer
/// server, or a definition rule looked up without its definition).
pub fn error_text(code: &str, locale: Locale) -> &'static str {
    match EngineError::parse(code) {
        Some(e) => e.text(locale),
        None => match locale {
            Locale::ZhCn => "填写内容有误，请检查。",
            Locale::En => "Something is not right here. Please check it.",
        },
    }
}

/// Whether `code` is one of the engine's own codes.
pub fn is_engine_code(code: &str) -> bool {
    EngineError::parse(code).is_some()
}

impl ServiceDefinition {
    /// The text of an error code as this definition's rules word it, else the engine's text.
    pub fn error_text(&self, code: &str, locale: Locale) -> &str {
        self.rules
            .iter()
            .find(|r| r.code == code)
            .map_or_else(|| error_text(code, locale), |r| r.message.get(locale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_bilingual_and_read_back() {
        let names = wire::names::<EngineError>();
        assert!(
            names.len() > 40,
            "every variant is listed ({})",
            names.len()
        );
        for name in names {
            let code = EngineError::parse(name).expect(name);
            assert_eq!(code.as_str(), *name);
            assert_eq!(serde_json::to_value(code).expect("json"), *name);
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
            let (zh, en) = (code.text(Locale::ZhCn), code.text(Locale::En));
            assert!(!zh.is_empty() && !en.is_empty(), "{name}");
            assert!(!zh.is_ascii(), "{name}: zh text is Chinese");
            assert!(
                en.is_ascii() || en.contains('“'),
                "{name}: en text is English"
            );
            assert_eq!(error_text(name, Locale::En), en);
        }
        assert_eq!(
            error_text("id_number_checksum", Locale::En),
            "This ID number is not valid. Please check each digit."
        );
        assert!(error_text("no_such_code", Locale::ZhCn).contains("有误"));
        assert!(!is_engine_code("no_such_code"));
    }
}

//! The engine's error codes and their user-facing text in both languages, shared by the SPA
//! (which shows them) and the server (which returns the codes). Codes are stable: the SPA and
//! stored data rely on them. A definition's cross-field rules add their own codes and texts
//! (see [`ServiceDefinition::error_text`]).

use crate::{Locale, ServiceDefinition};

/// Every code the engine reports, with its zh-CN and en text.
pub const ERROR_CODES: &[(&str, &str, &str)] = &[
    ("required", "请填写此项。", "Please answer this question."),
    (
        "wrong_type",
        "此项的格式不对，请重新填写。",
        "This answer has the wrong form. Please enter it again.",
    ),
    ("too_short", "内容太短了。", "This is too short."),
    (
        "too_long",
        "内容太长了，请精简。",
        "This is too long. Please shorten it.",
    ),
    (
        "invalid_characters",
        "含有不能使用的字符。",
        "This contains characters that cannot be used.",
    ),
    (
        "name_too_short",
        "请填写完整的姓名。",
        "Please enter the full name.",
    ),
    (
        "name_invalid_characters",
        "姓名只能使用汉字（少数民族姓名可用“·”分隔）；外国证件可用字母。",
        "A name may use Chinese characters only (minority names may use “·”); names on foreign documents may use letters.",
    ),
    (
        "id_number_format",
        "身份证号码应为18位，最后一位可以是数字或X。",
        "A resident ID number has 18 characters; the last may be a digit or X.",
    ),
    (
        "id_number_region",
        "身份证号码的前两位不是有效的省份代码。",
        "The first two digits of the ID number are not a valid province code.",
    ),
    (
        "id_number_birth_date",
        "身份证号码中的出生日期不正确。",
        "The birth date inside the ID number is not valid.",
    ),
    (
        "id_number_checksum",
        "身份证号码有误，请逐位核对。",
        "This ID number is not valid. Please check each digit.",
    ),
    (
        "id_type_required",
        "请先选择证件类型。",
        "Please choose the type of ID document first.",
    ),
    (
        "passport_format",
        "护照号码应为5至17位字母或数字。",
        "A passport number has 5 to 17 letters or digits.",
    ),
    (
        "permit_format",
        "通行证号码格式不正确。",
        "This permit number is not in the right format.",
    ),
    (
        "mobile_format",
        "请填写11位手机号码。",
        "Please enter an 11-digit mainland mobile number.",
    ),
    (
        "date_format",
        "请按“年-月-日”填写日期。",
        "Please enter a date as year-month-day.",
    ),
    (
        "date_time_format",
        "请填写日期和时间。",
        "Please enter a date and a time.",
    ),
    (
        "date_in_future",
        "日期不能晚于今天。",
        "The date cannot be in the future.",
    ),
    ("date_too_early", "日期太早了。", "This date is too early."),
    ("date_too_late", "日期太晚了。", "This date is too late."),
    ("too_small", "数值太小了。", "This number is too small."),
    ("too_large", "数值太大了。", "This number is too large."),
    (
        "unknown_option",
        "请从选项中选择。",
        "Please choose one of the options.",
    ),
    ("too_few_items", "数量不够。", "Please add more entries."),
    (
        "too_many_items",
        "数量超出上限。",
        "There are too many entries.",
    ),
    (
        "address_region",
        "请选择完整的省、市、区县。",
        "Please choose the province, city and county.",
    ),
    (
        "address_detail_required",
        "请填写详细地址。",
        "Please enter the street address.",
    ),
    (
        "bank_card_format",
        "银行卡号应为12至19位数字。",
        "A bank card number has 12 to 19 digits.",
    ),
    (
        "bank_card_checksum",
        "银行卡号有误，请核对。",
        "This bank card number is not valid. Please check it.",
    ),
    (
        "service_mismatch",
        "申请与事项不一致。",
        "This application belongs to another service.",
    ),
    (
        "no_sub_items",
        "请至少选择一个事项。",
        "Please choose at least one item.",
    ),
    (
        "sub_item_unknown",
        "所选事项不存在。",
        "This item does not exist.",
    ),
    (
        "sub_item_required",
        "此事项为必办事项，不能取消。",
        "This item is mandatory and cannot be left out.",
    ),
    (
        "sub_item_not_available",
        "根据您的情形，此事项不可办理。",
        "This item is not available in your situation.",
    ),
    (
        "sub_item_dependency",
        "此事项需要先办理它所依赖的事项。",
        "This item needs an item it depends on; please select that too.",
    ),
    (
        "not_eligible",
        "您的情形不适用本套餐，请按单个事项办理。",
        "This bundle does not apply in your situation; please apply for the items one by one.",
    ),
    (
        "material_missing",
        "请提供此材料。",
        "Please provide this document.",
    ),
    (
        "satisfier_not_allowed",
        "此材料不能用这种方式提供。",
        "This document cannot be provided this way.",
    ),
    ("upload_missing", "请上传照片。", "Please upload a photo."),
    (
        "upload_count",
        "上传的照片数量不对。",
        "The number of photos is not right.",
    ),
    (
        "consent_required",
        "请确认授权调取电子证照。",
        "Please give your consent to fetch the e-licence.",
    ),
    (
        "commitment_not_accepted",
        "请阅读并接受承诺。",
        "Please read and accept the commitment.",
    ),
];

/// The user-facing text of an engine error code; a generic text for an unknown code (a newer
/// server, or a definition rule looked up without its definition).
pub fn error_text(code: &str, locale: Locale) -> &'static str {
    let (zh, en) = ERROR_CODES.iter().find(|(c, _, _)| *c == code).map_or(
        (
            "填写内容有误，请检查。",
            "Something is not right here. Please check it.",
        ),
        |(_, zh, en)| (*zh, *en),
    );
    match locale {
        Locale::ZhCn => zh,
        Locale::En => en,
    }
}

/// Whether `code` is one of the engine's own codes.
pub fn is_engine_code(code: &str) -> bool {
    ERROR_CODES.iter().any(|(c, _, _)| *c == code)
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
    use std::collections::HashSet;

    use super::*;

    /// Every code the engine's source can report has a text: scans for `Err("…")`,
    /// `Some("…")` and `FieldError::new("…"` in the engine and its validators.
    #[test]
    fn every_reported_code_has_a_text() {
        let sources = [
            include_str!("engine/mod.rs"),
            include_str!("engine/validators.rs"),
        ];
        let mut found = 0;
        for src in sources {
            for opener in ["Err(\"", "Some(\"", "FieldError::new(\"", "{ \""] {
                for (i, _) in src.match_indices(opener) {
                    let rest = &src[i + opener.len()..];
                    let code: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if code.len() > 2 && rest[code.len()..].starts_with('"') {
                        found += 1;
                        assert!(is_engine_code(&code), "`{code}` has no text");
                    }
                }
            }
        }
        assert!(found > 40, "the scan found the codes ({found})");
    }

    #[test]
    fn codes_are_unique_snake_case_and_bilingual() {
        let mut seen = HashSet::new();
        for (code, zh, en) in ERROR_CODES {
            assert!(seen.insert(code), "duplicate {code}");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
            assert!(!zh.is_empty() && !en.is_empty(), "{code}");
            assert!(!zh.is_ascii(), "{code}: zh text is Chinese");
        }
        assert_eq!(
            error_text("id_number_checksum", Locale::En),
            "This ID number is not valid. Please check each digit."
        );
        assert!(error_text("no_such_code", Locale::ZhCn).contains("有误"));
    }
}

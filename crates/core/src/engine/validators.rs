//! Validators for single answers: ID document numbers, names, mobile numbers, bank cards,
//! region codes. Each returns the normalised value or a stable error code.
//!
//! No regex: the SPA's wasm size matters, and each rule is a few lines of byte checks.

use crate::definition::{FactKind, IdType};
use crate::errors::EngineError;
use crate::value::Date;

/// Weights of GB 11643-1999 §5.2.4 (ISO 7064 MOD 11-2): `2^(17-i) mod 11` for positions 1–17.
const GB11643_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder `sum mod 11` (GB 11643-1999 §5.2.4, `X` for 10).
const GB11643_CHECK: &[u8; 11] = b"10X98765432";

/// Province-level codes of GB/T 2260 (the first two digits of a region code and of a resident
/// ID number), including 71 台湾 and 81/82/83 used by 港澳台居民居住证 numbers.
const PROVINCES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// The check character GB 11643-1999 prescribes for the first 17 digits (`None` if not digits).
pub fn gb11643_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(GB11643_WEIGHTS)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    Some(char::from(GB11643_CHECK[(sum % 11) as usize]))
}

/// Validates an 18-character resident ID number (GB 11643-1999): format, province code, birth
/// date (a real date, not after `today`, not before 1900) and the MOD 11-2 check character. A
/// lower-case `x` is normalised to `X` (people type it; the standard prints upper case).
///
/// # Errors
/// `id_number_format`, `id_number_region`, `id_number_birth_date` or `id_number_checksum`.
pub fn resident_id(raw: &str, today: Date) -> Result<String, EngineError> {
    let s: String = raw.trim().to_ascii_uppercase();
    let b = s.as_bytes();
    if b.len() != 18
        || !b[..17].iter().all(u8::is_ascii_digit)
        || !(b[17].is_ascii_digit() || b[17] == b'X')
    {
        return Err(EngineError::IdNumberFormat);
    }
    let province = (b[0] - b'0') * 10 + (b[1] - b'0');
    if !PROVINCES.contains(&province) {
        return Err(EngineError::IdNumberRegion);
    }
    match id_birth_date(&s) {
        Some(d) if d <= today && d.year >= 1900 => {}
        _ => return Err(EngineError::IdNumberBirthDate),
    }
    if gb11643_check_char(&s[..17]) != Some(char::from(b[17])) {
        return Err(EngineError::IdNumberChecksum);
    }
    Ok(s)
}

/// The birth date coded in positions 7–14 of an 18-character resident ID number.
pub fn id_birth_date(id: &str) -> Option<Date> {
    Date::parse_compact(id.get(6..14)?)
}

/// Validates a document number of the given type and returns it normalised (upper case, no
/// spaces).
///
/// # Errors
/// The resident-ID codes, or `passport_format` / `permit_format`.
pub fn id_number(id_type: IdType, raw: &str, today: Date) -> Result<String, EngineError> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let alnum = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    match id_type {
        IdType::ResidentId => resident_id(&s, today),
        // ICAO Doc 9303 allows up to 9 characters in the machine-readable zone, but some states
        // issue longer numbers shown in the visual zone; 5–17 letters and digits covers them.
        IdType::Passport if (5..=17).contains(&s.len()) && alnum(&s) => Ok(s),
        IdType::Passport => Err(EngineError::PassportFormat),
        // 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) then 8 digits; the older booklet
        // added a 2-digit issue count.
        IdType::HkMacaoPermit => {
            let ok = matches!(s.as_bytes().first(), Some(b'H' | b'M'))
                && matches!(s.len(), 9 | 11)
                && s[1..].bytes().all(|b| b.is_ascii_digit());
            if ok {
                Ok(s)
            } else {
                Err(EngineError::PermitFormat)
            }
        }
        // 台湾居民来往大陆通行证: 8 digits since the 2015 card; 10 on the older booklet.
        IdType::TaiwanPermit => {
            let ok = matches!(s.len(), 8 | 10) && s.bytes().all(|b| b.is_ascii_digit());
            if ok {
                Ok(s)
            } else {
                Err(EngineError::PermitFormat)
            }
        }
    }
}

/// A mainland mobile number: 11 digits, `1` then `3`–`9` (MIIT numbering plan). Spaces, hyphens
/// and a `+86`/`86` prefix are removed.
///
/// # Errors
/// `mobile_format`.
pub fn mobile(raw: &str) -> Result<String, EngineError> {
    let all: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let s = match all.strip_prefix("+86") {
        Some(rest) => rest,
        None if all.len() == 13 && all.starts_with("86") => &all[2..],
        None => &all,
    };
    let b = s.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        Ok(s.to_owned())
    } else {
        Err(EngineError::MobileFormat)
    }
}

/// Whether the digits pass the Luhn check (ISO/IEC 7812-1 Annex B).
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.bytes().rev().enumerate() {
        if !c.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(c - b'0');
        if !i.is_multiple_of(2) {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// A bank card number (ISO/IEC 7812: 12–19 digits, Luhn check digit). Spaces are removed.
///
/// # Errors
/// `bank_card_format` or `bank_card_checksum`.
pub fn bank_card(raw: &str) -> Result<String, EngineError> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if !(12..=19).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EngineError::BankCardFormat);
    }
    if luhn_valid(&s) {
        Ok(s)
    } else {
        Err(EngineError::BankCardChecksum)
    }
}

/// The characters of a unified social credit code, by value (GB 32100-2015 table 1: digits and
/// capital letters without I, O, S, V and Z).
const CREDIT_CODE_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The weights of the first 17 characters: 3^(i) mod 31 (GB 32100-2015 §5).
const CREDIT_CODE_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character of a credit code's first 17 characters: 31 − (Σ value × weight mod 31),
/// where 31 is written 0. `None` when a character is not of the set.
pub fn credit_code_check(first17: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (&c, w) in first17.iter().zip(CREDIT_CODE_WEIGHTS) {
        let v = CREDIT_CODE_CHARS.iter().position(|&x| x == c)?;
        sum += u32::try_from(v).ok()? * w;
    }
    let r = (31 - sum % 31) % 31;
    CREDIT_CODE_CHARS.get(usize::try_from(r).ok()?).copied()
}

/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters — registration
/// authority, entity type, the 6-digit GB/T 2260 region, the 9-character organisation code and
/// a check character — from digits and capital letters without I, O, S, V, Z. Spaces are removed
/// and letters upper-cased.
///
/// # Errors
/// `credit_code_format` or `credit_code_checksum`.
pub fn credit_code(raw: &str) -> Result<String, EngineError> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = s.as_bytes();
    if b.len() != 18
        || !b.iter().all(|c| CREDIT_CODE_CHARS.contains(c))
        || !b[2..8].iter().all(u8::is_ascii_digit)
    {
        return Err(EngineError::CreditCodeFormat);
    }
    if credit_code_check(&b[..17]) == Some(b[17]) {
        Ok(s)
    } else {
        Err(EngineError::CreditCodeChecksum)
    }
}

/// Text in a fixed printed form: `mask` spells it, `A` a capital letter, `9` a digit, anything
/// else itself (`A999999999`: a letter and nine digits). Spaces are removed and letters
/// upper-cased first.
///
/// # Errors
/// `text_format`.
pub fn masked_text(raw: &str, mask: &str) -> Result<String, EngineError> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let fits = s.chars().count() == mask.chars().count()
        && s.chars().zip(mask.chars()).all(|(c, m)| match m {
            'A' => c.is_ascii_uppercase(),
            '9' => c.is_ascii_digit(),
            m => c == m,
        });
    if fits {
        Ok(s)
    } else {
        Err(EngineError::TextFormat)
    }
}

/// Whether `c` is a CJK unified ideograph (basic block, extension A, and the supplementary
/// ideographic planes where extensions B–H and rare surname characters live).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{3134F}')
}

/// Middle dots used between parts of transliterated minority and foreign names (阿依古丽·买买提).
fn is_name_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '・' | '.')
}

/// A letter of the Latin alphabet, with its accented forms (Basic Latin, Latin-1 Supplement,
/// Latin Extended-A and -B): the same as `char::is_alphabetic` over those blocks, written out so
/// that the browser's module does not carry Unicode's whole table of letters for it.
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}')
}

/// A person's name. Chinese: 2–20 Han characters, parts joined by a middle dot (normalised to
/// `·`), no digits, letters or symbols. When `latin_allowed` (a foreign document), a name in
/// Latin letters with spaces, hyphens, apostrophes and dots is accepted too (2–60 characters),
/// with runs of spaces collapsed.
///
/// The 2013 通用规范汉字表 (8105 characters) is not embedded: the definition warns instead.
///
/// # Errors
/// `name_too_short`, `too_long` or `name_invalid_characters`.
pub fn person_name(raw: &str, latin_allowed: bool) -> Result<String, EngineError> {
    let s = raw.trim();
    let han_name = !s.is_empty()
        && s.chars().all(|c| is_han(c) || is_name_dot(c))
        && s.chars().next().is_some_and(is_han)
        && s.chars().last().is_some_and(is_han);
    if han_name {
        let normal: String = s
            .chars()
            .map(|c| if is_name_dot(c) { '·' } else { c })
            .collect();
        if normal.contains("··") {
            return Err(EngineError::NameInvalidCharacters);
        }
        let n = normal.chars().count();
        return match n {
            0 | 1 => Err(EngineError::NameTooShort),
            2..=20 => Ok(normal),
            _ => Err(EngineError::TooLong),
        };
    }
    let latin = latin_allowed
        && s.chars().next().is_some_and(is_latin_letter)
        && s.chars()
            .all(|c| is_latin_letter(c) || matches!(c, ' ' | '-' | '\'' | '.' | ','));
    if latin {
        let normal = s.split_whitespace().collect::<Vec<_>>().join(" ");
        return match normal.chars().count() {
            0 | 1 => Err(EngineError::NameTooShort),
            2..=60 => Ok(normal),
            _ => Err(EngineError::TooLong),
        };
    }
    Err(EngineError::NameInvalidCharacters)
}

/// Compound surnames (复姓) that count as one surname. The common ones of the 百家姓.
const COMPOUND_SURNAMES: [&str; 20] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "澹台", "端木", "独孤", "南宫",
];

/// The surname of a Chinese name: a compound surname when it starts with one, else the first
/// character.
pub fn surname(name: &str) -> &str {
    let name = name.trim();
    if let Some(c) = COMPOUND_SURNAMES.iter().find(|c| name.starts_with(**c)) {
        return &name[..c.len()];
    }
    name.chars().next().map_or("", |c| &name[..c.len_utf8()])
}

/// Checks a region cascade of GB/T 2260 codes: 1–3 six-digit codes, province (`PP0000`), city
/// (`PPCC00`) and county (`PPCCDD`), each inside the previous one; a municipality's district
/// comes right after it (北京市 → 东城区: `110000`, `110101`). Only the structure: the server
/// also checks the codes against the full table (`value::regions`).
///
/// # Errors
/// `address_region`.
pub fn region_codes(codes: &[String]) -> Result<(), EngineError> {
    if codes.is_empty() || codes.len() > 3 {
        return Err(EngineError::AddressRegion);
    }
    let mut prev: Option<&str> = None;
    for (level, code) in codes.iter().enumerate() {
        let b = code.as_bytes();
        if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
            return Err(EngineError::AddressRegion);
        }
        let province = (b[0] - b'0') * 10 + (b[1] - b'0');
        let ok = PROVINCES.contains(&province)
            && match level {
                0 => &code[2..] == "0000",
                1 => &code[2..] != "0000",
                _ => &code[4..] != "00" && prev.is_some_and(|p| p.ends_with("00")),
            }
            && prev.is_none_or(|p| code.starts_with(&p[..2 * (level)]));
        if !ok {
            return Err(EngineError::AddressRegion);
        }
        prev = Some(code);
    }
    Ok(())
}

/// A sensitive value masked for display (PIPL art. 28; the SPA shows the full value only when
/// the person asks): ID numbers keep the first 4 and last 4 characters, bank cards the last 4
/// digits, mobiles the first 3 and last 4 (`138****8000`); anything else keeps its first and last
/// character. Characters, not bytes, are counted.
pub fn masked(kind: FactKind, value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    let (head, tail) = match kind {
        FactKind::IdNumber => (4, 4),
        FactKind::BankCard => (0, 4),
        FactKind::Mobile => (3, 4),
        _ => (1, 1),
    };
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= chars.len() - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// Whether the text holds control characters other than line breaks and tabs.
pub fn has_control_chars(s: &str, allow_newlines: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(allow_newlines && matches!(c, '\n' | '\r' | '\t')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::parse("2026-11-28").expect("date")
    }

    /// Completes 17 digits with their GB 11643 check character.
    fn with_check(first17: &str) -> String {
        format!(
            "{first17}{}",
            gb11643_check_char(first17).expect("17 digits")
        )
    }

    #[test]
    fn gb11643_check_characters_match_known_numbers() {
        // The worked example of GB 11643-1999 Annex: 11010519491231002X.
        assert_eq!(gb11643_check_char("11010519491231002"), Some('X'));
        // Computed by hand: Σ aᵢWᵢ for 33050220200101001 is 113, 113 mod 11 = 3 → '9'.
        assert_eq!(gb11643_check_char("33050220200101001"), Some('9'));
        // 44030419900307123: Σ = 244, 244 mod 11 = 2 → 'X'.
        assert_eq!(gb11643_check_char("44030419900307123"), Some('X'));
        assert_eq!(gb11643_check_char("4403041990030712"), None);
        assert_eq!(gb11643_check_char("4403041990030712A"), None);
    }

    #[test]
    fn resident_ids_are_checked_and_normalised() {
        assert_eq!(
            resident_id("11010519491231002X", today()),
            Ok("11010519491231002X".into())
        );
        // Lower-case x is what people type on a phone keyboard.
        assert_eq!(
            resident_id(" 11010519491231002x ", today()),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            resident_id("330502202001010019", today()),
            Ok("330502202001010019".into())
        );
        assert_eq!(
            resident_id("110105194912310021", today()),
            Err(EngineError::IdNumberChecksum)
        );
        assert_eq!(
            resident_id("330502202001010017", today()),
            Err(EngineError::IdNumberChecksum)
        );
        assert_eq!(
            resident_id("11010519491231002", today()),
            Err(EngineError::IdNumberFormat)
        );
        assert_eq!(
            resident_id("1101051949123100X2", today()),
            Err(EngineError::IdNumberFormat)
        );
        assert_eq!(
            resident_id("110105194912310021Y", today()),
            Err(EngineError::IdNumberFormat)
        );
        // 99 is no province.
        assert_eq!(
            resident_id(&with_check("99010519491231002"), today()),
            Err(EngineError::IdNumberRegion)
        );
        // 2023-02-29 does not exist; 2024-02-29 does.
        assert_eq!(
            resident_id(&with_check("33050220230229001"), today()),
            Err(EngineError::IdNumberBirthDate)
        );
        let leap = with_check("33050220240229001");
        assert_eq!(resident_id(&leap, today()), Ok(leap.clone()));
        // Born tomorrow: not yet.
        assert_eq!(
            resident_id(&with_check("33050220261129001"), today()),
            Err(EngineError::IdNumberBirthDate)
        );
        let born_today = with_check("33050220261128001");
        assert!(resident_id(&born_today, today()).is_ok());
        assert_eq!(
            resident_id(&with_check("33050218991231001"), today()),
            Err(EngineError::IdNumberBirthDate)
        );
        // 港澳台居民居住证 numbers use 81/82/83 and the same checksum.
        assert!(resident_id(&with_check("81000019900101001"), today()).is_ok());
    }

    #[test]
    fn other_documents_have_their_own_formats() {
        assert_eq!(
            id_number(IdType::Passport, "e1234 5678", today()),
            Ok("E12345678".into())
        );
        assert_eq!(
            id_number(IdType::Passport, "AB12", today()),
            Err(EngineError::PassportFormat)
        );
        assert_eq!(
            id_number(IdType::Passport, "E1234567-8", today()),
            Err(EngineError::PassportFormat)
        );
        assert_eq!(
            id_number(IdType::HkMacaoPermit, "h12345678", today()),
            Ok("H12345678".into())
        );
        assert_eq!(
            id_number(IdType::HkMacaoPermit, "M1234567801", today()),
            Ok("M1234567801".into())
        );
        assert_eq!(
            id_number(IdType::HkMacaoPermit, "X12345678", today()),
            Err(EngineError::PermitFormat)
        );
        assert_eq!(
            id_number(IdType::HkMacaoPermit, "H1234567", today()),
            Err(EngineError::PermitFormat)
        );
        assert_eq!(
            id_number(IdType::TaiwanPermit, "12345678", today()),
            Ok("12345678".into())
        );
        assert_eq!(
            id_number(IdType::TaiwanPermit, "1234567", today()),
            Err(EngineError::PermitFormat)
        );
        assert_eq!(
            id_number(IdType::ResidentId, "11010519491231002x", today()),
            Ok("11010519491231002X".into())
        );
    }

    #[test]
    fn mobiles_accept_common_spellings() {
        assert_eq!(mobile("138 0013 8000"), Ok("13800138000".into()));
        assert_eq!(mobile("+86 138-0013-8000"), Ok("13800138000".into()));
        assert_eq!(mobile("8613800138000"), Ok("13800138000".into()));
        assert_eq!(mobile("12800138000"), Err(EngineError::MobileFormat));
        assert_eq!(mobile("1380013800"), Err(EngineError::MobileFormat));
        assert_eq!(mobile("0571-88888888"), Err(EngineError::MobileFormat));
    }

    #[test]
    fn bank_cards_use_luhn() {
        // 79927398713 is the classic worked example; 6222 0212 3456 789x takes check digit 4.
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert_eq!(
            bank_card("6222 0212 3456 7894"),
            Ok("6222021234567894".into())
        );
        assert_eq!(
            bank_card("6222021234567898"),
            Err(EngineError::BankCardChecksum)
        );
        assert_eq!(bank_card("62220212345"), Err(EngineError::BankCardFormat));
        assert_eq!(
            bank_card("6222-0212-3456-7894"),
            Err(EngineError::BankCardFormat)
        );
    }

    #[test]
    fn credit_codes_follow_gb_32100() {
        // The standard's own example (GB 32100-2015, appendix).
        assert_eq!(
            credit_code("91350100M000100Y43"),
            Ok("91350100M000100Y43".into())
        );
        assert_eq!(
            credit_code(" 91350100m000100y43 "),
            Ok("91350100M000100Y43".into())
        );
        assert_eq!(
            credit_code("91350100M000100Y44"),
            Err(EngineError::CreditCodeChecksum)
        );
        for bad in [
            "91350100M000100Y4",
            "91350100M000100Y433",
            "91350100I000100Y43",
            "913501O0M000100Y43",
            "9135010-M000100Y43",
        ] {
            assert_eq!(
                credit_code(bad),
                Err(EngineError::CreditCodeFormat),
                "{bad}"
            );
        }
        assert_eq!(credit_code_check(b"91330502MA2A1B2C3"), Some(b'C'));
    }

    proptest::proptest! {
        /// Any 17 characters of the set with their computed check character are accepted, and
        /// every other last character, or any single changed character, is refused.
        #[test]
        fn credit_code_check_characters_catch_single_changes(
            head in proptest::collection::vec(0usize..31, 2),
            region in proptest::collection::vec(0usize..10, 6),
            org in proptest::collection::vec(0usize..31, 9),
            pos in 0usize..17,
            delta in 1usize..31,
        ) {
            let mut b: Vec<u8> = head.iter().chain(&org).map(|&i| CREDIT_CODE_CHARS[i]).collect();
            for (k, &i) in region.iter().enumerate() {
                b.insert(2 + k, CREDIT_CODE_CHARS[i]);
            }
            let check = credit_code_check(&b).expect("in the set");
            let mut code = b.clone();
            code.push(check);
            let s = String::from_utf8(code.clone()).expect("ascii");
            proptest::prop_assert_eq!(credit_code(&s), Ok(s.clone()));
            for other in CREDIT_CODE_CHARS.iter().filter(|&&c| c != check) {
                let mut wrong = code.clone();
                wrong[17] = *other;
                let w = String::from_utf8(wrong).expect("ascii");
                proptest::prop_assert_eq!(credit_code(&w), Err(EngineError::CreditCodeChecksum));
            }
            // Mod 31 over weights prime to 31 catches every single-character substitution.
            let mut changed = code.clone();
            let set: &[u8] = if (2..8).contains(&pos) { &CREDIT_CODE_CHARS[..10] } else { CREDIT_CODE_CHARS };
            let at = set.iter().position(|&c| c == changed[pos]).expect("in the set");
            changed[pos] = set[(at + delta % set.len().max(1)) % set.len()];
            if changed[pos] != code[pos] {
                let c = String::from_utf8(changed).expect("ascii");
                proptest::prop_assert_eq!(credit_code(&c), Err(EngineError::CreditCodeChecksum));
            }
        }
    }

    #[test]
    fn masks_spell_printed_numbers() {
        assert_eq!(
            masked_text("p 440123456", "A999999999"),
            Ok("P440123456".into())
        );
        assert_eq!(
            masked_text("P44012345", "A999999999"),
            Err(EngineError::TextFormat)
        );
        assert_eq!(
            masked_text("4440123456", "A999999999"),
            Err(EngineError::TextFormat)
        );
        assert_eq!(masked_text("CN-123", "AA-999"), Ok("CN-123".into()));
        assert_eq!(
            masked_text("CN_123", "AA-999"),
            Err(EngineError::TextFormat)
        );
    }

    #[test]
    fn names_follow_chinese_and_foreign_rules() {
        assert_eq!(person_name(" 王小明 ", false), Ok("王小明".into()));
        assert_eq!(
            person_name("阿依古丽•买买提", false),
            Ok("阿依古丽·买买提".into())
        );
        assert_eq!(person_name("王", false), Err(EngineError::NameTooShort));
        assert_eq!(
            person_name("王2明", false),
            Err(EngineError::NameInvalidCharacters)
        );
        assert_eq!(
            person_name("王小明!", false),
            Err(EngineError::NameInvalidCharacters)
        );
        assert_eq!(
            person_name("·王明", false),
            Err(EngineError::NameInvalidCharacters)
        );
        assert_eq!(
            person_name("王··明", false),
            Err(EngineError::NameInvalidCharacters)
        );
        assert_eq!(
            person_name("John Smith", false),
            Err(EngineError::NameInvalidCharacters)
        );
        assert_eq!(person_name("John   Smith", true), Ok("John Smith".into()));
        assert_eq!(
            person_name("Zoë O'Neil-Brown", true),
            Ok("Zoë O'Neil-Brown".into())
        );
        assert_eq!(person_name("J", true), Err(EngineError::NameTooShort));
        assert_eq!(
            person_name("R2D2", true),
            Err(EngineError::NameInvalidCharacters)
        );
        assert_eq!(
            person_name(&"王".repeat(21), false),
            Err(EngineError::TooLong)
        );
        assert_eq!(person_name("𠀀明", false), Ok("𠀀明".into()));
        // Outside the Latin blocks, letters of other alphabets are not accepted.
        assert_eq!(
            person_name("Ψυχή", true),
            Err(EngineError::NameInvalidCharacters)
        );
    }

    #[test]
    fn latin_letters_are_the_alphabetic_characters_of_the_latin_blocks() {
        for c in (0..=0x24F_u32).filter_map(char::from_u32) {
            let latin_block = c.is_ascii() || ('\u{C0}'..='\u{24F}').contains(&c);
            assert_eq!(
                is_latin_letter(c),
                latin_block && c.is_alphabetic(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn sensitive_values_are_masked() {
        assert_eq!(
            masked(FactKind::IdNumber, "330502199203150023"),
            "3305**********0023"
        );
        assert_eq!(
            masked(FactKind::BankCard, "6228480012345678903"),
            "***************8903"
        );
        assert_eq!(masked(FactKind::Mobile, "13800138000"), "138****8000");
        assert_eq!(masked(FactKind::Name, "王小明"), "王*明");
        assert_eq!(masked(FactKind::Name, "王明"), "**");
        assert_eq!(masked(FactKind::IdNumber, "E123"), "****");
    }

    #[test]
    fn surnames_know_compound_ones() {
        assert_eq!(surname("王芳"), "王");
        assert_eq!(surname("欧阳娜娜"), "欧阳");
        assert_eq!(surname(""), "");
    }

    #[test]
    fn region_codes_nest() {
        let v = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(region_codes(&v(&["330000", "330500", "330502"])).is_ok());
        assert!(region_codes(&v(&["330000"])).is_ok());
        assert!(region_codes(&v(&["110000", "110101"])).is_ok());
        assert!(region_codes(&v(&["110000", "110101", "110102"])).is_err());
        assert!(region_codes(&v(&[])).is_err());
        assert!(region_codes(&v(&["330500"])).is_err());
        assert!(region_codes(&v(&["330000", "320500"])).is_err());
        assert!(region_codes(&v(&["330000", "330500", "330602"])).is_err());
        assert!(region_codes(&v(&["990000"])).is_err());
        assert!(region_codes(&v(&["330000", "330000"])).is_err());
    }
}

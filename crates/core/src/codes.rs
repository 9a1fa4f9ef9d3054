//! National code lists a definition's choices can take their options from (`options_from`), so a
//! definition names the standard instead of copying its table.
//!
//! - GB 3304-1991 《中国各民族名称的罗马字母拼写法和代码》: the 56 nationalities (民族), with the
//!   standard's two-digit codes and romanised names.

use crate::text::Text;

/// One nationality of GB 3304-1991: its code, its romanised name (lower case, the option id),
/// its Chinese name and an English label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ethnicity {
    /// The standard's numeric code, `01`–`56`.
    pub code: &'static str,
    /// The option id: the standard's romanisation in lower case (`han`, `zang` …).
    pub id: &'static str,
    /// The Chinese name (汉族).
    pub zh: &'static str,
    /// The English label (the romanisation, with the common English name where it differs).
    pub en: &'static str,
}

const fn e(code: &'static str, id: &'static str, zh: &'static str, en: &'static str) -> Ethnicity {
    Ethnicity { code, id, zh, en }
}

/// GB 3304-1991, in code order.
pub const ETHNICITIES: [Ethnicity; 56] = [
    e("01", "han", "汉族", "Han"),
    e("02", "mongol", "蒙古族", "Mongol"),
    e("03", "hui", "回族", "Hui"),
    e("04", "zang", "藏族", "Zang (Tibetan)"),
    e("05", "uygur", "维吾尔族", "Uygur (Uyghur)"),
    e("06", "miao", "苗族", "Miao"),
    e("07", "yi", "彝族", "Yi"),
    e("08", "zhuang", "壮族", "Zhuang"),
    e("09", "buyei", "布依族", "Buyei"),
    e("10", "chosen", "朝鲜族", "Chosen (Korean)"),
    e("11", "man", "满族", "Man (Manchu)"),
    e("12", "dong", "侗族", "Dong"),
    e("13", "yao", "瑶族", "Yao"),
    e("14", "bai", "白族", "Bai"),
    e("15", "tujia", "土家族", "Tujia"),
    e("16", "hani", "哈尼族", "Hani"),
    e("17", "kazak", "哈萨克族", "Kazak"),
    e("18", "dai", "傣族", "Dai"),
    e("19", "li", "黎族", "Li"),
    e("20", "lisu", "傈僳族", "Lisu"),
    e("21", "va", "佤族", "Va"),
    e("22", "she", "畲族", "She"),
    e("23", "gaoshan", "高山族", "Gaoshan"),
    e("24", "lahu", "拉祜族", "Lahu"),
    e("25", "sui", "水族", "Sui"),
    e("26", "dongxiang", "东乡族", "Dongxiang"),
    e("27", "naxi", "纳西族", "Naxi"),
    e("28", "jingpo", "景颇族", "Jingpo"),
    e("29", "kirgiz", "柯尔克孜族", "Kirgiz"),
    e("30", "tu", "土族", "Tu"),
    e("31", "daur", "达斡尔族", "Daur"),
    e("32", "mulao", "仫佬族", "Mulao"),
    e("33", "qiang", "羌族", "Qiang"),
    e("34", "blang", "布朗族", "Blang"),
    e("35", "salar", "撒拉族", "Salar"),
    e("36", "maonan", "毛南族", "Maonan"),
    e("37", "gelao", "仡佬族", "Gelao"),
    e("38", "xibe", "锡伯族", "Xibe"),
    e("39", "achang", "阿昌族", "Achang"),
    e("40", "pumi", "普米族", "Pumi"),
    e("41", "tajik", "塔吉克族", "Tajik"),
    e("42", "nu", "怒族", "Nu"),
    e("43", "uzbek", "乌孜别克族", "Uzbek"),
    e("44", "russ", "俄罗斯族", "Russ (Russian)"),
    e("45", "ewenki", "鄂温克族", "Ewenki"),
    e("46", "deang", "德昂族", "Deang"),
    e("47", "bonan", "保安族", "Bonan"),
    e("48", "yugur", "裕固族", "Yugur"),
    e("49", "gin", "京族", "Gin"),
    e("50", "tatar", "塔塔尔族", "Tatar"),
    e("51", "derung", "独龙族", "Derung"),
    e("52", "oroqen", "鄂伦春族", "Oroqen"),
    e("53", "hezhen", "赫哲族", "Hezhen"),
    e("54", "monba", "门巴族", "Monba"),
    e("55", "lhoba", "珞巴族", "Lhoba"),
    e("56", "jino", "基诺族", "Jino"),
];

/// The nationality with this option id.
pub fn ethnicity(id: &str) -> Option<&'static Ethnicity> {
    ETHNICITIES.iter().find(|x| x.id == id)
}

/// The options of the list, as (id, label) pairs in code order.
pub fn ethnicity_options() -> impl Iterator<Item = (&'static str, Text)> {
    ETHNICITIES.iter().map(|x| {
        (
            x.id,
            Text {
                zh: x.zh.to_owned(),
                en: x.en.to_owned(),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_six_nationalities_in_code_order_with_unique_ids() {
        let mut ids = std::collections::HashSet::new();
        for (i, x) in ETHNICITIES.iter().enumerate() {
            assert_eq!(x.code, format!("{:02}", i + 1));
            assert!(ids.insert(x.id), "{}", x.id);
            assert!(x.id.bytes().all(|b| b.is_ascii_lowercase()), "{}", x.id);
            assert!(x.zh.ends_with('族'), "{}", x.zh);
        }
        assert_eq!(ethnicity("zang").map(|x| x.code), Some("04"));
        assert_eq!(ethnicity("jino").map(|x| x.zh), Some("基诺族"));
        assert!(ethnicity("klingon").is_none());
    }
}

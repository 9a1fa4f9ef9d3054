//! A small GB/T 2260 region table built into the SPA: every province-level division, the
//! cities of Zhejiang and the districts and counties of Huzhou, where the product starts, with
//! their English names. The address cascade uses it until the full table
//! ([`crate::value::regions`], a separate file fetched when an address is shown) has arrived,
//! or when that cannot be had offline; English names come from here where it has them.

use crate::text::Locale;

/// One administrative division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Six-digit GB/T 2260 code.
    pub code: &'static str,
    /// Chinese name.
    pub zh: &'static str,
    /// English name.
    pub en: &'static str,
}

impl Region {
    /// The name in `locale`.
    pub fn name(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.zh,
            Locale::En => self.en,
        }
    }
}

const fn r(code: &'static str, zh: &'static str, en: &'static str) -> Region {
    Region { code, zh, en }
}

/// The table, provinces first, then each province's cities, then each city's counties.
pub const REGIONS: &[Region] = &[
    r("110000", "北京市", "Beijing"),
    r("120000", "天津市", "Tianjin"),
    r("130000", "河北省", "Hebei"),
    r("140000", "山西省", "Shanxi"),
    r("150000", "内蒙古自治区", "Inner Mongolia"),
    r("210000", "辽宁省", "Liaoning"),
    r("220000", "吉林省", "Jilin"),
    r("230000", "黑龙江省", "Heilongjiang"),
    r("310000", "上海市", "Shanghai"),
    r("320000", "江苏省", "Jiangsu"),
    r("330000", "浙江省", "Zhejiang"),
    r("340000", "安徽省", "Anhui"),
    r("350000", "福建省", "Fujian"),
    r("360000", "江西省", "Jiangxi"),
    r("370000", "山东省", "Shandong"),
    r("410000", "河南省", "Henan"),
    r("420000", "湖北省", "Hubei"),
    r("430000", "湖南省", "Hunan"),
    r("440000", "广东省", "Guangdong"),
    r("450000", "广西壮族自治区", "Guangxi"),
    r("460000", "海南省", "Hainan"),
    r("500000", "重庆市", "Chongqing"),
    r("510000", "四川省", "Sichuan"),
    r("520000", "贵州省", "Guizhou"),
    r("530000", "云南省", "Yunnan"),
    r("540000", "西藏自治区", "Tibet"),
    r("610000", "陕西省", "Shaanxi"),
    r("620000", "甘肃省", "Gansu"),
    r("630000", "青海省", "Qinghai"),
    r("640000", "宁夏回族自治区", "Ningxia"),
    r("650000", "新疆维吾尔自治区", "Xinjiang"),
    r("710000", "台湾省", "Taiwan"),
    r("810000", "香港特别行政区", "Hong Kong"),
    r("820000", "澳门特别行政区", "Macao"),
    r("330100", "杭州市", "Hangzhou"),
    r("330200", "宁波市", "Ningbo"),
    r("330300", "温州市", "Wenzhou"),
    r("330400", "嘉兴市", "Jiaxing"),
    r("330500", "湖州市", "Huzhou"),
    r("330600", "绍兴市", "Shaoxing"),
    r("330700", "金华市", "Jinhua"),
    r("330800", "衢州市", "Quzhou"),
    r("330900", "舟山市", "Zhoushan"),
    r("331000", "台州市", "Taizhou"),
    r("331100", "丽水市", "Lishui"),
    r("330502", "吴兴区", "Wuxing District"),
    r("330503", "南浔区", "Nanxun District"),
    r("330521", "德清县", "Deqing County"),
    r("330522", "长兴县", "Changxing County"),
    r("330523", "安吉县", "Anji County"),
];

/// The division with this code, if the table has it.
pub fn region(code: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.code == code)
}

/// The divisions directly under `parent` (`None`: the provinces), in table order.
pub fn children(parent: Option<&str>) -> impl Iterator<Item = &'static Region> + '_ {
    REGIONS.iter().filter(move |r| match parent {
        None => r.code.ends_with("0000"),
        Some(p) if p.ends_with("0000") => {
            r.code.starts_with(&p[..2]) && r.code.ends_with("00") && !r.code.ends_with("0000")
        }
        Some(p) if p.ends_with("00") => r.code.starts_with(&p[..4]) && !r.code.ends_with("00"),
        Some(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::validators::region_codes;

    #[test]
    fn the_cascade_nests_and_every_code_is_well_formed() {
        assert_eq!(children(None).count(), 34);
        assert_eq!(children(Some("330000")).count(), 11);
        let huzhou: Vec<_> = children(Some("330500")).map(|r| r.zh).collect();
        assert_eq!(huzhou, ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县"]);
        assert_eq!(children(Some("330502")).count(), 0);
        assert_eq!(children(Some("110000")).count(), 0);
        for r in REGIONS {
            let mut chain = vec![format!("{}0000", &r.code[..2])];
            if !r.code.ends_with("0000") {
                chain.push(format!("{}00", &r.code[..4]));
            }
            if !r.code.ends_with("00") {
                chain.push(r.code.to_owned());
            }
            assert_eq!(region_codes(&chain), Ok(()), "{}", r.code);
        }
        assert_eq!(
            region("330503").map(|r| r.name(Locale::En)),
            Some("Nanxun District")
        );
    }
}

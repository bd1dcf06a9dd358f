//! Registration fees (登记费) as data: each simple matter carries its fee
//! items (the registration fee by the property's use, and the cost of each
//! certificate beyond the first); a combined matter (组合办) costs the sum of
//! its parts. Amounts are kept in fen (分) and edited by administrators;
//! a matter with none recorded takes the national defaults below. Pure.

use serde::{Deserialize, Serialize};

/// One fee item of a matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeItem {
    /// Per case (件), residential property: commonly 80 yuan.
    Residential,
    /// Per case, non-residential property: commonly 550 yuan.
    NonResidential,
    /// Each certificate beyond the first: commonly 10 yuan.
    ExtraCertificate,
}

pub const FEE_ITEMS: [FeeItem; 3] = [
    FeeItem::Residential,
    FeeItem::NonResidential,
    FeeItem::ExtraCertificate,
];

impl FeeItem {
    pub fn code(self) -> &'static str {
        match self {
            FeeItem::Residential => "residential",
            FeeItem::NonResidential => "non_residential",
            FeeItem::ExtraCertificate => "extra_certificate",
        }
    }

    pub fn from_code(s: &str) -> Option<FeeItem> {
        FEE_ITEMS.into_iter().find(|i| i.code() == s)
    }

    pub fn label(self, lang: super::Lang) -> &'static str {
        match (self, lang) {
            (FeeItem::Residential, super::Lang::Zh) => "登记费（住宅）",
            (FeeItem::Residential, super::Lang::En) => "Registration fee (residential)",
            (FeeItem::NonResidential, super::Lang::Zh) => "登记费（非住宅）",
            (FeeItem::NonResidential, super::Lang::En) => "Registration fee (non-residential)",
            (FeeItem::ExtraCertificate, super::Lang::Zh) => "证书工本费（每增加一本）",
            (FeeItem::ExtraCertificate, super::Lang::En) => "Each extra certificate",
        }
    }
}

/// The defaults where a centre has recorded nothing: seizures (filed by
/// courts) and corrections are free; everything else 80 / 550 / 10 yuan.
pub fn default_amount(family: i64, item: FeeItem) -> i64 {
    if matches!(family, 500 | 800) {
        return 0;
    }
    match item {
        FeeItem::Residential => 8_000,
        FeeItem::NonResidential => 55_000,
        FeeItem::ExtraCertificate => 1_000,
    }
}

/// A fee line as the catalogue shows it: which part (for a combined
/// matter), which item, how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    pub part_zh: String,
    pub part_en: String,
    pub item: FeeItem,
    pub amount_fen: i64,
}

/// What the property is used for (the registration fee depends on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyUse {
    Residential,
    NonResidential,
}

impl PropertyUse {
    pub fn from_code(s: &str) -> Option<PropertyUse> {
        match s {
            "residential" => Some(PropertyUse::Residential),
            "non_residential" => Some(PropertyUse::NonResidential),
            _ => None,
        }
    }

    fn item(self) -> FeeItem {
        match self {
            PropertyUse::Residential => FeeItem::Residential,
            PropertyUse::NonResidential => FeeItem::NonResidential,
        }
    }
}

/// How a fee was paid.
pub const METHODS: [(&str, &str, &str); 6] = [
    ("wechat", "微信支付", "WeChat Pay"),
    ("alipay", "支付宝", "Alipay"),
    ("unionpay", "银联云闪付", "UnionPay"),
    ("card", "银行卡（POS）", "Bank card"),
    ("cash", "现金", "Cash"),
    ("exempt", "依法免收", "Exempt by law"),
];

pub fn method_label(code: &str, lang: super::Lang) -> &'static str {
    METHODS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| if lang == super::Lang::Zh { *zh } else { *en })
        .unwrap_or("")
}

/// One line of what is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueLine {
    pub part_zh: String,
    pub part_en: String,
    pub item: FeeItem,
    pub count: i64,
    pub amount_fen: i64,
}

/// What a case owes: the registration fee of each part for the property's
/// use, and every certificate beyond the first (charged once per case).
pub fn quote(lines: &[FeeLine], use_: PropertyUse, certificates: i64) -> Vec<DueLine> {
    let mut out: Vec<DueLine> = lines
        .iter()
        .filter(|l| l.item == use_.item() && l.amount_fen > 0)
        .map(|l| DueLine {
            part_zh: l.part_zh.clone(),
            part_en: l.part_en.clone(),
            item: l.item,
            count: 1,
            amount_fen: l.amount_fen,
        })
        .collect();
    let extra = certificates.saturating_sub(1);
    if extra > 0 {
        if let Some(l) = lines
            .iter()
            .filter(|l| l.item == FeeItem::ExtraCertificate && l.amount_fen > 0)
            .max_by_key(|l| l.amount_fen)
        {
            out.push(DueLine {
                part_zh: String::new(),
                part_en: String::new(),
                item: FeeItem::ExtraCertificate,
                count: extra,
                amount_fen: l.amount_fen * extra,
            });
        }
    }
    out
}

pub fn total(lines: &[DueLine]) -> i64 {
    lines.iter().map(|l| l.amount_fen).sum()
}

/// `80.00`.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

/// An amount typed by a clerk or an administrator (`80`, `80.5`, `¥1,250.00`,
/// full-width digits) in fen; `None` if it is not a plain amount.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let t: String = super::to_half_width(s)
        .chars()
        .filter(|c| !matches!(c, ',' | '¥' | '￥' | ' ' | '元'))
        .collect();
    if t.is_empty() || t.len() > 12 {
        return None;
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    w.checked_mul(100)?.checked_add(f)
}

/// The payment as the applicant reads it: "登记费（住宅） 80.00 元 + … 合计 90.00 元（微信支付）".
pub fn describe(lines: &[DueLine], method: &str, lang: super::Lang) -> String {
    let zh = lang == super::Lang::Zh;
    let parts: Vec<String> = lines
        .iter()
        .map(|l| {
            let name = if zh { &l.part_zh } else { &l.part_en };
            let item = l.item.label(lang);
            let what = if name.is_empty() {
                item.to_string()
            } else if zh {
                // "二手房转移登记" + "登记费（住宅）": say 登记 once.
                let stem = name
                    .strip_suffix("登记")
                    .filter(|_| item.starts_with("登记"));
                format!("{}{item}", stem.unwrap_or(name))
            } else {
                format!("{name}: {item}")
            };
            if l.count > 1 {
                format!("{what} ×{} {}", l.count, yuan(l.amount_fen))
            } else {
                format!("{what} {}", yuan(l.amount_fen))
            }
        })
        .collect();
    let sum = yuan(total(lines));
    let how = method_label(method, lang);
    if zh {
        if parts.is_empty() {
            format!("免收费用（{how}）")
        } else {
            format!("{} 元，合计 {sum} 元（{how}）", parts.join(" 元 + "))
        }
    } else if parts.is_empty() {
        format!("No fee ({how})")
    } else {
        format!("{} yuan; total {sum} yuan ({how})", parts.join(" + "))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_matter_named_registration_is_not_said_twice() {
        let line = super::DueLine {
            part_zh: "二手房转移登记".into(),
            part_en: "Resale transfer".into(),
            item: super::FeeItem::Residential,
            count: 1,
            amount_fen: 8000,
        };
        let zh = super::describe(&[line], "wechat", crate::domain::Lang::Zh);
        assert!(zh.starts_with("二手房转移登记费（住宅） 80.00 元"), "{zh}");
        assert!(!zh.contains("登记登记"), "{zh}");
    }

    use super::*;

    fn line(part: &str, item: FeeItem, fen: i64) -> FeeLine {
        FeeLine {
            part_zh: part.into(),
            part_en: part.into(),
            item,
            amount_fen: fen,
        }
    }

    #[test]
    fn a_combined_matter_costs_the_sum_of_its_parts() {
        let lines = vec![
            line("转移", FeeItem::Residential, 8_000),
            line("转移", FeeItem::NonResidential, 55_000),
            line("转移", FeeItem::ExtraCertificate, 1_000),
            line("抵押", FeeItem::Residential, 8_000),
            line("抵押", FeeItem::NonResidential, 55_000),
            line("注销", FeeItem::Residential, 0),
        ];
        let q = quote(&lines, PropertyUse::Residential, 1);
        assert_eq!(total(&q), 16_000);
        let q = quote(&lines, PropertyUse::NonResidential, 3);
        assert_eq!(total(&q), 112_000);
        assert_eq!(q.last().unwrap().count, 2);
        let text = describe(&q, "wechat", super::super::Lang::Zh);
        assert!(
            text.contains("合计 1120.00 元") && text.contains("微信支付"),
            "{text}"
        );
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(parse_yuan("80"), Some(8_000));
        assert_eq!(parse_yuan("¥1,250.5"), Some(125_050));
        assert_eq!(parse_yuan("８０元"), Some(8_000));
        assert_eq!(parse_yuan("80.123"), None);
        assert_eq!(parse_yuan("-5"), None);
        assert_eq!(parse_yuan(""), None);
        assert_eq!(yuan(1_000), "10.00");
        assert_eq!(default_amount(800, FeeItem::Residential), 0);
        assert_eq!(default_amount(200, FeeItem::NonResidential), 55_000);
    }
}

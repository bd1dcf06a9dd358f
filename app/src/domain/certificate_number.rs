//! Real-estate certificate numbers.
//!
//! Since the unified register (2015) a certificate or proof is numbered like
//! `浙(2023)宁波市不动产权第0001234号` or `浙(2023)宁波市不动产证明第0001234号`:
//! province abbreviation, year in parentheses (full-width on paper), the city
//! or county, the kind, and a 6–8 digit serial. Applicants type them with
//! full-width parentheses and spaces; we store the compact half-width form.
//!
//! Older certificates (房产证, 土地证) carry free-form numbers. Anything that does
//! not claim to be a unified number (no 不动产权 / 不动产证明 in it) is kept as
//! a legacy number, trimmed, if it is of reasonable length.

use super::{to_half_width, DomainError};
use serde::{Deserialize, Serialize};

const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼港澳台";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateKind {
    /// 不动产权证书: the certificate of a right.
    Right,
    /// 不动产登记证明: the proof of a mortgage, notice, objection…
    Proof,
    /// A pre-2015 number in a free format.
    Legacy,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertificateNumber {
    text: String,
    kind: CertificateKind,
}

impl CertificateNumber {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s: String = to_half_width(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if s.is_empty() {
            return Err(DomainError::Empty);
        }
        let kind = if s.contains("不动产权") {
            CertificateKind::Right
        } else if s.contains("不动产证明") {
            CertificateKind::Proof
        } else {
            let n = s.chars().count();
            if !(3..=64).contains(&n) || s.chars().any(char::is_control) {
                return Err(DomainError::CertificateStructure);
            }
            return Ok(Self {
                text: s,
                kind: CertificateKind::Legacy,
            });
        };
        if !unified_shape(&s, kind) {
            return Err(DomainError::CertificateStructure);
        }
        Ok(Self { text: s, kind })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> CertificateKind {
        self.kind
    }
}

fn unified_shape(s: &str, kind: CertificateKind) -> bool {
    let mut chars = s.chars();
    let Some(p) = chars.next() else { return false };
    if !PROVINCES.contains(p) {
        return false;
    }
    let rest = chars.as_str();
    let Some(rest) = rest.strip_prefix('(') else {
        return false;
    };
    let Some((year, rest)) = rest.split_once(')') else {
        return false;
    };
    let year_ok = year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && ("1990".."2101").contains(&year);
    if !year_ok {
        return false;
    }
    let marker = match kind {
        CertificateKind::Right => "不动产权第",
        _ => "不动产证明第",
    };
    let Some((place, rest)) = rest.split_once(marker) else {
        return false;
    };
    if place.is_empty() || place.chars().any(|c| c.is_ascii()) {
        return false;
    }
    let Some(serial) = rest.strip_suffix('号') else {
        return false;
    };
    (6..=8).contains(&serial.len()) && serial.bytes().all(|b| b.is_ascii_digit())
}

impl TryFrom<String> for CertificateNumber {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CertificateNumber> for String {
    fn from(value: CertificateNumber) -> Self {
        value.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_unified_right_certificate_parses() {
        let c = CertificateNumber::parse("浙(2023)宁波市不动产权第0001234号").unwrap();
        assert_eq!(c.kind(), CertificateKind::Right);
    }

    #[test]
    fn full_width_parentheses_and_spaces_are_normalised() {
        let c = CertificateNumber::parse("浙（2023） 宁波市 不动产权第 0001234 号").unwrap();
        assert_eq!(c.as_str(), "浙(2023)宁波市不动产权第0001234号");
    }

    #[test]
    fn a_proof_number_is_recognised_as_a_proof() {
        let c = CertificateNumber::parse("苏(2021)昆山市不动产证明第123456号").unwrap();
        assert_eq!(c.kind(), CertificateKind::Proof);
    }

    #[test]
    fn a_unified_number_with_a_short_serial_is_rejected() {
        assert_eq!(
            CertificateNumber::parse("浙(2023)宁波市不动产权第12345号"),
            Err(DomainError::CertificateStructure)
        );
    }

    #[test]
    fn a_unified_number_without_a_province_is_rejected() {
        assert_eq!(
            CertificateNumber::parse("(2023)宁波市不动产权第0001234号"),
            Err(DomainError::CertificateStructure)
        );
    }

    #[test]
    fn an_old_free_form_number_is_kept_as_legacy() {
        let c = CertificateNumber::parse("甬房权证江东字第2005012345号").unwrap();
        assert_eq!(c.kind(), CertificateKind::Legacy);
    }

    proptest! {
        #[test]
        fn generated_unified_numbers_parse(
            p in prop::sample::select(PROVINCES.chars().collect::<Vec<_>>()),
            year in 1990u32..2100,
            serial in 0u32..100_000_000,
            width in 6usize..=8,
            proof in any::<bool>(),
        ) {
            let serial = format!("{serial:0width$}");
            let serial = &serial[serial.len() - width..];
            let kind = if proof { "不动产证明" } else { "不动产权" };
            let s = format!("{p}（{year}）杭州市{kind}第{serial}号");
            prop_assert!(CertificateNumber::parse(&s).is_ok(), "{}", s);
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,80}") {
            let _ = CertificateNumber::parse(&s);
        }
    }
}

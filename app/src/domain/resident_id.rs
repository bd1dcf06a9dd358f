//! Resident identity card number, GB 11643-1999.
//!
//! 18 characters: 6-digit area code, 8-digit birth date (YYYYMMDD), 3-digit
//! sequence, and a check character. The check is ISO 7064 MOD 11-2: weights
//! 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over the first 17 digits, the sum mod 11
//! indexes "10X98765432". A lowercase x is accepted and stored upper-case.

use super::{normalize_compact, DomainError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// Province-level codes in use (the first two digits), including 81/82/83 used
/// by residence permits for Hong Kong, Macao and Taiwan residents.
const PROVINCES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// A resident ID number that passed every structural and checksum rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

impl ResidentId {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = normalize_compact(input);
        if s.is_empty() {
            return Err(DomainError::Empty);
        }
        let n = s.chars().count();
        if n != 18 {
            return Err(DomainError::Length {
                expected: "18",
                actual: n,
            });
        }
        let bytes = s.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let ok = b.is_ascii_digit() || (i == 17 && *b == b'X');
            if !ok {
                return Err(DomainError::InvalidChar { position: i + 1 });
            }
        }
        let province = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        if !PROVINCES.contains(&province) {
            return Err(DomainError::IdArea);
        }
        let birth = ymd(&bytes[6..14]).ok_or(DomainError::IdBirthDate)?;
        if birth < NaiveDate::from_ymd_opt(1900, 1, 1).expect("constant date") {
            return Err(DomainError::IdBirthDate);
        }
        let expected = check_char(&bytes[..17]);
        if expected != bytes[17] {
            return Err(DomainError::IdChecksum {
                expected: expected as char,
            });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        ymd(&self.0.as_bytes()[6..14]).expect("checked in parse")
    }

    /// Masked for display: first 3 and last 4 characters visible.
    pub fn masked(&self) -> String {
        format!("{}***********{}", &self.0[..3], &self.0[14..])
    }
}

/// The check character for the first 17 digits (ASCII bytes).
pub(crate) fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

impl TryFrom<String> for ResidentId {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ResidentId> for String {
    fn from(value: ResidentId) -> Self {
        value.0
    }
}

impl std::fmt::Display for ResidentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `YYYYMMDD` (ASCII digits, checked) as a date, if it is one. By hand
/// rather than `NaiveDate::parse_from_str`, whose format parser would be
/// most of chrono in the browser's wasm.
fn ymd(digits: &[u8]) -> Option<NaiveDate> {
    let n = |r: std::ops::Range<usize>| {
        digits[r].iter().try_fold(0u32, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    if digits.len() != 8 {
        return None;
    }
    NaiveDate::from_ymd_opt(n(0..4)? as i32, n(4..6)?, n(6..8)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // A well-known valid sample from the standard's worked example.
    const VALID: &str = "11010519491231002X";

    #[test]
    fn a_valid_number_parses() {
        assert_eq!(ResidentId::parse(VALID).unwrap().as_str(), VALID);
    }

    #[test]
    fn a_lowercase_x_is_accepted_and_normalised() {
        assert_eq!(
            ResidentId::parse("11010519491231002x").unwrap().as_str(),
            VALID
        );
    }

    #[test]
    fn full_width_digits_and_spaces_are_accepted() {
        let typed = "１１０１０５ １９４９１２３１ ００２Ｘ";
        assert_eq!(ResidentId::parse(typed).unwrap().as_str(), VALID);
    }

    #[test]
    fn a_wrong_check_character_is_rejected() {
        let err = ResidentId::parse("110105194912310021").unwrap_err();
        assert_eq!(err, DomainError::IdChecksum { expected: 'X' });
        assert!(err
            .message(crate::domain::Lang::Zh)
            .contains("最后一位应为 X"));
        assert!(err.message(crate::domain::Lang::En).contains("should be X"));
    }

    #[test]
    fn seventeen_characters_are_rejected_with_the_length() {
        assert_eq!(
            ResidentId::parse("11010519491231002"),
            Err(DomainError::Length {
                expected: "18",
                actual: 17
            })
        );
    }

    #[test]
    fn an_impossible_birth_date_is_rejected() {
        // 1949-02-30 does not exist; check digit recomputed so only the date is wrong.
        let mut s = b"11010519490230002".to_vec();
        s.push(check_char(&s));
        assert_eq!(
            ResidentId::parse(std::str::from_utf8(&s).unwrap()),
            Err(DomainError::IdBirthDate)
        );
    }

    #[test]
    fn an_unknown_province_code_is_rejected() {
        let mut s = b"99010519491231002".to_vec();
        s.push(check_char(&s));
        assert_eq!(
            ResidentId::parse(std::str::from_utf8(&s).unwrap()),
            Err(DomainError::IdArea)
        );
    }

    #[test]
    fn an_x_anywhere_but_last_is_rejected() {
        assert_eq!(
            ResidentId::parse("1101051949123100X2"),
            Err(DomainError::InvalidChar { position: 17 })
        );
    }

    #[test]
    fn empty_input_is_reported_as_required() {
        assert_eq!(ResidentId::parse("  "), Err(DomainError::Empty));
    }

    #[test]
    fn masking_hides_the_birth_date_and_sequence() {
        assert_eq!(
            ResidentId::parse(VALID).unwrap().masked(),
            "110***********002X"
        );
    }

    pub(crate) fn valid_id() -> impl Strategy<Value = String> {
        (
            prop::sample::select(PROVINCES.to_vec()),
            0u32..10_000,
            (0i64..50_000).prop_map(|d| {
                NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(d)
            }),
            0u32..1000,
        )
            .prop_map(|(p, area, date, seq)| {
                let mut s = format!("{p:02}{area:04}{}{seq:03}", date.format("%Y%m%d"));
                let c = check_char(s.as_bytes());
                s.push(c as char);
                s
            })
    }

    proptest! {
        #[test]
        fn every_generated_valid_number_parses(id in valid_id()) {
            prop_assert_eq!(ResidentId::parse(&id).unwrap().as_str().to_string(), id);
        }

        #[test]
        fn any_single_character_change_is_rejected(
            id in valid_id(),
            pos in 0usize..18,
            replacement in prop::sample::select(b"0123456789Xx".to_vec()),
        ) {
            let mut bytes = id.into_bytes();
            prop_assume!(!bytes[pos].eq_ignore_ascii_case(&replacement));
            bytes[pos] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(ResidentId::parse(&changed).is_err(), "{} was accepted", changed);
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,40}") {
            let _ = ResidentId::parse(&s);
        }
    }
}

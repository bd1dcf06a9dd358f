//! Mainland mobile number: 11 digits starting with 1 (second digit 3–9).
//! A leading +86 / 0086 country code, spaces and hyphens are accepted and removed.

use super::{normalize_compact, DomainError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MobileNumber(String);

impl MobileNumber {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let compact: String = normalize_compact(input)
            .chars()
            .filter(|c| *c != '-')
            .collect();
        if compact.is_empty() {
            return Err(DomainError::Empty);
        }
        let s = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .unwrap_or(&compact);
        let b = s.as_bytes();
        if b.len() != 11
            || !b.iter().all(u8::is_ascii_digit)
            || b[0] != b'1'
            || !(b'3'..=b'9').contains(&b[1])
        {
            return Err(DomainError::Mobile);
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Masked for display and notices: 138****5678.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl TryFrom<String> for MobileNumber {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MobileNumber> for String {
    fn from(value: MobileNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_eleven_digit_number_starting_with_1_parses() {
        assert_eq!(
            MobileNumber::parse("13812345678").unwrap().as_str(),
            "13812345678"
        );
    }

    #[test]
    fn country_code_spaces_hyphens_and_full_width_digits_are_removed() {
        for typed in [
            "+86 138-1234-5678",
            "0086 13812345678",
            "１３８ １２３４ ５６７８",
        ] {
            assert_eq!(
                MobileNumber::parse(typed).unwrap().as_str(),
                "13812345678",
                "{typed}"
            );
        }
    }

    #[test]
    fn landlines_and_short_numbers_are_rejected() {
        for bad in [
            "0571-87654321",
            "1381234567",
            "23812345678",
            "12812345678",
            "1381234567a",
        ] {
            assert_eq!(MobileNumber::parse(bad), Err(DomainError::Mobile), "{bad}");
        }
    }

    #[test]
    fn masking_keeps_the_first_three_and_last_four_digits() {
        assert_eq!(
            MobileNumber::parse("13812345678").unwrap().masked(),
            "138****5678"
        );
    }

    proptest! {
        #[test]
        fn every_generated_mobile_parses(second in 3u8..=9, rest in 0u64..1_000_000_000) {
            let m = format!("1{second}{rest:09}");
            prop_assert_eq!(MobileNumber::parse(&m).unwrap().as_str().to_string(), m);
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,30}") {
            let _ = MobileNumber::parse(&s);
        }
    }
}

//! Unified Social Credit Code (统一社会信用代码), GB 32100-2015.
//!
//! 18 characters over "0123456789ABCDEFGHJKLMNPQRTUWXY" (I, O, S, V and Z are
//! never used). Weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 over the
//! first 17; check = alphabet[(31 - sum mod 31) mod 31]. The first two
//! characters may be letters (village collectives start with N).

use super::{normalize_compact, DomainError};
use serde::{Deserialize, Serialize};

pub(crate) const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

fn value_of(b: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == b).map(|p| p as u32)
}

pub(crate) fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| value_of(*c).unwrap_or(0) * w)
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize]
}

impl CreditCode {
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
        if let Some(i) = bytes.iter().position(|b| value_of(*b).is_none()) {
            return Err(DomainError::InvalidChar { position: i + 1 });
        }
        // Characters 3–8 are the administrative division code: digits only.
        if let Some(i) = bytes[2..8].iter().position(|b| !b.is_ascii_digit()) {
            return Err(DomainError::InvalidChar { position: i + 3 });
        }
        if check_char(&bytes[..17]) != bytes[17] {
            return Err(DomainError::CreditCodeChecksum);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CreditCode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CreditCode> for String {
    fn from(value: CreditCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_check(first17: &str) -> String {
        let mut s = first17.to_string();
        s.push(check_char(first17.as_bytes()) as char);
        s
    }

    #[test]
    fn a_published_code_parses() {
        // Check character computed by the standard's algorithm: 91350100M000100Y43 is a
        // commonly cited sample.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
    }

    #[test]
    fn lowercase_and_full_width_input_is_normalised() {
        let code = with_check("91350100M000100Y4");
        let typed = code.to_lowercase().replace('9', "９");
        assert_eq!(CreditCode::parse(&typed).unwrap().as_str(), code);
    }

    #[test]
    fn a_village_collective_code_starting_with_n_parses() {
        let code = with_check("N2330100MA0000001");
        assert!(CreditCode::parse(&code).is_ok());
    }

    #[test]
    fn letters_outside_the_alphabet_are_rejected_with_their_position() {
        assert_eq!(
            CreditCode::parse("91350100O000100Y43"),
            Err(DomainError::InvalidChar { position: 9 })
        );
    }

    #[test]
    fn a_letter_in_the_division_code_is_rejected() {
        let code = with_check("9135A100M000100Y4");
        assert_eq!(
            CreditCode::parse(&code),
            Err(DomainError::InvalidChar { position: 5 })
        );
    }

    #[test]
    fn a_wrong_check_character_is_rejected() {
        let code = with_check("91350100M000100Y4");
        let wrong = if code.ends_with('0') { "1" } else { "0" };
        let bad = format!("{}{}", &code[..17], wrong);
        assert_eq!(
            CreditCode::parse(&bad),
            Err(DomainError::CreditCodeChecksum)
        );
    }

    pub(crate) fn valid_code() -> impl Strategy<Value = String> {
        (
            prop::sample::select(ALPHABET.to_vec()),
            prop::sample::select(ALPHABET.to_vec()),
            0u32..1_000_000,
            prop::collection::vec(prop::sample::select(ALPHABET.to_vec()), 9),
        )
            .prop_map(|(a, b, div, org)| {
                let mut s = format!("{}{}{div:06}", a as char, b as char);
                s.extend(org.into_iter().map(|c| c as char));
                with_check(&s)
            })
    }

    proptest! {
        #[test]
        fn every_generated_valid_code_parses(code in valid_code()) {
            prop_assert_eq!(CreditCode::parse(&code).unwrap().as_str().to_string(), code);
        }

        #[test]
        fn any_single_character_change_is_rejected(
            code in valid_code(),
            pos in 0usize..18,
            replacement in prop::sample::select(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec()),
        ) {
            let mut bytes = code.into_bytes();
            prop_assume!(bytes[pos] != replacement);
            bytes[pos] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(CreditCode::parse(&changed).is_err(), "{} was accepted", changed);
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,40}") {
            let _ = CreditCode::parse(&s);
        }
    }
}

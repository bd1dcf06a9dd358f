//! Property unit number (不动产单元号), GB/T 37346-2019. 28 characters, no check
//! character:
//!
//! | chars | meaning |
//! |---|---|
//! | 1–6 | county-level division code (digits) |
//! | 7–9 | cadastral district (digits) |
//! | 10–12 | cadastral sub-district (digits) |
//! | 13–14 | parcel kind: G/J/Z then one of A B S X C D E F H G W Y |
//! | 15–19 | parcel number (digits) |
//! | 20 | fixture kind: F (house), L (forest), Q (structure), W (none) |
//! | 21–28 | fixture unit: 4-digit building + 4-digit unit; all zeros for W |

use super::error::UnitPart;
use super::{normalize_compact, DomainError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitNumber(String);

fn digits(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_digit)
}

impl UnitNumber {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = normalize_compact(input);
        if s.is_empty() {
            return Err(DomainError::Empty);
        }
        let n = s.chars().count();
        if n != 28 {
            return Err(DomainError::Length {
                expected: "28",
                actual: n,
            });
        }
        if let Some(i) = s.bytes().position(|b| !b.is_ascii_alphanumeric()) {
            return Err(DomainError::InvalidChar { position: i + 1 });
        }
        let b = s.as_bytes();
        let fail = |part| Err(DomainError::UnitStructure { part });
        if !digits(&b[0..6]) {
            return fail(UnitPart::County);
        }
        if !digits(&b[6..9]) {
            return fail(UnitPart::District);
        }
        if !digits(&b[9..12]) {
            return fail(UnitPart::SubDistrict);
        }
        if !b"GJZ".contains(&b[12]) || !b"ABSXCDEFHGWY".contains(&b[13]) {
            return fail(UnitPart::ParcelKind);
        }
        if !digits(&b[14..19]) {
            return fail(UnitPart::ParcelNumber);
        }
        if !b"FLQW".contains(&b[19]) {
            return fail(UnitPart::FixtureKind);
        }
        if !digits(&b[20..28]) || (b[19] == b'W' && &b[20..28] != b"00000000") {
            return fail(UnitPart::FixtureNumber);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit county code the unit lies in.
    pub fn county(&self) -> &str {
        &self.0[0..6]
    }

    /// The 19-character parcel code (宗地代码) the unit belongs to.
    pub fn parcel(&self) -> &str {
        &self.0[0..19]
    }
}

impl TryFrom<String> for UnitNumber {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<UnitNumber> for String {
    fn from(value: UnitNumber) -> Self {
        value.0
    }
}

impl std::fmt::Display for UnitNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EXAMPLE: &str = "320684413219GB00029F00010002";

    #[test]
    fn the_standard_example_parses_and_exposes_its_parts() {
        let u = UnitNumber::parse(EXAMPLE).unwrap();
        assert_eq!(u.county(), "320684");
        assert_eq!(u.parcel(), "320684413219GB00029");
    }

    #[test]
    fn lowercase_and_spaced_input_is_normalised() {
        let u = UnitNumber::parse("320684 413219 gb00029 f0001 0002").unwrap();
        assert_eq!(u.as_str(), EXAMPLE);
    }

    #[test]
    fn a_wrong_parcel_kind_names_that_part() {
        assert_eq!(
            UnitNumber::parse("320684413219XB00029F00010002"),
            Err(DomainError::UnitStructure {
                part: UnitPart::ParcelKind
            })
        );
    }

    #[test]
    fn a_land_only_unit_must_have_zero_fixture_number() {
        assert!(UnitNumber::parse("320684413219GB00029W00000000").is_ok());
        assert_eq!(
            UnitNumber::parse("320684413219GB00029W00010002"),
            Err(DomainError::UnitStructure {
                part: UnitPart::FixtureNumber
            })
        );
    }

    #[test]
    fn an_unknown_fixture_kind_is_rejected() {
        assert_eq!(
            UnitNumber::parse("320684413219GB00029K00010002"),
            Err(DomainError::UnitStructure {
                part: UnitPart::FixtureKind
            })
        );
    }

    #[test]
    fn twenty_seven_characters_are_rejected_with_the_length() {
        assert_eq!(
            UnitNumber::parse(&EXAMPLE[..27]),
            Err(DomainError::Length {
                expected: "28",
                actual: 27
            })
        );
    }

    fn valid_unit() -> impl Strategy<Value = String> {
        (
            0u32..1_000_000,
            0u32..1000,
            0u32..1000,
            prop::sample::select(b"GJZ".to_vec()),
            prop::sample::select(b"ABSXCDEFHGWY".to_vec()),
            0u32..100_000,
            prop::sample::select(b"FLQW".to_vec()),
            0u32..100_000_000,
        )
            .prop_map(|(c, d, sd, k1, k2, p, f, u)| {
                let u = if f == b'W' { 0 } else { u };
                format!(
                    "{c:06}{d:03}{sd:03}{}{}{p:05}{}{u:08}",
                    k1 as char, k2 as char, f as char
                )
            })
    }

    proptest! {
        #[test]
        fn every_generated_valid_unit_number_parses(u in valid_unit()) {
            prop_assert_eq!(UnitNumber::parse(&u).unwrap().as_str().to_string(), u);
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,40}") {
            let _ = UnitNumber::parse(&s);
        }
    }
}

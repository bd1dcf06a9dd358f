use serde::{Deserialize, Serialize};

/// The two languages the service speaks; Simplified Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// Why a value was refused. Each variant has a stable code (for APIs and tests)
/// and a message in both languages, written for the person who typed the value.
/// Messages never echo the value back, so they are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DomainError {
    #[error("empty")]
    Empty,
    #[error("wrong length")]
    Length {
        expected: &'static str,
        actual: usize,
    },
    #[error("invalid character")]
    InvalidChar { position: usize },
    #[error("resident id: bad birth date")]
    IdBirthDate,
    #[error("resident id: bad area code")]
    IdArea,
    /// The check character does not match; `expected` is what the first 17
    /// digits call for, so the user can see whether the last character or an
    /// earlier digit was mistyped.
    #[error("resident id: check character")]
    IdChecksum { expected: char },
    #[error("credit code: check character")]
    CreditCodeChecksum,
    #[error("unit number: structure")]
    UnitStructure { part: UnitPart },
    #[error("certificate number: structure")]
    CertificateStructure,
    #[error("mobile number")]
    Mobile,
}

/// The part of a property unit number that is wrong, so the message can say where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitPart {
    County,
    District,
    SubDistrict,
    ParcelKind,
    ParcelNumber,
    FixtureKind,
    FixtureNumber,
}

impl DomainError {
    /// A stable machine-readable code, e.g. for the developer API.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Empty => "empty",
            DomainError::Length { .. } => "length",
            DomainError::InvalidChar { .. } => "invalid_char",
            DomainError::IdBirthDate => "resident_id.birth_date",
            DomainError::IdArea => "resident_id.area",
            DomainError::IdChecksum { .. } => "resident_id.checksum",
            DomainError::CreditCodeChecksum => "credit_code.checksum",
            DomainError::UnitStructure { .. } => "unit_number.structure",
            DomainError::CertificateStructure => "certificate_number.structure",
            DomainError::Mobile => "mobile.format",
        }
    }

    /// The message for the person who typed the value.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh(),
            Lang::En => self.en(),
        }
    }

    fn zh(&self) -> String {
        match self {
            DomainError::Empty => "此项为必填项。".into(),
            DomainError::Length { expected, actual } => {
                format!("长度应为 {expected} 位，当前为 {actual} 位。")
            }
            DomainError::InvalidChar { position } => {
                format!("第 {position} 位字符无效，请核对。")
            }
            DomainError::IdBirthDate => "身份证号码中的出生日期（第 7–14 位）不是有效日期。".into(),
            DomainError::IdArea => "身份证号码的前两位不是有效的省级行政区划代码。".into(),
            DomainError::IdChecksum { expected } => format!(
                "身份证号码校验位不符：按前 17 位计算，最后一位应为 {expected}。请逐位核对，可能是最后一位或前面某一位输错了。"
            ),
            DomainError::CreditCodeChecksum => {
                "统一社会信用代码校验位不符，请对照营业执照逐位核对。".into()
            }
            DomainError::UnitStructure { part } => {
                let part = match part {
                    UnitPart::County => "第 1–6 位县级行政区划代码应为数字",
                    UnitPart::District => "第 7–9 位地籍区代码应为数字",
                    UnitPart::SubDistrict => "第 10–12 位地籍子区代码应为数字",
                    UnitPart::ParcelKind => {
                        "第 13–14 位宗地特征码不正确（第一位为 G、J 或 Z，第二位为 A、B、S、X、C、D、E、F、H、G、W 或 Y）"
                    }
                    UnitPart::ParcelNumber => "第 15–19 位宗地顺序号应为数字",
                    UnitPart::FixtureKind => "第 20 位定着物特征码应为 F、L、Q 或 W",
                    UnitPart::FixtureNumber => {
                        "第 21–28 位定着物单元号应为数字（定着物特征码为 W 时应全为 0）"
                    }
                };
                format!("不动产单元号格式不正确：{part}。")
            }
            DomainError::CertificateStructure => {
                "不动产权证书号格式不正确，应类似“浙(2023)宁波市不动产权第0001234号”，序号为 6–8 位数字。".into()
            }
            DomainError::Mobile => "手机号码应为以 1 开头的 11 位数字。".into(),
        }
    }

    fn en(&self) -> String {
        match self {
            DomainError::Empty => "This field is required.".into(),
            DomainError::Length { expected, actual } => {
                format!("Must be {expected} characters long; {actual} given.")
            }
            DomainError::InvalidChar { position } => {
                format!("Character {position} is not allowed here; please check it.")
            }
            DomainError::IdBirthDate => {
                "The birth date in the ID number (characters 7–14) is not a valid date.".into()
            }
            DomainError::IdArea => {
                "The first two digits of the ID number are not a valid province code.".into()
            }
            DomainError::IdChecksum { expected } => format!(
                "The ID number's check character does not match: from the first 17 digits the last character should be {expected}. Please check each digit; the mistake may be in the last character or an earlier one."
            ),
            DomainError::CreditCodeChecksum => {
                "The Unified Social Credit Code's check character does not match; please compare it with the business licence.".into()
            }
            DomainError::UnitStructure { part } => {
                let part = match part {
                    UnitPart::County => "characters 1–6 (county code) must be digits",
                    UnitPart::District => "characters 7–9 (cadastral district) must be digits",
                    UnitPart::SubDistrict => "characters 10–12 (sub-district) must be digits",
                    UnitPart::ParcelKind => {
                        "characters 13–14 (parcel kind) are wrong: the first is G, J or Z, the second one of A B S X C D E F H G W Y"
                    }
                    UnitPart::ParcelNumber => "characters 15–19 (parcel number) must be digits",
                    UnitPart::FixtureKind => "character 20 (fixture kind) must be F, L, Q or W",
                    UnitPart::FixtureNumber => {
                        "characters 21–28 (fixture unit) must be digits, all zeros when the fixture kind is W"
                    }
                };
                format!("The property unit number is malformed: {part}.")
            }
            DomainError::CertificateStructure => {
                "The certificate number is malformed; it should look like 浙(2023)宁波市不动产权第0001234号 with a 6–8 digit serial.".into()
            }
            DomainError::Mobile => "A mobile number has 11 digits and starts with 1.".into(),
        }
    }
}

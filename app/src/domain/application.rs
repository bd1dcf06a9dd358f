//! The pre-application wizard's answers and their rules.
//!
//! A [`Draft`] holds exactly what the applicant typed (raw strings), so a draft
//! is never lost for being invalid: it is saved on every step and validated
//! when shown and when submitted. The same functions run in the browser and on
//! the server, so both give the same messages. Nothing here does I/O.

use super::catalogue::{Matter, PartyRole, Requirement};
use super::{normalize_compact, to_half_width, CreditCode, DomainError, MobileNumber, ResidentId};
use super::{CertificateNumber, UnitNumber};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The wizard's pages after choosing the matter, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Property,
    Parties,
    Agent,
    Materials,
    Declarations,
    Review,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Property,
        Step::Parties,
        Step::Agent,
        Step::Materials,
        Step::Declarations,
        Step::Review,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Step::Property => "property",
            Step::Parties => "parties",
            Step::Agent => "agent",
            Step::Materials => "materials",
            Step::Declarations => "declarations",
            Step::Review => "review",
        }
    }

    pub fn from_slug(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|st| st.slug() == s)
    }

    pub fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.index() + 1).copied()
    }

    pub fn prev(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Step::ALL[i])
    }
}

/// Kinds of identity document a party may present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// 居民身份证
    ResidentId,
    /// 港澳台居民居住证 / 往来通行证
    HkMacaoTaiwan,
    /// 护照
    Passport,
    /// 统一社会信用代码 (banks, companies)
    Organisation,
}

impl IdType {
    pub const ALL: [IdType; 4] = [
        IdType::ResidentId,
        IdType::HkMacaoTaiwan,
        IdType::Passport,
        IdType::Organisation,
    ];
    pub fn code(self) -> &'static str {
        match self {
            IdType::ResidentId => "resident_id",
            IdType::HkMacaoTaiwan => "hmt_permit",
            IdType::Passport => "passport",
            IdType::Organisation => "organisation",
        }
    }
    pub fn from_code(s: &str) -> Option<IdType> {
        IdType::ALL.into_iter().find(|t| t.code() == s)
    }
    pub fn name(self, lang: super::Lang) -> &'static str {
        use super::Lang::*;
        match (self, lang) {
            (IdType::ResidentId, Zh) => "居民身份证",
            (IdType::ResidentId, En) => "Resident ID card",
            (IdType::HkMacaoTaiwan, Zh) => "港澳台居民证件",
            (IdType::HkMacaoTaiwan, En) => "Hong Kong, Macao or Taiwan permit",
            (IdType::Passport, Zh) => "护照",
            (IdType::Passport, En) => "Passport",
            (IdType::Organisation, Zh) => "统一社会信用代码（单位）",
            (IdType::Organisation, En) => "Unified Social Credit Code (organisation)",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyForm {
    pub unit_number: String,
    pub certificate_number: String,
    pub address: String,
    /// The secured amount of the mortgage, in yuan as typed (matters that
    /// register a mortgage only; see `Matter::asks_secured_amount`).
    #[serde(default)]
    pub secured_amount: String,
}

impl PropertyForm {
    /// The property as filed for this matter: a secured amount only where
    /// the matter asks one (whatever else was posted is not shown).
    pub fn for_matter(&self, matter: &Matter) -> PropertyForm {
        PropertyForm {
            secured_amount: if matter.asks_secured_amount() {
                self.secured_amount.clone()
            } else {
                String::new()
            },
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyForm {
    pub role: String,
    pub name: String,
    pub id_type: String,
    pub id_number: String,
    pub mobile: String,
    pub share: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentForm {
    /// "self" (filing for oneself, as one of the parties) or "others".
    pub filing_for: String,
    pub name: String,
    pub id_number: String,
    pub mobile: String,
    /// "notarised" or "signed" power of attorney.
    pub poa: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declarations {
    pub truthful: bool,
    pub risk_ack: bool,
}

/// Everything the applicant has typed so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(default)]
    pub property: PropertyForm,
    #[serde(default)]
    pub parties: Vec<PartyForm>,
    #[serde(default)]
    pub agent: AgentForm,
    /// Material codes the applicant ticked as ready.
    #[serde(default)]
    pub materials: Vec<String>,
    #[serde(default)]
    pub declarations: Declarations,
    /// Steps the applicant has tried to leave: their errors are shown.
    #[serde(default)]
    pub attempted: Vec<Step>,
}

/// At most this many parties on one application.
pub const MAX_PARTIES: usize = 12;
const NAME_MAX: usize = 60;
const ADDRESS_MAX: usize = 200;

/// An error on one field; `field` is the form field's name.
pub type FieldIssue = (String, DomainError);

impl Draft {
    /// A new draft: one empty party for each role the matter needs.
    pub fn new_for(matter: &Matter) -> Draft {
        Draft {
            parties: matter
                .parties
                .iter()
                .map(|r| PartyForm {
                    role: role_code(*r).into(),
                    id_type: default_id_type(*r).code().into(),
                    ..PartyForm::default()
                })
                .collect(),
            agent: AgentForm {
                filing_for: "self".into(),
                poa: String::new(),
                ..AgentForm::default()
            },
            ..Draft::default()
        }
    }

    /// Copy one step's posted fields into the draft. Unknown keys are ignored;
    /// values are kept as typed (trimmed), valid or not.
    pub fn apply(&mut self, step: Step, f: &HashMap<String, String>) {
        let get = |k: &str| f.get(k).map(|v| clean(v)).unwrap_or_default();
        match step {
            Step::Property => {
                self.property = PropertyForm {
                    unit_number: get("unit_number"),
                    certificate_number: get("certificate_number"),
                    address: get("address"),
                    secured_amount: get("secured_amount"),
                }
            }
            Step::Parties => {
                for (i, p) in self.parties.iter_mut().enumerate() {
                    let k = |name: &str| format!("party{i}_{name}");
                    if !f.contains_key(&k("name")) {
                        continue;
                    }
                    *p = PartyForm {
                        role: get(&k("role")),
                        name: get(&k("name")),
                        id_type: get(&k("id_type")),
                        id_number: get(&k("id_number")),
                        mobile: get(&k("mobile")),
                        share: get(&k("share")),
                    };
                }
            }
            Step::Agent => {
                self.agent = AgentForm {
                    filing_for: get("filing_for"),
                    name: get("agent_name"),
                    id_number: get("agent_id_number"),
                    mobile: get("agent_mobile"),
                    poa: get("agent_poa"),
                }
            }
            Step::Materials => {
                self.materials = f
                    .keys()
                    .filter_map(|k| k.strip_prefix("material_"))
                    .map(str::to_string)
                    .collect();
                self.materials.sort();
            }
            Step::Declarations => {
                self.declarations = Declarations {
                    truthful: f.get("truthful").is_some_and(|v| v == "on" || v == "true"),
                    risk_ack: f.get("risk_ack").is_some_and(|v| v == "on" || v == "true"),
                }
            }
            Step::Review => {}
        }
    }

    pub fn add_party(&mut self, role: PartyRole) -> bool {
        if self.parties.len() >= MAX_PARTIES {
            return false;
        }
        self.parties.push(PartyForm {
            role: role_code(role).into(),
            id_type: default_id_type(role).code().into(),
            ..PartyForm::default()
        });
        true
    }

    pub fn remove_party(&mut self, index: usize) {
        if index < self.parties.len() {
            self.parties.remove(index);
        }
    }

    pub fn mark_attempted(&mut self, step: Step) {
        if !self.attempted.contains(&step) {
            self.attempted.push(step);
        }
    }

    /// The errors of one step. `filer_mobile` is the signed-in citizen's number.
    pub fn validate(&self, step: Step, matter: &Matter, filer_mobile: &str) -> Vec<FieldIssue> {
        match step {
            Step::Property => validate_property(&self.property, matter.asks_secured_amount()),
            Step::Parties => validate_parties(&self.parties, matter),
            Step::Agent => validate_agent(&self.agent, &self.parties, filer_mobile),
            Step::Materials => matter
                .checklist
                .iter()
                .filter(|i| i.requirement == Requirement::Required)
                .filter(|i| !self.materials.contains(&i.material))
                .map(|i| {
                    (
                        format!("material_{}", i.material),
                        DomainError::MaterialRequired,
                    )
                })
                .collect(),
            Step::Declarations => {
                let mut e = Vec::new();
                if !self.declarations.truthful {
                    e.push(("truthful".to_string(), DomainError::MustAccept));
                }
                if matter.risk_notice && !self.declarations.risk_ack {
                    e.push(("risk_ack".to_string(), DomainError::MustAccept));
                }
                e
            }
            Step::Review => Step::ALL
                .into_iter()
                .filter(|s| *s != Step::Review)
                .flat_map(|s| self.validate(s, matter, filer_mobile))
                .collect(),
        }
    }

    /// The first step that still has errors, if any.
    pub fn first_invalid_step(&self, matter: &Matter, filer_mobile: &str) -> Option<Step> {
        Step::ALL
            .into_iter()
            .filter(|s| *s != Step::Review)
            .find(|s| !self.validate(*s, matter, filer_mobile).is_empty())
    }
}

/// Trim, and turn full-width letters, digits and spaces into half-width ones.
fn clean(v: &str) -> String {
    to_half_width(v).trim().chars().take(500).collect()
}

pub fn role_code(r: PartyRole) -> &'static str {
    match r {
        PartyRole::RightHolder => "right_holder",
        PartyRole::Obligor => "obligor",
        PartyRole::Mortgagor => "mortgagor",
        PartyRole::Mortgagee => "mortgagee",
        PartyRole::Heir => "heir",
    }
}

fn default_id_type(r: PartyRole) -> IdType {
    match r {
        PartyRole::Mortgagee => IdType::Organisation,
        _ => IdType::ResidentId,
    }
}

fn check_len(v: &str, max: usize) -> Result<(), DomainError> {
    if v.trim().is_empty() {
        Err(DomainError::Empty)
    } else if v.chars().count() > max {
        Err(DomainError::TooLong { max })
    } else if super::normalize::has_hidden_chars(v) {
        Err(DomainError::HiddenChars)
    } else {
        Ok(())
    }
}

/// A person's or organisation's name: as [`check_len`], and not something a
/// spreadsheet would run as a formula when the centre exports it.
pub fn check_name(v: &str, max: usize) -> Result<(), DomainError> {
    check_len(v, max)?;
    if v.trim_start().starts_with(['=', '+', '-', '@']) {
        return Err(DomainError::FormulaLike);
    }
    Ok(())
}

/// The property step's errors; `secured` when the matter asks the secured amount.
pub fn validate_property(p: &PropertyForm, secured: bool) -> Vec<FieldIssue> {
    let mut e = Vec::new();
    let unit = normalize_compact(&p.unit_number);
    let cert = p.certificate_number.trim();
    if unit.is_empty() && cert.is_empty() {
        e.push(("unit_number".into(), DomainError::PropertyId));
    }
    if !unit.is_empty() {
        if let Err(err) = UnitNumber::parse(&unit) {
            e.push(("unit_number".into(), err));
        }
    }
    if !cert.is_empty() {
        if let Err(err) = CertificateNumber::parse(cert) {
            e.push(("certificate_number".into(), err));
        }
    }
    if let Err(err) = check_len(&p.address, ADDRESS_MAX) {
        e.push(("address".into(), err));
    }
    if secured && secured_fen(p).is_none() {
        e.push(("secured_amount".into(), DomainError::SecuredAmount));
    }
    e
}

/// The secured amount in fen, when one more than zero is typed.
pub fn secured_fen(p: &PropertyForm) -> Option<i64> {
    super::fees::parse_yuan(&p.secured_amount).filter(|f| *f > 0)
}

/// Check an identity document number of the given kind.
/// Age at which an applicant goes to the priority lane (绿色通道).
pub const PRIORITY_AGE: i32 = 80;

/// Does the application go to the priority lane: is any party, by the birth
/// date in a resident ID number, at least [`PRIORITY_AGE`] on `today`?
pub fn priority_lane(parties: &[PartyForm], today: chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    parties.iter().any(|p| {
        IdType::from_code(&p.id_type) == Some(IdType::ResidentId)
            && ResidentId::parse(&p.id_number).is_ok_and(|id| {
                let born = id.birth_date();
                let mut age = today.year() - born.year();
                if (today.month(), today.day()) < (born.month(), born.day()) {
                    age -= 1;
                }
                age >= PRIORITY_AGE
            })
    })
}

pub fn check_id_number(id_type: IdType, number: &str) -> Result<String, DomainError> {
    match id_type {
        IdType::ResidentId => ResidentId::parse(number).map(|i| i.as_str().to_string()),
        IdType::Organisation => CreditCode::parse(number).map(|c| c.as_str().to_string()),
        IdType::HkMacaoTaiwan | IdType::Passport => {
            let n: String = normalize_compact(number)
                .chars()
                .filter(|c| *c != '-')
                .collect();
            if n.is_empty() {
                Err(DomainError::Empty)
            } else if !(5..=20).contains(&n.len()) || !n.chars().all(|c| c.is_ascii_alphanumeric())
            {
                Err(DomainError::IdDocument)
            } else {
                Ok(n)
            }
        }
    }
}

/// A share as a percentage: "50", "50%", "33.5".
pub fn parse_share(s: &str) -> Option<f64> {
    let s = s.trim().trim_end_matches('%').trim();
    let v: f64 = s.parse().ok()?;
    (v > 0.0 && v <= 100.0 && v.is_finite()).then_some(v)
}

pub fn validate_parties(parties: &[PartyForm], matter: &Matter) -> Vec<FieldIssue> {
    let mut e = Vec::new();
    for role in &matter.parties {
        if !parties.iter().any(|p| p.role == role_code(*role)) {
            e.push(("parties".into(), DomainError::PartyMissing { role: *role }));
        }
    }
    let holders: Vec<usize> = parties
        .iter()
        .enumerate()
        .filter(|(_, p)| p.role == "right_holder")
        .map(|(i, _)| i)
        .collect();
    for (i, p) in parties.iter().enumerate() {
        let k = |name: &str| format!("party{i}_{name}");
        let role = PartyRole::from_code(&p.role);
        if role.is_none_or(|r| !matter.parties.contains(&r)) {
            e.push((k("role"), DomainError::PartyRole));
        }
        if let Err(err) = check_name(&p.name, NAME_MAX) {
            e.push((k("name"), err));
        }
        match IdType::from_code(&p.id_type) {
            Some(t) => {
                if let Err(err) = check_id_number(t, &p.id_number) {
                    e.push((k("id_number"), err));
                }
            }
            None => e.push((k("id_type"), DomainError::Empty)),
        }
        if let Err(err) = MobileNumber::parse(&p.mobile) {
            e.push((k("mobile"), err));
        }
        let needs_share = holders.len() > 1 && p.role == "right_holder";
        if needs_share || !p.share.trim().is_empty() {
            if p.share.trim().is_empty() {
                e.push((k("share"), DomainError::Empty));
            } else if parse_share(&p.share).is_none() {
                e.push((k("share"), DomainError::Share));
            }
        }
    }
    if holders.len() > 1 {
        let shares: Option<Vec<f64>> = holders
            .iter()
            .map(|i| parse_share(&parties[*i].share))
            .collect();
        if let Some(shares) = shares {
            let sum: f64 = shares.iter().sum();
            if (sum - 100.0).abs() > 0.01 {
                e.push(("parties".into(), DomainError::SharesSum));
            }
        }
    }
    e
}

pub fn validate_agent(a: &AgentForm, parties: &[PartyForm], filer_mobile: &str) -> Vec<FieldIssue> {
    let mut e = Vec::new();
    match a.filing_for.as_str() {
        "self" => {
            let filer = MobileNumber::parse(filer_mobile).ok();
            let listed = parties.iter().any(|p| {
                MobileNumber::parse(&p.mobile)
                    .ok()
                    .is_some_and(|m| Some(&m) == filer.as_ref())
            });
            if !listed {
                e.push(("filing_for".into(), DomainError::FilerNotParty));
            }
        }
        "others" => {
            if let Err(err) = check_name(&a.name, NAME_MAX) {
                e.push(("agent_name".into(), err));
            }
            if let Err(err) = ResidentId::parse(&a.id_number) {
                e.push(("agent_id_number".into(), err));
            }
            if let Err(err) = MobileNumber::parse(&a.mobile) {
                e.push(("agent_mobile".into(), err));
            }
            if !matches!(a.poa.as_str(), "notarised" | "signed") {
                e.push(("agent_poa".into(), DomainError::Empty));
            }
        }
        _ => e.push(("filing_for".into(), DomainError::Empty)),
    }
    e
}

/// A name masked for public pages: 张*明, 李*, A*** B.
/// The last 6 characters of an ID number: what the public lookup asks for.
pub fn id_last6(id_number: &str) -> String {
    let n = id_number.chars().count();
    id_number.chars().skip(n.saturating_sub(6)).collect()
}

pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => {
            let mut s = String::new();
            s.push(chars[0]);
            s.extend(std::iter::repeat_n('*', n - 2));
            s.push(chars[n - 1]);
            s
        }
    }
}

/// Receipt numbers: `YYMMDD-XXXX-XXXX`, the date of submission and eight
/// characters from an alphabet without look-alikes (no 0/O, 1/I/L, U, V, 5/S,
/// 2/Z): 25^8 ≈ 2^37 per day, so they cannot be guessed or enumerated.
pub const RECEIPT_ALPHABET: &[u8] = b"346789ABCDEFGHJKMNPQRTWXY";

pub fn format_receipt(date: chrono::NaiveDate, random: &[u8; 8]) -> String {
    let c: String = random
        .iter()
        .map(|b| RECEIPT_ALPHABET[(*b as usize) % RECEIPT_ALPHABET.len()] as char)
        .collect();
    format!("{}-{}-{}", date.format("%y%m%d"), &c[..4], &c[4..])
}

/// Normalise what a person typed as a receipt number: case, full-width
/// characters, spaces and missing hyphens. `None` when it cannot be one.
pub fn normalize_receipt(input: &str) -> Option<String> {
    let c: String = normalize_compact(input)
        .chars()
        .filter(|c| *c != '-')
        .collect();
    // Fourteen ASCII characters: a length in bytes alone would let
    // multi-byte characters through to a split inside one (found by
    // fuzz/fuzz_targets/domain_ids.rs).
    if c.len() != 14 || !c.is_ascii() {
        return None;
    }
    let (date, rest) = c.split_at(6);
    if !date.bytes().all(|b| b.is_ascii_digit())
        || !rest.bytes().all(|b| RECEIPT_ALPHABET.contains(&b))
    {
        return None;
    }
    Some(format!("{date}-{}-{}", &rest[..4], &rest[4..]))
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_mortgage_states_its_secured_amount() {
        use super::{secured_fen, validate_property, PropertyForm};
        let p = |amount: &str| PropertyForm {
            unit_number: "320684413219GB00029F00010002".into(),
            address: "明州市海曙区望京路 8 号".into(),
            secured_amount: amount.into(),
            ..PropertyForm::default()
        };
        let fields = |amount: &str, secured: bool| -> Vec<String> {
            validate_property(&p(amount), secured)
                .into_iter()
                .map(|(f, _)| f)
                .collect()
        };
        // Asked: required, a plain amount in yuan, more than zero.
        for bad in ["", "0", "0.00", "abc", "-5", "1.234", "=1+1", "8e5"] {
            assert_eq!(fields(bad, true), vec!["secured_amount"], "{bad:?}");
        }
        for good in ["800000", "800,000.00", "￥1,200,000", "８０００００"] {
            assert!(fields(good, true).is_empty(), "{good:?}");
        }
        assert_eq!(secured_fen(&p("1,200,000")), Some(120_000_000));
        // Not asked (a transfer): whatever is there is not checked.
        assert!(fields("abc", false).is_empty());
    }

    #[test]
    fn receipts_with_multibyte_characters_are_refused_not_a_panic() {
        use super::normalize_receipt;
        // What the fuzzer found: 14 bytes, but not 14 characters.
        assert_eq!(normalize_receipt("2210\u{FFFD}110\u{FFFD}1"), None);
        assert_eq!(normalize_receipt("2612中ABC中D"), None);
        assert_eq!(normalize_receipt("261203中中中中"), None);
        assert_eq!(
            normalize_receipt("261203-ABCD-EFGH").as_deref(),
            Some("261203-ABCD-EFGH")
        );
    }

    /// A resident ID number with its check character, born on `birth`.
    fn id_born(birth: &str) -> String {
        let body = format!("330203{birth}123");
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body
            .chars()
            .zip(W)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        let check = "10X98765432".chars().nth((sum % 11) as usize).unwrap();
        format!("{body}{check}")
    }

    #[test]
    fn parties_aged_eighty_go_to_the_priority_lane() {
        let party = |id: String| PartyForm {
            id_type: "resident_id".into(),
            id_number: id,
            ..Default::default()
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let young = party(id_born("19850101"));
        assert!(!priority_lane(std::slice::from_ref(&young), today));
        // Eighty today: yes; eighty tomorrow: not yet.
        assert!(priority_lane(
            &[young.clone(), party(id_born("19461124"))],
            today
        ));
        assert!(!priority_lane(&[party(id_born("19461125"))], today));
        // A passport says nothing about age.
        let mut passport = party("E12345678".into());
        passport.id_type = "passport".into();
        assert!(!priority_lane(&[passport], today));
    }
    use super::*;
    use crate::domain::catalogue::{Family, Filer};

    fn matter(parties: Vec<PartyRole>, risk: bool) -> Matter {
        Matter {
            code: "T".into(),
            family: Family::Transfer,
            name_zh: "测试".into(),
            name_en: "Test".into(),
            keywords: String::new(),
            filers: vec![Filer::Citizen],
            parties,
            time_limit_days: 5,
            time_limit_minutes: None,
            visit_required: true,
            identity_level: 0,
            risk_notice: risk,
            fee_zh: String::new(),
            fee_en: String::new(),
            parts: vec![],
            checklist: vec![],
            fees: vec![],
        }
    }

    const ID: &str = "11010519491231002X";

    fn holder(name: &str, share: &str, mobile: &str) -> PartyForm {
        PartyForm {
            role: "right_holder".into(),
            name: name.into(),
            id_type: "resident_id".into(),
            id_number: ID.into(),
            mobile: mobile.into(),
            share: share.into(),
        }
    }

    #[test]
    fn two_right_holders_need_shares_that_add_up() {
        let m = matter(vec![PartyRole::RightHolder], false);
        let ok = [
            holder("张三", "50", "13800138000"),
            holder("李四", "50%", "13900139000"),
        ];
        assert!(validate_parties(&ok, &m).is_empty());
        let bad = [
            holder("张三", "60", "13800138000"),
            holder("李四", "50", "13900139000"),
        ];
        let e = validate_parties(&bad, &m);
        assert_eq!(e, vec![("parties".to_string(), DomainError::SharesSum)]);
        let missing = [
            holder("张三", "", "13800138000"),
            holder("李四", "50", "13900139000"),
        ];
        assert_eq!(validate_parties(&missing, &m)[0].0, "party0_share");
    }

    #[test]
    fn every_role_of_the_matter_must_be_present() {
        let m = matter(vec![PartyRole::RightHolder, PartyRole::Obligor], false);
        let e = validate_parties(&[holder("张三", "", "13800138000")], &m);
        assert_eq!(
            e,
            vec![(
                "parties".to_string(),
                DomainError::PartyMissing {
                    role: PartyRole::Obligor
                }
            )]
        );
    }

    #[test]
    fn a_wrong_id_check_character_names_the_expected_one() {
        let m = matter(vec![PartyRole::RightHolder], false);
        let mut p = holder("张三", "", "13800138000");
        p.id_number = "110105194912310021".into();
        let e = validate_parties(&[p], &m);
        assert_eq!(
            e,
            vec![(
                "party0_id_number".to_string(),
                DomainError::IdChecksum { expected: 'X' }
            )]
        );
    }

    #[test]
    fn a_name_is_not_a_formula_and_carries_no_hidden_characters() {
        let m = matter(vec![PartyRole::RightHolder], false);
        for (name, err) in [
            ("=HYPERLINK(\"http://x\")", DomainError::FormulaLike),
            ("@张三", DomainError::FormulaLike),
            ("张\u{202E}三", DomainError::HiddenChars),
            ("张\u{0}三", DomainError::HiddenChars),
        ] {
            let mut p = holder(name, "", "13800138000");
            p.id_number = "11010519491231002X".into();
            let e = validate_parties(&[p], &m);
            assert_eq!(e, vec![("party0_name".to_string(), err)], "{name:?}");
        }
    }

    #[test]
    fn apply_keeps_invalid_values_and_normalises_full_width() {
        let m = matter(vec![PartyRole::RightHolder], false);
        let mut d = Draft::new_for(&m);
        let f: HashMap<String, String> = [
            ("party0_name", " 张三 "),
            ("party0_role", "right_holder"),
            ("party0_id_type", "resident_id"),
            ("party0_id_number", "１１０１０５"),
            ("party0_mobile", "１３８００１３８０００"),
            ("party0_share", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        d.apply(Step::Parties, &f);
        assert_eq!(d.parties[0].name, "张三");
        assert_eq!(d.parties[0].id_number, "110105");
        assert_eq!(d.parties[0].mobile, "13800138000");
    }

    #[test]
    fn filing_for_oneself_requires_being_a_party() {
        let parties = [holder("张三", "", "13800138000")];
        let a = AgentForm {
            filing_for: "self".into(),
            ..AgentForm::default()
        };
        assert!(validate_agent(&a, &parties, "13800138000").is_empty());
        assert_eq!(
            validate_agent(&a, &parties, "13700137000"),
            vec![("filing_for".to_string(), DomainError::FilerNotParty)]
        );
    }

    #[test]
    fn risk_notice_must_be_acknowledged_on_notice_matters() {
        let m = matter(vec![PartyRole::RightHolder], true);
        let mut d = Draft::new_for(&m);
        d.declarations.truthful = true;
        assert_eq!(
            d.validate(Step::Declarations, &m, ""),
            vec![("risk_ack".to_string(), DomainError::MustAccept)]
        );
        d.declarations.risk_ack = true;
        assert!(d.validate(Step::Declarations, &m, "").is_empty());
    }

    #[test]
    fn receipts_round_trip_and_reject_look_alikes() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let r = format_receipt(date, &[0, 1, 2, 3, 4, 5, 6, 255]);
        assert!(r.starts_with("261124-"));
        assert_eq!(normalize_receipt(&r.to_lowercase()), Some(r.clone()));
        assert_eq!(normalize_receipt(&r.replace('-', " ")), Some(r.clone()));
        assert_eq!(normalize_receipt("261124-0OIL-1234"), None);
        assert_eq!(normalize_receipt("nonsense"), None);
    }

    #[test]
    fn names_are_masked_for_public_pages() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳明月"), "欧**月");
        assert_eq!(mask_name("李"), "*");
    }
}

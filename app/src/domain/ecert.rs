//! Electronic certificates and proofs (电子证照): what the centre states and
//! seals when a case is issued, the verification code printed on it, and
//! what a verifier is shown. Pure: the seal itself (Ed25519) is applied by
//! `ops::seal`, the PDF drawn by the server.
//!
//! The statement is the authority: its canonical JSON (fields in the order
//! below, no whitespace) is what the centre's key signs, so anyone holding
//! the published public key can check a statement and its signature offline.

use serde::{Deserialize, Serialize};

use super::catalogue::{Family, PartyRole};
use super::Lang;

/// Which document a case's issue makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EcertKind {
    /// 不动产权证书: ownership (first registration, transfers, changes,
    /// corrections of a right holder's right).
    Certificate,
    /// 不动产登记证明: a mortgage, its cancellation, an advance notice, an
    /// objection, a seizure.
    Proof,
    /// 不动产登记信息查询结果: what the register held for an owner when
    /// they asked (`domain::register`); never made by a case.
    RegisterResult,
}

impl EcertKind {
    pub fn code(self) -> &'static str {
        match self {
            EcertKind::Certificate => "certificate",
            EcertKind::Proof => "proof",
            EcertKind::RegisterResult => "register_result",
        }
    }

    pub fn from_code(s: &str) -> Option<EcertKind> {
        match s {
            "certificate" => Some(EcertKind::Certificate),
            "proof" => Some(EcertKind::Proof),
            "register_result" => Some(EcertKind::RegisterResult),
            _ => None,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (EcertKind::Certificate, Lang::Zh) => "不动产权证书（电子证照）",
            (EcertKind::Certificate, Lang::En) => "Real estate certificate (electronic)",
            (EcertKind::Proof, Lang::Zh) => "不动产登记证明（电子证照）",
            (EcertKind::Proof, Lang::En) => "Proof of registration (electronic)",
            (EcertKind::RegisterResult, Lang::Zh) => "不动产登记信息查询结果",
            (EcertKind::RegisterResult, Lang::En) => {
                "Register query result (proof of what is registered)"
            }
        }
    }

    /// The word in a unified certificate number: 不动产权 or 不动产证明.
    pub fn number_word(self) -> &'static str {
        match self {
            EcertKind::Certificate => "不动产权",
            EcertKind::Proof | EcertKind::RegisterResult => "不动产证明",
        }
    }

    /// What a matter issues: a proof where the right is not ownership (a
    /// mortgage, a cancellation, a notice, an objection, a seizure) or the
    /// matter has no right holder of its own; a certificate otherwise.
    pub fn for_matter(family: Family, party_roles: &[PartyRole]) -> EcertKind {
        let holder = party_roles
            .iter()
            .any(|r| matches!(r, PartyRole::RightHolder | PartyRole::Heir));
        match family {
            Family::Cancellation | Family::AdvanceNotice | Family::Objection | Family::Seizure => {
                EcertKind::Proof
            }
            _ if holder => EcertKind::Certificate,
            _ => EcertKind::Proof,
        }
    }
}

/// Where an electronic document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EcertStatus {
    Valid,
    /// A later registration on the same unit replaced it.
    Superseded,
    /// Withdrawn by the centre (a correction, a court's order).
    Revoked,
}

impl EcertStatus {
    pub fn code(self) -> &'static str {
        match self {
            EcertStatus::Valid => "valid",
            EcertStatus::Superseded => "superseded",
            EcertStatus::Revoked => "revoked",
        }
    }

    pub fn from_code(s: &str) -> Option<EcertStatus> {
        match s {
            "valid" => Some(EcertStatus::Valid),
            "superseded" => Some(EcertStatus::Superseded),
            "revoked" => Some(EcertStatus::Revoked),
            _ => None,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (EcertStatus::Valid, Lang::Zh) => "有效",
            (EcertStatus::Valid, Lang::En) => "Valid",
            (EcertStatus::Superseded, Lang::Zh) => "已被新的登记取代，不再有效",
            (EcertStatus::Superseded, Lang::En) => {
                "Superseded by a later registration; no longer valid"
            }
            (EcertStatus::Revoked, Lang::Zh) => "已被登记机构注销，不再有效",
            (EcertStatus::Revoked, Lang::En) => "Revoked by the registration centre; not valid",
        }
    }
}

/// A right holder (or, on a proof, the holder of the proved right) and
/// their share as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub name: String,
    /// "共同共有", "按份共有 60%", or "单独所有".
    pub share: String,
}

/// What the centre states and signs. The field order is the canonical order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Format version of this statement.
    pub v: u32,
    pub kind: EcertKind,
    /// The verification code (16 characters, see [`new_code`]).
    pub code: String,
    /// 浙(2026)明州市不动产权第0000001号.
    pub number: String,
    /// The matter's name, which is the right or registration stated.
    pub matter: String,
    pub unit_number: String,
    pub address: String,
    pub holders: Vec<Holder>,
    /// The other parties (sellers, mortgagors…), by name.
    pub others: Vec<String>,
    /// 用途 and 面积 as recorded; "以登记簿为准" until the register holds them.
    pub area: String,
    pub usage: String,
    /// Rights and restrictions stated (e.g. the mortgagee on a proof).
    pub remarks: String,
    /// The registration's case number and the receipt it began with.
    pub case_no: String,
    pub receipt_no: String,
    /// The registering site's name.
    pub issuer: String,
    /// 2026-12-05, China time.
    pub issued_on: String,
    /// The seal's key id (the first 16 hex digits of its public key's SHA-256).
    pub key_id: String,
}

impl Statement {
    /// The bytes the seal signs.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Crockford's base-32 alphabet: no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Verification codes are this many characters: 80 random bits.
pub const CODE_LEN: usize = 16;

/// A verification code from 10 random bytes.
pub fn new_code(random: [u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(b);
    }
    (0..CODE_LEN)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// A code as typed or scanned: spaces and dashes dropped, lower case and
/// full-width letters accepted, O read as 0 and I or L as 1. `None` unless
/// it is 16 characters of the alphabet.
pub fn normalize_code(input: &str) -> Option<String> {
    // The QR code's whole address pasted: the code after `code=`.
    let input = match input.find("code=") {
        Some(at) => input[at + 5..].split('&').next().unwrap_or_default(),
        None => input,
    };
    let mut out = String::with_capacity(CODE_LEN);
    for c in super::to_half_width(input).chars() {
        if c.is_whitespace()
            || matches!(
                c,
                '-' | '_' | '.' | '—' | '–' | '‐' | '。' | '·' | '\u{200b}' | '\u{feff}'
            )
        {
            continue;
        }
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
        if out.len() > CODE_LEN {
            return None;
        }
    }
    (out.len() == CODE_LEN).then_some(out)
}

/// `ABCD-EFGH-JKMN-PQRS`: how a code is printed.
pub fn format_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A unified certificate number: `浙(2026)明州市不动产权第0000001号`.
pub fn certificate_number(
    province: &str,
    year: i32,
    city: &str,
    kind: EcertKind,
    serial: i64,
) -> String {
    format!(
        "{province}({year}){city}{}第{serial:07}号",
        kind.number_word()
    )
}

/// A share as stated: empty is 共同共有 when several hold, 单独所有 alone.
pub fn share_words(share: &str, holders: usize) -> String {
    let s = share.trim();
    // One holder owns alone, whatever share was typed (100).
    if holders <= 1 {
        return "单独所有".into();
    }
    if !s.is_empty() {
        let pct = if s.ends_with('%') {
            s.to_string()
        } else {
            format!("{s}%")
        };
        return format!("按份共有 {pct}");
    }
    "共同共有".into()
}

/// What a verifier is shown: the key facts with every name masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    pub code: String,
    pub kind: EcertKind,
    pub status: EcertStatus,
    pub number: String,
    pub matter: String,
    pub unit_number: String,
    pub address: String,
    /// Masked names with their shares.
    pub holders: Vec<Holder>,
    pub issued_on: String,
    pub issuer: String,
    /// When superseded or revoked (China time), with the centre's reason for a revocation.
    pub changed_on: String,
    pub reason: String,
    /// Whether the stored signature checked against the published key.
    pub seal_ok: bool,
    pub key_id: String,
}

impl Verified {
    pub fn from_statement(
        s: &Statement,
        status: EcertStatus,
        changed_on: String,
        reason: String,
        seal_ok: bool,
    ) -> Verified {
        Verified {
            code: s.code.clone(),
            kind: s.kind,
            status,
            number: s.number.clone(),
            matter: s.matter.clone(),
            unit_number: s.unit_number.clone(),
            address: s.address.clone(),
            holders: s
                .holders
                .iter()
                .map(|h| Holder {
                    name: super::application::mask_name(&h.name),
                    share: h.share.clone(),
                })
                .collect(),
            issued_on: s.issued_on.clone(),
            issuer: s.issuer.clone(),
            changed_on,
            reason,
            seal_ok,
            key_id: s.key_id.clone(),
        }
    }
}

/// Where a document's QR code leads: the public verification page.
pub fn verify_url(public_base: &str, code: &str) -> String {
    format!("{}/verify?code={code}", public_base.trim_end_matches('/'))
}

/// The document as printed: every fact of the statement, the verification
/// code and how to check it, the seal's signature in full.
pub fn letter(s: &Statement, signature: &str, public_base: &str) -> super::letter::Letter {
    let holders = s
        .holders
        .iter()
        .map(|h| format!("{}（{}）", h.name, h.share))
        .collect::<Vec<_>>()
        .join("、");
    // A proof (不动产登记证明) names its right holder as the applicant
    // (e.g. the bank of a mortgage) and the others as obligors, as the
    // official form does: nobody reads the bank as the flat's owner.
    let proof = s.kind == EcertKind::Proof;
    let mut fields = vec![
        (
            if proof {
                "权利人（申请人）"
            } else {
                "权利人"
            }
            .to_string(),
            holders,
        ),
        ("不动产单元号".to_string(), s.unit_number.clone()),
        ("坐落".to_string(), s.address.clone()),
        ("登记事项".to_string(), s.matter.clone()),
        ("用途".to_string(), s.usage.clone()),
        ("面积".to_string(), s.area.clone()),
    ];
    if !s.others.is_empty() {
        fields.push((
            if proof { "义务人" } else { "义务人等" }.to_string(),
            s.others.join("、"),
        ));
    }
    if !s.remarks.is_empty() {
        fields.push(("权利其他状况".to_string(), s.remarks.clone()));
    }
    fields.extend([
        ("业务号".to_string(), s.case_no.clone()),
        ("登记日期".to_string(), s.issued_on.clone()),
        ("验证码".to_string(), format_code(&s.code)),
    ]);
    super::letter::Letter {
        kind: None,
        title: s.kind.label(Lang::Zh).to_string(),
        subtitle: s.kind.label(Lang::En).to_string(),
        number: s.number.clone(),
        fields,
        paragraphs: vec![
            format!(
                "本证照由登记机构电子印章签发，与纸质证书具有同等效力。扫描二维码或访问 {}/verify 输入验证码，可查验其是否有效、是否已被新的登记取代；也可上传本文件核对是否被改动。",
                public_base.trim_end_matches('/')
            ),
            format!("电子印章 Seal key {}（公钥见 /verify/key）", s.key_id),
            format!(
                "签名 Signature (Ed25519): {}",
                signature
                    .as_bytes()
                    .chunks(22)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ],
        issuer: vec![s.issuer.clone()],
        date: s.issued_on.clone(),
        qr_url: verify_url(public_base, &s.code),
        qr_caption: "扫码查验 Scan to verify".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_characters_of_the_alphabet_and_read_back() {
        let c = new_code([0xff; 10]);
        assert_eq!(c, "ZZZZZZZZZZZZZZZZ");
        let c = new_code([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(c.len(), CODE_LEN);
        assert_eq!(normalize_code(&c).as_deref(), Some(c.as_str()));
        assert_eq!(
            normalize_code(&format_code(&c)).as_deref(),
            Some(c.as_str())
        );
        assert_eq!(
            normalize_code(&format_code(&c).to_lowercase()).as_deref(),
            Some(c.as_str())
        );
    }

    #[test]
    fn misreadable_letters_are_read_as_digits_and_junk_is_refused() {
        assert_eq!(
            normalize_code("oooo-iiii-llll-0000").as_deref(),
            Some("0000111111110000")
        );
        assert_eq!(
            normalize_code("ＡＢＣＤ ＥＦＧＨ ＪＫＭＮ ＰＱＲＳ").as_deref(),
            Some("ABCDEFGHJKMNPQRS")
        );
        assert_eq!(normalize_code("ABCD"), None);
        assert_eq!(normalize_code("ABCDEFGHJKMNPQRSTV"), None);
        assert_eq!(normalize_code("ABCDEFGHJKMNPQRU"), None);
        assert_eq!(normalize_code("ABCDEFGHJKMNPQR中"), None);
        assert_eq!(normalize_code(""), None);
        assert_eq!(
            normalize_code("http://127.0.0.1:3000/verify?code=ABCDEFGHJKMNPQRS&x=1").as_deref(),
            Some("ABCDEFGHJKMNPQRS")
        );
        assert_eq!(
            normalize_code("ABCD—EFGH–JKMN_PQRS。").as_deref(),
            Some("ABCDEFGHJKMNPQRS")
        );
    }

    #[test]
    fn numbers_parse_as_unified_certificate_numbers() {
        for kind in [EcertKind::Certificate, EcertKind::Proof] {
            let n = certificate_number("浙", 2026, "明州市", kind, 42);
            let parsed = crate::domain::CertificateNumber::parse(&n).expect(&n);
            assert_eq!(parsed.as_str(), n);
            assert_eq!(
                parsed.kind(),
                match kind {
                    EcertKind::Certificate => crate::domain::CertificateKind::Right,
                    EcertKind::Proof | EcertKind::RegisterResult => {
                        crate::domain::CertificateKind::Proof
                    }
                }
            );
        }
    }

    #[test]
    fn mortgages_and_cancellations_are_proofs_transfers_certificates() {
        use EcertKind::*;
        use PartyRole::*;
        assert_eq!(
            EcertKind::for_matter(Family::First, &[Mortgagor, Mortgagee]),
            Proof
        );
        assert_eq!(
            EcertKind::for_matter(Family::Cancellation, &[Mortgagee, Mortgagor]),
            Proof
        );
        assert_eq!(
            EcertKind::for_matter(Family::Transfer, &[RightHolder, Obligor]),
            Certificate
        );
        assert_eq!(
            EcertKind::for_matter(Family::Transfer, &[Heir]),
            Certificate
        );
        assert_eq!(
            EcertKind::for_matter(Family::AdvanceNotice, &[RightHolder, Obligor]),
            Proof
        );
    }

    #[test]
    fn the_canonical_form_is_stable_and_covers_every_fact() {
        let s = Statement {
            v: 1,
            kind: EcertKind::Proof,
            code: "ABCDEFGHJKMNPQRS".into(),
            number: "浙(2026)明州市不动产证明第0000001号".into(),
            matter: "抵押权注销登记".into(),
            unit_number: "320684413219GB00029F00010002".into(),
            address: "明州市鄞州区天童南路 1 号".into(),
            holders: vec![Holder {
                name: "张三".into(),
                share: "单独所有".into(),
            }],
            others: vec![],
            area: "以登记簿为准".into(),
            usage: "以登记簿为准".into(),
            remarks: String::new(),
            case_no: "2026-001".into(),
            receipt_no: "R1".into(),
            issuer: "明州市不动产登记中心".into(),
            issued_on: "2026-12-05".into(),
            key_id: "0011223344556677".into(),
        };
        let a = s.canonical();
        assert_eq!(a, s.clone().canonical());
        let mut t = s.clone();
        t.holders[0].name = "李四".into();
        assert_ne!(a, t.canonical());
        let text = String::from_utf8(a).unwrap();
        assert!(text.starts_with("{\"v\":1,\"kind\":\"proof\",\"code\":\"ABCDEFGHJKMNPQRS\""));
        let v =
            Verified::from_statement(&s, EcertStatus::Valid, String::new(), String::new(), true);
        assert_eq!(v.holders[0].name, "张*");
        // A proof names its holder as the applicant and the others as
        // obligors (nobody reads a mortgage cancellation's bank as owner);
        // a certificate keeps 权利人.
        let mut with_owner = s.clone();
        with_owner.others = vec!["周八".into()];
        let labels = |s: &Statement| -> Vec<String> {
            letter(s, "sig", "https://x")
                .fields
                .into_iter()
                .map(|f| f.0)
                .collect()
        };
        let proof = labels(&with_owner);
        assert!(proof.contains(&"权利人（申请人）".to_string()));
        assert!(proof.contains(&"义务人".to_string()));
        with_owner.kind = EcertKind::Certificate;
        let cert = labels(&with_owner);
        assert!(cert.contains(&"权利人".to_string()));
        assert!(cert.contains(&"义务人等".to_string()));
    }

    #[test]
    fn shares_in_words() {
        assert_eq!(share_words("", 1), "单独所有");
        assert_eq!(share_words("", 2), "共同共有");
        assert_eq!(share_words("60", 2), "按份共有 60%");
        assert_eq!(share_words("40%", 2), "按份共有 40%");
        assert_eq!(share_words("100", 1), "单独所有");
    }
}

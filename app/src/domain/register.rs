//! The register (不动产登记簿): the kinds of entry it holds, the automatic
//! checks of an application against it, what a case's entry in the
//! register (登簿) changes, and the rows of a centre's export. Pure: the
//! server loads a unit's standing, asks [`checks`] or [`plan`], and writes
//! the changes in the transaction that moves the case.
//!
//! An entry is current (现势) until a later registration ends it, then
//! historical (历史); nothing is erased.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::application::{check_id_number, parse_share, IdType};
use super::catalogue::PartyRole;
use super::{normalize_compact, CertificateNumber, Lang, UnitNumber};

/// What an entry registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RightKind {
    /// 所有权 (with the land-use right): who owns the unit, by shares.
    Ownership,
    /// 抵押权: the mortgagee and the secured amount.
    Mortgage,
    /// 预告登记: a buyer's advance notice on a pre-sold home.
    Notice,
    /// 预购商品房抵押预告: the bank's advance notice of a mortgage.
    MortgageNotice,
    /// 查封: a court's seizure.
    Seizure,
    /// 异议登记: an objection to what the register says.
    Objection,
}

pub const KINDS: [RightKind; 6] = [
    RightKind::Ownership,
    RightKind::Mortgage,
    RightKind::Notice,
    RightKind::MortgageNotice,
    RightKind::Seizure,
    RightKind::Objection,
];

impl RightKind {
    pub fn code(self) -> &'static str {
        match self {
            RightKind::Ownership => "ownership",
            RightKind::Mortgage => "mortgage",
            RightKind::Notice => "notice",
            RightKind::MortgageNotice => "mortgage_notice",
            RightKind::Seizure => "seizure",
            RightKind::Objection => "objection",
        }
    }

    pub fn from_code(s: &str) -> Option<RightKind> {
        KINDS.into_iter().find(|k| k.code() == s)
    }

    /// The words a centre's export uses for it (Chinese or the code).
    pub fn from_word(s: &str) -> Option<RightKind> {
        let s = normalize_compact(s).to_lowercase();
        Some(match s.as_str() {
            "所有权" | "房屋所有权" | "国有建设用地使用权及房屋所有权" | "ownership" => {
                RightKind::Ownership
            }
            "抵押" | "抵押权" | "mortgage" => RightKind::Mortgage,
            "预告" | "预告登记" | "预购商品房预告登记" | "notice" => {
                RightKind::Notice
            }
            "预抵押" | "抵押预告" | "抵押权预告登记" | "mortgage_notice" => {
                RightKind::MortgageNotice
            }
            "查封" | "seizure" => RightKind::Seizure,
            "异议" | "异议登记" | "objection" => RightKind::Objection,
            _ => return None,
        })
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (RightKind::Ownership, Lang::Zh) => "所有权",
            (RightKind::Ownership, Lang::En) => "Ownership",
            (RightKind::Mortgage, Lang::Zh) => "抵押权",
            (RightKind::Mortgage, Lang::En) => "Mortgage",
            (RightKind::Notice, Lang::Zh) => "预告登记",
            (RightKind::Notice, Lang::En) => "Advance notice",
            (RightKind::MortgageNotice, Lang::Zh) => "抵押预告登记",
            (RightKind::MortgageNotice, Lang::En) => "Advance notice of a mortgage",
            (RightKind::Seizure, Lang::Zh) => "查封",
            (RightKind::Seizure, Lang::En) => "Seizure",
            (RightKind::Objection, Lang::Zh) => "异议登记",
            (RightKind::Objection, Lang::En) => "Objection",
        }
    }

    /// A restriction (限制): it burdens the unit rather than owning it.
    pub fn is_restriction(self) -> bool {
        !matches!(self, RightKind::Ownership)
    }
}

/// Who holds an entry: a person or an organisation, its ID number as
/// normalised, and the share in percent ('' for a sole or joint holder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub name: String,
    pub id_number: String,
    pub share: String,
}

/// A unit's natural facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub unit_number: String,
    pub address: String,
    /// Floor area in square metres, as written ("89.50").
    pub area: String,
    pub usage: String,
    pub project: String,
    pub building: String,
}

/// An entry of the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub kind: RightKind,
    pub holders: Vec<Holder>,
    pub certificate_no: String,
    /// The secured amount of a mortgage, in fen.
    pub amount_fen: Option<i64>,
    /// The other side in words (the mortgagors, a notice's seller).
    pub obligors: String,
    pub note: String,
    pub valid_from: i64,
    pub valid_to: Option<i64>,
    pub made_by: Option<String>,
    pub ended_by: Option<String>,
}

impl Entry {
    fn held_by(&self, id_number: &str) -> bool {
        self.holders.iter().any(|h| h.id_number == id_number)
    }

    fn holder_ids(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.holders.iter().map(|h| h.id_number.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// A unit and its current entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub unit: Unit,
    pub current: Vec<Entry>,
}

impl Standing {
    fn of(&self, kind: RightKind) -> impl Iterator<Item = &Entry> {
        self.current.iter().filter(move |e| e.kind == kind)
    }
}

/// A party of the case, as the register compares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseParty {
    pub role: PartyRole,
    pub name: String,
    pub id_number: String,
    pub share: String,
}

/// What the register needs to know of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub matter_code: String,
    /// The matters a combined matter is made of (empty for a single one).
    pub parts: Vec<String>,
    pub parties: Vec<CaseParty>,
    /// As filed (either may be empty).
    pub unit_number: String,
    pub certificate_no: String,
    pub address: String,
    /// The secured amount filed, for a matter that registers a mortgage.
    pub amount_fen: Option<i64>,
}

impl CaseFacts {
    fn has(&self, code: &str) -> bool {
        if self.parts.is_empty() {
            self.matter_code == code
        } else {
            self.parts.iter().any(|p| p == code)
        }
    }

    fn with_role(&self, role: PartyRole) -> impl Iterator<Item = &CaseParty> {
        self.parties.iter().filter(move |p| p.role == role)
    }

    fn ids(&self, role: PartyRole) -> Vec<&str> {
        let mut v: Vec<&str> = self.with_role(role).map(|p| p.id_number.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn names(&self, role: PartyRole) -> String {
        let mut v: Vec<&str> = Vec::new();
        for p in self.with_role(role) {
            if !v.contains(&p.name.as_str()) {
                v.push(&p.name);
            }
        }
        v.join("、")
    }

    /// A transfer of ownership: to buyers or to heirs.
    fn transfer(&self) -> bool {
        self.has("NEW-HOME-TRANSFER") || self.has("RESALE-TRANSFER") || self.has("INHERITANCE")
    }

    fn first(&self) -> bool {
        self.has("FIRST-BUILDING")
    }

    fn notices(&self) -> bool {
        self.has("PRESALE-NOTICE") || self.has("PREMORTGAGE-NOTICE")
    }

    /// The matter's entry in the register is done by hand (a change of a
    /// holder's name, a correction): 登簿 changes no entry by itself.
    pub fn by_hand(&self) -> bool {
        !(self.transfer()
            || self.first()
            || self.notices()
            || self.has("MORTGAGE-FIRST")
            || self.has("MORTGAGE-CANCEL"))
    }

    /// The new owners a transfer or first registration starts.
    fn new_owners(&self) -> Vec<&CaseParty> {
        let role = if self.has("INHERITANCE") {
            PartyRole::Heir
        } else {
            PartyRole::RightHolder
        };
        self.with_role(role).collect()
    }

    /// Who must hold the unit now: the sellers of a transfer (not of an
    /// inheritance: the deceased is not a party), the mortgagors of a
    /// mortgage on an owned home, the developer of a pre-sale.
    fn must_hold(&self) -> Option<(PartyRole, Vec<&str>)> {
        if self.has("NEW-HOME-TRANSFER")
            || self.has("RESALE-TRANSFER")
            || self.has("PRESALE-NOTICE")
        {
            return Some((PartyRole::Obligor, self.ids(PartyRole::Obligor)));
        }
        if self.has("MORTGAGE-FIRST") && !self.transfer() {
            return Some((PartyRole::Mortgagor, self.ids(PartyRole::Mortgagor)));
        }
        None
    }
}

/// One automatic check's outcome, worded for the clerk (with the
/// register's names) and for the applicant (without them: whoever filed
/// may not be the owner, and learns nothing of who is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub code: &'static str,
    pub pass: bool,
    pub zh: String,
    pub en: String,
    pub public_zh: String,
    pub public_en: String,
}

fn check(code: &'static str, pass: bool, zh: String, en: String, public: (&str, &str)) -> Check {
    Check {
        code,
        pass,
        zh,
        en,
        public_zh: public.0.to_string(),
        public_en: public.1.to_string(),
    }
}

/// A share as the register keeps it: '' for one holder, else the percent
/// without trailing zeros ("50", "33.33").
pub fn share_text(share: &str, holders: usize) -> String {
    if holders <= 1 {
        return String::new();
    }
    match parse_share(share) {
        Some(v) => {
            let s = format!("{v:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        None => String::new(),
    }
}

fn holders_words(holders: &[Holder]) -> String {
    holders
        .iter()
        .map(|h| {
            if h.share.is_empty() {
                h.name.clone()
            } else {
                format!("{}（{}%）", h.name, h.share)
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn same_certificate(a: &str, b: &str) -> bool {
    let n = |s: &str| {
        CertificateNumber::parse(s)
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|_| normalize_compact(s))
    };
    !a.trim().is_empty() && n(a) == n(b)
}

/// The checks of an application against the register: only those its
/// matter calls for. `standing` is the unit as found (by its number, or
/// by the certificate number where no unit number was filed).
pub fn checks(c: &CaseFacts, standing: Option<&Standing>) -> Vec<Check> {
    let mut out = Vec::new();
    let unit_words = if c.unit_number.trim().is_empty() {
        format!("证书号 {}", c.certificate_no.trim())
    } else {
        format!("单元号 {}", c.unit_number.trim())
    };
    let Some(s) = standing else {
        // A first registration or a notice on a home not yet registered
        // creates the unit; anything else needs it in the register.
        if c.first() || (c.notices() && !c.transfer()) {
            out.push(check(
                "reg_unit",
                !c.unit_number.trim().is_empty(),
                format!("该单元尚未登记，登簿时将建立（{unit_words}）"),
                "The unit is not registered yet; the entry creates it".into(),
                ("", ""),
            ));
        } else {
            out.push(check(
                "reg_unit",
                false,
                format!("登记簿中没有该不动产（{unit_words}）"),
                "The register holds no such unit".into(),
                (
                    "经核对不动产登记簿，未找到您填写的不动产单元号或证书号，请核对后重新填写。",
                    "The register holds no unit with the unit or certificate number you gave: check it and correct it.",
                ),
            ));
        }
        return out;
    };
    let owners: Vec<&Entry> = s.of(RightKind::Ownership).collect();
    if c.first() {
        out.push(check(
            "reg_unit",
            owners.is_empty(),
            if owners.is_empty() {
                "该单元尚无所有权登记".into()
            } else {
                format!("该单元已登记所有权：{}", holders_words(&owners[0].holders))
            },
            if owners.is_empty() {
                "The unit has no ownership registered yet".into()
            } else {
                "The unit already has a registered owner".into()
            },
            (
                "该不动产已办理过首次登记。",
                "The unit is registered already.",
            ),
        ));
    } else {
        out.push(check(
            "reg_unit",
            true,
            format!("登记簿中有该不动产：{}", s.unit.address),
            format!("The unit is in the register: {}", s.unit.address),
            ("", ""),
        ));
    }
    // The certificate number filed is the unit's current one.
    if !c.certificate_no.trim().is_empty() {
        let kinds: &[RightKind] = if c.has("MORTGAGE-CANCEL") {
            &[RightKind::Ownership, RightKind::Mortgage]
        } else {
            &[RightKind::Ownership, RightKind::Notice]
        };
        let found = s
            .current
            .iter()
            .filter(|e| kinds.contains(&e.kind))
            .any(|e| same_certificate(&c.certificate_no, &e.certificate_no));
        let registered: Vec<&str> = s
            .current
            .iter()
            .filter(|e| kinds.contains(&e.kind) && !e.certificate_no.is_empty())
            .map(|e| e.certificate_no.as_str())
            .collect();
        out.push(check(
            "reg_certificate",
            found,
            if found {
                "证书号与登记簿一致".into()
            } else {
                format!(
                    "证书号与登记簿不符：登记簿为 {}",
                    if registered.is_empty() {
                        "（无）".to_string()
                    } else {
                        registered.join("、")
                    }
                )
            },
            if found {
                "The certificate number matches the register".into()
            } else {
                "The certificate number does not match the register".into()
            },
            (
                "填写的不动产权证书号与登记簿记载不一致，请核对证书后重新填写。",
                "The certificate number you gave is not the one the register holds for this unit: check the certificate and correct it.",
            ),
        ));
    }
    // The sellers (mortgagors, developer) are the current holders, with
    // these shares.
    if let Some((role, ids)) = c.must_hold() {
        if let Some(own) = owners.first() {
            let want = own.holder_ids();
            let mut pass = want == ids;
            if pass {
                // Shares, where the application states them.
                for p in c.with_role(role) {
                    if p.share.trim().is_empty() {
                        continue;
                    }
                    let mine = parse_share(&p.share);
                    let theirs = own
                        .holders
                        .iter()
                        .find(|h| h.id_number == p.id_number)
                        .map(|h| {
                            if h.share.is_empty() {
                                100.0 / own.holders.len() as f64
                            } else {
                                parse_share(&h.share).unwrap_or(0.0)
                            }
                        });
                    if mine.zip(theirs).is_none_or(|(a, b)| (a - b).abs() > 0.01) {
                        pass = false;
                    }
                }
            }
            let who = if role == PartyRole::Mortgagor {
                ("抵押人", "mortgagors")
            } else {
                ("义务人（出卖人）", "sellers")
            };
            out.push(check(
                "reg_holders",
                pass,
                if pass {
                    format!("{}与登记簿现权利人一致：{}", who.0, holders_words(&own.holders))
                } else {
                    format!(
                        "{}与登记簿不符。登记簿现权利人：{}；申请中：{}",
                        who.0,
                        holders_words(&own.holders),
                        c.with_role(role)
                            .map(|p| if p.share.trim().is_empty() {
                                p.name.clone()
                            } else {
                                format!("{}（{}%）", p.name, p.share.trim().trim_end_matches('%'))
                            })
                            .collect::<Vec<_>>()
                            .join("、")
                    )
                },
                if pass {
                    format!("The {} are the registered owners, with these shares", who.1)
                } else {
                    format!("The {} are not the registered owners (or the shares differ)", who.1)
                },
                (
                    "经核对不动产登记簿，申请中的出卖人（义务人）或抵押人与登记的权利人不一致（或份额不一致）。须由登记的全部权利人按登记份额申请。",
                    "The register does not show the sellers (or mortgagors) named in the application as the owners, or not with these shares. Every registered owner must apply, with the registered shares.",
                ),
            ));
        } else if role != PartyRole::Obligor || !c.has("PRESALE-NOTICE") {
            out.push(check(
                "reg_holders",
                false,
                "登记簿中该单元没有现势所有权".into(),
                "The unit has no current ownership in the register".into(),
                (
                    "经核对不动产登记簿，该不动产没有可处分的所有权登记。",
                    "The register shows no ownership of this unit that could be sold or mortgaged.",
                ),
            ));
        }
    }
    // The mortgage to be cancelled or transferred is registered to this bank.
    if c.has("MORTGAGE-CANCEL") {
        let banks = c.ids(PartyRole::Mortgagee);
        let found = s
            .of(RightKind::Mortgage)
            .any(|e| banks.iter().any(|b| e.held_by(b)));
        let registered: Vec<String> = s
            .of(RightKind::Mortgage)
            .map(|e| holders_words(&e.holders))
            .collect();
        out.push(check(
            "reg_mortgage",
            found,
            if found {
                "该银行的抵押权在登记簿中现势有效".into()
            } else if registered.is_empty() {
                "登记簿中该单元没有现势抵押权".into()
            } else {
                format!(
                    "登记簿中的抵押权人为 {}，与申请中的抵押权人不符",
                    registered.join("、")
                )
            },
            if found {
                "The bank's mortgage is current in the register".into()
            } else {
                "No current mortgage of this bank is registered on the unit".into()
            },
            (
                "经核对不动产登记簿，该不动产上没有以申请中的银行为抵押权人的抵押登记。",
                "The register shows no mortgage of the bank named in the application on this unit.",
            ),
        ));
    }
    // No seizure or objection (a mortgage's cancellation and a correction
    // may go on under either).
    if (c.transfer() || !c.has("MORTGAGE-CANCEL")) && c.matter_code != "CORRECTION" {
        let blocks: Vec<&Entry> = s
            .current
            .iter()
            .filter(|e| matches!(e.kind, RightKind::Seizure | RightKind::Objection))
            .collect();
        out.push(check(
            "reg_restrictions",
            blocks.is_empty(),
            if blocks.is_empty() {
                "该单元没有查封或异议登记".into()
            } else {
                blocks
                    .iter()
                    .map(|e| {
                        format!(
                            "{}：{}{}",
                            e.kind.label(Lang::Zh),
                            holders_words(&e.holders),
                            if e.note.is_empty() {
                                String::new()
                            } else {
                                format!("（{}）", e.note)
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；")
            },
            if blocks.is_empty() {
                "No seizure or objection on the unit".into()
            } else {
                "The unit is seized or under an objection".into()
            },
            (
                "经核对不动产登记簿，该不动产存在查封或异议登记，暂不能办理本事项。",
                "The register shows a seizure or an objection on this unit: this matter cannot go ahead now.",
            ),
        ));
    }
    // No open advance notice for anyone but this case's buyers.
    if c.transfer() || c.has("MORTGAGE-FIRST") || c.has("PRESALE-NOTICE") {
        let buyers = c.ids(PartyRole::RightHolder);
        let other: Vec<&Entry> = s
            .of(RightKind::Notice)
            .filter(|e| e.holder_ids() != buyers || c.has("PRESALE-NOTICE"))
            .filter(|e| {
                !(c.has("MORTGAGE-FIRST")
                    && !c.transfer()
                    && e.holder_ids() == c.ids(PartyRole::Mortgagor))
            })
            .collect();
        out.push(check(
            "reg_notice",
            other.is_empty(),
            if other.is_empty() {
                "没有他人的预告登记".into()
            } else {
                format!(
                    "已有他人的预告登记：{}",
                    other
                        .iter()
                        .map(|e| holders_words(&e.holders))
                        .collect::<Vec<_>>()
                        .join("；")
                )
            },
            if other.is_empty() {
                "No advance notice for anyone else".into()
            } else {
                "An advance notice for another buyer is registered".into()
            },
            (
                "经核对不动产登记簿，该不动产已有他人的预告登记，未经预告登记权利人同意不能办理。",
                "The register holds an advance notice for another buyer on this unit: this cannot go ahead without their consent.",
            ),
        ));
    }
    // A conversion needs the buyers' notice.
    if c.matter_code == "NOTICE-CONVERSION" {
        let buyers = c.ids(PartyRole::RightHolder);
        let found = s.of(RightKind::Notice).any(|e| e.holder_ids() == buyers);
        out.push(check(
            "reg_notice_own",
            found,
            if found {
                "买受人的预告登记现势有效".into()
            } else {
                "登记簿中没有以买受人为权利人的预告登记".into()
            },
            if found {
                "The buyers' advance notice is current".into()
            } else {
                "No advance notice of these buyers is registered".into()
            },
            (
                "经核对不动产登记簿，没有以您为权利人的预告登记，不能办理预转本。",
                "The register holds no advance notice in your name: the conversion cannot go ahead.",
            ),
        ));
    }
    out
}

/// What an applicant returned by the register's checks can do, after the
/// reason (an application cannot be edited once submitted).
pub const PUBLIC_NEXT_STEP: &str = "如申请填写有误，请撤回本申请后重新填写提交；如认为登记簿记载有误，请携带权属证明到登记窗口咨询或申请更正登记。";

/// A new entry 登簿 makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    pub kind: RightKind,
    pub holders: Vec<Holder>,
    pub obligors: String,
    /// The secured amount of a mortgage (or its notice), as filed.
    #[serde(default)]
    pub amount_fen: Option<i64>,
}

/// One change 登簿 makes to the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// The unit enters the register (a first registration, a notice on a
    /// home not yet registered).
    NewUnit(Unit),
    /// A current entry ends (historical from now).
    End {
        id: String,
        kind: RightKind,
        holders: String,
    },
    Start(NewEntry),
}

impl Change {
    /// The change in words, for the clerk's preview and the timeline.
    pub fn words(&self, lang: Lang) -> String {
        match (self, lang) {
            (Change::NewUnit(u), Lang::Zh) => {
                format!("新建不动产单元 {}（{}）", u.unit_number, u.address)
            }
            (Change::NewUnit(u), Lang::En) => {
                format!("New unit {} ({})", u.unit_number, u.address)
            }
            (Change::End { kind, holders, .. }, Lang::Zh) => {
                format!("注销{}：{}（转为历史）", kind.label(Lang::Zh), holders)
            }
            (Change::End { kind, holders, .. }, Lang::En) => {
                format!(
                    "End {}: {} (becomes history)",
                    kind.label(Lang::En),
                    holders
                )
            }
            (Change::Start(n), Lang::Zh) => format!(
                "新增{}：{}{}{}",
                n.kind.label(Lang::Zh),
                holders_words(&n.holders),
                if n.obligors.is_empty() {
                    String::new()
                } else {
                    format!("（义务人：{}）", n.obligors)
                },
                n.amount_fen
                    .map(|f| format!("，债权数额 {} 元", super::fees::yuan(f)))
                    .unwrap_or_default()
            ),
            (Change::Start(n), Lang::En) => format!(
                "New {}: {}{}{}",
                n.kind.label(Lang::En),
                holders_words(&n.holders),
                if n.obligors.is_empty() {
                    String::new()
                } else {
                    format!(" (obligors: {})", n.obligors)
                },
                n.amount_fen
                    .map(|f| format!(", secured amount {} yuan", super::fees::yuan(f)))
                    .unwrap_or_default()
            ),
        }
    }
}

fn holders_of(parties: &[&CaseParty]) -> Vec<Holder> {
    let mut out: Vec<Holder> = Vec::new();
    for p in parties {
        if out.iter().any(|h| h.id_number == p.id_number) {
            continue;
        }
        out.push(Holder {
            name: p.name.clone(),
            id_number: p.id_number.clone(),
            share: p.share.clone(),
        });
    }
    let n = out.len();
    for h in &mut out {
        h.share = share_text(&h.share, n);
    }
    out
}

/// What 登簿 changes for this case, given the unit's standing; the failing
/// checks when it cannot. A matter entered by hand changes nothing.
pub fn plan(c: &CaseFacts, standing: Option<&Standing>) -> Result<Vec<Change>, Vec<Check>> {
    let failed: Vec<Check> = checks(c, standing)
        .into_iter()
        .filter(|k| !k.pass)
        .collect();
    if !failed.is_empty() {
        return Err(failed);
    }
    let mut out = Vec::new();
    if c.by_hand() {
        return Ok(out);
    }
    let empty = Standing::default();
    let s = match standing {
        Some(s) => s,
        None => {
            out.push(Change::NewUnit(Unit {
                unit_number: c.unit_number.trim().to_string(),
                address: c.address.trim().to_string(),
                ..Unit::default()
            }));
            &empty
        }
    };
    let end = |e: &Entry| Change::End {
        id: e.id.clone(),
        kind: e.kind,
        holders: holders_words(&e.holders),
    };
    // Ownership: a transfer ends the sellers' (or the deceased's) and
    // starts the new owners'; its buyers' own notice is fulfilled.
    if c.transfer() || c.first() {
        let owners = c.new_owners();
        let ids = {
            let mut v: Vec<&str> = owners.iter().map(|p| p.id_number.as_str()).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        for e in s.of(RightKind::Ownership) {
            out.push(end(e));
        }
        for e in s.of(RightKind::Notice) {
            if e.holder_ids() == ids {
                out.push(end(e));
            }
        }
        out.push(Change::Start(NewEntry {
            kind: RightKind::Ownership,
            holders: holders_of(&owners),
            obligors: String::new(),
            amount_fen: None,
        }));
    }
    // The old mortgage: ended by its bank's cancellation.
    let banks = c.ids(PartyRole::Mortgagee);
    let mut old_banks: Vec<&str> = Vec::new();
    if c.has("MORTGAGE-CANCEL") {
        for e in s.of(RightKind::Mortgage) {
            if banks.iter().any(|b| e.held_by(b)) {
                old_banks.extend(e.holder_ids());
                out.push(end(e));
            }
        }
    }
    if c.has("MORTGAGE-FIRST") {
        // With two banks in a 带押过户 the new mortgage is the other
        // bank's; with one, the same bank lends again.
        let new: Vec<&CaseParty> = {
            let others: Vec<&CaseParty> = c
                .with_role(PartyRole::Mortgagee)
                .filter(|p| !old_banks.contains(&p.id_number.as_str()))
                .collect();
            if others.is_empty() {
                c.with_role(PartyRole::Mortgagee).collect()
            } else {
                others
            }
        };
        // Its own advance notice is converted (its amount stands unless
        // another is filed).
        let mut noticed = None;
        for e in s.of(RightKind::MortgageNotice) {
            if new.iter().any(|b| e.held_by(&b.id_number)) {
                noticed = noticed.or(e.amount_fen);
                out.push(end(e));
            }
        }
        let obligors = if c.transfer() {
            c.names(PartyRole::RightHolder)
        } else {
            c.names(PartyRole::Mortgagor)
        };
        out.push(Change::Start(NewEntry {
            kind: RightKind::Mortgage,
            holders: holders_of(&new),
            obligors,
            amount_fen: c.amount_fen.or(noticed),
        }));
    }
    if c.has("PRESALE-NOTICE") {
        out.push(Change::Start(NewEntry {
            kind: RightKind::Notice,
            holders: holders_of(&c.with_role(PartyRole::RightHolder).collect::<Vec<_>>()),
            obligors: c.names(PartyRole::Obligor),
            amount_fen: None,
        }));
    }
    if c.has("PREMORTGAGE-NOTICE") {
        let obligors = if c.has("PRESALE-NOTICE") {
            c.names(PartyRole::RightHolder)
        } else {
            c.names(PartyRole::Mortgagor)
        };
        out.push(Change::Start(NewEntry {
            kind: RightKind::MortgageNotice,
            holders: holders_of(&c.with_role(PartyRole::Mortgagee).collect::<Vec<_>>()),
            obligors,
            amount_fen: c.amount_fen,
        }));
    }
    Ok(out)
}

// ---------------------------------------------------------------------
// A centre's export, row by row.

/// The columns of an export, in the template's order: (field, Chinese
/// header, English header, required).
pub const COLUMNS: [(&str, &str, &str, bool); 15] = [
    ("unit_number", "不动产单元号", "unit_number", true),
    ("address", "坐落", "address", true),
    ("area", "面积", "area", false),
    ("usage", "用途", "usage", false),
    ("project", "项目", "project", false),
    ("building", "幢号", "building", false),
    ("kind", "登记类型", "kind", true),
    ("holder", "权利人", "holder", true),
    ("holder_id", "证件号码", "holder_id", false),
    ("share", "份额", "share", false),
    ("amount", "债权数额", "amount", false),
    ("certificate", "证书号", "certificate", false),
    ("registered_on", "登簿日期", "registered_on", true),
    ("obligors", "义务人", "obligors", false),
    ("note", "备注", "note", false),
];

/// Which column each field is in, from the header row (Chinese or English
/// headers, any order); the missing required fields otherwise.
pub fn map_headers(headers: &[String]) -> Result<Vec<Option<usize>>, Vec<&'static str>> {
    let norm = |s: &str| normalize_compact(s).to_lowercase();
    let map: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(field, zh, en, _)| {
            headers.iter().position(|h| {
                let h = norm(h);
                h == norm(zh) || h == norm(en) || h == *field
            })
        })
        .collect();
    let missing: Vec<&'static str> = COLUMNS
        .iter()
        .zip(&map)
        .filter(|((_, _, _, required), at)| *required && at.is_none())
        .map(|((_, zh, _, _), _)| *zh)
        .collect();
    if missing.is_empty() {
        Ok(map)
    } else {
        Err(missing)
    }
}

/// A row of an export as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub unit: Unit,
    pub kind: RightKind,
    pub holder: Holder,
    pub amount_fen: Option<i64>,
    pub certificate_no: String,
    pub registered_on: chrono::NaiveDate,
    pub obligors: String,
    pub note: String,
}

/// A row's problem: the column's Chinese header and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: &'static str,
    pub zh: String,
    pub en: String,
}

fn err(line: usize, column: &'static str, zh: &str, en: &str) -> RowError {
    RowError {
        line,
        column,
        zh: zh.to_string(),
        en: en.to_string(),
    }
}

/// Check one row (cells in the order of [`COLUMNS`], '' where absent).
pub fn parse_row(line: usize, cells: &[String]) -> Result<ImportRow, Vec<RowError>> {
    let get = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or("");
    let mut errors = Vec::new();
    let unit_number = match UnitNumber::parse(get(0)) {
        Ok(u) => u.as_str().to_string(),
        Err(e) => {
            errors.push(RowError {
                line,
                column: "不动产单元号",
                zh: e.message(Lang::Zh),
                en: e.message(Lang::En),
            });
            String::new()
        }
    };
    let text = |i: usize, max: usize, errors: &mut Vec<RowError>| -> String {
        let v = get(i);
        let (_, zh, _, required) = COLUMNS[i];
        if v.chars().count() > max {
            errors.push(err(
                line,
                zh,
                &format!("不超过 {max} 个字"),
                &format!("At most {max} characters"),
            ));
        } else if super::has_hidden_chars(v) {
            errors.push(err(line, zh, "含有不可见字符", "Holds hidden characters"));
        } else if required && v.is_empty() {
            errors.push(err(line, zh, "必填", "Required"));
        } else if v.starts_with(['=', '+', '@']) {
            errors.push(err(
                line,
                zh,
                "不能以 = + @ 开头",
                "Cannot start with = + @",
            ));
        }
        v.to_string()
    };
    let address = text(1, 200, &mut errors);
    let area_raw = get(2);
    let area = if area_raw.is_empty() {
        String::new()
    } else {
        match area_raw.trim_end_matches("㎡").trim().parse::<f64>() {
            Ok(a) if a > 0.0 && a < 1_000_000.0 => format!("{a:.2}"),
            _ => {
                errors.push(err(
                    line,
                    "面积",
                    "应为大于 0 的平方米数",
                    "Should be a number of square metres above 0",
                ));
                String::new()
            }
        }
    };
    let usage = text(3, 20, &mut errors);
    let project = text(4, 100, &mut errors);
    let building = text(5, 20, &mut errors);
    let kind = RightKind::from_word(get(6));
    if kind.is_none() {
        errors.push(err(
            line,
            "登记类型",
            "应为 所有权、抵押、预告、预抵押、查封 或 异议",
            "Should be ownership, mortgage, notice, mortgage_notice, seizure or objection",
        ));
    }
    let name = text(7, 100, &mut errors);
    // Courts (seizures) and objectors may have no number in the export;
    // every holder of a right has one.
    let id_raw = get(8);
    let id_number = if id_raw.is_empty() {
        if !matches!(kind, Some(RightKind::Seizure | RightKind::Objection)) {
            errors.push(err(
                line,
                "证件号码",
                "权利人的证件号码必填",
                "The holder's ID number is required",
            ));
        }
        String::new()
    } else {
        let as_org = check_id_number(IdType::Organisation, id_raw);
        let as_person = check_id_number(IdType::ResidentId, id_raw);
        match (as_person, as_org) {
            (Ok(v), _) | (_, Ok(v)) => v,
            (Err(e), Err(_)) => {
                // A foreign passport or permit: letters and digits.
                match check_id_number(IdType::Passport, id_raw) {
                    Ok(v) if v.chars().any(|c| c.is_ascii_alphabetic()) && v.len() < 18 => v,
                    _ => {
                        errors.push(RowError {
                            line,
                            column: "证件号码",
                            zh: e.message(Lang::Zh),
                            en: e.message(Lang::En),
                        });
                        String::new()
                    }
                }
            }
        }
    };
    let share_raw = get(9);
    let share = if share_raw.is_empty() || share_raw == "共同共有" {
        String::new()
    } else {
        match parse_share(share_raw) {
            Some(v) => share_text(&v.to_string(), 2),
            None => {
                errors.push(err(
                    line,
                    "份额",
                    "应为 0 到 100 之间的百分数，或“共同共有”",
                    "Should be a percentage from 0 to 100, or 共同共有 (joint)",
                ));
                String::new()
            }
        }
    };
    let amount_raw = get(10);
    let amount_fen = if amount_raw.is_empty() {
        if kind == Some(RightKind::Mortgage) {
            errors.push(err(
                line,
                "债权数额",
                "抵押权须填写被担保债权数额（元）",
                "A mortgage needs its secured amount (yuan)",
            ));
        }
        None
    } else {
        match super::fees::parse_yuan(amount_raw) {
            Some(v) if v > 0 => Some(v),
            _ => {
                errors.push(err(
                    line,
                    "债权数额",
                    "应为以元为单位的金额，如 1200000 或 1200000.00",
                    "Should be an amount in yuan, like 1200000 or 1200000.00",
                ));
                None
            }
        }
    };
    let cert_raw = get(11);
    let certificate_no = if cert_raw.is_empty() {
        if matches!(kind, Some(RightKind::Ownership | RightKind::Mortgage)) {
            errors.push(err(
                line,
                "证书号",
                "所有权和抵押权须有证书号或证明号",
                "Ownership and mortgages need their certificate number",
            ));
        }
        String::new()
    } else {
        match CertificateNumber::parse(cert_raw) {
            Ok(c) => c.as_str().to_string(),
            Err(e) => {
                errors.push(RowError {
                    line,
                    column: "证书号",
                    zh: e.message(Lang::Zh),
                    en: e.message(Lang::En),
                });
                String::new()
            }
        }
    };
    let date_raw = super::to_half_width(get(12)).replace(['/', '.'], "-");
    let registered_on = match chrono::NaiveDate::parse_from_str(date_raw.trim(), "%Y-%m-%d") {
        Ok(d) if (1949..=2100).contains(&d.year()) => Some(d),
        _ => {
            errors.push(err(
                line,
                "登簿日期",
                "应为日期，如 2019-06-30",
                "Should be a date, like 2019-06-30",
            ));
            None
        }
    };
    let obligors = text(13, 200, &mut errors);
    let note = text(14, 200, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ImportRow {
        line,
        unit: Unit {
            unit_number,
            address,
            area,
            usage,
            project,
            building,
        },
        kind: kind.unwrap_or(RightKind::Ownership),
        holder: Holder {
            name,
            id_number,
            share,
        },
        amount_fen,
        certificate_no,
        registered_on: registered_on.unwrap_or_default(),
        obligors,
        note,
    })
}

/// An entry as imported: its rows' holders, one per row (co-owners of one
/// certificate are one entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportEntry {
    pub kind: RightKind,
    pub holders: Vec<Holder>,
    pub amount_fen: Option<i64>,
    pub certificate_no: String,
    pub registered_on: chrono::NaiveDate,
    pub obligors: String,
    pub note: String,
}

/// A unit as imported, with its entries and the canonical text of its
/// content (what a second import is compared by).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportUnit {
    pub unit: Unit,
    pub entries: Vec<ImportEntry>,
    pub canonical: String,
}

/// Put one unit's rows together and check them as a whole: the same facts
/// on every row, one ownership (co-owners by shares adding up to 100, or
/// all joint), restrictions only on an owned unit (notices excepted: a
/// pre-sold home is not registered yet).
pub fn assemble(rows: Vec<ImportRow>) -> Result<ImportUnit, Vec<RowError>> {
    let mut errors = Vec::new();
    let first = rows[0].clone();
    for r in &rows[1..] {
        if r.unit.address != first.unit.address
            || r.unit.area != first.unit.area
            || r.unit.usage != first.unit.usage
        {
            errors.push(err(
                r.line,
                "坐落",
                &format!("同一单元的坐落、面积、用途应与第 {} 行一致", first.line),
                &format!(
                    "One unit's address, area and use must agree with line {}",
                    first.line
                ),
            ));
        }
    }
    let mut entries: Vec<ImportEntry> = Vec::new();
    let mut owner_lines: Vec<usize> = Vec::new();
    for r in &rows {
        if r.kind == RightKind::Ownership {
            owner_lines.push(r.line);
            if let Some(e) = entries.iter_mut().find(|e| e.kind == RightKind::Ownership) {
                if e.certificate_no != r.certificate_no {
                    errors.push(err(
                        r.line,
                        "证书号",
                        "同一单元只能有一个现势所有权，共有人的证书号应相同",
                        "A unit has one current ownership: co-owners share its certificate number",
                    ));
                }
                if e.holders.iter().any(|h| h.id_number == r.holder.id_number) {
                    errors.push(err(
                        r.line,
                        "证件号码",
                        "同一权利人重复出现",
                        "The same holder appears twice",
                    ));
                }
                e.holders.push(r.holder.clone());
                continue;
            }
        }
        entries.push(ImportEntry {
            kind: r.kind,
            holders: vec![r.holder.clone()],
            amount_fen: r.amount_fen,
            certificate_no: r.certificate_no.clone(),
            registered_on: r.registered_on,
            obligors: r.obligors.clone(),
            note: r.note.clone(),
        });
    }
    if let Some(own) = entries.iter_mut().find(|e| e.kind == RightKind::Ownership) {
        let n = own.holders.len();
        let with_share = own.holders.iter().filter(|h| !h.share.is_empty()).count();
        if n > 1 && with_share > 0 {
            let sum: f64 = own
                .holders
                .iter()
                .map(|h| parse_share(&h.share).unwrap_or(0.0))
                .sum();
            if with_share != n || (sum - 100.0).abs() > 0.01 {
                errors.push(err(
                    *owner_lines.last().unwrap_or(&first.line),
                    "份额",
                    "按份共有的份额应逐人填写且合计 100%（共同共有则都不填）",
                    "Shares must be given for every co-owner and add up to 100% (none for joint owners)",
                ));
            }
        }
        if n == 1 {
            own.holders[0].share = String::new();
        }
    } else if entries.iter().any(|e| {
        matches!(
            e.kind,
            RightKind::Mortgage | RightKind::Seizure | RightKind::Objection
        )
    }) {
        errors.push(err(
            first.line,
            "登记类型",
            "该单元没有所有权行：抵押、查封、异议须登记在已有所有权的单元上",
            "The unit has no ownership row: a mortgage, seizure or objection needs an owned unit",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut lines: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{}|{:?}|{}|{}",
                r.kind.code(),
                r.holder.name,
                r.holder.id_number,
                r.holder.share,
                r.amount_fen.unwrap_or(0),
                r.certificate_no,
                r.registered_on,
                r.obligors,
                r.note
            )
        })
        .collect();
    lines.sort();
    let u = &first.unit;
    let canonical = format!(
        "{}|{}|{}|{}|{}|{}\n{}",
        u.unit_number,
        u.address,
        u.area,
        u.usage,
        u.project,
        u.building,
        lines.join("\n")
    );
    Ok(ImportUnit {
        unit: first.unit,
        entries,
        canonical,
    })
}

// ---------------------------------------------------------------------
// The proof of registration (不动产登记信息查询结果).

/// One unit as the proof states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofUnit {
    pub unit_number: String,
    pub address: String,
    pub area: String,
    pub usage: String,
    pub certificate_no: String,
    /// The owners with shares, in words.
    pub owners: String,
    /// The restrictions in words ("抵押权：某银行（债权 120 万元）").
    pub restrictions: Vec<String>,
}

/// What a proof of registration states; its canonical JSON is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofStatement {
    pub v: u32,
    pub code: String,
    /// Whose register it is: the name and the masked ID number.
    pub subject: String,
    pub subject_id: String,
    pub units: Vec<ProofUnit>,
    pub issuer: String,
    /// When the register was read (local time, to the minute).
    pub queried_at: String,
    pub key_id: String,
}

impl ProofStatement {
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl ProofStatement {
    /// What a verifier is shown: the units, the owner's name masked.
    pub fn verified(&self, seal_ok: bool) -> super::ecert::Verified {
        super::ecert::Verified {
            code: self.code.clone(),
            kind: super::ecert::EcertKind::RegisterResult,
            status: super::ecert::EcertStatus::Valid,
            number: String::new(),
            matter: format!("不动产登记信息查询（查询时间 {}）", self.queried_at),
            unit_number: self
                .units
                .iter()
                .map(|u| u.unit_number.clone())
                .collect::<Vec<_>>()
                .join("、"),
            address: self
                .units
                .iter()
                .map(|u| u.address.clone())
                .collect::<Vec<_>>()
                .join("；"),
            holders: vec![super::ecert::Holder {
                name: super::application::mask_name(&self.subject),
                share: String::new(),
            }],
            issued_on: self.queried_at.clone(),
            issuer: self.issuer.clone(),
            changed_on: String::new(),
            reason: String::new(),
            seal_ok,
            key_id: self.key_id.clone(),
        }
    }

    /// The proof as printed.
    pub fn letter(&self, signature: &str, public_base: &str) -> super::letter::Letter {
        let mut fields = vec![
            (
                "查询对象".to_string(),
                format!("{}（{}）", self.subject, self.subject_id),
            ),
            ("查询时间".to_string(), self.queried_at.clone()),
        ];
        if self.units.is_empty() {
            fields.push((
                "查询结果".to_string(),
                "登记簿中没有以查询对象为权利人的现势登记".to_string(),
            ));
        }
        let several = self.units.len() > 1;
        for (i, u) in self.units.iter().enumerate() {
            // Several units are numbered（1）（2）…; one is not.
            let n = if several {
                format!("（{}）", i + 1)
            } else {
                String::new()
            };
            fields.push((format!("{n}不动产单元号"), u.unit_number.clone()));
            fields.push((format!("{n}坐落"), u.address.clone()));
            if !u.area.is_empty() {
                fields.push((format!("{n}面积"), format!("{} 平方米", u.area)));
            }
            if !u.usage.is_empty() {
                fields.push((format!("{n}用途"), u.usage.clone()));
            }
            fields.push((format!("{n}权利人"), u.owners.clone()));
            if !u.certificate_no.is_empty() {
                fields.push((format!("{n}不动产权证书号"), u.certificate_no.clone()));
            }
            fields.push((
                format!("{n}权利限制"),
                if u.restrictions.is_empty() {
                    "无".to_string()
                } else {
                    u.restrictions.join("；")
                },
            ));
        }
        fields.push(("验证码".to_string(), super::ecert::format_code(&self.code)));
        super::letter::Letter {
            kind: None,
            title: "不动产登记信息查询结果".into(),
            subtitle: "Register query result".into(),
            number: super::ecert::format_code(&self.code),
            fields,
            paragraphs: vec![
                format!(
                    "本结果反映查询时间登记簿的记载，由登记机构电子印章签发。扫描二维码或访问 {}/verify 输入验证码，可查验其真实性。",
                    public_base.trim_end_matches('/')
                ),
                format!("电子印章 Seal key {}（公钥见 /verify/key）", self.key_id),
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
            issuer: vec![self.issuer.clone()],
            date: self.queried_at.clone(),
            qr_url: super::ecert::verify_url(public_base, &self.code),
            qr_caption: "扫码查验 Scan to verify".into(),
        }
    }
}

/// A restriction in words for a proof or an owner's page.
pub fn restriction_words(e: &Entry) -> String {
    let amount = e
        .amount_fen
        .map(|f| format!("，债权数额 {} 元", super::fees::yuan(f)))
        .unwrap_or_default();
    format!(
        "{}：{}{}{}",
        e.kind.label(Lang::Zh),
        holders_words(&e.holders),
        amount,
        if e.note.is_empty() {
            String::new()
        } else {
            format!("（{}）", e.note)
        }
    )
}

/// The owners of an ownership entry in words.
pub fn owners_words(e: &Entry) -> String {
    holders_words(&e.holders)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: &str = "330203001001GB00001F00010101";
    const A: &str = "330203198501011238";
    const B: &str = "330203196003033451";
    const C: &str = "330203197708083453";
    const BANK: &str = "91330200MA2AAAAA1X";

    fn holder(id: &str, share: &str) -> Holder {
        Holder {
            name: format!("人{}", &id[14..]),
            id_number: id.into(),
            share: share.into(),
        }
    }

    fn entry(id: &str, kind: RightKind, holders: Vec<Holder>, cert: &str) -> Entry {
        Entry {
            id: id.into(),
            kind,
            holders,
            certificate_no: cert.into(),
            amount_fen: None,
            obligors: String::new(),
            note: String::new(),
            valid_from: 0,
            valid_to: None,
            made_by: None,
            ended_by: None,
        }
    }

    fn party(role: PartyRole, id: &str, share: &str) -> CaseParty {
        CaseParty {
            role,
            name: format!("人{}", &id[14..]),
            id_number: id.into(),
            share: share.into(),
        }
    }

    fn facts(code: &str, parts: &[&str], parties: Vec<CaseParty>) -> CaseFacts {
        CaseFacts {
            matter_code: code.into(),
            parts: parts.iter().map(|p| p.to_string()).collect(),
            parties,
            unit_number: UNIT.into(),
            certificate_no: String::new(),
            address: "明州路 1 号".into(),
            amount_fen: None,
        }
    }

    fn owned_by(holders: Vec<Holder>) -> Standing {
        Standing {
            unit: Unit {
                unit_number: UNIT.into(),
                address: "明州路 1 号".into(),
                ..Unit::default()
            },
            current: vec![entry(
                "own",
                RightKind::Ownership,
                holders,
                "浙(2020)明州市不动产权第0000001号",
            )],
        }
    }

    fn failing(c: &CaseFacts, s: Option<&Standing>) -> Vec<&'static str> {
        checks(c, s)
            .into_iter()
            .filter(|k| !k.pass)
            .map(|k| k.code)
            .collect()
    }

    #[test]
    fn the_registered_owners_may_sell_with_their_shares() {
        let s = owned_by(vec![holder(A, "50"), holder(B, "50")]);
        let sale = facts(
            "RESALE-TRANSFER",
            &[],
            vec![
                party(PartyRole::RightHolder, C, ""),
                party(PartyRole::Obligor, A, "50"),
                party(PartyRole::Obligor, B, ""),
            ],
        );
        assert!(failing(&sale, Some(&s)).is_empty());
        let changes = plan(&sale, Some(&s)).unwrap();
        assert!(matches!(&changes[0], Change::End { id, .. } if id == "own"));
        assert!(
            matches!(&changes[1], Change::Start(n) if n.kind == RightKind::Ownership && n.holders[0].id_number == C)
        );
    }

    #[test]
    fn a_stranger_or_one_of_two_owners_or_wrong_shares_may_not() {
        let s = owned_by(vec![holder(A, "50"), holder(B, "50")]);
        for obligors in [
            vec![party(PartyRole::Obligor, C, "")],
            vec![party(PartyRole::Obligor, A, "")],
            vec![
                party(PartyRole::Obligor, A, "70"),
                party(PartyRole::Obligor, B, "30"),
            ],
        ] {
            let mut parties = vec![party(PartyRole::RightHolder, C, "")];
            parties.extend(obligors);
            let sale = facts("RESALE-TRANSFER", &[], parties);
            assert_eq!(failing(&sale, Some(&s)), vec!["reg_holders"]);
            let why = plan(&sale, Some(&s)).unwrap_err();
            // The applicant's words never name the registered owners.
            assert!(!why[0].public_zh.contains("人1238"));
            assert!(why[0].zh.contains("人1238"));
        }
    }

    #[test]
    fn an_unknown_unit_fails_and_a_certificate_must_match() {
        let sale = facts(
            "RESALE-TRANSFER",
            &[],
            vec![
                party(PartyRole::RightHolder, C, ""),
                party(PartyRole::Obligor, A, ""),
            ],
        );
        assert_eq!(failing(&sale, None), vec!["reg_unit"]);
        let s = owned_by(vec![holder(A, "")]);
        let mut wrong = sale.clone();
        wrong.certificate_no = "浙(2020)明州市不动产权第0000002号".into();
        assert_eq!(failing(&wrong, Some(&s)), vec!["reg_certificate"]);
        let mut right = sale;
        right.certificate_no = "浙（2020）明州市不动产权第 0000001 号".into();
        assert!(failing(&right, Some(&s)).is_empty());
    }

    #[test]
    fn seizures_objections_and_others_notices_stop_a_sale() {
        let sale = facts(
            "RESALE-TRANSFER",
            &[],
            vec![
                party(PartyRole::RightHolder, C, ""),
                party(PartyRole::Obligor, A, ""),
            ],
        );
        for (kind, code) in [
            (RightKind::Seizure, "reg_restrictions"),
            (RightKind::Objection, "reg_restrictions"),
            (RightKind::Notice, "reg_notice"),
        ] {
            let mut s = owned_by(vec![holder(A, "")]);
            s.current.push(entry("x", kind, vec![holder(B, "")], ""));
            assert_eq!(failing(&sale, Some(&s)), vec![code], "{kind:?}");
        }
        // The buyer's own notice does not stop their purchase.
        let mut s = owned_by(vec![holder(A, "")]);
        s.current
            .push(entry("n", RightKind::Notice, vec![holder(C, "")], ""));
        assert!(failing(&sale, Some(&s)).is_empty());
    }

    #[test]
    fn a_cancellation_needs_this_banks_mortgage_and_ends_it() {
        let mut s = owned_by(vec![holder(A, "")]);
        s.current.push(entry(
            "m",
            RightKind::Mortgage,
            vec![holder(BANK, "")],
            "浙(2021)明州市不动产证明第0000009号",
        ));
        let cancel = facts(
            "MORTGAGE-CANCEL",
            &[],
            vec![
                party(PartyRole::Mortgagee, BANK, ""),
                party(PartyRole::Mortgagor, A, ""),
            ],
        );
        assert!(failing(&cancel, Some(&s)).is_empty());
        assert_eq!(
            plan(&cancel, Some(&s)).unwrap(),
            vec![Change::End {
                id: "m".into(),
                kind: RightKind::Mortgage,
                holders: "人A1X".replace("A1X", &BANK[14..]),
            }]
        );
        let other = facts(
            "MORTGAGE-CANCEL",
            &[],
            vec![
                party(PartyRole::Mortgagee, "91330200MA2BBBBB2Y", ""),
                party(PartyRole::Mortgagor, A, ""),
            ],
        );
        assert_eq!(failing(&other, Some(&s)), vec!["reg_mortgage"]);
    }

    #[test]
    fn transfer_with_mortgage_does_its_parts_together() {
        let mut s = owned_by(vec![holder(A, "")]);
        s.current
            .push(entry("m", RightKind::Mortgage, vec![holder(BANK, "")], ""));
        let c = facts(
            "TRANSFER-WITH-MORTGAGE",
            &["RESALE-TRANSFER", "MORTGAGE-CANCEL", "MORTGAGE-FIRST"],
            vec![
                party(PartyRole::RightHolder, C, ""),
                party(PartyRole::Obligor, A, ""),
                party(PartyRole::Mortgagee, BANK, ""),
            ],
        );
        let changes = plan(&c, Some(&s)).unwrap();
        let kinds: Vec<String> = changes.iter().map(|c| c.words(Lang::En)).collect();
        assert_eq!(changes.len(), 4, "{kinds:?}");
        assert!(matches!(&changes[0], Change::End { id, .. } if id == "own"));
        assert!(matches!(&changes[2], Change::End { id, .. } if id == "m"));
        assert!(
            matches!(&changes[3], Change::Start(n) if n.kind == RightKind::Mortgage && n.obligors == "人3453")
        );
    }

    #[test]
    fn a_conversion_replaces_both_notices() {
        let dev = "91330200MA2CCCCC3Z";
        let mut s = owned_by(vec![holder(dev, "")]);
        s.current
            .push(entry("n", RightKind::Notice, vec![holder(C, "")], ""));
        s.current.push(entry(
            "mn",
            RightKind::MortgageNotice,
            vec![holder(BANK, "")],
            "",
        ));
        let c = facts(
            "NOTICE-CONVERSION",
            &["NEW-HOME-TRANSFER", "MORTGAGE-FIRST"],
            vec![
                party(PartyRole::RightHolder, C, ""),
                party(PartyRole::Obligor, dev, ""),
                party(PartyRole::Mortgagee, BANK, ""),
            ],
        );
        assert!(failing(&c, Some(&s)).is_empty());
        let ended: Vec<String> = plan(&c, Some(&s))
            .unwrap()
            .into_iter()
            .filter_map(|c| match c {
                Change::End { id, .. } => Some(id),
                _ => None,
            })
            .collect();
        assert_eq!(ended, vec!["own", "n", "mn"]);
        // Without the buyers' notice it is flagged.
        let bare = owned_by(vec![holder(dev, "")]);
        assert_eq!(failing(&c, Some(&bare)), vec!["reg_notice_own"]);
    }

    #[test]
    fn a_notice_on_an_unregistered_home_creates_the_unit() {
        let c = facts(
            "DOUBLE-NOTICE",
            &["PRESALE-NOTICE", "PREMORTGAGE-NOTICE"],
            vec![
                party(PartyRole::RightHolder, C, ""),
                party(PartyRole::Obligor, "91330200MA2CCCCC3Z", ""),
                party(PartyRole::Mortgagee, BANK, ""),
            ],
        );
        let changes = plan(&c, None).unwrap();
        assert!(matches!(&changes[0], Change::NewUnit(u) if u.unit_number == UNIT));
        assert_eq!(changes.len(), 3);
    }

    #[test]
    fn rows_are_checked_and_put_together() {
        let row = |cells: &[&str]| cells.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = parse_row(
            2,
            &row(&[
                UNIT,
                "明州路 1 号",
                "89.5",
                "住宅",
                "",
                "",
                "所有权",
                "张三",
                A,
                "50",
                "",
                "浙(2020)明州市不动产权第0000001号",
                "2020/5/6",
                "",
                "",
            ]),
        )
        .unwrap();
        assert_eq!(ok.unit.area, "89.50");
        assert_eq!(ok.registered_on.to_string(), "2020-05-06");
        let bad = parse_row(
            3,
            &row(&[
                "X", "", "-1", "", "", "", "租赁", "=cmd", "123", "120", "abc", "", "昨天", "", "",
            ]),
        )
        .unwrap_err();
        let cols: Vec<&str> = bad.iter().map(|e| e.column).collect();
        for c in [
            "不动产单元号",
            "坐落",
            "面积",
            "登记类型",
            "权利人",
            "证件号码",
            "份额",
            "债权数额",
            "登簿日期",
        ] {
            assert!(cols.contains(&c), "{c} in {cols:?}");
        }
        let mut second = ok.clone();
        second.line = 3;
        second.holder = holder(B, "40");
        let e = assemble(vec![ok.clone(), second.clone()]).unwrap_err();
        assert_eq!(e[0].column, "份额");
        second.holder.share = "50".into();
        let u = assemble(vec![ok, second]).unwrap();
        assert_eq!(u.entries.len(), 1);
        assert_eq!(u.entries[0].holders.len(), 2);
    }
}

//! The matter catalogue (登记事项) and its material checklists (收件清单).
//!
//! Pure rules: the shapes shared by server and browser, the union of a
//! combined matter's checklists, and search. The catalogue itself is data
//! (`seed/matters.json`, then the database).

use super::normalize::to_half_width;
use serde::{Deserialize, Serialize};

/// National registration-type families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Family {
    First,
    Transfer,
    Change,
    Cancellation,
    Correction,
    Objection,
    AdvanceNotice,
    Seizure,
    Other,
}

impl Family {
    pub const ALL: [Family; 9] = [
        Family::First,
        Family::Transfer,
        Family::Change,
        Family::Cancellation,
        Family::Correction,
        Family::Objection,
        Family::AdvanceNotice,
        Family::Seizure,
        Family::Other,
    ];

    pub fn from_code(code: i64) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn code(self) -> i64 {
        match self {
            Family::First => 100,
            Family::Transfer => 200,
            Family::Change => 300,
            Family::Cancellation => 400,
            Family::Correction => 500,
            Family::Objection => 600,
            Family::AdvanceNotice => 700,
            Family::Seizure => 800,
            Family::Other => 900,
        }
    }

    pub fn name(self, lang: super::Lang) -> &'static str {
        use super::Lang::*;
        match (self, lang) {
            (Family::First, Zh) => "首次登记",
            (Family::First, En) => "First registration",
            (Family::Transfer, Zh) => "转移登记",
            (Family::Transfer, En) => "Transfer",
            (Family::Change, Zh) => "变更登记",
            (Family::Change, En) => "Change",
            (Family::Cancellation, Zh) => "注销登记",
            (Family::Cancellation, En) => "Cancellation",
            (Family::Correction, Zh) => "更正登记",
            (Family::Correction, En) => "Correction",
            (Family::Objection, Zh) => "异议登记",
            (Family::Objection, En) => "Objection",
            (Family::AdvanceNotice, Zh) => "预告登记",
            (Family::AdvanceNotice, En) => "Advance notice",
            (Family::Seizure, Zh) => "查封登记",
            (Family::Seizure, En) => "Seizure",
            (Family::Other, Zh) => "其他登记",
            (Family::Other, En) => "Other",
        }
    }
}

/// Whether an item must be there at acceptance, or may be promised (容缺受理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    #[default]
    Required,
    Tolerable,
}

impl Requirement {
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "required" => Some(Requirement::Required),
            "tolerable" => Some(Requirement::Tolerable),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Requirement::Required => "required",
            Requirement::Tolerable => "tolerable",
        }
    }
}

/// Whether the original, a copy, or both are to be presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MaterialForm {
    #[default]
    Original,
    Copy,
    Both,
}

impl MaterialForm {
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "original" => Some(MaterialForm::Original),
            "copy" => Some(MaterialForm::Copy),
            "both" => Some(MaterialForm::Both),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            MaterialForm::Original => "original",
            MaterialForm::Copy => "copy",
            MaterialForm::Both => "both",
        }
    }
    /// What satisfies two demands at once: the same form if they agree;
    /// otherwise both, since one part keeps a copy and another inspects the
    /// original.
    fn stricter(self, other: Self) -> Self {
        if self == other {
            self
        } else {
            MaterialForm::Both
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    RightHolder,
    Obligor,
    Mortgagor,
    Mortgagee,
    Heir,
}

impl PartyRole {
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "right_holder" => Some(PartyRole::RightHolder),
            "obligor" => Some(PartyRole::Obligor),
            "mortgagor" => Some(PartyRole::Mortgagor),
            "mortgagee" => Some(PartyRole::Mortgagee),
            "heir" => Some(PartyRole::Heir),
            _ => None,
        }
    }
    pub fn name(self, lang: super::Lang) -> &'static str {
        use super::Lang::*;
        match (self, lang) {
            (PartyRole::RightHolder, Zh) => "权利人（买方、受让人）",
            (PartyRole::RightHolder, En) => "Right holder (buyer, transferee)",
            (PartyRole::Obligor, Zh) => "义务人（卖方、转让人）",
            (PartyRole::Obligor, En) => "Obligor (seller, transferor)",
            (PartyRole::Mortgagor, Zh) => "抵押人（房屋所有人）",
            (PartyRole::Mortgagor, En) => "Mortgagor (the owner)",
            (PartyRole::Mortgagee, Zh) => "抵押权人（贷款银行）",
            (PartyRole::Mortgagee, En) => "Mortgagee (the lending bank)",
            (PartyRole::Heir, Zh) => "继承人（全体）",
            (PartyRole::Heir, En) => "Heirs (all of them)",
        }
    }

    /// The role in a word, for timelines and messages.
    pub fn short_name(self, lang: super::Lang) -> &'static str {
        use super::Lang::*;
        match (self, lang) {
            (PartyRole::RightHolder, Zh) => "买方",
            (PartyRole::RightHolder, En) => "buyer",
            (PartyRole::Obligor, Zh) => "卖方",
            (PartyRole::Obligor, En) => "seller",
            (PartyRole::Mortgagor, Zh) => "抵押人",
            (PartyRole::Mortgagor, En) => "mortgagor",
            (PartyRole::Mortgagee, Zh) => "抵押权人",
            (PartyRole::Mortgagee, En) => "mortgagee",
            (PartyRole::Heir, Zh) => "继承人",
            (PartyRole::Heir, En) => "heir",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Filer {
    Citizen,
    Agent,
    Developer,
}

impl Filer {
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "citizen" => Some(Filer::Citizen),
            "agent" => Some(Filer::Agent),
            "developer" => Some(Filer::Developer),
            _ => None,
        }
    }
    pub fn name(self, lang: super::Lang) -> &'static str {
        use super::Lang::*;
        match (self, lang) {
            (Filer::Citizen, Zh) => "个人",
            (Filer::Citizen, En) => "Individuals",
            (Filer::Agent, Zh) => "代理人",
            (Filer::Agent, En) => "Agents",
            (Filer::Developer, Zh) => "开发企业",
            (Filer::Developer, En) => "Developers",
        }
    }
}

/// One line of a material checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub material: String,
    pub name_zh: String,
    pub name_en: String,
    pub requirement: Requirement,
    pub form: MaterialForm,
    pub copies: i64,
    pub note_zh: String,
    pub note_en: String,
}

/// A matter as the public sees it, with its full checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matter {
    pub code: String,
    pub family: Family,
    pub name_zh: String,
    pub name_en: String,
    pub keywords: String,
    pub filers: Vec<Filer>,
    pub parties: Vec<PartyRole>,
    /// The promise in working days from acceptance.
    pub time_limit_days: i64,
    /// Where set, the promise is this many working minutes instead (counted
    /// in the site's opening hours on working days; see `domain::hours`).
    #[serde(default)]
    pub time_limit_minutes: Option<i64>,
    pub visit_required: bool,
    /// How sure the centre must be of who confirms online: 0 the SMS code
    /// only, 1 real-name verification, 2 face verification (`domain::identity`).
    #[serde(default)]
    pub identity_level: i64,
    pub risk_notice: bool,
    pub fee_zh: String,
    pub fee_en: String,
    /// Codes of the matters a combined matter (组合办) is made of; empty otherwise.
    pub parts: Vec<String>,
    pub checklist: Vec<ChecklistItem>,
    /// The fee items, part by part for a combined matter (see
    /// `domain::fees`).
    #[serde(default)]
    pub fees: Vec<super::fees::FeeLine>,
}

impl Matter {
    /// Whether the application states the secured amount (被担保主债权数额):
    /// the matters that register a mortgage or a mortgage's advance notice,
    /// alone or as part of a combined matter.
    pub fn asks_secured_amount(&self) -> bool {
        const SECURING: [&str; 2] = ["MORTGAGE-FIRST", "PREMORTGAGE-NOTICE"];
        SECURING
            .iter()
            .any(|c| self.code == *c || self.parts.iter().any(|p| p == c))
    }

    /// The promise in Chinese words, as printed on the acceptance receipt.
    pub fn promise_zh(&self) -> String {
        match self.time_limit_minutes {
            Some(m) => format!("{m}分钟（工作时间内）"),
            None => format!("{}个工作日", self.time_limit_days),
        }
    }

    pub fn name(&self, lang: super::Lang) -> &str {
        match lang {
            super::Lang::Zh => &self.name_zh,
            super::Lang::En => &self.name_en,
        }
    }
}

/// The checklist of a combined matter: the union of its parts' checklists,
/// each material once, in the order first met. Where parts disagree the
/// stricter wins: required over tolerable, both over original over copy, the
/// larger number of copies; differing notes are kept, joined.
pub fn union_checklists<'a>(
    parts: impl IntoIterator<Item = &'a [ChecklistItem]>,
) -> Vec<ChecklistItem> {
    let mut out: Vec<ChecklistItem> = Vec::new();
    for item in parts.into_iter().flatten() {
        match out.iter_mut().find(|o| o.material == item.material) {
            None => out.push(item.clone()),
            Some(o) => {
                if item.requirement == Requirement::Required {
                    o.requirement = Requirement::Required;
                }
                o.form = o.form.stricter(item.form);
                o.copies = o.copies.max(item.copies);
                for (mine, theirs) in [
                    (&mut o.note_zh, &item.note_zh),
                    (&mut o.note_en, &item.note_en),
                ] {
                    if !theirs.is_empty() && !mine.contains(theirs.as_str()) {
                        if !mine.is_empty() {
                            mine.push_str("; ");
                        }
                        mine.push_str(theirs);
                    }
                }
            }
        }
    }
    out
}

/// Does the matter match what the user typed? Chinese text, English words
/// (any case), pinyin initials and the code all count; full-width input and
/// spaces are normalised. An empty query matches everything.
pub fn matches_query(m: &Matter, query: &str) -> bool {
    let q: String = to_half_width(query).trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let hay = format!(
        "{} {} {} {}",
        m.name_zh,
        m.name_en.to_lowercase(),
        m.keywords.to_lowercase(),
        m.code.to_lowercase()
    );
    q.split_whitespace().all(|word| hay.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(
        material: &str,
        req: Requirement,
        form: MaterialForm,
        copies: i64,
        note: &str,
    ) -> ChecklistItem {
        ChecklistItem {
            material: material.into(),
            name_zh: material.into(),
            name_en: material.into(),
            requirement: req,
            form,
            copies,
            note_zh: note.into(),
            note_en: String::new(),
        }
    }

    #[test]
    fn a_combined_checklist_lists_each_material_once_in_first_seen_order() {
        use MaterialForm::*;
        use Requirement::*;
        let transfer = vec![
            item("form", Required, Original, 1, ""),
            item("id", Required, Original, 1, ""),
            item("contract", Required, Original, 1, ""),
        ];
        let mortgage = vec![
            item("form", Required, Original, 1, ""),
            item("id", Required, Original, 1, ""),
            item("loan", Required, Original, 1, ""),
        ];
        let union = union_checklists([transfer.as_slice(), mortgage.as_slice()]);
        let codes: Vec<&str> = union.iter().map(|i| i.material.as_str()).collect();
        assert_eq!(codes, ["form", "id", "contract", "loan"]);
    }

    #[test]
    fn where_parts_disagree_the_stricter_demand_wins() {
        use MaterialForm::*;
        use Requirement::*;
        let a = vec![item("consent", Tolerable, Copy, 1, "if co-owned")];
        let b = vec![item("consent", Required, Original, 2, "spouse")];
        let union = union_checklists([a.as_slice(), b.as_slice()]);
        assert_eq!(union.len(), 1);
        assert_eq!(union[0].requirement, Required);
        assert_eq!(union[0].form, Both);
        assert_eq!(union[0].copies, 2);
        assert_eq!(union[0].note_zh, "if co-owned; spouse");
    }

    #[test]
    fn the_same_form_twice_stays_that_form() {
        assert_eq!(
            MaterialForm::Copy.stricter(MaterialForm::Copy),
            MaterialForm::Copy
        );
        assert_eq!(
            MaterialForm::Original.stricter(MaterialForm::Original),
            MaterialForm::Original
        );
        assert_eq!(
            MaterialForm::Original.stricter(MaterialForm::Both),
            MaterialForm::Both
        );
    }

    fn matter() -> Matter {
        Matter {
            code: "RESALE-TRANSFER".into(),
            family: Family::Transfer,
            name_zh: "二手房转移登记".into(),
            name_en: "Transfer of a second-hand home".into(),
            keywords: "esfzy 二手房 过户".into(),
            filers: vec![Filer::Citizen],
            parties: vec![PartyRole::RightHolder],
            time_limit_days: 1,
            time_limit_minutes: None,
            visit_required: true,
            identity_level: 0,
            risk_notice: false,
            fee_zh: String::new(),
            fee_en: String::new(),
            parts: vec![],
            checklist: vec![],
            fees: vec![],
        }
    }

    #[test]
    fn search_finds_a_matter_by_chinese_english_pinyin_initials_or_code() {
        let m = matter();
        for q in [
            "二手房",
            "过户",
            "Second-Hand",
            "ESFZY",
            "resale",
            "  二手房  transfer ",
            "ｅｓｆｚｙ",
        ] {
            assert!(matches_query(&m, q), "{q}");
        }
        for q in ["抵押", "mortgage", "esfzy 抵押"] {
            assert!(!matches_query(&m, q), "{q}");
        }
        assert!(matches_query(&m, ""));
    }

    #[test]
    fn family_codes_round_trip() {
        for f in Family::ALL {
            assert_eq!(Family::from_code(f.code()), Some(f));
        }
        assert_eq!(Family::from_code(150), None);
    }
}

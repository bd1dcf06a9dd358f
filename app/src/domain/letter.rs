//! The printable letters of a case — acceptance receipt (受理回执), correction
//! notice (补正通知书) and non-acceptance notice (不予受理通知书) — composed
//! from the case's facts. Pure: the server lays a [`Letter`] out as a PDF.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    Receipt,
    Correction,
    Refusal,
}

pub const LETTER_KINDS: [LetterKind; 3] = [
    LetterKind::Receipt,
    LetterKind::Correction,
    LetterKind::Refusal,
];

impl LetterKind {
    pub fn code(self) -> &'static str {
        match self {
            LetterKind::Receipt => "receipt",
            LetterKind::Correction => "correction",
            LetterKind::Refusal => "refusal",
        }
    }

    pub fn from_code(s: &str) -> Option<LetterKind> {
        LETTER_KINDS.into_iter().find(|k| k.code() == s)
    }

    /// The letter's title, Chinese and English.
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            LetterKind::Receipt => ("不动产登记受理回执", "Acceptance receipt"),
            LetterKind::Correction => ("不动产登记补正材料通知书", "Correction notice"),
            LetterKind::Refusal => ("不动产登记不予受理通知书", "Notice of non-acceptance"),
        }
    }

    /// The address of the letter of an application.
    pub fn href(self, application_id: &str) -> String {
        format!("/applications/{application_id}/letters/{}", self.code())
    }
}

/// The letters a case has at its stage: the receipt once accepted (any
/// formal stage), the correction notice once one was made, the refusal when
/// rejected.
pub fn available(stage: &str, has_notice: bool) -> Vec<LetterKind> {
    use super::case::Stage;
    let stage = Stage::from_code(stage).unwrap_or(Stage::None);
    let mut out = Vec::new();
    if stage.formal_order().is_some() {
        out.push(LetterKind::Receipt);
    }
    if has_notice && stage != Stage::None {
        out.push(LetterKind::Correction);
    }
    if stage == Stage::Rejected {
        out.push(LetterKind::Refusal);
    }
    out
}

/// One item of a correction notice, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeLine {
    pub material: String,
    pub reason: String,
    pub note: String,
}

/// What a letter may say about its case. Dates are already local
/// (`YYYY-MM-DD`, China time).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterFacts {
    pub receipt_no: String,
    pub case_no: Option<String>,
    pub matter: String,
    pub site: String,
    pub site_address: String,
    pub site_phone: String,
    /// Names of the applicants (right holders and obligors).
    pub applicants: Vec<String>,
    pub unit: String,
    pub submitted_on: String,
    pub accepted_on: Option<String>,
    /// The deadline as shown: a day, or a day and minute for a limit in
    /// working minutes.
    pub due_on: Option<String>,
    /// The matter's promise in words (“5个工作日”, “60分钟（工作时间内）”).
    pub promised: Option<String>,
    /// The latest correction notice: when it was made and its items.
    pub notice: Option<(String, Vec<NoticeLine>)>,
    /// The written reason of a rejection.
    pub refusal_reason: Option<String>,
    /// Materials accepted as tolerated deficiencies (容缺), still owed.
    pub owed: Vec<String>,
    pub printed_on: String,
}

/// A composed letter: everything the PDF shows, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// None for an electronic certificate (`domain::ecert::letter`).
    pub kind: Option<LetterKind>,
    pub title: String,
    pub subtitle: String,
    /// The number printed top right: the case number once accepted, else
    /// the receipt number.
    pub number: String,
    /// Label / value lines.
    pub fields: Vec<(String, String)>,
    /// The body, paragraph by paragraph (numbered items included).
    pub paragraphs: Vec<String>,
    /// The issuing site, its address and telephone, one per line.
    pub issuer: Vec<String>,
    pub date: String,
    /// Where the QR code leads: the public progress lookup of the receipt.
    pub qr_url: String,
    pub qr_caption: String,
}

/// The letter of that kind for the case, or `None` when the case has none
/// (no receipt before acceptance, no correction notice before a return, no
/// refusal unless rejected).
pub fn compose(kind: LetterKind, f: &LetterFacts, public_base: &str) -> Option<Letter> {
    let (title, subtitle) = kind.title();
    let mut fields = vec![("收件编号".to_string(), f.receipt_no.clone())];
    let mut paragraphs = Vec::new();
    let applicants = if f.applicants.is_empty() {
        "—".to_string()
    } else {
        f.applicants.join("、")
    };
    let number;
    match kind {
        LetterKind::Receipt => {
            let case_no = f.case_no.clone()?;
            let accepted = f.accepted_on.clone()?;
            number = case_no.clone();
            fields.insert(0, ("受理编号".into(), case_no));
            fields.push(("登记事项".into(), f.matter.clone()));
            fields.push(("申请人".into(), applicants.clone()));
            if !f.unit.is_empty() {
                fields.push(("不动产单元号".into(), f.unit.clone()));
            }
            fields.push(("受理日期".into(), accepted));
            if let Some(due) = &f.due_on {
                let promised = f
                    .promised
                    .as_ref()
                    .map(|p| format!("（{p}）"))
                    .unwrap_or_default();
                fields.push(("承诺办结日期".into(), format!("{due}{promised}")));
            }
            paragraphs.push(format!(
                "{applicants}：您提交的{}申请材料齐全、符合法定形式，本机构已予受理。办理期间可扫描下方二维码或登录“一趟办”，凭收件编号和证件号码后六位查询进度。",
                f.matter
            ));
            if !f.owed.is_empty() {
                paragraphs.push("容缺受理：您承诺在领证前补交以下材料，补交前不予发证：".into());
                for (i, m) in f.owed.iter().enumerate() {
                    paragraphs.push(format!("{}. {m}", i + 1));
                }
            }
            paragraphs.push("领取证书时请携带本回执及申请人身份证件原件。".into());
        }
        LetterKind::Correction => {
            let (made_on, items) = f.notice.clone()?;
            if items.is_empty() {
                return None;
            }
            number = f.receipt_no.clone();
            fields.push(("登记事项".into(), f.matter.clone()));
            fields.push(("申请人".into(), applicants.clone()));
            fields.push(("通知日期".into(), made_on));
            paragraphs.push(format!(
                "{applicants}：您于{}提交的{}申请，经预审需补正以下材料。本通知一次性告知全部需补正内容：",
                f.submitted_on, f.matter
            ));
            for (i, item) in items.iter().enumerate() {
                let note = if item.note.trim().is_empty() {
                    String::new()
                } else {
                    format!("（{}）", item.note.trim())
                };
                paragraphs.push(format!(
                    "{}. {}：{}{note}",
                    i + 1,
                    item.material,
                    item.reason
                ));
            }
            paragraphs.push(
                "请登录“一趟办”，在“我的办件”中仅对上述材料重新上传后再次提交，无需到现场。补正期间办理时限暂停计算。"
                    .into(),
            );
        }
        LetterKind::Refusal => {
            let reason = f.refusal_reason.clone()?;
            number = f.receipt_no.clone();
            fields.push(("登记事项".into(), f.matter.clone()));
            fields.push(("申请人".into(), applicants.clone()));
            fields.push(("申请日期".into(), f.submitted_on.clone()));
            paragraphs.push(format!(
                "{applicants}：您提交的{}申请，经审查，本机构决定不予受理。理由如下：",
                f.matter
            ));
            paragraphs.push(reason);
            paragraphs.push(
                "如对本决定不服，可自收到本通知之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"
                    .into(),
            );
        }
    }
    let issuer = [
        f.site.clone(),
        f.site_address.clone(),
        if f.site_phone.is_empty() {
            String::new()
        } else {
            format!("电话 {}", f.site_phone)
        },
    ]
    .into_iter()
    .filter(|l| !l.is_empty())
    .collect();
    Some(Letter {
        kind: Some(kind),
        title: title.into(),
        subtitle: subtitle.into(),
        number,
        fields,
        paragraphs,
        issuer,
        date: f.printed_on.clone(),
        qr_url: track_url(public_base, &f.receipt_no),
        qr_caption: "扫码查询办理进度 Scan to follow progress".into(),
    })
}

/// The public progress lookup of a receipt (the citizen adds the ID digits).
pub fn track_url(public_base: &str, receipt_no: &str) -> String {
    let receipt: String = receipt_no
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("{}/track?no={receipt}", public_base.trim_end_matches('/'))
}

/// The width of a text in ems, as a CJK font sets it: full-width characters
/// one em, ASCII about half.
pub fn width_em(text: &str) -> f32 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum()
}

/// Break a paragraph into lines of at most `max_em` ems. Chinese breaks
/// between any two characters; a run of ASCII (a number, a word) is kept
/// whole when it fits on a line; no line starts with closing punctuation.
pub fn wrap(text: &str, max_em: f32) -> Vec<String> {
    const NO_START: &str = "，。、；：！？）》」』”’,.;:!?)";
    // Tokens: one non-ASCII character, or a run of ASCII non-spaces, or a space.
    let mut tokens: Vec<String> = Vec::new();
    for c in text.chars() {
        match tokens.last_mut() {
            Some(t) if c.is_ascii() && c != ' ' && t.chars().all(|x| x.is_ascii() && x != ' ') => {
                t.push(c)
            }
            _ => tokens.push(c.to_string()),
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for t in tokens {
        let fits = width_em(&line) + width_em(&t) <= max_em;
        let forbidden_start = t.chars().next().is_some_and(|c| NO_START.contains(c));
        if fits || line.is_empty() || forbidden_start {
            line.push_str(&t);
            continue;
        }
        lines.push(line.trim_end().to_string());
        line = if t == " " { String::new() } else { t };
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> LetterFacts {
        LetterFacts {
            receipt_no: "261124-ABCD-EFGH".into(),
            case_no: Some("2026-HQ-000007".into()),
            matter: "二手房转移登记".into(),
            site: "市不动产登记中心".into(),
            site_address: "人民路1号".into(),
            site_phone: "0571-1234567".into(),
            applicants: vec!["张三".into(), "李四".into()],
            unit: "330102001001GB00001F00010001".into(),
            submitted_on: "2026-11-20".into(),
            accepted_on: Some("2026-11-23".into()),
            due_on: Some("2026-11-30".into()),
            promised: Some("5个工作日".into()),
            notice: Some((
                "2026-11-21".into(),
                vec![
                    NoticeLine {
                        material: "身份证明".into(),
                        reason: "照片不清晰，请重新拍摄".into(),
                        note: "".into(),
                    },
                    NoticeLine {
                        material: "买卖合同".into(),
                        reason: "缺少页面，请补齐全部页面".into(),
                        note: "第3页".into(),
                    },
                ],
            )),
            refusal_reason: None,
            owed: vec![],
            printed_on: "2026-11-24".into(),
        }
    }

    #[test]
    fn a_receipt_names_the_case_the_deadline_and_the_lookup() {
        let l = compose(LetterKind::Receipt, &facts(), "https://onetrip.example/").unwrap();
        assert_eq!(l.number, "2026-HQ-000007");
        assert_eq!(l.fields[0], ("受理编号".into(), "2026-HQ-000007".into()));
        assert!(l
            .fields
            .contains(&("承诺办结日期".into(), "2026-11-30（5个工作日）".into())));
        assert!(l.paragraphs[0].starts_with("张三、李四："));
        assert_eq!(
            l.qr_url,
            "https://onetrip.example/track?no=261124-ABCD-EFGH"
        );
    }

    #[test]
    fn a_receipt_lists_owed_materials() {
        let mut f = facts();
        f.owed = vec!["完税凭证".into()];
        let l = compose(LetterKind::Receipt, &f, "http://x").unwrap();
        assert!(l.paragraphs.iter().any(|p| p == "1. 完税凭证"));
    }

    #[test]
    fn letters_exist_only_when_the_case_has_them() {
        let mut f = facts();
        f.case_no = None;
        assert!(compose(LetterKind::Receipt, &f, "http://x").is_none());
        assert!(compose(LetterKind::Refusal, &f, "http://x").is_none());
        f.notice = None;
        assert!(compose(LetterKind::Correction, &f, "http://x").is_none());
    }

    #[test]
    fn a_correction_notice_numbers_every_item_with_its_note() {
        let l = compose(LetterKind::Correction, &facts(), "http://x").unwrap();
        assert_eq!(l.number, "261124-ABCD-EFGH");
        assert!(l
            .paragraphs
            .contains(&"1. 身份证明：照片不清晰，请重新拍摄".to_string()));
        assert!(l
            .paragraphs
            .contains(&"2. 买卖合同：缺少页面，请补齐全部页面（第3页）".to_string()));
    }

    #[test]
    fn a_refusal_gives_the_reason_and_the_remedies() {
        let mut f = facts();
        f.refusal_reason = Some("该房屋已被查封".into());
        let l = compose(LetterKind::Refusal, &f, "http://x").unwrap();
        assert!(l.paragraphs.contains(&"该房屋已被查封".to_string()));
        assert!(l.paragraphs.last().unwrap().contains("行政复议"));
    }

    #[test]
    fn each_stage_offers_its_letters() {
        assert!(available("pre_review", false).is_empty());
        assert_eq!(available("returned", true), vec![LetterKind::Correction]);
        assert_eq!(
            available("issued", true),
            vec![LetterKind::Receipt, LetterKind::Correction]
        );
        assert_eq!(available("rejected", false), vec![LetterKind::Refusal]);
        assert!(available("none", true).is_empty());
    }

    #[test]
    fn the_lookup_address_keeps_only_receipt_characters() {
        assert_eq!(
            track_url("http://h", "26\"1124<ABCD>"),
            "http://h/track?no=261124ABCD"
        );
    }

    #[test]
    fn wrapping_keeps_numbers_whole_and_punctuation_off_line_starts() {
        let lines = wrap("受理编号2026-HQ-000007，请注意", 10.0);
        assert_eq!(lines, vec!["受理编号", "2026-HQ-000007，请", "注意"]);
        for l in wrap(&"一二三四五，".repeat(10), 5.0) {
            assert!(!l.starts_with('，'), "{l}");
            assert!(width_em(&l) <= 6.0);
        }
        assert_eq!(wrap("", 10.0), Vec::<String>::new());
        assert_eq!(wrap("hello world", 3.0), vec!["hello", "world"]);
    }
}

//! Help (常见问题): questions and answers administrators write, found by
//! Chinese, English or the pinyin initials of the question, and linked from
//! the matters and the wizard steps they are about.
//!
//! The initials are worked out on the server when an article is saved (the
//! pinyin table stays out of the browser); everything here is pure.

use super::application::Step;
use super::to_half_width;
use serde::{Deserialize, Serialize};

/// One article as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpArticle {
    /// A short readable slug (`mortgage-cancel-needs`): the page's address.
    pub id: String,
    pub position: i64,
    pub question_zh: String,
    pub answer_zh: String,
    pub question_en: String,
    pub answer_en: String,
    /// Extra words people type (口语, other names), space separated.
    pub keywords: String,
    /// Pinyin initials of the Chinese question and keywords (`hqdkhzmzxdy`).
    pub initials: String,
    /// Matter codes the article is about (its link from their notices).
    pub matters: Vec<String>,
    /// Wizard steps (slugs) where it is offered.
    pub steps: Vec<String>,
    pub published: bool,
    pub updated_at: i64,
}

impl HelpArticle {
    pub fn question(&self, lang: super::Lang) -> &str {
        match lang {
            super::Lang::En if !self.question_en.trim().is_empty() => &self.question_en,
            _ => &self.question_zh,
        }
    }

    pub fn answer(&self, lang: super::Lang) -> &str {
        match lang {
            super::Lang::En if !self.answer_en.trim().is_empty() => &self.answer_en,
            _ => &self.answer_zh,
        }
    }

    /// Is it offered on this wizard step of this matter? (An article tied
    /// to no matter is about every matter.)
    pub fn offered_on(&self, matter: &str, step: Step) -> bool {
        self.published
            && self.steps.iter().any(|s| s == step.slug())
            && (self.matters.is_empty() || self.matters.iter().any(|m| m == matter))
    }
}

/// How well an article answers a query: `None` when it does not, higher is
/// better (words found in the question count more than in the answer).
/// Chinese, English (any case), pinyin initials and keywords all count;
/// full-width input is read as half-width; every word typed must be found.
pub fn score(a: &HelpArticle, query: &str) -> Option<u32> {
    let q = to_half_width(query).to_lowercase();
    let words: Vec<&str> = q.split_whitespace().collect();
    if words.is_empty() {
        return Some(0);
    }
    let question = to_half_width(&format!(
        "{} {} {} {}",
        a.question_zh, a.question_en, a.keywords, a.initials
    ))
    .to_lowercase();
    let answer = to_half_width(&format!("{} {}", a.answer_zh, a.answer_en)).to_lowercase();
    let mut total = 0;
    for w in words {
        if question.contains(w) {
            total += 3;
        } else if answer.contains(w) {
            total += 1;
        } else {
            return None;
        }
    }
    Some(total)
}

/// The articles that answer `query`, best first (then in the administrators'
/// order). Unpublished ones never.
pub fn search<'a>(all: &'a [HelpArticle], query: &str) -> Vec<&'a HelpArticle> {
    let mut hits: Vec<(u32, &HelpArticle)> = all
        .iter()
        .filter(|a| a.published)
        .filter_map(|a| score(a, query).map(|s| (s, a)))
        .collect();
    hits.sort_by(|x, y| {
        y.0.cmp(&x.0)
            .then(x.1.position.cmp(&y.1.position))
            .then(x.1.id.cmp(&y.1.id))
    });
    hits.into_iter().map(|(_, a)| a).collect()
}

/// An answer's text as blocks: paragraphs split by blank lines; a block
/// whose lines all start with `- ` is a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Para(String),
    List(Vec<String>),
}

pub fn blocks(text: &str) -> Vec<Block> {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| {
            let lines: Vec<&str> = b.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            if lines.iter().all(|l| l.starts_with("- ")) {
                Block::List(lines.iter().map(|l| l[2..].trim().to_string()).collect())
            } else {
                Block::Para(lines.join("\n"))
            }
        })
        .collect()
}

/// What an administrator typed, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpForm {
    pub id: String,
    pub position: String,
    pub question_zh: String,
    pub answer_zh: String,
    pub question_en: String,
    pub answer_en: String,
    pub keywords: String,
    pub matters: String,
    pub steps: String,
}

/// A checked article (without its initials, which the server adds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpDraft {
    pub id: String,
    pub position: i64,
    pub question_zh: String,
    pub answer_zh: String,
    pub question_en: String,
    pub answer_en: String,
    pub keywords: String,
    pub matters: Vec<String>,
    pub steps: Vec<String>,
}

/// One field's problem: (field, message in Chinese, in English).
pub type HelpFieldError = (&'static str, String, String);

pub const QUESTION_MAX: usize = 200;
pub const ANSWER_MAX: usize = 4000;

fn has_markup(s: &str) -> bool {
    s.contains('<') || s.contains('>')
}

impl HelpForm {
    /// Check the form: `known_matter` says whether a matter code exists.
    pub fn parse(
        &self,
        known_matter: impl Fn(&str) -> bool,
    ) -> Result<HelpDraft, Vec<HelpFieldError>> {
        let mut errs: Vec<HelpFieldError> = Vec::new();
        let id = to_half_width(&self.id).trim().to_lowercase();
        if id.len() < 3
            || id.len() > 60
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || id.starts_with('-')
        {
            errs.push((
                "id",
                "地址名：3–60 个小写字母、数字或连字符，如 mortgage-cancel".into(),
                "Address name: 3–60 lower-case letters, digits or hyphens, e.g. mortgage-cancel"
                    .into(),
            ));
        }
        let position = match to_half_width(&self.position).trim() {
            "" => 100,
            p => match p.parse::<i64>() {
                Ok(n) if (0..=9999).contains(&n) => n,
                _ => {
                    errs.push((
                        "position",
                        "排序：0–9999 的整数，小的在前".into(),
                        "Order: a whole number 0–9999, smaller first".into(),
                    ));
                    100
                }
            },
        };
        let text = |v: &str| v.trim().replace("\r\n", "\n");
        let question_zh = text(&self.question_zh);
        let answer_zh = text(&self.answer_zh);
        let question_en = text(&self.question_en);
        let answer_en = text(&self.answer_en);
        for (field, value, max, zh, en, required) in [
            (
                "question_zh",
                &question_zh,
                QUESTION_MAX,
                "问题（中文）",
                "Question (Chinese)",
                true,
            ),
            (
                "answer_zh",
                &answer_zh,
                ANSWER_MAX,
                "回答（中文）",
                "Answer (Chinese)",
                true,
            ),
            (
                "question_en",
                &question_en,
                QUESTION_MAX,
                "问题（英文）",
                "Question (English)",
                false,
            ),
            (
                "answer_en",
                &answer_en,
                ANSWER_MAX,
                "回答（英文）",
                "Answer (English)",
                false,
            ),
        ] {
            let n = value.chars().count();
            if required && n == 0 {
                errs.push((
                    field,
                    format!("请填写{zh}"),
                    format!("Enter the {}", en.to_lowercase()),
                ));
            } else if n > max {
                errs.push((
                    field,
                    format!("{zh}最多 {max} 个字，现在 {n} 个"),
                    format!("{en}: at most {max} characters, now {n}"),
                ));
            } else if has_markup(value) {
                errs.push((
                    field,
                    format!("{zh}不能含尖括号 < >（不支持网页代码）"),
                    format!("{en}: no angle brackets < > (no HTML)"),
                ));
            }
        }
        if question_en.is_empty() != answer_en.is_empty() {
            errs.push((
                if question_en.is_empty() {
                    "question_en"
                } else {
                    "answer_en"
                },
                "英文问题和英文回答要么都填，要么都不填".into(),
                "Fill in both the English question and answer, or neither".into(),
            ));
        }
        let keywords = to_half_width(&self.keywords)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if keywords.chars().count() > 200 || has_markup(&keywords) {
            errs.push((
                "keywords",
                "关键词最多 200 个字，不含尖括号".into(),
                "Keywords: at most 200 characters, no angle brackets".into(),
            ));
        }
        let list = |v: &str| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for w in to_half_width(v).split(|c: char| c.is_whitespace() || c == ',' || c == '，') {
                let w = w.trim();
                if !w.is_empty() && !out.iter().any(|o| o == w) {
                    out.push(w.to_string());
                }
            }
            out
        };
        let matters: Vec<String> = list(&self.matters.to_uppercase());
        let unknown: Vec<&str> = matters
            .iter()
            .filter(|m| !known_matter(m))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            let u = unknown.join(" ");
            errs.push((
                "matters",
                format!("没有这些事项编号：{u}"),
                format!("No matter has these codes: {u}"),
            ));
        }
        let steps = list(&self.steps);
        let bad: Vec<&str> = steps
            .iter()
            .filter(|s| Step::from_slug(s).is_none())
            .map(String::as_str)
            .collect();
        if !bad.is_empty() {
            let b = bad.join(" ");
            errs.push((
                "steps",
                format!("没有这些步骤：{b}（可用 property parties agent materials declarations review）"),
                format!("No such steps: {b} (use property parties agent materials declarations review)"),
            ));
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(HelpDraft {
            id,
            position,
            question_zh,
            answer_zh,
            question_en,
            answer_en,
            keywords,
            matters,
            steps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, q: &str, initials: &str, en: &str, answer: &str) -> HelpArticle {
        HelpArticle {
            id: id.into(),
            position: 100,
            question_zh: q.into(),
            answer_zh: answer.into(),
            question_en: en.into(),
            answer_en: String::new(),
            keywords: String::new(),
            initials: initials.into(),
            matters: vec![],
            steps: vec![],
            published: true,
            updated_at: 0,
        }
    }

    #[test]
    fn search_finds_by_chinese_initials_and_english_and_ranks_questions_first() {
        let all = vec![
            article(
                "a",
                "还清贷款后怎么注销抵押？",
                "hqdkhzmzxdy",
                "How do I cancel my mortgage?",
                "带上身份证",
            ),
            article(
                "b",
                "需要带身份证原件吗？",
                "xydsfzyjm",
                "Do I bring my ID card?",
                "要，注销抵押也要",
            ),
        ];
        let ids = |q: &str| {
            search(&all, q)
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("注销抵押"), ["a", "b"], "the question's hit first");
        assert_eq!(ids("zxdy"), ["a"]);
        assert_eq!(
            ids("ＺＸＤＹ"),
            ["a"],
            "full-width and capitals read as typed"
        );
        assert_eq!(
            ids("Mortgage cancel"),
            ["a"],
            "every word, any order, any case"
        );
        assert_eq!(ids("身份证"), ["b", "a"]);
        assert!(ids("继承").is_empty());
        assert_eq!(ids("").len(), 2, "no query: everything");
    }

    #[test]
    fn unpublished_articles_are_never_found() {
        let mut a = article("a", "问题", "wt", "", "回答");
        a.published = false;
        assert!(search(&[a], "问题").is_empty());
    }

    #[test]
    fn answers_are_paragraphs_and_lists() {
        assert_eq!(
            blocks("第一段\r\n\r\n- 身份证\n- 户口簿\n\n第二段\n续"),
            vec![
                Block::Para("第一段".into()),
                Block::List(vec!["身份证".into(), "户口簿".into()]),
                Block::Para("第二段\n续".into()),
            ]
        );
    }

    #[test]
    fn the_form_names_each_bad_field() {
        let form = HelpForm {
            id: "Bad Id!".into(),
            position: "x".into(),
            question_zh: "".into(),
            answer_zh: "<script>".into(),
            question_en: "Only the question".into(),
            answer_en: "".into(),
            keywords: "".into(),
            matters: "MORTGAGE-CANCEL NOPE".into(),
            steps: "materials nowhere".into(),
        };
        let errs = form.parse(|m| m == "MORTGAGE-CANCEL").unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.0).collect();
        assert_eq!(
            fields,
            [
                "id",
                "position",
                "question_zh",
                "answer_zh",
                "answer_en",
                "matters",
                "steps"
            ]
        );
        assert!(errs.iter().any(|e| e.1.contains("NOPE")));
        assert!(errs.iter().any(|e| e.2.contains("nowhere")));
    }

    #[test]
    fn a_good_form_is_tidied() {
        let form = HelpForm {
            id: " Mortgage-Cancel ".into(),
            position: "".into(),
            question_zh: " 怎么注销抵押？ ".into(),
            answer_zh: "带上\r\n身份证".into(),
            question_en: "".into(),
            answer_en: "".into(),
            keywords: "解押  还清贷款".into(),
            matters: "mortgage-cancel，MORTGAGE-CANCEL".into(),
            steps: "materials, review".into(),
        };
        let d = form.parse(|m| m == "MORTGAGE-CANCEL").unwrap();
        assert_eq!(d.id, "mortgage-cancel");
        assert_eq!(d.position, 100);
        assert_eq!(d.question_zh, "怎么注销抵押？");
        assert_eq!(d.answer_zh, "带上\n身份证");
        assert_eq!(d.keywords, "解押 还清贷款");
        assert_eq!(d.matters, ["MORTGAGE-CANCEL"]);
        assert_eq!(d.steps, ["materials", "review"]);
    }

    #[test]
    fn an_article_is_offered_on_its_steps_of_its_matters() {
        let mut a = article("a", "q", "", "", "a");
        a.steps = vec!["materials".into()];
        assert!(
            a.offered_on("ANY", Step::Materials),
            "no matters: every matter"
        );
        assert!(!a.offered_on("ANY", Step::Parties));
        a.matters = vec!["MORTGAGE-CANCEL".into()];
        assert!(a.offered_on("MORTGAGE-CANCEL", Step::Materials));
        assert!(!a.offered_on("CHANGE", Step::Materials));
        a.published = false;
        assert!(!a.offered_on("MORTGAGE-CANCEL", Step::Materials));
    }
}

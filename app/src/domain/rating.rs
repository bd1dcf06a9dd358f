//! Ratings of the service (好差评): five levels, reasons to choose from for
//! a low one, a comment; a low rating is followed up by the site's
//! supervisors within a number of working days. Pure.

use super::Lang;
use serde::{Deserialize, Serialize};

/// 5 非常满意 … 1 非常不满意.
pub const LEVELS: [(i64, &str, &str); 5] = [
    (5, "非常满意", "Very satisfied"),
    (4, "满意", "Satisfied"),
    (3, "基本满意", "Fairly satisfied"),
    (2, "不满意", "Dissatisfied"),
    (1, "非常不满意", "Very dissatisfied"),
];

pub fn level_label(level: i64, lang: Lang) -> &'static str {
    LEVELS
        .iter()
        .find(|(l, _, _)| *l == level)
        .map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en })
        .unwrap_or("")
}

/// What went wrong, for a low rating (the national 好差评 reasons, shortened).
pub const REASONS: [(&str, &str, &str); 7] = [
    ("slow", "办理时间长", "It took too long"),
    ("trips", "多次跑腿", "I had to come more than once"),
    ("unclear", "告知不清楚", "What was needed was not clear"),
    ("attitude", "服务态度差", "Unfriendly service"),
    (
        "online",
        "网上办理不方便",
        "The online service was hard to use",
    ),
    ("fees", "收费有疑问", "A question about the fees"),
    ("other", "其他", "Other"),
];

pub fn reason_label(code: &str, lang: Lang) -> &'static str {
    REASONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en })
        .unwrap_or("")
}

/// A rating of 不满意 or below is followed up.
pub fn is_low(level: i64) -> bool {
    level <= 2
}

/// Working days a site's supervisors have to follow up a low rating.
pub const FOLLOW_UP_DAYS: i64 = 5;

/// Longest comment, and longest account of a follow-up (characters).
pub const MAX_COMMENT: usize = 500;

/// The stages after which a case may be rated: issued (or archived),
/// refused, or withdrawn.
pub fn may_rate(status: &str, stage: &str) -> bool {
    status == "withdrawn" || matches!(stage, "issued" | "archived" | "rejected")
}

/// A rating as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub level: i64,
    pub reasons: Vec<String>,
    pub comment: String,
}

/// What is wrong with a rating, by field: `level`, `reasons`, `comment`.
pub fn check(level: &str, reasons: &[String], comment: &str) -> Result<Rating, Vec<&'static str>> {
    let mut errors = Vec::new();
    let level = level
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|l| (1..=5).contains(l));
    if level.is_none() {
        errors.push("level");
    }
    let mut picked: Vec<String> = Vec::new();
    for r in reasons {
        if !REASONS.iter().any(|(c, _, _)| c == r) {
            errors.push("reasons");
            break;
        }
        if !picked.contains(r) {
            picked.push(r.clone());
        }
    }
    // A low rating says what went wrong; a good one carries no complaint.
    match level {
        Some(l) if is_low(l) && picked.is_empty() => errors.push("reasons"),
        Some(l) if !is_low(l) => picked.clear(),
        _ => {}
    }
    let comment = comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        errors.push("comment");
    }
    if comment
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.push("comment");
    }
    match level {
        Some(level) if errors.is_empty() => Ok(Rating {
            level,
            reasons: picked,
            comment: comment.to_string(),
        }),
        _ => {
            errors.dedup();
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_low_rating_needs_a_reason_and_a_good_one_keeps_none() {
        assert_eq!(check("2", &[], ""), Err(vec!["reasons"]));
        let r = check(" 1 ", &["slow".into(), "slow".into()], "  太慢了 ").unwrap();
        assert_eq!(
            (r.level, r.reasons, r.comment.as_str()),
            (1, vec!["slow".to_string()], "太慢了")
        );
        let r = check("5", &["slow".into()], "").unwrap();
        assert!(r.reasons.is_empty());
        assert_eq!(check("6", &[], ""), Err(vec!["level"]));
        assert_eq!(check("", &[], ""), Err(vec!["level"]));
        assert_eq!(check("3", &["nonsense".into()], ""), Err(vec!["reasons"]));
        assert_eq!(check("3", &[], &"字".repeat(501)), Err(vec!["comment"]));
        assert_eq!(check("3", &[], "a\u{0}b"), Err(vec!["comment"]));
        assert!(is_low(2) && !is_low(3));
        assert!(may_rate("submitted", "issued") && may_rate("withdrawn", "none"));
        assert!(!may_rate("submitted", "review"));
        assert_eq!(level_label(2, Lang::Zh), "不满意");
    }
}

//! Help articles: the seed loaded once, reading, and the administrators'
//! edits (each audited). Nothing is deleted: an article is unpublished.

use super::{audit, now_ms, AuditEntry, Db};
use crate::domain::help::{HelpArticle, HelpDraft};
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_optional_tx};
use serde::Deserialize;

/// The everyday questions shipped with the code, loaded at the first start.
pub const SEED: &str = include_str!("../../../seed/help.json");

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: String,
    position: i64,
    question_zh: String,
    answer_zh: String,
    question_en: String,
    answer_en: String,
    keywords: String,
    initials: String,
    matters: String,
    steps: String,
    published: i64,
    updated_at: i64,
}

impl From<Row> for HelpArticle {
    fn from(r: Row) -> Self {
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect();
        HelpArticle {
            id: r.id,
            position: r.position,
            question_zh: r.question_zh,
            answer_zh: r.answer_zh,
            question_en: r.question_en,
            answer_en: r.answer_en,
            keywords: r.keywords,
            initials: r.initials,
            matters: words(&r.matters),
            steps: words(&r.steps),
            published: r.published != 0,
            updated_at: r.updated_at,
        }
    }
}

const COLUMNS: &str = "id, position, question_zh, answer_zh, question_en, answer_en, keywords, initials, matters, steps, published, updated_at";

/// The pinyin initials of the Chinese in `text` (other letters and digits
/// kept, lower case): 还清贷款 → `hqdk`. Polyphones take their common reading.
pub fn initials(text: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::new();
    for (c, p) in text.chars().zip(text.to_pinyin()) {
        match p {
            Some(p) => out.push_str(p.first_letter()),
            None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            None if c.is_whitespace() => out.push(' '),
            None => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn initials_of(d: &HelpDraft) -> String {
    let mut s = initials(&d.question_zh);
    for k in d.keywords.split_whitespace() {
        if !k.is_ascii() {
            s.push(' ');
            s.push_str(&initials(k));
        }
    }
    s
}

/// Every article, published or not, in the administrators' order.
pub async fn all(db: &Db) -> Result<Vec<HelpArticle>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM help_articles ORDER BY position, id");
    Ok(fetch_all!(db, Row, &sql)?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<HelpArticle>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM help_articles WHERE id = $1");
    Ok(fetch_optional!(db, Row, &sql, id)?.map(Into::into))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Updated,
    /// `expect_new` and the address is taken.
    Taken,
}

/// Create or change an article; the before and after go to the audit log.
pub async fn save(
    db: &Db,
    d: &HelpDraft,
    expect_new: bool,
    staff_id: &str,
) -> Result<Saved, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let sql = format!("SELECT {COLUMNS} FROM help_articles WHERE id = $1");
    let before: Option<HelpArticle> =
        fetch_optional_tx!(&mut tx, Row, &sql, &d.id)?.map(Into::into);
    if before.is_some() && expect_new {
        return Ok(Saved::Taken);
    }
    let now = now_ms();
    let initials = initials_of(d);
    let (matters, steps) = (d.matters.join(" "), d.steps.join(" "));
    if before.is_some() {
        execute_tx!(
            &mut tx,
            "UPDATE help_articles SET position = $2, question_zh = $3, answer_zh = $4,
                    question_en = $5, answer_en = $6, keywords = $7, initials = $8,
                    matters = $9, steps = $10, updated_at = $11, updated_by = $12
              WHERE id = $1",
            &d.id,
            d.position,
            &d.question_zh,
            &d.answer_zh,
            &d.question_en,
            &d.answer_en,
            &d.keywords,
            &initials,
            &matters,
            &steps,
            now,
            staff_id
        )?;
    } else {
        // Two administrators creating the same address at once: the
        // database's key decides, the second is told it is taken.
        let n = execute_tx!(
            &mut tx,
            "INSERT INTO help_articles (id, position, question_zh, answer_zh, question_en, answer_en,
                    keywords, initials, matters, steps, published, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12)
             ON CONFLICT (id) DO NOTHING",
            &d.id,
            d.position,
            &d.question_zh,
            &d.answer_zh,
            &d.question_en,
            &d.answer_en,
            &d.keywords,
            &initials,
            &matters,
            &steps,
            now,
            staff_id
        )?;
        if n != 1 {
            return Ok(Saved::Taken);
        }
    }
    let summary = |a: Option<&HelpArticle>| {
        a.map(|a| {
            format!(
                "{}|{}|{}",
                a.question_zh,
                a.matters.join(" "),
                a.steps.join(" ")
            )
        })
        .unwrap_or_default()
    };
    let after = format!("{}|{matters}|{steps}", d.question_zh);
    audit(
        &mut tx,
        &AuditEntry {
            actor: staff_id,
            role: "admin",
            action: "help_saved",
            application_id: None,
            before: &format!("{}:{}", d.id, summary(before.as_ref())),
            after: &after,
            reason: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(if before.is_some() {
        Saved::Updated
    } else {
        Saved::Created
    })
}

/// Publish or unpublish; false when there is no such article.
pub async fn set_published(
    db: &Db,
    id: &str,
    published: bool,
    staff_id: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "UPDATE help_articles SET published = $2, updated_at = $3, updated_by = $4 WHERE id = $1",
        id,
        i64::from(published),
        now_ms(),
        staff_id
    )?;
    if n != 1 {
        return Ok(false);
    }
    audit(
        &mut tx,
        &AuditEntry {
            actor: staff_id,
            role: "admin",
            action: if published {
                "help_published"
            } else {
                "help_unpublished"
            },
            application_id: None,
            before: id,
            after: "",
            reason: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Keep what an administrator typed into a refused form (replacing their
/// previous one): the article's original address ("" for a new one), the
/// form and the messages, as JSON.
pub async fn keep_draft(
    db: &Db,
    staff_id: &str,
    original: &str,
    form: &str,
    errors: &str,
) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO help_drafts (staff_id, original, form, errors, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (staff_id) DO UPDATE SET original = $2, form = $3, errors = $4, created_at = $5",
        staff_id,
        original,
        form,
        errors,
        now_ms()
    )?;
    Ok(())
}

/// The administrator's kept draft: (original address, form JSON, errors JSON).
pub async fn draft(
    db: &Db,
    staff_id: &str,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    fetch_optional!(
        db,
        (String, String, String),
        "SELECT original, form, errors FROM help_drafts WHERE staff_id = $1",
        staff_id
    )
}

pub async fn drop_draft(db: &Db, staff_id: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM help_drafts WHERE staff_id = $1", staff_id)?;
    Ok(())
}

#[derive(Deserialize)]
struct SeedArticle {
    id: String,
    question_zh: String,
    answer_zh: String,
    #[serde(default)]
    question_en: String,
    #[serde(default)]
    answer_en: String,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    matters: Vec<String>,
    #[serde(default)]
    steps: Vec<String>,
}

/// Load `seed/help.json` when the table is empty (the first start; articles
/// are never deleted, so it stays loaded once). True when it loaded.
pub async fn seed_if_empty(db: &Db, seed: &str) -> Result<bool, String> {
    let n: Option<(i64,)> = fetch_optional!(
        db,
        (i64,),
        "SELECT CAST(COUNT(*) AS BIGINT) FROM help_articles"
    )
    .map_err(|e| e.to_string())?;
    if n.map(|n| n.0).unwrap_or(0) > 0 {
        return Ok(false);
    }
    let articles: Vec<SeedArticle> =
        serde_json::from_str(seed).map_err(|e| format!("seed/help.json is not valid: {e}"))?;
    let now = now_ms();
    for (i, a) in articles.iter().enumerate() {
        let d = HelpDraft {
            id: a.id.clone(),
            position: (i as i64 + 1) * 10,
            question_zh: a.question_zh.clone(),
            answer_zh: a.answer_zh.clone(),
            question_en: a.question_en.clone(),
            answer_en: a.answer_en.clone(),
            keywords: a.keywords.clone(),
            matters: a.matters.clone(),
            steps: a.steps.clone(),
        };
        // Several replicas may start together: the first one's rows stand.
        execute!(
            db,
            "INSERT INTO help_articles (id, position, question_zh, answer_zh, question_en, answer_en,
                    keywords, initials, matters, steps, published, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11)
             ON CONFLICT (id) DO NOTHING",
            &d.id,
            d.position,
            &d.question_zh,
            &d.answer_zh,
            &d.question_en,
            &d.answer_en,
            &d.keywords,
            initials_of(&d),
            d.matters.join(" "),
            d.steps.join(" "),
            now
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_chinese_keep_letters_and_digits() {
        assert_eq!(initials("还清贷款后怎么注销抵押？"), "hqdkhzmzxdy");
        assert_eq!(initials("二手房 过户 2 次"), "esf gh 2 c");
        assert_eq!(initials("EMS 邮寄"), "ems yj");
    }

    #[test]
    fn the_seed_is_valid() {
        let articles: Vec<SeedArticle> = serde_json::from_str(SEED).unwrap();
        assert!(articles.len() >= 8);
        let known: Vec<String> = serde_json::from_str::<serde_json::Value>(super::super::SEED)
            .unwrap()["matters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap().to_string())
            .collect();
        for a in &articles {
            let form = crate::domain::help::HelpForm {
                id: a.id.clone(),
                position: String::new(),
                question_zh: a.question_zh.clone(),
                answer_zh: a.answer_zh.clone(),
                question_en: a.question_en.clone(),
                answer_en: a.answer_en.clone(),
                keywords: a.keywords.clone(),
                matters: a.matters.join(" "),
                steps: a.steps.join(" "),
            };
            let parsed = form.parse(|m| known.iter().any(|k| k == m));
            assert!(parsed.is_ok(), "{}: {:?}", a.id, parsed.err());
            assert!(!a.question_en.is_empty(), "{} has English", a.id);
        }
    }
}

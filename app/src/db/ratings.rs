//! Ratings (好差评) and their follow-ups. A rating is inserted once and
//! never changed (the database's triggers refuse UPDATE and DELETE); a low
//! one opens a follow-up in the same transaction.

use super::{audit, enqueue, now_ms, AuditEntry, Channel, Db};
use crate::domain::Lang;
use crate::{execute_tx, fetch_all, fetch_optional, fetch_optional_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRow {
    pub id: String,
    pub application_id: String,
    pub citizen_id: String,
    pub level: i64,
    pub reasons: String,
    pub comment: String,
    pub site_code: String,
    pub matter_code: String,
    pub clerk_id: Option<String>,
    pub created_at: i64,
}

impl RatingRow {
    pub fn reason_codes(&self) -> Vec<String> {
        serde_json::from_str(&self.reasons).unwrap_or_default()
    }
}

const COLUMNS: &str = "r.id, r.application_id, r.citizen_id, r.level, r.reasons, r.comment, r.site_code, r.matter_code, r.clerk_id, r.created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowUpRow {
    pub rating_id: String,
    pub site_code: String,
    pub due_on: String,
    pub status: String,
    pub action: String,
    pub staff_name: Option<String>,
    pub done_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewRating<'a> {
    pub application_id: &'a str,
    pub citizen_id: &'a str,
    pub rating: &'a crate::domain::rating::Rating,
    /// For a low rating: the day the follow-up is due.
    pub follow_up_due: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rated {
    Done(String),
    /// This person has rated this case already.
    Already,
}

/// Record a rating (and, for a low one, its follow-up), once per person
/// and case. The site, matter and last clerk are taken from the case.
pub async fn rate(db: &Db, n: &NewRating<'_>) -> Result<Rated, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let Some((site, matter)) = fetch_optional_tx!(
        &mut tx,
        (String, String),
        "SELECT site_code, matter_code FROM applications WHERE id = $1",
        n.application_id
    )?
    else {
        return Ok(Rated::Already);
    };
    let clerk = fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT actor FROM audit WHERE application_id = $1 AND role IN ('clerk', 'reviewer', 'supervisor')
           AND action NOT IN ('view', 'payment_order', 'payment_cancel')
         ORDER BY seq DESC LIMIT 1",
        n.application_id
    )?
    .map(|(a,)| a);
    let inserted = execute_tx!(
        &mut tx,
        "INSERT INTO ratings (id, application_id, citizen_id, level, reasons, comment, site_code, matter_code, clerk_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (application_id, citizen_id) DO NOTHING",
        &id,
        n.application_id,
        n.citizen_id,
        n.rating.level,
        serde_json::to_string(&n.rating.reasons).unwrap_or_else(|_| "[]".into()),
        &n.rating.comment,
        &site,
        &matter,
        clerk.as_deref(),
        now
    )?;
    if inserted != 1 {
        return Ok(Rated::Already);
    }
    if let Some(due) = n.follow_up_due {
        execute_tx!(
            &mut tx,
            "INSERT INTO rating_followups (rating_id, site_code, due_on, status, created_at) VALUES ($1, $2, $3, 'open', $4)",
            &id,
            &site,
            due,
            now
        )?;
    }
    tx.commit().await?;
    Ok(Rated::Done(id))
}

/// This person's rating of this case, with its follow-up.
pub async fn mine(
    db: &Db,
    application_id: &str,
    citizen_id: &str,
) -> Result<Option<(RatingRow, Option<FollowUpRow>)>, sqlx::Error> {
    let Some(r) = fetch_optional!(
        db,
        RatingRow,
        &format!(
            "SELECT {COLUMNS} FROM ratings r WHERE r.application_id = $1 AND r.citizen_id = $2"
        ),
        application_id,
        citizen_id
    )?
    else {
        return Ok(None);
    };
    let f = follow_up(db, &r.id).await?;
    Ok(Some((r, f)))
}

pub async fn follow_up(db: &Db, rating_id: &str) -> Result<Option<FollowUpRow>, sqlx::Error> {
    fetch_optional!(
        db,
        FollowUpRow,
        "SELECT f.rating_id, f.site_code, f.due_on, f.status, f.action, s.name AS staff_name, f.done_at
           FROM rating_followups f LEFT JOIN staff s ON s.id = f.staff_id
          WHERE f.rating_id = $1",
        rating_id
    )
}

/// A rating with what a supervisor needs to follow it up.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteRatingRow {
    pub id: String,
    pub application_id: String,
    pub receipt_no: Option<String>,
    pub level: i64,
    pub reasons: String,
    pub comment: String,
    pub site_code: String,
    pub matter_code: String,
    pub clerk_name: Option<String>,
    pub created_at: i64,
    pub due_on: Option<String>,
    pub status: Option<String>,
    pub action: Option<String>,
    pub staff_name: Option<String>,
    pub done_at: Option<i64>,
}

/// Ratings of the supervisor's sites since `since`, open follow-ups first.
pub async fn of_sites(
    db: &Db,
    staff_id: &str,
    since: i64,
) -> Result<Vec<SiteRatingRow>, sqlx::Error> {
    fetch_all!(
        db,
        SiteRatingRow,
        "SELECT r.id, r.application_id, a.receipt_no, r.level, r.reasons, r.comment, r.site_code, r.matter_code,
                c.name AS clerk_name, r.created_at, f.due_on, f.status, f.action, s.name AS staff_name, f.done_at
           FROM ratings r
           JOIN applications a ON a.id = r.application_id
           LEFT JOIN staff c ON c.id = r.clerk_id
           LEFT JOIN rating_followups f ON f.rating_id = r.id
           LEFT JOIN staff s ON s.id = f.staff_id
          WHERE r.site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $1)
            AND r.created_at >= $2
          ORDER BY CASE WHEN f.status = 'open' THEN 0 ELSE 1 END, f.due_on, r.created_at DESC
          LIMIT 500",
        staff_id,
        since
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowedUp {
    Done,
    /// No open follow-up of a site this supervisor serves.
    NotFound,
}

/// A supervisor records what was done about a low rating; the applicant
/// is told. Once.
pub async fn record_follow_up(
    db: &Db,
    rating_id: &str,
    staff_id: &str,
    role: &str,
    action: &str,
) -> Result<FollowedUp, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "UPDATE rating_followups SET status = 'done', action = $3, staff_id = $2, done_at = $4
          WHERE rating_id = $1 AND status = 'open'
            AND site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $2)",
        rating_id,
        staff_id,
        action,
        now
    )?;
    if n != 1 {
        return Ok(FollowedUp::NotFound);
    }
    let (app_id, receipt, mobile, lang) = fetch_optional_tx!(
        &mut tx,
        (String, Option<String>, String, String),
        "SELECT a.id, a.receipt_no, c.mobile, c.lang FROM ratings r
           JOIN applications a ON a.id = r.application_id
           JOIN citizens c ON c.id = r.citizen_id
          WHERE r.id = $1",
        rating_id
    )?
    .unwrap_or_default();
    enqueue(
        &mut tx,
        Channel::Sms,
        &mobile,
        "rating_followed_up",
        &serde_json::json!({ "receipt": receipt, "action": action }),
        Lang::from_code(&lang),
    )
    .await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: staff_id,
            role,
            action: "rating_follow_up",
            application_id: Some(&app_id),
            before: "open",
            after: "done",
            reason: action,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(FollowedUp::Done)
}

//! Home visits (上门服务) in the database. A case has at most one open
//! request (a partial unique index), and a clerk is never scheduled twice at
//! the same start (another): both are guarded by the database, not by a
//! read before the write.

use super::applications::add_event_note;
use super::outbox::{enqueue, Channel};
use super::staff::{audit, AuditEntry};
use super::{now_ms, Db};
use crate::domain::Lang;
use crate::{execute_tx, fetch_all, fetch_optional};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HomeVisitRow {
    pub id: String,
    pub application_id: String,
    pub site_code: String,
    pub reason: String,
    pub note: String,
    pub address: String,
    pub preferred: String,
    pub status: String,
    pub clerk_id: Option<String>,
    pub clerk_name: Option<String>,
    pub starts_at: Option<i64>,
    pub receipt_no: Option<String>,
    pub matter_code: String,
    pub created_at: i64,
}

const SELECT: &str = "SELECT v.id, v.application_id, v.site_code, v.reason, v.note, v.address,
        v.preferred, v.status, v.clerk_id, s.name AS clerk_name, v.starts_at, a.receipt_no,
        a.matter_code, v.created_at
   FROM home_visits v JOIN applications a ON a.id = v.application_id
   LEFT JOIN staff s ON s.id = v.clerk_id";

/// A request as the applicant made it.
#[derive(Debug, Clone)]
pub struct NewHomeVisit<'a> {
    pub application_id: &'a str,
    pub citizen_id: &'a str,
    pub site_code: &'a str,
    pub reason: &'a str,
    pub note: &'a str,
    pub address: &'a str,
    /// Preferred dates, `YYYY-MM-DD` separated by commas.
    pub preferred: &'a str,
}

/// Record a request with a timeline event; `None` if the case already has
/// an open one (the unique index decides).
pub async fn request_home_visit(
    db: &Db,
    v: &NewHomeVisit<'_>,
    lang: Lang,
) -> Result<Option<String>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let id = uuid::Uuid::new_v4().to_string();
    let inserted = execute_tx!(
        &mut tx,
        "INSERT INTO home_visits (id, application_id, citizen_id, site_code, reason, note, address,
                                  preferred, status, lang, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10, $10)",
        &id,
        v.application_id,
        v.citizen_id,
        v.site_code,
        v.reason,
        v.note,
        v.address,
        v.preferred,
        lang.code(),
        now
    );
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
        Err(e) => return Err(e),
    }
    add_event_note(
        &mut tx,
        v.application_id,
        "home_visit_requested",
        now,
        v.preferred,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// The open (requested or scheduled) visit of a case, else the latest.
pub async fn case_home_visit(
    db: &Db,
    application_id: &str,
) -> Result<Option<HomeVisitRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE v.application_id = $1
          ORDER BY CASE WHEN v.status IN ('requested', 'scheduled') THEN 0 ELSE 1 END,
                   v.created_at DESC
          LIMIT 1"
    );
    fetch_optional!(db, HomeVisitRow, &sql, application_id)
}

/// A site's requests waiting to be scheduled, oldest first, if the staff
/// member works there.
pub async fn waiting_home_visits(
    db: &Db,
    staff_id: &str,
    site: &str,
) -> Result<Vec<HomeVisitRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE v.site_code = $2 AND v.status = 'requested'
            AND EXISTS (SELECT 1 FROM staff_sites ss WHERE ss.staff_id = $1 AND ss.site_code = $2)
          ORDER BY v.created_at"
    );
    fetch_all!(db, HomeVisitRow, &sql, staff_id, site)
}

/// A site's scheduled visits in `[from, to)`, by time.
pub async fn scheduled_home_visits(
    db: &Db,
    staff_id: &str,
    site: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<HomeVisitRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE v.site_code = $2 AND v.status IN ('scheduled', 'done')
            AND v.starts_at >= $3 AND v.starts_at < $4
            AND EXISTS (SELECT 1 FROM staff_sites ss WHERE ss.staff_id = $1 AND ss.site_code = $2)
          ORDER BY v.starts_at"
    );
    fetch_all!(db, HomeVisitRow, &sql, staff_id, site, from_ms, to_ms)
}

/// The active clerks and supervisors of a site, `(id, name)`, who may be
/// sent on a visit.
pub async fn site_case_workers(db: &Db, site: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    fetch_all!(
        db,
        (String, String),
        "SELECT s.id, s.name FROM staff s JOIN staff_sites ss ON ss.staff_id = s.id
          WHERE ss.site_code = $1 AND s.active = 1 AND s.role IN ('clerk', 'supervisor')
          ORDER BY s.name",
        site
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleOutcome {
    Scheduled,
    /// Not a waiting request at one of the scheduler's sites.
    Gone,
    /// The clerk already has a visit at that time.
    Clash,
}

/// What a scheduler decided.
#[derive(Debug, Clone)]
pub struct Schedule<'a> {
    pub id: &'a str,
    pub by_staff: &'a str,
    pub by_role: &'a str,
    pub clerk_id: &'a str,
    pub starts_at: i64,
    /// Timeline note (the time, no staff names) and the SMS parameters.
    pub note: &'a str,
    pub sms: serde_json::Value,
}

/// Schedule a waiting request for a clerk of its site (conditional update),
/// with a timeline event, an SMS to the applicant and an audit record, in
/// one transaction.
pub async fn schedule_home_visit(
    db: &Db,
    s: &Schedule<'_>,
) -> Result<ScheduleOutcome, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let updated = execute_tx!(
        &mut tx,
        "UPDATE home_visits SET status = 'scheduled', clerk_id = $3, starts_at = $4, updated_at = $5
          WHERE id = $1 AND status = 'requested'
            AND site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $2)
            AND $3 IN (SELECT ss.staff_id FROM staff_sites ss WHERE ss.site_code = home_visits.site_code)",
        s.id,
        s.by_staff,
        s.clerk_id,
        s.starts_at,
        now
    );
    match updated {
        Ok(1) => {}
        Ok(_) => return Ok(ScheduleOutcome::Gone),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Ok(ScheduleOutcome::Clash)
        }
        Err(e) => return Err(e),
    }
    let (application_id, mobile, lang): (String, String, String) = crate::fetch_optional_tx!(
        &mut tx,
        (String, String, String),
        "SELECT v.application_id, c.mobile, v.lang
           FROM home_visits v JOIN citizens c ON c.id = v.citizen_id WHERE v.id = $1",
        s.id
    )?
    .ok_or(sqlx::Error::RowNotFound)?;
    add_event_note(
        &mut tx,
        &application_id,
        "home_visit_scheduled",
        now,
        s.note,
    )
    .await?;
    enqueue(
        &mut tx,
        Channel::Sms,
        &mobile,
        "home_visit_scheduled",
        &s.sms,
        Lang::from_code(&lang),
    )
    .await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: s.by_staff,
            role: s.by_role,
            action: "schedule_home_visit",
            application_id: Some(&application_id),
            before: "requested",
            after: s.clerk_id,
            reason: s.note,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ScheduleOutcome::Scheduled)
}

/// The applicant withdraws an open request (or a scheduled visit).
pub async fn cancel_home_visit(
    db: &Db,
    application_id: &str,
    citizen_id: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let n = execute_tx!(
        &mut tx,
        "UPDATE home_visits SET status = 'cancelled', updated_at = $3
          WHERE application_id = $1 AND citizen_id = $2 AND status IN ('requested', 'scheduled')",
        application_id,
        citizen_id,
        now
    )?;
    if n != 1 {
        return Ok(false);
    }
    add_event_note(&mut tx, application_id, "home_visit_cancelled", now, "").await?;
    tx.commit().await?;
    Ok(true)
}

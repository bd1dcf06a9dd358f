//! Deadline alerts for staff: the background job's candidates and writes,
//! and each person's unread alerts.

use super::{now_ms, Db};
use crate::{execute, fetch_all};

/// An open case in a formal stage, due on or before a day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeadlineRow {
    pub id: String,
    pub site_code: String,
    pub assigned_to: Option<String>,
    pub due_on: String,
    pub due_at: Option<i64>,
}

/// Cases in a formal, still-open stage due on or before `due_by`.
pub async fn deadline_candidates(db: &Db, due_by: &str) -> Result<Vec<DeadlineRow>, sqlx::Error> {
    fetch_all!(
        db,
        DeadlineRow,
        "SELECT id, site_code, assigned_to, due_on, due_at FROM applications
          WHERE status = 'submitted' AND due_on IS NOT NULL AND due_on <= $1 AND paused_at IS NULL
            AND stage IN ('accepted', 'review', 'register', 'certificate', 'fee_paid')
          ORDER BY due_on, due_at",
        due_by
    )
}

/// Active supervisors of a site.
pub async fn site_supervisors(db: &Db, site: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT s.id FROM staff s JOIN staff_sites ss ON ss.staff_id = s.id
          WHERE ss.site_code = $1 AND s.role = 'supervisor' AND s.active = 1
          ORDER BY s.id",
        site
    )?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Write an alert unless this person already has it; `true` if written.
pub async fn add_alert(
    db: &Db,
    staff_id: &str,
    application_id: &str,
    kind: &str,
    due_on: &str,
) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "INSERT INTO staff_alerts (id, staff_id, application_id, kind, due_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (staff_id, application_id, due_on, kind) DO NOTHING",
        uuid::Uuid::new_v4().to_string(),
        staff_id,
        application_id,
        kind,
        due_on,
        now_ms()
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub id: String,
    pub application_id: String,
    pub kind: String,
    pub due_on: String,
    /// The case's due instant, for a limit in working minutes.
    pub due_at: Option<i64>,
    pub created_at: i64,
    pub receipt_no: Option<String>,
    pub case_no: Option<String>,
    pub stage: String,
}

/// A person's unread alerts for cases still open, newest first.
pub async fn unread_alerts(db: &Db, staff_id: &str) -> Result<Vec<AlertRow>, sqlx::Error> {
    fetch_all!(
        db,
        AlertRow,
        "SELECT al.id, al.application_id, al.kind, al.due_on, a.due_at, al.created_at,
                a.receipt_no, a.case_no, a.stage
           FROM staff_alerts al JOIN applications a ON a.id = al.application_id
          WHERE al.staff_id = $1 AND al.read_at IS NULL
            AND (a.stage IN ('accepted', 'review', 'register', 'certificate', 'fee_paid')
                 OR (al.kind = 'objection' AND a.status = 'submitted'
                     AND a.stage IN ('pre_review', 'returned', 'pre_accepted')))
          ORDER BY al.created_at DESC
          LIMIT 100",
        staff_id
    )
}

/// Mark one's own alert read; `false` if it is not theirs or already read.
pub async fn mark_alert_read(db: &Db, staff_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "UPDATE staff_alerts SET read_at = $3 WHERE id = $1 AND staff_id = $2 AND read_at IS NULL",
        id,
        staff_id,
        now_ms()
    )?;
    Ok(n == 1)
}

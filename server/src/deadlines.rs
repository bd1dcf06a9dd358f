//! The deadline job (超时预警): every few minutes, alert the assigned clerk
//! and the site's supervisors of each case due today or on the next working
//! day, and again once it is overdue. Alerts appear on their workbench. The
//! database's UNIQUE constraint makes a pass idempotent, so any number of
//! servers may run the job.

use app::db::{self, Db};
use app::domain::calendar::{urgency, Urgency};
use chrono::NaiveDate;
use std::time::Duration;

pub struct DeadlineJob {
    pub db: Db,
    pub every: Duration,
}

impl DeadlineJob {
    /// Run until the task is aborted.
    pub async fn run(self) {
        loop {
            let today = chrono::Utc::now()
                .with_timezone(&app::domain::calendar::china())
                .date_naive();
            match run_once(&self.db, today).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(alerts = n, "deadline alerts written"),
                Err(e) => {
                    tracing::warn!(error = %e, "deadline job: database unavailable; will retry")
                }
            }
            tokio::time::sleep(self.every).await;
        }
    }
}

/// One pass as of `today`: the number of alerts written.
pub async fn run_once(db: &Db, today: NaiveDate) -> Result<usize, sqlx::Error> {
    let cal = db::load_calendar(db).await?;
    let due_by = cal
        .add_working_days(today, 1)
        .format("%Y-%m-%d")
        .to_string();
    let mut written = 0;
    for case in db::deadline_candidates(db, &due_by).await? {
        let Ok(due) = NaiveDate::parse_from_str(&case.due_on, "%Y-%m-%d") else {
            continue;
        };
        let kind = match urgency(&cal, due, today) {
            Urgency::Overdue => "overdue",
            Urgency::DueSoon => "due_soon",
            Urgency::OnTime => continue,
        };
        let mut people = db::site_supervisors(db, &case.site_code).await?;
        if let Some(clerk) = case.assigned_to {
            if !people.contains(&clerk) {
                people.push(clerk);
            }
        }
        for person in people {
            if db::add_alert(db, &person, &case.id, kind, &case.due_on).await? {
                written += 1;
            }
        }
    }
    Ok(written)
}

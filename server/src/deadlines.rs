//! The deadline job (超时预警): every few minutes, alert the assigned clerk
//! and the site's supervisors of each case due today or on the next working
//! day (a limit in working minutes: with at most 20 working minutes left),
//! and again once it is overdue. Alerts appear on their workbench. The
//! database's UNIQUE constraint makes a pass idempotent, so any number of
//! servers may run the job.

use app::db::{self, Db};
use app::domain::calendar::Urgency;
use app::domain::hours::Due;
use std::time::Duration;

pub struct DeadlineJob {
    pub db: Db,
    pub every: Duration,
}

impl DeadlineJob {
    /// Run until the task is aborted.
    pub async fn run(self) {
        loop {
            match run_once(&self.db, db::now_ms()).await {
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

/// One pass as of `now_ms`: the number of alerts written.
pub async fn run_once(db: &Db, now_ms: i64) -> Result<usize, sqlx::Error> {
    let clock = db::load_clock(db, now_ms).await?;
    let due_by = clock
        .cal
        .add_working_days(clock.today(), 1)
        .format("%Y-%m-%d")
        .to_string();
    let mut written = 0;
    for case in db::deadline_candidates(db, &due_by).await? {
        let Some(due) = Due::from_columns(Some(&case.due_on), case.due_at) else {
            continue;
        };
        let kind = match clock.urgency(&case.site_code, &due) {
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

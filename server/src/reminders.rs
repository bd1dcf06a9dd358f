//! The reminder job: every minute, text each booked visit's holder the day
//! before (09:00) and two hours before, once each. Sending is a conditional
//! update committed with the outbox message (see `db::remind`), so any
//! number of servers may run the job and none sends a reminder twice.

use app::db::{self, Db};
use app::domain::booking::Reminder;
use app::domain::hours::local;
use app::domain::Lang;
use std::time::Duration;

pub struct ReminderJob {
    pub db: Db,
    pub every: Duration,
    /// Booking closes this many minutes before a slot (said in the text).
    pub close_minutes: i64,
}

impl ReminderJob {
    /// Run until the task is aborted.
    pub async fn run(self) {
        loop {
            match run_once(&self.db, db::now_ms(), self.close_minutes).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminders = n, "booking reminders queued"),
                Err(e) => {
                    tracing::warn!(error = %e, "reminder job: database unavailable; will retry")
                }
            }
            tokio::time::sleep(self.every).await;
        }
    }
}

/// One pass as of `now_ms`: the number of reminders queued.
pub async fn run_once(db: &Db, now_ms: i64, close_minutes: i64) -> Result<usize, sqlx::Error> {
    // A day-before reminder is due from 09:00 the day before, at most 39 h
    // ahead of the slot; look two days ahead to be safe.
    let rows = db::upcoming_unreminded(db, now_ms, now_ms + 2 * 86_400_000).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let sites = db::list_active_sites(db).await?;
    let mut sent = 0;
    for b in rows {
        let due = [
            (Reminder::DayBefore, b.reminded_day_at),
            (Reminder::Soon, b.reminded_soon_at),
        ]
        .into_iter()
        .filter(|(_, done)| done.is_none())
        .map(|(r, _)| r)
        .find(|r| r.due(b.starts_at, b.created_at, now_ms));
        let Some(reminder) = due else { continue };
        let site = sites.iter().find(|s| s.code == b.site_code);
        let text = |f: fn(&app::model::Site) -> &String| site.map(f).cloned().unwrap_or_default();
        let params = serde_json::json!({
            "when": format!(
                "{}–{}",
                local(b.starts_at).format("%Y-%m-%d %H:%M"),
                local(b.ends_at).format("%H:%M")
            ),
            "site_zh": text(|s| &s.name_zh),
            "site_en": text(|s| &s.name_en),
            "address_zh": text(|s| &s.address_zh),
            "address_en": text(|s| &s.address_en),
            "code": b.code,
            "close_hours": (close_minutes / 60).to_string(),
        });
        if db::remind(
            db,
            &b.id,
            reminder,
            &params,
            &b.mobile,
            Lang::from_code(&b.lang),
        )
        .await?
        {
            sent += 1;
        }
    }
    Ok(sent)
}

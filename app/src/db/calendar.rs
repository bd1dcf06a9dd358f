//! The working-day calendar in the database: seeded once from the file,
//! then edited by administrators (each change audited).

use super::staff::{audit, AuditEntry};
use super::{now_ms, Db};
use crate::domain::calendar::{DayKind, WorkCalendar};
use crate::domain::hours::{Clock, WorkHours};
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_optional_tx};

pub const CALENDAR_SEED: &str = include_str!("../../../seed/calendar.json");

/// Load the seed file when the table is empty; `true` if it did.
pub async fn seed_calendar_if_empty(db: &Db, json: &str) -> Result<bool, String> {
    let n = fetch_optional!(db, (i64,), "SELECT COUNT(*) FROM calendar_days")
        .map_err(|e| e.to_string())?
        .map(|(n,)| n)
        .unwrap_or(0);
    if n > 0 {
        return Ok(false);
    }
    let cal = WorkCalendar::from_json(json).map_err(|e| format!("{e:?}"))?;
    let now = now_ms();
    for (day, kind) in cal.days() {
        // Two servers starting at once: the primary key keeps one row.
        execute!(
            db,
            "INSERT INTO calendar_days (day, kind, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (day) DO NOTHING",
            day.format("%Y-%m-%d").to_string(),
            kind.code(),
            now
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(true)
}

/// The calendar as stored now (rows that do not parse are skipped; the
/// CHECK constraint and the editor keep them out).
pub async fn load_calendar(db: &Db) -> Result<WorkCalendar, sqlx::Error> {
    let rows: Vec<(String, String)> = fetch_all!(
        db,
        (String, String),
        "SELECT day, kind FROM calendar_days ORDER BY day"
    )?;
    Ok(WorkCalendar::from_days(rows.into_iter().filter_map(
        |(d, k)| {
            Some((
                chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?,
                DayKind::from_code(&k)?,
            ))
        },
    )))
}

/// The calendar and every site's working-day hours, judged at `now_ms`. A
/// site whose stored hours do not parse (the editor refuses such text)
/// keeps the default hours, with a warning in the log.
pub async fn load_clock(db: &Db, now_ms: i64) -> Result<Clock, sqlx::Error> {
    let cal = load_calendar(db).await?;
    let rows: Vec<(String, String)> =
        fetch_all!(db, (String, String), "SELECT code, work_hours FROM sites")?;
    let mut hours = std::collections::HashMap::new();
    for (code, text) in rows {
        match WorkHours::parse(&text) {
            Ok(h) => {
                hours.insert(code, h);
            }
            Err(e) => {
                tracing::warn!(site = %code, error = ?e, "unreadable work hours; using the default")
            }
        }
    }
    Ok(Clock::new(cal, hours, now_ms))
}

/// Declare a day off or working, or (`None`) return it to its weekday rule;
/// audited with the old and new kind.
pub async fn set_calendar_day(
    db: &Db,
    day: chrono::NaiveDate,
    kind: Option<DayKind>,
    actor: super::Actor<'_>,
) -> Result<(), sqlx::Error> {
    let day_s = day.format("%Y-%m-%d").to_string();
    let mut tx = db.begin_write().await?;
    let before = fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT kind FROM calendar_days WHERE day = $1",
        &day_s
    )?
    .map(|(k,)| k)
    .unwrap_or_default();
    execute_tx!(&mut tx, "DELETE FROM calendar_days WHERE day = $1", &day_s)?;
    if let Some(kind) = kind {
        execute_tx!(
            &mut tx,
            "INSERT INTO calendar_days (day, kind, updated_by, updated_at) VALUES ($1, $2, $3, $4)",
            &day_s,
            kind.code(),
            actor.id,
            now_ms()
        )?;
    }
    audit(
        &mut tx,
        &AuditEntry {
            actor: actor.id,
            role: actor.role,
            action: "calendar",
            application_id: None,
            before: &before,
            after: kind.map(DayKind::code).unwrap_or(""),
            reason: &day_s,
        },
    )
    .await?;
    tx.commit().await
}

//! The supervisor's audit review: actions taken outside working hours.

#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A view of a case outside working hours (the off-hours query review).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffHoursView {
    pub at: String,
    pub who: String,
    pub receipt_no: String,
}

/// What a supervisor reviews: views of their sites' cases made outside
/// working hours (before 08:00, from 18:00, or on a day off) in the last
/// 30 days, and whether the audit chain is intact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReview {
    pub off_hours: Vec<OffHoursView>,
    /// The first audit record whose chain link does not hold, if any.
    pub broken_at: Option<i64>,
    /// Every staff query of the register in the last 30 days.
    #[serde(default)]
    pub register_queries: Vec<RegisterQueryView>,
}

/// A staff query of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterQueryView {
    pub at: String,
    pub who: String,
    pub query: String,
    pub found: bool,
}

/// Is this instant (Unix ms) outside working hours in China?
pub fn off_hours(cal: &crate::domain::calendar::WorkCalendar, ms: i64) -> bool {
    use chrono::Timelike;
    let Some(t) = crate::domain::calendar::china_time(ms) else {
        return false;
    };
    !cal.is_working_day(t.date_naive()) || t.hour() < 8 || t.hour() >= 18
}

#[server(endpoint = "cases/audit_review")]
pub async fn review_audit() -> Result<AuditReview, AppError> {
    use crate::guards::*;
    use crate::services::*;

    let s = require_staff().await?;
    if s.role != "supervisor" {
        return Err(AppError::Forbidden);
    }
    let database = database()?;
    let cal = crate::db::load_calendar(&database)
        .await
        .map_err(internal("calendar"))?;
    let since = crate::db::now_ms() - 30 * 24 * 3600 * 1000;
    let views = crate::db::case_views_since(&database, &s.staff_id, since)
        .await
        .map_err(internal("audit"))?;
    let broken_at = crate::db::verify_audit(&database)
        .await
        .map_err(internal("audit"))?;
    let register_queries = crate::db::register_queries_since(&database, since)
        .await
        .map_err(internal("audit"))?
        .into_iter()
        .map(|(at, who, query, after)| RegisterQueryView {
            at: crate::views::local_time(at),
            who,
            query,
            found: after == "found",
        })
        .collect();
    Ok(AuditReview {
        register_queries,
        off_hours: views
            .into_iter()
            .filter(|(at, _, _)| off_hours(&cal, *at))
            .map(|(at, who, receipt)| OffHoursView {
                at: crate::views::local_time(at),
                who,
                receipt_no: receipt.unwrap_or_default(),
            })
            .collect(),
        broken_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_hours_are_evenings_early_mornings_and_days_off() {
        let cal = crate::domain::calendar::WorkCalendar::from_json(include_str!(
            "../../../../seed/calendar.json"
        ))
        .unwrap();
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        assert!(
            !off_hours(&cal, at("2026-11-24T10:00:00+08:00")),
            "Tuesday morning"
        );
        assert!(
            off_hours(&cal, at("2026-11-24T19:30:00+08:00")),
            "Tuesday evening"
        );
        assert!(
            off_hours(&cal, at("2026-11-24T07:59:00+08:00")),
            "before eight"
        );
        assert!(off_hours(&cal, at("2026-11-28T10:00:00+08:00")), "Saturday");
        assert!(
            !off_hours(&cal, at("2026-10-10T10:00:00+08:00")),
            "a make-up working Saturday"
        );
        assert!(
            off_hours(&cal, at("2026-10-02T10:00:00+08:00")),
            "National Day"
        );
    }
}

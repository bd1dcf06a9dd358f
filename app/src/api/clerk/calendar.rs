//! The working-day calendar administrators keep (holidays, make-up working days).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One year of the working-day calendar, for the administrators' editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarYearView {
    pub year: i32,
    /// Declared days of the year: (`YYYY-MM-DD`, `holiday` | `workday`).
    pub days: Vec<(String, String)>,
    pub csrf: String,
}

#[server(endpoint = "calendar/year")]
pub async fn calendar_year(year: Option<i32>) -> Result<CalendarYearView, AppError> {
    use crate::guards::*;
    use crate::services::*;
    use chrono::Datelike;
    let admin = require_admin(None).await?;
    let year = year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| crate::ops::case_facts::today().year());
    let cal = crate::db::load_calendar(&database()?)
        .await
        .map_err(|e| AppError::internal("calendar", e))?;
    Ok(CalendarYearView {
        year,
        days: cal
            .days()
            .into_iter()
            .filter(|(d, _)| d.year() == year)
            .map(|(d, k)| (d.format("%Y-%m-%d").to_string(), k.code().to_string()))
            .collect(),
        csrf: admin.csrf_token,
    })
}

/// Declare a day a holiday or a working day, or (`normal`) give it back to
/// its weekday rule. Deadlines computed from now on use the new calendar;
/// deadlines already set are kept (they were promised to applicants).
#[server(endpoint = "calendar/set")]
pub async fn set_calendar_day(csrf: String, day: String, kind: String) -> Result<(), AppError> {
    use crate::domain::calendar::DayKind;
    use crate::error::FieldError;
    use crate::guards::*;
    use crate::services::*;
    let admin = require_admin(Some(&csrf)).await?;
    let form = is_form_post().await;
    let parsed = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)));
    let kind_ok = kind == "normal" || DayKind::from_code(&kind).is_some();
    let Some(date) = parsed.filter(|_| kind_ok) else {
        if form {
            redirect("/staff/calendar?error=day");
            return Ok(());
        }
        return Err(AppError::Validation(vec![FieldError::new(
            "day",
            "day",
            "请填写日期（年-月-日）并选择类型".into(),
            "Enter a date (year-month-day) and choose a kind".into(),
        )]));
    };
    let actor = crate::db::Actor {
        id: &admin.staff_id,
        role: &admin.role,
    };
    crate::db::set_calendar_day(&database()?, date, DayKind::from_code(&kind), actor)
        .await
        .map_err(|e| AppError::internal("calendar", e))?;
    if form {
        redirect(&format!(
            "/staff/calendar?year={}&ok=saved",
            chrono::Datelike::year(&date)
        ));
    }
    Ok(())
}

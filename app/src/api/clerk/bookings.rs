//! A site's day at the window: the visits booked, marking who came, closing a day.

#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
use crate::views::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One visit of a site's day, for the clerks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitLine {
    pub id: String,
    pub code: String,
    /// Empty for a consultation (then `topic` says what about).
    pub application_id: String,
    pub topic: String,
    pub walk_in: bool,
    pub receipt_no: String,
    pub matter_zh: String,
    pub matter_en: String,
    pub group: String,
    pub time: String,
    /// The window (seat) of its slot, 1..windows of its group.
    pub window: i64,
    pub status: String,
    /// Its time has come (a no-show can be recorded).
    pub started: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayPlan {
    pub site: String,
    pub day: String,
    /// The staff member's sites (code, 中文名, English name).
    pub sites: Vec<(String, String, String)>,
    pub visits: Vec<VisitLine>,
    /// The code looked up (a scanned QR code), if it was found.
    pub found: Option<String>,
    /// Home visits: waiting to be scheduled, and scheduled that day.
    pub home_waiting: Vec<HomeVisitLine>,
    pub home_day: Vec<HomeVisitLine>,
    /// Clerks and supervisors of the site `(id, name)` and the viewer's id.
    pub workers: Vec<(String, String)>,
    pub me: String,
    /// The day's one-off closures (`HH:MM–HH:MM`, reason).
    pub closures: Vec<(String, String)>,
    /// The viewer may close the site (a supervisor or administrator of it).
    pub can_close: bool,
    pub csrf: String,
}

/// A site's day of visits (staff of that site; others see their own sites).
/// With `code` (what a booking's QR code carries), the day and site of that
/// booking, the line marked.
#[server(endpoint = "bookings/day")]
pub async fn site_day(
    site: Option<String>,
    day: Option<String>,
    code: Option<String>,
) -> Result<DayPlan, AppError> {
    use crate::services::*;

    let s = crate::guards::case_worker().await?;
    let database = database()?;
    let code = code
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty() && c.len() <= 16);
    let mut found = None;
    let (site, day) = match &code {
        Some(c) => match crate::db::booking_by_code(&database, &s.staff_id, c)
            .await
            .map_err(internal("code"))?
        {
            Some(b) => {
                found = Some(b.code.clone());
                (
                    Some(b.site_code),
                    Some(
                        crate::domain::hours::local(b.starts_at)
                            .format("%Y-%m-%d")
                            .to_string(),
                    ),
                )
            }
            None => (site, day),
        },
        None => (site, day),
    };
    let mine = crate::db::staff_sites(&database, &s.staff_id)
        .await
        .map_err(internal("sites"))?;
    let all = crate::db::list_active_sites(&database)
        .await
        .map_err(internal("sites"))?;
    let sites: Vec<(String, String, String)> = all
        .iter()
        .filter(|x| mine.contains(&x.code))
        .map(|x| (x.code.clone(), x.name_zh.clone(), x.name_en.clone()))
        .collect();
    let site = site
        .filter(|c| mine.contains(c))
        .or_else(|| sites.first().map(|x| x.0.clone()))
        .ok_or(AppError::NotFound)?;
    let day = match day.filter(|d| !d.trim().is_empty()) {
        Some(d) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
            AppError::Validation(vec![FieldError::new(
                "day",
                "day",
                "日期格式应为 2026-11-26".into(),
                "Dates look like 2026-11-26".into(),
            )])
        })?,
        None => crate::domain::hours::local(crate::db::now_ms()).date(),
    };
    let from = day
        .and_hms_opt(0, 0, 0)
        .map(crate::domain::hours::utc_ms)
        .unwrap_or(0);
    let rows = crate::db::day_bookings(&database, &s.staff_id, &site, from, from + 86_400_000)
        .await
        .map_err(internal("day"))?;
    let home_waiting = crate::db::waiting_home_visits(&database, &s.staff_id, &site)
        .await
        .map_err(internal("home"))?
        .into_iter()
        .map(HomeVisitLine::from)
        .collect();
    let home_day =
        crate::db::scheduled_home_visits(&database, &s.staff_id, &site, from, from + 86_400_000)
            .await
            .map_err(internal("home"))?
            .into_iter()
            .map(HomeVisitLine::from)
            .collect();
    let workers = crate::db::site_case_workers(&database, &site)
        .await
        .map_err(internal("workers"))?;
    let matters = crate::db::list_matters(&database)
        .await
        .map_err(internal("matters"))?;
    let closures = crate::db::closure_notes(&database, &site, from, from + 86_400_000)
        .await
        .map_err(internal("closures"))?
        .into_iter()
        .map(|(a, b, reason)| {
            (
                format!(
                    "{}–{}",
                    crate::domain::hours::local(a).format("%H:%M"),
                    crate::domain::hours::local(b).format("%H:%M")
                ),
                reason,
            )
        })
        .collect();
    Ok(DayPlan {
        closures,
        found,
        home_waiting,
        home_day,
        workers,
        me: s.staff_id.clone(),
        can_close: s.role == "supervisor",
        visits: rows
            .into_iter()
            .map(|r| {
                let m = matters
                    .iter()
                    .find(|m| Some(&m.code) == r.matter_code.as_ref());
                VisitLine {
                    time: format!(
                        "{}–{}",
                        crate::domain::hours::local(r.starts_at).format("%H:%M"),
                        crate::domain::hours::local(r.ends_at).format("%H:%M")
                    ),
                    matter_zh: m.map(|m| m.name_zh.clone()).unwrap_or_default(),
                    matter_en: m.map(|m| m.name_en.clone()).unwrap_or_default(),
                    id: r.id,
                    code: r.code,
                    application_id: r.application_id.unwrap_or_default(),
                    topic: r.topic.unwrap_or_default(),
                    walk_in: r.walk_in == 1,
                    receipt_no: r.receipt_no.unwrap_or_default(),
                    group: r.matter_group,
                    window: r.seat,
                    started: r.starts_at <= crate::db::now_ms(),
                    status: r.status,
                }
            })
            .collect(),
        site,
        day: day.format("%Y-%m-%d").to_string(),
        sites,
        csrf: s.csrf_token,
    })
}

/// Mark a booked visit arrived or a no-show (staff of its site; once).
#[server(endpoint = "bookings/mark")]
pub async fn mark_visit(
    id: String,
    status: String,
    csrf: String,
    back: Option<String>,
) -> Result<(), AppError> {
    use crate::services::*;

    let s = crate::guards::case_worker().await?;
    crate::services::check_staff_csrf(&s, &csrf)?;
    if !matches!(status.as_str(), "arrived" | "no_show") {
        return Err(AppError::BadRequest);
    }
    let database = database()?;
    if status == "no_show" {
        let mine = crate::db::staff_sites(&database, &s.staff_id)
            .await
            .map_err(internal("sites"))?;
        let b = crate::db::booking(&database, &id)
            .await
            .map_err(internal("booking"))?
            .filter(|b| mine.contains(&b.site_code))
            .ok_or(AppError::NotFound)?;
        if b.status == "booked" && b.starts_at > crate::db::now_ms() {
            return Err(AppError::Conflict {
                code: "too_early".into(),
            });
        }
    }
    let done = crate::db::mark_booking(&database, &s.staff_id, &id, &status)
        .await
        .map_err(internal("mark"))?;
    if !done {
        return Err(AppError::NotFound);
    }
    if is_form_post().await {
        let back = back
            .filter(|b| b.starts_with("/staff/bookings"))
            .unwrap_or_else(|| "/staff/bookings".into());
        redirect(&back);
    }
    Ok(())
}

/// Close a site for part of a day (a supervisor of the site): slots inside
/// are no longer offered, and the bookings they hold are cancelled with an
/// SMS, in one transaction that no booking can interleave with.
#[server(endpoint = "bookings/close")]
pub async fn close_site(
    site: String,
    day: String,
    from: String,
    to: String,
    reason: String,
    csrf: String,
) -> Result<usize, AppError> {
    use crate::services::*;

    let s = crate::guards::case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    if s.role != "supervisor" {
        return Err(AppError::Forbidden);
    }
    let database = database()?;
    let mine = crate::db::staff_sites(&database, &s.staff_id)
        .await
        .map_err(internal("sites"))?;
    if !mine.contains(&site) {
        return Err(AppError::NotFound);
    }
    let back = format!("/staff/bookings?site={}&day={}", q(&site), q(&day));
    let form = is_form_post().await;
    let mut errors = Vec::new();
    let date = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").ok();
    if date.is_none() {
        errors.push(FieldError::new(
            "day",
            "day",
            "日期格式应为 2026-11-26".into(),
            "Dates look like 2026-11-26".into(),
        ));
    }
    let time = |t: &str| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
    let (a, b) = (time(&from), time(&to));
    if a.is_none() || b.is_none() || a >= b {
        errors.push(FieldError::new(
            "to",
            "times",
            "请填写开始和结束时间（如 13:30 至 17:00），结束晚于开始".into(),
            "Give a start and an end (e.g. 13:30 to 17:00), the end after the start".into(),
        ));
    }
    let reason = reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 200 {
        errors.push(FieldError::new(
            "reason",
            "reason_required",
            "请写明闭厅原因（200 字以内），申请人会收到".into(),
            "Write the reason (up to 200 characters); applicants receive it".into(),
        ));
    }
    let (Some(date), Some(a), Some(b), true) = (date, a, b, errors.is_empty()) else {
        if form {
            redirect(&format!(
                "{back}&error={}",
                errors.first().map(|e| e.code.as_str()).unwrap_or("day")
            ));
            return Ok(0);
        }
        return Err(AppError::Validation(errors));
    };
    let ms = |t: chrono::NaiveTime| crate::domain::hours::utc_ms(date.and_time(t));
    let lang = request_lang().await;
    let cancelled = crate::db::close_site(
        &database,
        &crate::db::NewClosure {
            site_code: &site,
            starts_at: ms(a),
            ends_at: ms(b),
            reason: &reason,
            staff_id: &s.staff_id,
            role: &s.role,
        },
        lang,
    )
    .await
    .map_err(internal("close"))?;
    services()?.outbox_wake.notify_one();
    if form {
        redirect(&format!("{back}&ok=closed&cancelled={cancelled}"));
    }
    Ok(cancelled)
}

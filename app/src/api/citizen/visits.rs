//! The rest of the appointment service: consultations without a case,
//! walk-ins into free capacity (clerks), and home visits (上门服务) for
//! applicants who cannot come: requested by the applicant, scheduled by a
//! clerk of the case's site.

#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
use crate::error::internal;
// A form's fields are a server function's arguments; `#[server]` copies
// them into functions of its own, where an item-level allow does not reach.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
use crate::views::{BookingView, DayView, HomeVisitLine, SiteChoice};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a signed-in person can book for a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultChoices {
    pub sites: Vec<SiteChoice>,
    pub site: String,
    pub days: Vec<DayView>,
    /// The person's booked consultations.
    pub current: Vec<BookingView>,
    pub close_minutes: i64,
    pub limited_until: Option<String>,
    pub csrf: String,
}

/// The consultation service: any site that has consultation windows.
/// `None` when nobody is signed in (the page then asks them to).
#[server(endpoint = "consult/options")]
pub async fn consultation_options(
    site: Option<String>,
) -> Result<Option<ConsultChoices>, AppError> {
    use crate::guards::*;
    use crate::ops::booking::*;
    use crate::services::*;
    let Some(session) = current_session().await? else {
        return Ok(None);
    };
    let database = database()?;
    let offer = offer(&database, "consult", site).await?;
    let current = crate::db::consultations(&database, &session.citizen_id)
        .await
        .map_err(internal("consultations"))?
        .iter()
        .map(|b| view(b, &offer.all_sites, &offer.rules))
        .collect();
    Ok(Some(ConsultChoices {
        sites: offer.sites,
        site: offer.site,
        days: offer.days,
        current,
        close_minutes: offer.rules.close_minutes,
        limited_until: limited_until(&database, &session.citizen_id, &offer.rules).await?,
        csrf: session.csrf_token,
    }))
}

/// Book a consultation (no case): a site with consultation windows, a free
/// slot and what it is about. Answers the booking code.
#[server(endpoint = "consult/book")]
pub async fn book_consultation(
    site: String,
    slot: String,
    topic: String,
    csrf: String,
) -> Result<String, AppError> {
    use crate::db::{BookOutcome, NewBooking};
    use crate::ops::booking::*;

    use crate::services::*;
    let back = format!("/consult?site={}", q(&site));
    let session = crate::guards::form_session(&csrf, &back).await?;
    let form = is_form_post().await;
    let fail = |e: FieldError| -> Result<String, AppError> {
        if form {
            redirect(&format!("{back}&error={}", q(&e.code)));
            return Ok(String::new());
        }
        Err(AppError::Validation(vec![e]))
    };
    let topic = topic.trim().to_string();
    if topic.chars().count() < 2 || topic.chars().count() > 200 {
        return fail(FieldError::new(
            "topic",
            "topic",
            "请简要写明想咨询的问题（2–200 字）".into(),
            "Say briefly what you want to ask (2–200 characters)".into(),
        ));
    }
    let database = database()?;
    let offered = crate::db::services_for(&database, "consult")
        .await
        .map_err(internal("services"))?;
    let Some(service) = offered.iter().find(|s| s.site_code == site) else {
        return fail(FieldError::new(
            "site",
            "site",
            "该办理点不提供预约咨询，请重新选择".into(),
            "That site takes no consultation bookings; choose another".into(),
        ));
    };
    let rules = rules()?;
    let clock = crate::db::load_clock(&database, crate::db::now_ms())
        .await
        .map_err(internal("clock"))?;
    let slot = match checked_slot(&database, &clock, &rules, service, &slot).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if let Some(until) = limited_until(&database, &session.citizen_id, &rules).await? {
        return fail(limited_error(&until));
    }
    let sites = crate::db::list_active_sites(&database)
        .await
        .map_err(internal("sites"))?;
    let site_row = sites.iter().find(|s| s.code == site);
    let when = format!("{} {}", slot.start.format("%Y-%m-%d"), slot.label());
    let outcome = crate::db::book(
        &database,
        &NewBooking {
            application_id: None,
            topic: Some(&topic),
            walk_in: false,
            citizen_id: &session.citizen_id,
            site_code: &site,
            matter_group: "consult",
            starts_at: slot.start_ms(),
            ends_at: slot.end_ms(),
            windows: service.windows,
            replaces: None,
            max_future: rules.max_future,
            note: "",
            mobile: &session.mobile,
            sms: sms_params(site_row, &when, &rules),
        },
        request_lang().await,
    )
    .await
    .map_err(internal("book"))?;
    match outcome {
        BookOutcome::Booked { code, .. } => {
            services()?.outbox_wake.notify_one();
            if form {
                redirect("/consult?ok=booked");
            }
            Ok(code)
        }
        other => fail(outcome_error(&other)),
    }
}

/// Cancel one of the person's consultations (up to the cut-off).
#[server(endpoint = "consult/cancel")]
pub async fn cancel_consultation(id: String, csrf: String) -> Result<(), AppError> {
    use crate::ops::booking::*;

    use crate::services::*;
    let session = crate::guards::form_session(&csrf, "/consult").await?;
    let database = database()?;
    let b = crate::db::booking(&database, &id)
        .await
        .map_err(internal("booking"))?
        .filter(|b| b.citizen_id == session.citizen_id && b.application_id.is_none())
        .ok_or(AppError::NotFound)?;
    if b.status != "booked" || b.starts_at - crate::db::now_ms() < rules()?.close_minutes * 60_000 {
        if is_form_post().await {
            redirect("/consult?error=booking_locked");
            return Ok(());
        }
        return Err(AppError::Conflict {
            code: "booking_locked".into(),
        });
    }
    crate::db::cancel_booking(&database, &b.id, &session.citizen_id, None, "")
        .await
        .map_err(internal("cancel"))?;
    if is_form_post().await {
        redirect("/consult?ok=cancelled");
    }
    Ok(())
}

/// The home-visit block of an application, for its filer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeVisitInfo {
    pub application_id: String,
    pub receipt_no: String,
    pub current: Option<HomeVisitLine>,
    /// The first date that may be asked for (tomorrow, China time).
    pub earliest: String,
    pub csrf: String,
}

#[server(endpoint = "home_visits/info")]
pub async fn get_home_visit(id: String) -> Result<HomeVisitInfo, AppError> {
    use crate::guards::*;
    use crate::ops::booking::*;
    use crate::services::*;
    let session = require_session().await?;
    let row = bookable_case(&id, &session).await?;
    let current = crate::db::case_home_visit(&database()?, &id)
        .await
        .map_err(internal("home"))?
        .filter(|v| matches!(v.status.as_str(), "requested" | "scheduled"))
        .map(HomeVisitLine::from);
    Ok(HomeVisitInfo {
        application_id: row.id,
        receipt_no: row.receipt_no.unwrap_or_default(),
        current,
        earliest: (crate::domain::hours::local(crate::db::now_ms()).date() + chrono::Days::new(1))
            .format("%Y-%m-%d")
            .to_string(),
        csrf: session.csrf_token,
    })
}

/// The dates an applicant prefers, checked: 1–3 working days from tomorrow
/// to 30 days ahead.
#[cfg(feature = "ssr")]
fn preferred_dates(
    raw: &[String],
    cal: &crate::domain::calendar::WorkCalendar,
    today: chrono::NaiveDate,
) -> Result<String, FieldError> {
    let bad = || {
        FieldError::new(
            "dates",
            "dates",
            "请选择 1 至 3 个希望上门的日期（明天起 30 天内的工作日）".into(),
            "Choose 1 to 3 preferred dates (working days from tomorrow, within 30 days)".into(),
        )
    };
    let mut days: Vec<chrono::NaiveDate> = Vec::new();
    for d in raw.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
        let day = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad())?;
        let ahead = (day - today).num_days();
        if !(1..=30).contains(&ahead) || !cal.is_working_day(day) {
            return Err(bad());
        }
        if !days.contains(&day) {
            days.push(day);
        }
    }
    if days.is_empty() || days.len() > 3 {
        return Err(bad());
    }
    days.sort();
    Ok(days
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect::<Vec<_>>()
        .join(","))
}

/// An applicant who cannot come asks for a home visit: why (aged 80+,
/// illness, disability — self-declared, with a note), where, and 1–3
/// preferred dates (`date1`–`date3`).
#[server(endpoint = "home_visits/request")]
pub async fn request_home_visit(
    id: String,
    reason: String,
    note: String,
    address: String,
    date1: Option<String>,
    date2: Option<String>,
    date3: Option<String>,
    csrf: String,
) -> Result<(), AppError> {
    let dates: Vec<String> = [date1, date2, date3].into_iter().flatten().collect();
    use crate::ops::booking::*;

    use crate::services::*;
    let back = format!("/applications/{}/home-visit", q(&id));
    let session = crate::guards::form_session(&csrf, &back).await?;
    let row = bookable_case(&id, &session).await?;
    let database = database()?;
    let mut errors = Vec::new();
    if !matches!(reason.as_str(), "age" | "illness" | "disability") {
        errors.push(FieldError::new(
            "reason",
            "reason",
            "请选择申请上门服务的原因".into(),
            "Choose why you need a home visit".into(),
        ));
    }
    let note = note.trim().to_string();
    if note.chars().count() < 2 || note.chars().count() > 200 {
        errors.push(FieldError::new(
            "note",
            "note",
            "请简要说明情况（2–200 字），如行动不便的原因".into(),
            "Describe your situation briefly (2–200 characters)".into(),
        ));
    }
    let address = address.trim().to_string();
    if address.chars().count() < 5 || address.chars().count() > 200 {
        errors.push(FieldError::new(
            "address",
            "address",
            "请填写上门地址（5–200 字，写到门牌号）".into(),
            "Give the address to visit (5–200 characters, with the door number)".into(),
        ));
    }
    let clock = crate::db::load_clock(&database, crate::db::now_ms())
        .await
        .map_err(internal("clock"))?;
    let preferred = match preferred_dates(&dates, &clock.cal, clock.today()) {
        Ok(p) => p,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    let form = is_form_post().await;
    if !errors.is_empty() {
        if form {
            let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
            redirect(&format!("{back}?error={}", codes.join(",")));
            return Ok(());
        }
        return Err(AppError::Validation(errors));
    }
    let case = crate::db::case_row(&database, &id)
        .await
        .map_err(internal("case"))?
        .ok_or(AppError::NotFound)?;
    let made = crate::db::request_home_visit(
        &database,
        &crate::db::NewHomeVisit {
            application_id: &row.id,
            citizen_id: &session.citizen_id,
            site_code: &case.site_code,
            reason: &reason,
            note: &note,
            address: &address,
            preferred: &preferred,
        },
        request_lang().await,
    )
    .await
    .map_err(internal("home"))?;
    if made.is_none() {
        if form {
            redirect(&format!("{back}?error=open"));
            return Ok(());
        }
        return Err(AppError::Conflict {
            code: "home_visit_open".into(),
        });
    }
    if form {
        redirect(&format!("/applications/{}?ok=home_visit", q(&id)));
    }
    Ok(())
}

/// The applicant withdraws their home-visit request (or scheduled visit).
#[server(endpoint = "home_visits/cancel")]
pub async fn cancel_home_visit(id: String, csrf: String) -> Result<(), AppError> {
    use crate::services::*;
    let back = format!("/applications/{}", q(&id));
    let session = crate::guards::form_session(&csrf, &back).await?;
    let row = crate::guards::visible(&id, &session).await?;
    if row.filer_id != session.citizen_id {
        return Err(AppError::NotFound);
    }
    let done = crate::db::cancel_home_visit(&database()?, &id, &session.citizen_id)
        .await
        .map_err(internal("home"))?;
    if !done {
        return Err(AppError::Conflict {
            code: "no_home_visit".into(),
        });
    }
    if is_form_post().await {
        redirect(&format!("{back}?ok=home_visit_cancelled"));
    }
    Ok(())
}

//! Visits that are not a booked case: walk-ins at the window and home visits scheduled by staff.

#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
use leptos::prelude::*;

/// A clerk adds a walk-in: the applicant of a pre-accepted case is at the
/// desk, and takes a free seat in the current slot (or the next one today
/// with room). Recorded as arrived; answers the slot's time.
#[server(endpoint = "bookings/walk_in")]
pub async fn walk_in(site: String, receipt: String, csrf: String) -> Result<String, AppError> {
    use crate::db::{BookOutcome, NewBooking};

    use crate::services::*;
    let s = crate::guards::case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let database = database()?;
    let mine = crate::db::staff_sites(&database, &s.staff_id)
        .await
        .map_err(internal("sites"))?;
    if !mine.contains(&site) {
        return Err(AppError::NotFound);
    }
    let today = crate::domain::hours::local(crate::db::now_ms()).date();
    let back = format!("/staff/bookings?site={}&day={today}", q(&site));
    let form = is_form_post().await;
    let fail = |code: &str, zh: &str, en: &str| -> Result<String, AppError> {
        if form {
            redirect(&format!("{back}&error={code}"));
            return Ok(String::new());
        }
        Err(AppError::Validation(vec![FieldError::new(
            "receipt",
            code,
            zh.into(),
            en.into(),
        )]))
    };
    let receipt = receipt.trim().to_ascii_uppercase();
    let found = if receipt.is_empty() || receipt.len() > 40 {
        None
    } else {
        crate::db::case_by_receipt(&database, &receipt)
            .await
            .map_err(internal("receipt"))?
            // A case of another site is, to this clerk, no case at all: its
            // existence, stage and booking are not theirs to learn.
            .filter(|c| mine.contains(&c.site_code))
    };
    let Some(case) = found else {
        return fail(
            "receipt",
            "没有找到这个回执号的案件，请核对",
            "No case has that receipt number; check it",
        );
    };
    if case.status != "submitted" || case.stage != "pre_accepted" {
        return fail(
            "not_bookable",
            "该案件不在“预审通过、待到场”状态，不能登记现场到场",
            "That case is not pre-accepted and waiting for a visit",
        );
    }
    if crate::db::live_booking(&database, &case.id)
        .await
        .map_err(internal("booking"))?
        .is_some()
    {
        return fail(
            "case_booked",
            "该案件已有预约，请在列表中标记到场",
            "That case is booked already; mark it arrived in the list",
        );
    }
    let group = crate::db::matter_booking_group(&database, &case.matter_code)
        .await
        .map_err(internal("group"))?;
    let offered = crate::db::services_for(&database, &group)
        .await
        .map_err(internal("services"))?;
    let Some(service) = offered.iter().find(|x| x.site_code == site) else {
        return fail(
            "site",
            "本办理点不办理该事项",
            "This site does not handle that matter",
        );
    };
    let clock = crate::db::load_clock(&database, crate::db::now_ms())
        .await
        .map_err(internal("clock"))?;
    let candidates: Vec<_> = crate::domain::booking::day_slots(
        &clock.cal,
        clock.hours(&site),
        today,
        service.slot_minutes as u32,
    )
    .into_iter()
    .filter(|slot| slot.end_ms() > clock.now_ms)
    .collect();
    let lang = request_lang().await;
    for slot in candidates {
        let note = format!("{} {}", slot.start.format("%Y-%m-%d"), slot.label());
        let outcome = crate::db::book(
            &database,
            &NewBooking {
                application_id: Some(&case.id),
                topic: None,
                walk_in: true,
                citizen_id: &case.filer_id,
                site_code: &site,
                matter_group: &group,
                starts_at: slot.start_ms(),
                ends_at: slot.end_ms(),
                windows: service.windows,
                replaces: None,
                max_future: i64::MAX,
                note: &note,
                mobile: "",
                sms: serde_json::Value::Null,
            },
            lang,
        )
        .await
        .map_err(internal("walk_in"))?;
        match outcome {
            BookOutcome::Booked { .. } => {
                if form {
                    redirect(&format!("{back}&ok=walk_in&time={}", q(&slot.label())));
                }
                return Ok(slot.label());
            }
            BookOutcome::Full | BookOutcome::Closed => continue,
            _ => {
                return fail(
                    "case_booked",
                    "该案件已有预约，请在列表中标记到场",
                    "That case is booked already; mark it arrived in the list",
                )
            }
        }
    }
    fail(
        "no_capacity",
        "今天剩余时段已满（或已过办公时间），请为申请人预约其他时间",
        "No seat is left today (or the site has closed); book another time",
    )
}

/// A clerk or supervisor of the case's site schedules a requested home
/// visit for a clerk of that site (themselves or a colleague).
#[server(endpoint = "home_visits/schedule")]
pub async fn schedule_home_visit(
    id: String,
    clerk: String,
    day: String,
    time: String,
    csrf: String,
    site: String,
) -> Result<(), AppError> {
    use crate::db::ScheduleOutcome;

    use crate::services::*;
    let s = crate::guards::case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let database = database()?;
    let back = format!("/staff/bookings?site={}&day={}", q(&site), q(&day));
    let form = is_form_post().await;
    let fail = |code: &str, zh: &str, en: &str| -> Result<(), AppError> {
        if form {
            redirect(&format!("{back}&error={code}"));
            return Ok(());
        }
        Err(AppError::Validation(vec![FieldError::new(
            "time",
            code,
            zh.into(),
            en.into(),
        )]))
    };
    let date = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").ok();
    let at = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok();
    let clock = crate::db::load_clock(&database, crate::db::now_ms())
        .await
        .map_err(internal("clock"))?;
    let (Some(date), Some(at)) = (date, at) else {
        return fail(
            "when",
            "请填写上门日期和时间（如 2026-11-26 09:30）",
            "Give the visit's day and time (e.g. 2026-11-26 09:30)",
        );
    };
    let start = date.and_time(at);
    let starts_at = crate::domain::hours::utc_ms(start);
    if starts_at <= clock.now_ms || !clock.cal.is_working_day(date) {
        return fail(
            "when",
            "上门时间应是今后的工作日",
            "A visit is scheduled on a coming working day",
        );
    }
    let Some(visit) = crate::db::waiting_home_visits(&database, &s.staff_id, &site)
        .await
        .map_err(internal("home"))?
        .into_iter()
        .find(|v| v.id == id)
    else {
        return Err(AppError::NotFound);
    };
    let when = start.format("%Y-%m-%d %H:%M").to_string();
    let outcome = crate::db::schedule_home_visit(
        &database,
        &crate::db::Schedule {
            id: &id,
            by_staff: &s.staff_id,
            by_role: &s.role,
            clerk_id: &clerk,
            starts_at,
            note: &when,
            sms: serde_json::json!({
                "when": when,
                "address": visit.address,
                "receipt": visit.receipt_no.unwrap_or_default(),
            }),
        },
    )
    .await
    .map_err(internal("schedule"))?;
    match outcome {
        ScheduleOutcome::Scheduled => {
            services()?.outbox_wake.notify_one();
            if form {
                redirect(&format!("{back}&ok=scheduled"));
            }
            Ok(())
        }
        ScheduleOutcome::Clash => fail(
            "clash",
            "该工作人员此时已有上门安排，请换一个时间或人员",
            "That clerk already has a visit then; choose another time or clerk",
        ),
        ScheduleOutcome::Gone => fail(
            "clerk",
            "请选择本办理点的工作人员",
            "Choose a clerk of this site",
        ),
    }
}

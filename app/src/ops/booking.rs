//! Booking a visit, as both citizens (pages) and clerks (the day plan)
//! reach it: the booking rules, the sites that serve a group, free days and
//! slots, a checked slot, what a booking looks like, no-show limits.

use crate::db::{self, BookingRow};
use crate::domain::booking::BookingRules;
use crate::domain::hours::local;
use crate::error::internal;
use crate::error::AppError;
use crate::error::FieldError;
use crate::views::*;

pub fn rules() -> Result<BookingRules, AppError> {
    Ok(crate::services::services()?.policy.booking)
}

pub fn site_choice(s: &crate::model::Site) -> SiteChoice {
    SiteChoice {
        code: s.code.clone(),
        name_zh: s.name_zh.clone(),
        name_en: s.name_en.clone(),
        address_zh: s.address_zh.clone(),
        address_en: s.address_en.clone(),
    }
}

pub fn view(b: &BookingRow, sites: &[crate::model::Site], rules: &BookingRules) -> BookingView {
    let start = local(b.starts_at);
    let end = local(b.ends_at);
    BookingView {
        id: b.id.clone(),
        code: b.code.clone(),
        site: sites
            .iter()
            .find(|s| s.code == b.site_code)
            .map(site_choice)
            .unwrap_or_else(|| SiteChoice {
                code: b.site_code.clone(),
                name_zh: b.site_code.clone(),
                name_en: b.site_code.clone(),
                address_zh: String::new(),
                address_en: String::new(),
            }),
        when: format!("{}–{}", start.format("%Y-%m-%d %H:%M"), end.format("%H:%M")),
        status: b.status.clone(),
        changeable: b.status == "booked"
            && b.starts_at - db::now_ms() >= rules.close_minutes * 60_000,
    }
}

/// Until when online booking is limited for this person's repeated
/// no-shows (`YYYY-MM-DD`, China time), if it is.
pub async fn limited_until(
    database: &db::Db,
    citizen_id: &str,
    rules: &BookingRules,
) -> Result<Option<String>, AppError> {
    let now = db::now_ms();
    let since = now - rules.no_show_days.max(0) * 86_400_000;
    let shows = db::no_shows(database, citizen_id, since)
        .await
        .map_err(internal("no_shows"))?;
    Ok(crate::domain::booking::no_show_block(&shows, now, rules)
        .map(|t| local(t).format("%Y-%m-%d").to_string()))
}

/// The refusal of a limited person's booking, as a field error.
pub fn limited_error(until: &str) -> FieldError {
    FieldError::new(
        "slot",
        "no_shows",
        format!("您近期多次预约后未到场，{until} 前暂停网上预约；可直接到窗口现场办理或致电办理点"),
        format!("After repeated no-shows, online booking is paused until {until}; you can still come to a window or call the site"),
    )
}

/// What a group's booking page offers: the sites serving it, the one
/// shown (the one asked for if it serves the group, else the first),
/// and that site's free slots.
pub struct Offer {
    pub sites: Vec<SiteChoice>,
    pub site: String,
    pub days: Vec<DayView>,
    pub all_sites: Vec<crate::model::Site>,
    pub rules: BookingRules,
}

pub async fn offer(
    database: &db::Db,
    group: &str,
    site: Option<String>,
) -> Result<Offer, AppError> {
    let services = db::services_for(database, group)
        .await
        .map_err(internal("services"))?;
    let all_sites = db::list_active_sites(database)
        .await
        .map_err(internal("sites"))?;
    let sites: Vec<SiteChoice> = services
        .iter()
        .filter_map(|s| all_sites.iter().find(|x| x.code == s.site_code))
        .map(site_choice)
        .collect();
    let chosen = site
        .filter(|s| services.iter().any(|x| &x.site_code == s))
        .or_else(|| services.first().map(|s| s.site_code.clone()))
        .unwrap_or_default();
    let rules = rules()?;
    let clock = db::load_clock(database, db::now_ms())
        .await
        .map_err(internal("clock"))?;
    let days = match services.iter().find(|s| s.site_code == chosen) {
        Some(service) => free_days(database, &clock, &rules, group, service).await?,
        None => Vec::new(),
    };
    Ok(Offer {
        sites,
        site: chosen,
        days,
        all_sites,
        rules,
    })
}

/// The slots of a site's service with a free seat over the booking
/// window, day by day.
pub async fn free_days(
    database: &db::Db,
    clock: &crate::domain::hours::Clock,
    rules: &BookingRules,
    group: &str,
    service: &db::ServiceRow,
) -> Result<Vec<DayView>, AppError> {
    let site = &service.site_code;
    let horizon = clock.now_ms + (i64::from(rules.days_ahead) + 2) * 86_400_000;
    let closed = db::closures(database, site, clock.now_ms, horizon)
        .await
        .map_err(internal("closures"))?;
    let slots = crate::domain::booking::open_slots(
        &clock.cal,
        clock.hours(site),
        service.slot_minutes as u32,
        rules,
        clock.now_ms,
        &closed,
    );
    let taken = db::seats_taken(database, site, group, clock.now_ms, horizon)
        .await
        .map_err(internal("seats"))?;
    let mut days: Vec<DayView> = Vec::new();
    for s in slots {
        let used = taken
            .iter()
            .find(|(at, _)| *at == s.start_ms())
            .map(|(_, n)| *n)
            .unwrap_or(0);
        let free = service.windows - used;
        if free <= 0 {
            continue;
        }
        let day = s.start.date().format("%Y-%m-%d").to_string();
        if days.last().is_none_or(|d| d.day != day) {
            use chrono::Datelike;
            days.push(DayView {
                day,
                weekday: s.start.date().weekday().number_from_monday(),
                slots: Vec::new(),
            });
        }
        if let Some(d) = days.last_mut() {
            d.slots.push(SlotView {
                key: s.key(),
                label: s.label(),
                free,
            });
        }
    }
    Ok(days)
}

/// Check a chosen slot of a site's service, as a field error.
pub async fn checked_slot(
    database: &db::Db,
    clock: &crate::domain::hours::Clock,
    rules: &BookingRules,
    service: &db::ServiceRow,
    slot: &str,
) -> Result<crate::domain::booking::Slot, FieldError> {
    use crate::domain::booking::{check_slot, SlotRefusal};
    let field = |code: &str, zh: &str, en: &str| {
        FieldError::new("slot", code, zh.to_string(), en.to_string())
    };
    let Ok(start) = chrono::NaiveDateTime::parse_from_str(slot.trim(), "%Y-%m-%d %H:%M") else {
        return Err(field("slot", "请选择一个时段", "Choose a time"));
    };
    let closed = db::closures(
        database,
        &service.site_code,
        clock.now_ms,
        clock.now_ms + (i64::from(rules.days_ahead) + 2) * 86_400_000,
    )
    .await
    .map_err(|_| field("slot", "请稍后重试", "Please try again"))?;
    check_slot(
        &clock.cal,
        clock.hours(&service.site_code),
        service.slot_minutes as u32,
        rules,
        start,
        clock.now_ms,
        &closed,
    )
    .map_err(|r| match r {
        SlotRefusal::NotASlot => field(
            "not_a_slot",
            "该时段不开放预约（休息日、午休或非整点时段），请重新选择",
            "That time is not open for booking (day off, lunch or off the grid)",
        ),
        SlotRefusal::TooLate => field(
            "too_late",
            "该时段已过或距开始不足预约截止时间，请选择更晚的时段",
            "That time has passed or is too close; choose a later one",
        ),
        SlotRefusal::Closed => field(
            "closed",
            "办理点该时段临时闭厅，请选择其他时段",
            "The site is closed then; choose another time",
        ),
        SlotRefusal::TooFar => field(
            "too_far",
            "只能预约近期的时段，请选择更早的日期",
            "Bookings open only for the coming days; choose an earlier date",
        ),
    })
}

/// The refusal of a booking outcome other than `Booked`, as a field error.
pub fn outcome_error(outcome: &db::BookOutcome) -> FieldError {
    use db::BookOutcome::*;
    let (code, zh, en) = match outcome {
        Full | Booked { .. } => (
            "full",
            "这个时段刚刚被约满了，请从下面仍有空位的时段中选择",
            "That time was just taken; choose one of the free times below",
        ),
        CaseBooked => (
            "case_booked",
            "此案件已有预约，可改约或取消",
            "This case is already booked; move or cancel that booking",
        ),
        TooMany => (
            "too_many",
            "您的未到期预约已达上限，请先取消不需要的预约",
            "You hold as many future bookings as allowed; cancel one first",
        ),
        Closed => (
            "closed",
            "办理点该时段临时闭厅，请选择其他时段",
            "The site is closed then; choose another time",
        ),
        Gone => (
            "stale",
            "预约已有变化，请刷新后重试",
            "The booking changed meanwhile; reload and try again",
        ),
    };
    FieldError::new("slot", code, zh.into(), en.into())
}

/// The parameters of a booking's SMS (the code is added when it is known).
pub fn sms_params(
    site: Option<&crate::model::Site>,
    when: &str,
    rules: &BookingRules,
) -> serde_json::Value {
    let text = |f: fn(&crate::model::Site) -> &String| site.map(f).cloned().unwrap_or_default();
    serde_json::json!({
        "when": when,
        "site_zh": text(|s| &s.name_zh),
        "site_en": text(|s| &s.name_en),
        "address_zh": text(|s| &s.address_zh),
        "address_en": text(|s| &s.address_en),
        "close_hours": (rules.close_minutes / 60).to_string(),
    })
}

/// The case the signed-in citizen filed, if it is waiting for a visit.
pub async fn bookable_case(
    id: &str,
    session: &db::SessionRow,
) -> Result<db::ApplicationRow, AppError> {
    let row = crate::guards::visible(id, session).await?;
    if row.filer_id != session.citizen_id {
        return Err(AppError::NotFound);
    }
    // Once the visit is recorded there is nothing left to book.
    let visited = !db::case_visits(&crate::services::database()?, id)
        .await
        .map_err(internal("visits"))?
        .is_empty();
    if row.status != "submitted" || row.stage != "pre_accepted" || visited {
        return Err(AppError::Conflict {
            code: "not_bookable".into(),
        });
    }
    Ok(row)
}

/// The live booking of a case as its holder sees it.
pub async fn booking_view(
    database: &db::Db,
    application_id: &str,
) -> Result<Option<BookingView>, AppError> {
    let Some(b) = db::live_booking(database, application_id)
        .await
        .map_err(internal("booking"))?
    else {
        return Ok(None);
    };
    let sites = db::list_active_sites(database)
        .await
        .map_err(internal("sites"))?;
    Ok(Some(view(&b, &sites, &rules()?)))
}

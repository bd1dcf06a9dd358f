//! Appointments (预约) for pre-accepted cases: the sites that serve the
//! matter, their free slots over the next days, booking, moving and
//! cancelling (the filer, up to the cut-off), and the clerks' day view.
//!
//! Capacity is the database's: see `db::bookings`. Everything here checks
//! who may act and whether a slot exists and is still bookable.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteChoice {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub address_zh: String,
    pub address_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotView {
    /// `YYYY-MM-DD HH:MM`, what the form sends back.
    pub key: String,
    /// `09:00–09:30`.
    pub label: String,
    pub free: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    pub day: String,
    pub weekday: u32,
    pub slots: Vec<SlotView>,
}

/// A booking as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingView {
    pub id: String,
    pub code: String,
    pub site: SiteChoice,
    /// `YYYY-MM-DD HH:MM–HH:MM`.
    pub when: String,
    pub status: String,
    /// Still before the cut-off: it may be moved or cancelled.
    pub changeable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingChoices {
    pub application_id: String,
    pub receipt_no: String,
    pub matter_zh: String,
    pub matter_en: String,
    pub group: String,
    pub sites: Vec<SiteChoice>,
    /// The site whose slots are listed.
    pub site: String,
    /// Days with at least one free slot, soonest first.
    pub days: Vec<DayView>,
    pub current: Option<BookingView>,
    pub close_minutes: i64,
    /// Online booking is limited for repeated no-shows until this day.
    pub limited_until: Option<String>,
    pub csrf: String,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::db::{self, BookingRow};
    use crate::domain::booking::BookingRules;
    use crate::domain::hours::local;

    pub use crate::api::cases::server::internal;

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
        let row = crate::api::applications::server::visible(id, session).await?;
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
}

/// What the filer of a pre-accepted case can book: the sites serving its
/// matter, and the chosen site's free slots over the booking window.
#[server(endpoint = "bookings/options")]
pub async fn booking_options(id: String, site: Option<String>) -> Result<BookingChoices, AppError> {
    use crate::services::*;
    use server::*;
    let session = require_session().await?;
    let row = bookable_case(&id, &session).await?;
    let database = database()?;
    let group = crate::db::matter_booking_group(&database, &row.matter_code)
        .await
        .map_err(internal("group"))?;
    let offer = offer(&database, &group, site).await?;
    let matter = crate::api::applications::server::load_matter(&row.matter_code).await?;
    Ok(BookingChoices {
        current: booking_view(&database, &id).await?,
        application_id: row.id,
        receipt_no: row.receipt_no.unwrap_or_default(),
        matter_zh: matter.name_zh,
        matter_en: matter.name_en,
        group,
        sites: offer.sites,
        site: offer.site,
        days: offer.days,
        close_minutes: offer.rules.close_minutes,
        limited_until: limited_until(&database, &session.citizen_id, &offer.rules).await?,
        csrf: session.csrf_token,
    })
}

/// Book a slot for a pre-accepted case (or move the case's booking to it).
/// Answers the booking's id; a form post goes back to the application.
#[server(endpoint = "bookings/book")]
pub async fn book_visit(
    id: String,
    site: String,
    slot: String,
    csrf: String,
) -> Result<String, AppError> {
    use crate::db::{BookOutcome, NewBooking};
    use crate::services::*;
    use server::*;
    let back = format!("/applications/{}/booking?site={}", q(&id), q(&site));
    let session = crate::api::applications::server::form_session(&csrf, &back).await?;
    let row = bookable_case(&id, &session).await?;
    let form = is_form_post().await;
    let fail = |field: &str, code: &str, zh: &str, en: &str| -> Result<String, AppError> {
        if form {
            redirect(&format!("{back}&error={code}"));
            return Ok(String::new());
        }
        Err(AppError::Validation(vec![FieldError::new(
            field,
            code,
            zh.into(),
            en.into(),
        )]))
    };
    let database = database()?;
    let group = crate::db::matter_booking_group(&database, &row.matter_code)
        .await
        .map_err(internal("group"))?;
    let offered = crate::db::services_for(&database, &group)
        .await
        .map_err(internal("services"))?;
    let Some(service) = offered.iter().find(|s| s.site_code == site) else {
        return fail(
            "site",
            "site",
            "该办理点不办理此事项，请重新选择",
            "That site does not handle this matter; choose another",
        );
    };
    let rules = rules()?;
    let clock = crate::db::load_clock(&database, crate::db::now_ms())
        .await
        .map_err(internal("clock"))?;
    let slot = match checked_slot(&database, &clock, &rules, service, &slot).await {
        Ok(s) => s,
        Err(e) => return fail(&e.field, &e.code, &e.zh, &e.en),
    };
    if let Some(until) = limited_until(&database, &session.citizen_id, &rules).await? {
        if form {
            redirect(&format!("{back}&error=no_shows"));
            return Ok(String::new());
        }
        return Err(AppError::Validation(vec![limited_error(&until)]));
    }
    let current = crate::db::live_booking(&database, &id)
        .await
        .map_err(internal("booking"))?;
    if let Some(b) = &current {
        if b.starts_at - clock.now_ms < rules.close_minutes * 60_000 {
            return fail(
                "slot",
                "locked",
                "原预约即将开始，已不能改约",
                "The current booking is about to start and can no longer be moved",
            );
        }
    }
    let sites = crate::db::list_active_sites(&database)
        .await
        .map_err(internal("sites"))?;
    let site_row = sites.iter().find(|s| s.code == site);
    let when = format!("{} {}", slot.start.format("%Y-%m-%d"), slot.label());
    let site_zh = site_row.map(|s| s.name_zh.clone()).unwrap_or_default();
    let lang = request_lang().await;
    let outcome = crate::db::book(
        &database,
        &NewBooking {
            application_id: Some(&id),
            topic: None,
            walk_in: false,
            citizen_id: &session.citizen_id,
            site_code: &site,
            matter_group: &group,
            starts_at: slot.start_ms(),
            ends_at: slot.end_ms(),
            windows: service.windows,
            replaces: current.as_ref().map(|b| b.id.as_str()),
            max_future: rules.max_future,
            note: &format!("{when} {site_zh}"),
            mobile: &session.mobile,
            sms: sms_params(site_row, &when, &rules),
        },
        lang,
    )
    .await
    .map_err(internal("book"))?;
    match outcome {
        BookOutcome::Booked { id: booking, .. } => {
            services()?.outbox_wake.notify_one();
            if form {
                redirect(&format!("/applications/{}?ok=booked", q(&id)));
            }
            Ok(booking)
        }
        other => {
            let e = outcome_error(&other);
            fail(&e.field, &e.code, &e.zh, &e.en)
        }
    }
}

/// Cancel the case's booking (its filer, up to the cut-off).
#[server(endpoint = "bookings/cancel")]
pub async fn cancel_visit(id: String, csrf: String) -> Result<(), AppError> {
    use crate::services::*;
    use server::*;
    let back = format!("/applications/{}", q(&id));
    let session = crate::api::applications::server::form_session(&csrf, &back).await?;
    let row = crate::api::applications::server::visible(&id, &session).await?;
    if row.filer_id != session.citizen_id {
        return Err(AppError::NotFound);
    }
    let database = database()?;
    let refuse =
        |code: &str| -> Result<(), AppError> { Err(AppError::Conflict { code: code.into() }) };
    let Some(b) = crate::db::live_booking(&database, &id)
        .await
        .map_err(internal("booking"))?
    else {
        return refuse("no_booking");
    };
    if b.starts_at - crate::db::now_ms() < rules()?.close_minutes * 60_000 {
        if is_form_post().await {
            redirect(&format!("{back}?error=booking_locked"));
            return Ok(());
        }
        return refuse("booking_locked");
    }
    let when = crate::domain::hours::local(b.starts_at)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    if !crate::db::cancel_booking(&database, &b.id, &session.citizen_id, Some(&id), &when)
        .await
        .map_err(internal("cancel"))?
    {
        return refuse("no_booking");
    }
    if is_form_post().await {
        redirect(&format!("{back}?ok=booking_cancelled"));
    }
    Ok(())
}

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

/// A home visit as the clerks see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeVisitLine {
    pub id: String,
    pub application_id: String,
    pub receipt_no: String,
    pub reason: String,
    pub note: String,
    pub address: String,
    pub preferred: String,
    pub status: String,
    /// `YYYY-MM-DD HH:MM` once scheduled.
    pub when: String,
    pub clerk_id: String,
    pub clerk_name: String,
}

#[cfg(feature = "ssr")]
impl From<crate::db::HomeVisitRow> for HomeVisitLine {
    fn from(v: crate::db::HomeVisitRow) -> Self {
        HomeVisitLine {
            when: v
                .starts_at
                .map(|t| {
                    crate::domain::hours::local(t)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            id: v.id,
            application_id: v.application_id,
            receipt_no: v.receipt_no.unwrap_or_default(),
            reason: v.reason,
            note: v.note,
            address: v.address,
            preferred: v.preferred,
            status: v.status,
            clerk_id: v.clerk_id.unwrap_or_default(),
            clerk_name: v.clerk_name.unwrap_or_default(),
        }
    }
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
    use server::*;
    let s = crate::api::cases::server::case_worker().await?;
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
    use server::*;
    let s = crate::api::cases::server::case_worker().await?;
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
    use server::*;
    let s = crate::api::cases::server::case_worker().await?;
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

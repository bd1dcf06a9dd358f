//! Appointments (预约) for pre-accepted cases: the sites that serve the
//! matter, their free slots over the next days, booking, moving and
//! cancelling (the filer, up to the cut-off), and the clerks' day view.
//!
//! Capacity is the database's: see `db::bookings`. Everything here checks
//! who may act and whether a slot exists and is still bookable.

#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
use crate::views::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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

/// What the filer of a pre-accepted case can book: the sites serving its
/// matter, and the chosen site's free slots over the booking window.
#[server(endpoint = "bookings/options")]
pub async fn booking_options(id: String, site: Option<String>) -> Result<BookingChoices, AppError> {
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::booking::*;
    let session = require_session().await?;
    let row = bookable_case(&id, &session).await?;
    let database = database()?;
    let group = crate::db::matter_booking_group(&database, &row.matter_code)
        .await
        .map_err(internal("group"))?;
    let offer = offer(&database, &group, site).await?;
    let matter = crate::ops::case_facts::load_matter(&row.matter_code).await?;
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

    use crate::ops::booking::*;
    let back = format!("/applications/{}/booking?site={}", q(&id), q(&site));
    let session = crate::guards::form_session(&csrf, &back).await?;
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
    // A crowd pressing "book" on one slot: once the database has said it
    // is full, the rest are told so from memory; the others pass the
    // slot's gate one at a time for the write only (below).
    let gates = services()?.slot_gates;
    let gate_key = format!("{site}\u{1f}{}\u{1f}{slot}", row.matter_code);
    if gates.known_full(&gate_key) {
        let e = outcome_error(&BookOutcome::Full);
        return fail(&e.field, &e.code, &e.zh, &e.en);
    }
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
    // More than a few seconds' queue at this slot's gate (a spike): 503
    // with Retry-After, never a wait until the phone gives up.
    let Some((_gate, known_full)) = gates
        .enter_within(&gate_key, std::time::Duration::from_secs(5))
        .await
    else {
        return Err(AppError::Unavailable {
            retry_after_secs: 5,
        });
    };
    if known_full {
        let e = outcome_error(&BookOutcome::Full);
        return fail(&e.field, &e.code, &e.zh, &e.en);
    }
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
            if current.is_some() {
                gates.seats_freed();
            }
            if form {
                redirect(&format!("/applications/{}?ok=booked", q(&id)));
            }
            Ok(booking)
        }
        other => {
            if matches!(other, BookOutcome::Full) {
                gates.full(&gate_key);
            }
            let e = outcome_error(&other);
            fail(&e.field, &e.code, &e.zh, &e.en)
        }
    }
}

/// Cancel the case's booking (its filer, up to the cut-off).
#[server(endpoint = "bookings/cancel")]
pub async fn cancel_visit(id: String, csrf: String) -> Result<(), AppError> {
    use crate::services::*;

    use crate::ops::booking::*;
    let back = format!("/applications/{}", q(&id));
    let session = crate::guards::form_session(&csrf, &back).await?;
    let row = crate::guards::visible(&id, &session).await?;
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
    services()?.slot_gates.seats_freed();
    if is_form_post().await {
        redirect(&format!("{back}?ok=booking_cancelled"));
    }
    Ok(())
}

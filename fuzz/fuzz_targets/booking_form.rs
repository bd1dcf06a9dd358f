//! The booking form as a browser posts it (`/api/bookings/book`, URL-encoded,
//! read by server_fn with serde_qs), then its slot read and checked against
//! the demo city's calendar and hours. No input panics.
#![no_main]

use app::api::citizen::booking::BookVisit;
use app::domain::booking::{check_slot, BookingRules};
use app::domain::calendar::WorkCalendar;
use app::domain::hours::WorkHours;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn calendar() -> &'static (WorkCalendar, WorkHours) {
    static CAL: OnceLock<(WorkCalendar, WorkHours)> = OnceLock::new();
    CAL.get_or_init(|| {
        (
            WorkCalendar::from_json(include_str!("../../seed/calendar.json")).unwrap(),
            WorkHours::parse("08:30-12:00,13:30-17:00").unwrap(),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(form) = serde_qs::from_bytes::<BookVisit>(data) else {
        return;
    };
    let Ok(start) = chrono::NaiveDateTime::parse_from_str(form.slot.trim(), "%Y-%m-%d %H:%M")
    else {
        return;
    };
    let (cal, hours) = calendar();
    // 2026-11-24 10:00 China time.
    let now_ms = 1_795_485_600_000;
    for minutes in [15, 20, 30, 60] {
        let _ = check_slot(
            cal,
            hours,
            minutes,
            &BookingRules::default(),
            start,
            now_ms,
            &[(now_ms, now_ms + 3_600_000)],
        );
    }
});

//! Appointments (预约): the slots a site offers on a working day, and the
//! rules a booking must pass. Pure functions; which slots are free is the
//! database's business (one row per seat, guarded by a unique index), so
//! nothing here decides capacity.

use super::calendar::WorkCalendar;
use super::hours::{local, utc_ms, WorkHours};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// The booking rules (configurable per deployment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRules {
    /// Bookable up to this many calendar days ahead.
    pub days_ahead: u32,
    /// Booking, moving and cancelling close this many minutes before the slot.
    pub close_minutes: i64,
    /// At most this many future bookings per person.
    pub max_future: i64,
    /// This many no-shows within `no_show_days` limit online booking until
    /// the oldest of them is `no_show_days` old (0: never limited).
    pub no_show_limit: i64,
    pub no_show_days: i64,
}

impl Default for BookingRules {
    fn default() -> Self {
        BookingRules {
            days_ahead: 14,
            close_minutes: 120,
            max_future: 3,
            no_show_limit: 2,
            no_show_days: 60,
        }
    }
}

/// One slot of a day: its start and end (China local time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slot {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl Slot {
    /// `2026-11-26 09:00`, the form a slot is chosen by.
    pub fn key(&self) -> String {
        self.start.format("%Y-%m-%d %H:%M").to_string()
    }

    /// `09:00–09:30`.
    pub fn label(&self) -> String {
        format!(
            "{}–{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }

    pub fn start_ms(&self) -> i64 {
        utc_ms(self.start)
    }

    pub fn end_ms(&self) -> i64 {
        utc_ms(self.end)
    }
}

/// The slots of one day at a site: back to back from each opening period's
/// start, each wholly inside the period. None on a day off.
pub fn day_slots(
    cal: &WorkCalendar,
    hours: &WorkHours,
    day: NaiveDate,
    slot_minutes: u32,
) -> Vec<Slot> {
    if !cal.is_working_day(day) || slot_minutes == 0 {
        return Vec::new();
    }
    let len = chrono::Duration::minutes(i64::from(slot_minutes));
    let mut out = Vec::new();
    for (open, close) in hours.periods() {
        let mut t: NaiveTime = *open;
        loop {
            let (end, wrapped) = t.overflowing_add_signed(len);
            if wrapped != 0 || end > *close {
                break;
            }
            out.push(Slot {
                start: day.and_time(t),
                end: day.and_time(end),
            });
            t = end;
        }
    }
    out
}

/// Why a slot cannot be booked (or a booking moved or cancelled) now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotRefusal {
    /// Not a slot of that site on that day (closed day, off hours, odd time).
    NotASlot,
    /// Starts before booking closes (in the past, or within the cut-off).
    TooLate,
    /// Beyond the booking window.
    TooFar,
    /// The site is closed then (a one-off closure).
    Closed,
}

/// Is `start` a slot of `site` that may be booked (or left) at `now_ms`,
/// given the site's one-off closures (`[start, end)` in Unix ms)?
pub fn check_slot(
    cal: &WorkCalendar,
    hours: &WorkHours,
    slot_minutes: u32,
    rules: &BookingRules,
    start: NaiveDateTime,
    now_ms: i64,
    closed: &[(i64, i64)],
) -> Result<Slot, SlotRefusal> {
    let slot = day_slots(cal, hours, start.date(), slot_minutes)
        .into_iter()
        .find(|s| s.start == start)
        .ok_or(SlotRefusal::NotASlot)?;
    let now = local(now_ms);
    if slot.start - now < chrono::Duration::minutes(rules.close_minutes) {
        return Err(SlotRefusal::TooLate);
    }
    if (slot.start.date() - now.date()).num_days() > i64::from(rules.days_ahead) {
        return Err(SlotRefusal::TooFar);
    }
    if closed
        .iter()
        .any(|(a, b)| *a < slot.end_ms() && slot.start_ms() < *b)
    {
        return Err(SlotRefusal::Closed);
    }
    Ok(slot)
}

/// Every slot still open for booking at `now_ms`, day by day.
pub fn open_slots(
    cal: &WorkCalendar,
    hours: &WorkHours,
    slot_minutes: u32,
    rules: &BookingRules,
    now_ms: i64,
    closed: &[(i64, i64)],
) -> Vec<Slot> {
    let today = local(now_ms).date();
    (0..=rules.days_ahead)
        .filter_map(|i| today.checked_add_days(chrono::Days::new(u64::from(i))))
        .flat_map(|d| day_slots(cal, hours, d, slot_minutes))
        .filter(|s| check_slot(cal, hours, slot_minutes, rules, s.start, now_ms, closed).is_ok())
        .collect()
}

/// Until when (Unix ms) online booking is limited for a person whose past
/// no-shows started at `no_shows` (any order), or `None` if it is not: the
/// limit holds while `no_show_limit` of them lie within the last
/// `no_show_days`, so it lifts when the oldest of those ages out.
pub fn no_show_block(no_shows: &[i64], now_ms: i64, rules: &BookingRules) -> Option<i64> {
    if rules.no_show_limit <= 0 {
        return None;
    }
    let window = rules.no_show_days.max(0) * 86_400_000;
    let mut recent: Vec<i64> = no_shows
        .iter()
        .copied()
        .filter(|t| *t <= now_ms && now_ms - *t < window)
        .collect();
    recent.sort_unstable_by(|a, b| b.cmp(a));
    let k = usize::try_from(rules.no_show_limit).ok()?;
    recent.get(k - 1).map(|t| t + window)
}

/// The reminders a booking gets: the day before (at 09:00 China time on the
/// calendar day before its slot) and two hours before. Each is due from its
/// moment until the next reminder's (or the slot's) start, and only if the
/// booking existed before that moment (a later booking's confirmation
/// already said everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reminder {
    DayBefore,
    Soon,
}

pub const SOON_MINUTES: i64 = 120;

impl Reminder {
    /// The instant this reminder is sent for a slot starting at `start_ms`.
    pub fn moment(self, start_ms: i64) -> i64 {
        match self {
            Reminder::Soon => start_ms - SOON_MINUTES * 60_000,
            Reminder::DayBefore => {
                let day = local(start_ms).date().pred_opt().unwrap_or_default();
                day.and_hms_opt(9, 0, 0).map(utc_ms).unwrap_or(start_ms)
            }
        }
    }

    /// Is it due at `now_ms` for a booking made at `created_ms`?
    pub fn due(self, start_ms: i64, created_ms: i64, now_ms: i64) -> bool {
        let from = self.moment(start_ms);
        let until = match self {
            Reminder::DayBefore => Reminder::Soon.moment(start_ms).min(start_ms),
            Reminder::Soon => start_ms,
        };
        created_ms < from && from <= now_ms && now_ms < until
    }

    /// The outbox template of this reminder.
    pub fn template(self) -> &'static str {
        match self {
            Reminder::DayBefore => "booking_reminder_day",
            Reminder::Soon => "booking_reminder_soon",
        }
    }
}

/// The alphabet of booking codes: no 0/O, 1/I/L, 2/Z, 5/S look-alikes.
#[cfg(any(feature = "ssr", test))]
const CODE_ALPHABET: &[u8] = b"346789ABCDEFGHJKMNPQRTWXY";

/// A booking code as shown at the window: 8 characters (~2^37), unguessable.
#[cfg(feature = "ssr")]
pub fn booking_code() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// The matter group a matter is served in (its windows).
pub fn group_label(group: &str, lang: super::Lang) -> &'static str {
    match (group, lang) {
        ("mortgage", super::Lang::Zh) => "抵押业务窗口",
        ("mortgage", super::Lang::En) => "Mortgage windows",
        ("consult", super::Lang::Zh) => "咨询窗口",
        ("consult", super::Lang::En) => "Consultation windows",
        (_, super::Lang::Zh) => "综合受理窗口",
        (_, super::Lang::En) => "General windows",
    }
}

/// An iCalendar file with one event (RFC 5545): CRLF lines, text escaped,
/// long lines folded at 75 octets on character boundaries.
pub fn ics(
    uid: &str,
    start_ms: i64,
    end_ms: i64,
    stamp_ms: i64,
    summary: &str,
    location: &str,
    description: &str,
) -> String {
    fn utc(ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
            .unwrap_or_default()
    }
    fn text(s: &str) -> String {
        s.replace('\\', "\\\\")
            .replace(';', "\\;")
            .replace(',', "\\,")
            .replace(['\r', '\n'], "\\n")
    }
    fn fold(line: &str) -> String {
        let mut out = String::new();
        let mut len = 0;
        for c in line.chars() {
            if len + c.len_utf8() > 75 {
                out.push_str("\r\n ");
                len = 1;
            }
            out.push(c);
            len += c.len_utf8();
        }
        out
    }
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//OneTrip//Booking//ZH".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", text(uid)),
        format!("DTSTAMP:{}", utc(stamp_ms)),
        format!("DTSTART:{}", utc(start_ms)),
        format!("DTEND:{}", utc(end_ms)),
        format!("SUMMARY:{}", text(summary)),
        format!("LOCATION:{}", text(location)),
        format!("DESCRIPTION:{}", text(description)),
        "BEGIN:VALARM".into(),
        "ACTION:DISPLAY".into(),
        "TRIGGER:-PT2H".into(),
        format!("DESCRIPTION:{}", text(summary)),
        "END:VALARM".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    lines.iter().map(|l| fold(l) + "\r\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> WorkCalendar {
        WorkCalendar::from_json(include_str!("../../../seed/calendar.json")).unwrap()
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn ms(s: &str) -> i64 {
        utc_ms(t(s))
    }

    #[test]
    fn repeated_no_shows_limit_booking_until_the_oldest_ages_out() {
        let r = BookingRules::default(); // 2 within 60 days
        let now = ms("2026-11-24 10:00");
        assert_eq!(no_show_block(&[], now, &r), None);
        let one = [ms("2026-11-02 09:00")];
        assert_eq!(no_show_block(&one, now, &r), None, "one is not repeated");
        let two = [ms("2026-11-20 09:00"), ms("2026-10-01 09:00")];
        assert_eq!(
            no_show_block(&two, now, &r),
            Some(ms("2026-11-30 09:00")),
            "lifts 60 days after the older one"
        );
        let three = [
            ms("2026-10-01 09:00"),
            ms("2026-11-20 09:00"),
            ms("2026-11-10 09:00"),
        ];
        assert_eq!(
            no_show_block(&three, now, &r),
            Some(ms("2027-01-09 09:00")),
            "then the next one keeps it"
        );
        let old = [ms("2026-09-01 09:00"), ms("2026-11-20 09:00")];
        assert_eq!(no_show_block(&old, now, &r), None, "aged out");
        let off = BookingRules {
            no_show_limit: 0,
            ..r
        };
        assert_eq!(no_show_block(&two, now, &off), None, "0 = never limited");
    }

    #[test]
    fn reminders_the_day_before_and_two_hours_before_once_each() {
        let start = ms("2026-11-26 10:00");
        let made = ms("2026-11-20 15:00");
        let day = Reminder::DayBefore;
        let soon = Reminder::Soon;
        assert_eq!(day.moment(start), ms("2026-11-25 09:00"));
        assert_eq!(soon.moment(start), ms("2026-11-26 08:00"));
        assert!(!day.due(start, made, ms("2026-11-25 08:59")));
        assert!(day.due(start, made, ms("2026-11-25 09:00")));
        assert!(
            day.due(start, made, ms("2026-11-26 07:59")),
            "late, still useful"
        );
        assert!(
            !day.due(start, made, ms("2026-11-26 08:00")),
            "the 2 h one now"
        );
        assert!(!soon.due(start, made, ms("2026-11-26 07:59")));
        assert!(soon.due(start, made, ms("2026-11-26 08:00")));
        assert!(!soon.due(start, made, start), "never after the start");
        // Booked after 09:00 the day before: the confirmation was enough.
        assert!(!day.due(start, ms("2026-11-25 12:00"), ms("2026-11-25 12:01")));
        assert!(soon.due(start, ms("2026-11-25 12:00"), ms("2026-11-26 08:30")));
        // Monday's slot: reminded on Sunday (calendar day before).
        assert_eq!(day.moment(ms("2026-11-30 08:30")), ms("2026-11-29 09:00"));
    }

    #[test]
    fn slots_fill_each_opening_period_and_skip_days_off() {
        let h = WorkHours::parse("08:30-12:00,13:30-17:00").unwrap();
        let day = t("2026-11-26 00:00").date(); // a Thursday
        let s = day_slots(&cal(), &h, day, 30);
        assert_eq!(s.len(), 7 + 7);
        assert_eq!(s[0].label(), "08:30–09:00");
        assert_eq!(s[6].label(), "11:30–12:00");
        assert_eq!(s[7].label(), "13:30–14:00");
        assert_eq!(s[13].key(), "2026-11-26 16:30");
        // 20-minute slots: 10 before lunch (the last ends 11:50), 10 after.
        assert_eq!(day_slots(&cal(), &h, day, 20).len(), 20);
        assert!(
            day_slots(&cal(), &h, t("2026-11-28 00:00").date(), 30).is_empty(),
            "Saturday"
        );
        assert!(
            day_slots(&cal(), &h, t("2026-10-01 00:00").date(), 30).is_empty(),
            "National Day"
        );
        assert_eq!(
            day_slots(&cal(), &h, t("2026-10-10 00:00").date(), 30).len(),
            14,
            "调休"
        );
    }

    #[test]
    fn a_slot_must_exist_be_far_enough_and_near_enough() {
        let h = WorkHours::parse("08:30-12:00,13:30-17:00").unwrap();
        let r = BookingRules::default();
        let now = ms("2026-11-24 10:00");
        let check = |s: &str| check_slot(&cal(), &h, 30, &r, t(s), now, &[]);
        assert!(check("2026-11-26 09:00").is_ok());
        assert_eq!(
            check("2026-11-26 09:10"),
            Err(SlotRefusal::NotASlot),
            "not on the grid"
        );
        assert_eq!(
            check("2026-11-26 12:00"),
            Err(SlotRefusal::NotASlot),
            "lunch"
        );
        assert_eq!(
            check("2026-11-28 09:00"),
            Err(SlotRefusal::NotASlot),
            "Saturday"
        );
        assert_eq!(
            check("2026-11-23 09:00"),
            Err(SlotRefusal::TooLate),
            "the past"
        );
        assert_eq!(
            check("2026-11-24 11:30"),
            Err(SlotRefusal::TooLate),
            "inside 2 h"
        );
        assert!(check("2026-11-24 13:30").is_ok(), "3.5 h ahead");
        assert!(check("2026-12-08 09:00").is_ok(), "14 days ahead");
        assert_eq!(check("2026-12-09 09:00"), Err(SlotRefusal::TooFar));
        let open = open_slots(&cal(), &h, 30, &r, now, &[]);
        assert_eq!(open[0].key(), "2026-11-24 13:30");
        assert!(open.iter().all(|s| s.start_ms() >= now + 2 * 3_600_000));
        // Closed Tuesday 14:00–17:00: the 13:30 slot stays, 14:00 on go.
        let closed = [(ms("2026-11-24 14:00"), ms("2026-11-24 17:00"))];
        let open = open_slots(&cal(), &h, 30, &r, now, &closed);
        assert_eq!(open[0].key(), "2026-11-24 13:30");
        assert_eq!(open[1].key(), "2026-11-25 08:30");
        assert_eq!(
            check_slot(&cal(), &h, 30, &r, t("2026-11-24 16:30"), now, &closed),
            Err(SlotRefusal::Closed)
        );
        // A closure ending at 14:00 does not touch the 14:00 slot.
        let morning = [(ms("2026-11-24 13:00"), ms("2026-11-24 14:00"))];
        assert!(check_slot(&cal(), &h, 30, &r, t("2026-11-24 14:00"), now, &morning).is_ok());
        assert_eq!(
            check_slot(&cal(), &h, 30, &r, t("2026-11-24 13:30"), now, &morning),
            Err(SlotRefusal::Closed)
        );
    }

    #[test]
    fn an_ics_file_is_escaped_and_folded() {
        let f = ics(
            "b1@onetrip",
            ms("2026-11-26 09:00"),
            ms("2026-11-26 09:30"),
            ms("2026-11-24 10:00"),
            "不动产登记预约：二手房转移登记",
            "明州市不动产登记中心, 中山东路 1 号",
            &"请携带身份证件原件；".repeat(10),
        );
        assert!(f.contains("DTSTART:20261126T010000Z\r\n"));
        assert!(f.contains("DTEND:20261126T013000Z\r\n"));
        assert!(f.contains("LOCATION:明州市不动产登记中心\\, 中山东路 1 号"));
        assert!(f.lines().all(|l| l.trim_end_matches('\r').len() <= 75));
        assert!(f.ends_with("END:VCALENDAR\r\n"));
        let unfolded = f.replace("\r\n ", "");
        assert!(unfolded.contains(&format!(
            "DESCRIPTION:{}\r\n",
            "请携带身份证件原件；".repeat(10)
        )));
    }

    #[test]
    fn codes_use_the_unambiguous_alphabet() {
        #[cfg(feature = "ssr")]
        for _ in 0..100 {
            let c = booking_code();
            assert_eq!(c.len(), 8);
            assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        }
        assert!(!CODE_ALPHABET.contains(&b'O') && !CODE_ALPHABET.contains(&b'1'));
    }
}

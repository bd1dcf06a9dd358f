//! Office hours on working days, and time limits counted in working minutes
//! (the "60 minutes" some centres promise for mortgages and ordinary
//! transfers). A limit in minutes runs only while the site is open on a
//! working day of the official calendar: a case accepted ten minutes before
//! closing carries the rest of its hour into the next working morning.
//! Pure functions; a site's hours are data (`sites.work_hours`).

use super::calendar::{Urgency, WorkCalendar};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

/// Working minutes left below which a case with a limit in minutes is flagged
/// as due soon (a third of a 60-minute promise).
pub const DUE_SOON_MINUTES: u32 = 20;

/// The opening periods of a working day, e.g. 08:30–12:00 and 13:30–17:00
/// (a lunch break), or 08:30–17:00 (open through lunch). Sorted, disjoint,
/// never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkHours(Vec<(NaiveTime, NaiveTime)>);

/// Why a text of office hours was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoursError {
    Empty,
    /// A period that is not `HH:MM-HH:MM`.
    Format(String),
    /// A period that ends before it starts, or overlaps the one before.
    Order(String),
}

impl Default for WorkHours {
    /// 08:30–12:00 and 13:30–17:00, the most common hours of the network.
    fn default() -> Self {
        WorkHours(vec![(hm(8, 30), hm(12, 0)), (hm(13, 30), hm(17, 0))])
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl WorkHours {
    /// From `08:30-12:00,13:30-17:00` (full-width punctuation, en dashes and
    /// spaces are accepted, as staff type them).
    pub fn parse(text: &str) -> Result<WorkHours, HoursError> {
        let text = super::to_half_width(text)
            .replace(['–', '—', '~'], "-")
            .replace(['、', ';'], ",");
        let mut periods: Vec<(NaiveTime, NaiveTime)> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || HoursError::Format(part.to_string());
            let (a, b) = part.split_once('-').ok_or_else(bad)?;
            let a = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| bad())?;
            let b = NaiveTime::parse_from_str(b.trim(), "%H:%M").map_err(|_| bad())?;
            if b <= a || periods.last().is_some_and(|(_, end)| *end > a) {
                return Err(HoursError::Order(part.to_string()));
            }
            periods.push((a, b));
        }
        if periods.is_empty() {
            return Err(HoursError::Empty);
        }
        Ok(WorkHours(periods))
    }

    pub fn periods(&self) -> &[(NaiveTime, NaiveTime)] {
        &self.0
    }

    /// Minutes open on a working day.
    pub fn minutes_per_day(&self) -> u32 {
        self.0.iter().map(|(a, b)| minutes(*a, *b)).sum()
    }
}

impl std::fmt::Display for WorkHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
            .collect();
        f.write_str(&parts.join(","))
    }
}

fn minutes(a: NaiveTime, b: NaiveTime) -> u32 {
    (b - a).num_minutes().max(0) as u32
}

/// Whole minutes (seconds dropped): deadlines are promised to the minute.
fn to_minute(t: NaiveDateTime) -> NaiveDateTime {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

/// The instant (China local time) at which a limit of `limit` working minutes
/// started at `start` runs out. Time outside the opening periods of working
/// days does not count; a limit started outside them starts at the next
/// opening.
pub fn add_working_minutes(
    cal: &WorkCalendar,
    hours: &WorkHours,
    start: NaiveDateTime,
    limit: u32,
) -> NaiveDateTime {
    let start = to_minute(start);
    if limit == 0 {
        return start;
    }
    let mut left = limit;
    let mut day = start.date();
    // A limit is at most a few working days of minutes; the bound only stops
    // a calendar with no working day at all from looping for ever.
    for _ in 0..3660 {
        if cal.is_working_day(day) {
            for (open, close) in hours.periods() {
                let from = if day == start.date() {
                    (*open).max(start.time())
                } else {
                    *open
                };
                if from >= *close {
                    continue;
                }
                let available = minutes(from, *close);
                if left <= available {
                    return day.and_time(from) + chrono::Duration::minutes(i64::from(left));
                }
                left -= available;
            }
        }
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    day.and_time(NaiveTime::MIN)
}

/// Working minutes in `[from, to)`: how much of a limit is left at `from`
/// when it runs out at `to`. Zero when `to <= from`.
pub fn working_minutes_between(
    cal: &WorkCalendar,
    hours: &WorkHours,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> u32 {
    let (from, to) = (to_minute(from), to_minute(to));
    let mut total = 0;
    let mut day: NaiveDate = from.date();
    while day <= to.date() {
        if cal.is_working_day(day) {
            for (open, close) in hours.periods() {
                let a = if day == from.date() {
                    (*open).max(from.time())
                } else {
                    *open
                };
                let b = if day == to.date() {
                    (*close).min(to.time())
                } else {
                    *close
                };
                if b > a {
                    total += minutes(a, b);
                }
            }
        }
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    total
}

/// How a case with a limit in minutes stands at `now`: overdue once the due
/// instant has passed, due soon when at most [`DUE_SOON_MINUTES`] working
/// minutes are left.
pub fn urgency_at(
    cal: &WorkCalendar,
    hours: &WorkHours,
    due: NaiveDateTime,
    now: NaiveDateTime,
) -> Urgency {
    if now > due {
        Urgency::Overdue
    } else if working_minutes_between(cal, hours, now, due) <= DUE_SOON_MINUTES {
        Urgency::DueSoon
    } else {
        Urgency::OnTime
    }
}

/// A case's deadline: the last working day of a limit in days, or the
/// instant (Unix ms) a limit in minutes runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    Day(NaiveDate),
    At(i64),
}

impl Due {
    /// From the stored columns (`due_on` as `YYYY-MM-DD`, `due_at` in ms);
    /// the instant wins where both are set.
    pub fn from_columns(due_on: Option<&str>, due_at: Option<i64>) -> Option<Due> {
        match due_at {
            Some(ms) => Some(Due::At(ms)),
            None => NaiveDate::parse_from_str(due_on?, "%Y-%m-%d")
                .ok()
                .map(Due::Day),
        }
    }

    /// The deadline of a limit started at `start_ms`: `minutes` working
    /// minutes where the matter has them, else `days` working days.
    pub fn of_limit(
        cal: &WorkCalendar,
        hours: &WorkHours,
        start_ms: i64,
        days: i64,
        minutes: Option<i64>,
    ) -> Due {
        let start = local(start_ms);
        match minutes.filter(|m| *m > 0) {
            Some(m) => {
                let due = add_working_minutes(cal, hours, start, m.min(100_000) as u32);
                Due::At(due.and_utc().timestamp_millis() - CHINA_OFFSET_MS)
            }
            None => Due::Day(cal.add_working_days(start.date(), days.clamp(1, 60) as u32)),
        }
    }

    /// The deadline after the clock stood still from `from_ms` to `to_ms`
    /// (waiting on the applicant): moved on by the working days begun in
    /// the pause (`(from, to]`, as a limit counts them), or by the working
    /// minutes inside it.
    pub fn extended(&self, cal: &WorkCalendar, hours: &WorkHours, from_ms: i64, to_ms: i64) -> Due {
        let (from, to) = (local(from_ms), local(to_ms));
        match self {
            Due::Day(d) => {
                Due::Day(cal.add_working_days(*d, cal.working_days_between(from.date(), to.date())))
            }
            Due::At(ms) => {
                let paused = working_minutes_between(cal, hours, from, to);
                let due = add_working_minutes(cal, hours, local(*ms), paused);
                Due::At(due.and_utc().timestamp_millis() - CHINA_OFFSET_MS)
            }
        }
    }

    /// The China-time day it falls on (what queues sort and alerts key by).
    pub fn day(&self) -> NaiveDate {
        match self {
            Due::Day(d) => *d,
            Due::At(ms) => local(*ms).date(),
        }
    }

    /// The due instant (Unix ms) of a limit in minutes.
    pub fn instant(&self) -> Option<i64> {
        match self {
            Due::Day(_) => None,
            Due::At(ms) => Some(*ms),
        }
    }

    /// As shown: `2026-11-27`, or `2026-11-24 10:05` for an instant.
    pub fn label(&self) -> String {
        match self {
            Due::Day(d) => d.format("%Y-%m-%d").to_string(),
            Due::At(ms) => local(*ms).format("%Y-%m-%d %H:%M").to_string(),
        }
    }

    /// Whether something done (or still open) at `ms` is past this deadline:
    /// after the due day, or after the due instant.
    pub fn missed_at(&self, ms: i64) -> bool {
        match self {
            Due::Day(d) => local(ms).date() > *d,
            Due::At(due) => ms > *due,
        }
    }

    /// How a case with this deadline stands at `now_ms`.
    pub fn urgency(&self, cal: &WorkCalendar, hours: &WorkHours, now_ms: i64) -> Urgency {
        match self {
            Due::Day(d) => super::calendar::urgency(cal, *d, local(now_ms).date()),
            Due::At(ms) => urgency_at(cal, hours, local(*ms), local(now_ms)),
        }
    }
}

/// What deadlines are judged against: the calendar, each site's hours, and
/// the present instant. Built once per request or job pass.
#[derive(Debug, Clone)]
pub struct Clock {
    pub cal: WorkCalendar,
    /// Opening periods by site code; a site missing here keeps the default.
    pub hours: std::collections::HashMap<String, WorkHours>,
    pub now_ms: i64,
    fallback: WorkHours,
}

impl Clock {
    pub fn new(
        cal: WorkCalendar,
        hours: std::collections::HashMap<String, WorkHours>,
        now_ms: i64,
    ) -> Clock {
        Clock {
            cal,
            hours,
            now_ms,
            fallback: WorkHours::default(),
        }
    }

    pub fn hours(&self, site: &str) -> &WorkHours {
        self.hours.get(site).unwrap_or(&self.fallback)
    }

    /// The China-time day of now.
    pub fn today(&self) -> NaiveDate {
        local(self.now_ms).date()
    }

    /// The deadline of a limit starting now at `site`.
    pub fn deadline(&self, site: &str, days: i64, minutes: Option<i64>) -> Due {
        Due::of_limit(&self.cal, self.hours(site), self.now_ms, days, minutes)
    }

    /// How a case of `site` with deadline `due` stands now.
    pub fn urgency(&self, site: &str, due: &Due) -> Urgency {
        due.urgency(&self.cal, self.hours(site), self.now_ms)
    }
}

const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// An instant (Unix ms) as China local time.
pub fn local(ms: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(ms.saturating_add(CHINA_OFFSET_MS))
        .map(|t| t.naive_utc())
        .unwrap_or_default()
}

/// A China local time as an instant (Unix ms): the inverse of [`local`].
pub fn utc_ms(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis() - CHINA_OFFSET_MS
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

    fn lunch() -> WorkHours {
        WorkHours::parse("08:30-12:00,13:30-17:00").unwrap()
    }

    #[test]
    fn hours_parse_and_print() {
        let h = WorkHours::parse(" 08:30－12:00， 13:30–17:00 ").unwrap();
        assert_eq!(h, lunch());
        assert_eq!(h.to_string(), "08:30-12:00,13:30-17:00");
        assert_eq!(h.minutes_per_day(), 420);
        assert_eq!(WorkHours::default(), lunch());
        assert_eq!(WorkHours::parse(""), Err(HoursError::Empty));
        assert!(matches!(
            WorkHours::parse("8点半-17:00"),
            Err(HoursError::Format(_))
        ));
        assert!(matches!(
            WorkHours::parse("17:00-08:30"),
            Err(HoursError::Order(_))
        ));
        assert!(matches!(
            WorkHours::parse("08:30-12:00,11:30-17:00"),
            Err(HoursError::Order(_))
        ));
        assert!(matches!(
            WorkHours::parse("08:30-25:00"),
            Err(HoursError::Format(_))
        ));
    }

    #[test]
    fn sixty_minutes_inside_one_period() {
        let cal = cal();
        // Tuesday 2026-11-24.
        assert_eq!(
            add_working_minutes(&cal, &lunch(), t("2026-11-24 09:05"), 60),
            t("2026-11-24 10:05")
        );
        // Seconds are dropped: promised to the minute.
        let start = t("2026-11-24 09:05") + chrono::Duration::seconds(59);
        assert_eq!(
            add_working_minutes(&cal, &lunch(), start, 60),
            t("2026-11-24 10:05")
        );
        // Exactly up to closing.
        assert_eq!(
            add_working_minutes(&cal, &lunch(), t("2026-11-24 16:00"), 60),
            t("2026-11-24 17:00")
        );
    }

    #[test]
    fn the_lunch_break_and_the_night_do_not_count() {
        let cal = cal();
        assert_eq!(
            add_working_minutes(&cal, &lunch(), t("2026-11-24 11:40"), 60),
            t("2026-11-24 14:10"),
            "20 minutes before lunch, 40 after"
        );
        let through = WorkHours::parse("08:30-17:00").unwrap();
        assert_eq!(
            add_working_minutes(&cal, &through, t("2026-11-24 11:40"), 60),
            t("2026-11-24 12:40"),
            "a centre open through lunch"
        );
        assert_eq!(
            add_working_minutes(&cal, &lunch(), t("2026-11-24 16:50"), 60),
            t("2026-11-25 09:20"),
            "10 minutes today, 50 tomorrow morning"
        );
        assert_eq!(
            add_working_minutes(&cal, &lunch(), t("2026-11-24 19:00"), 60),
            t("2026-11-25 09:30"),
            "accepted after hours: the clock starts at the next opening"
        );
    }

    #[test]
    fn weekends_holidays_and_makeup_days() {
        let cal = cal();
        // Friday 2026-11-27 at 16:30: 30 minutes, then Monday 11-30.
        assert_eq!(
            add_working_minutes(&cal, &lunch(), t("2026-11-27 16:30"), 60),
            t("2026-11-30 09:00")
        );
        // Wednesday 2026-09-30 16:40: the National Day week is off, and
        // Saturday 10-10 is a make-up working day; Thursday 10-08 is first.
        assert_eq!(
            add_working_minutes(&cal, &lunch(), t("2026-09-30 16:40"), 60),
            t("2026-10-08 09:10")
        );
        // Sunday 2026-02-15 (the eve of the Spring Festival, not a make-up day).
        assert!(!cal.is_working_day(t("2026-02-15 00:00").date()));
        let due = add_working_minutes(&cal, &lunch(), t("2026-02-13 16:59"), 2);
        assert_eq!(due, t("2026-02-14 08:31"), "Saturday 02-14 is worked");
    }

    fn ms(s: &str) -> i64 {
        utc_ms(t(s))
    }

    #[test]
    fn deadlines_of_both_kinds() {
        let cal = cal();
        let h = lunch();
        let start = ms("2026-11-24 16:50");
        let at = Due::of_limit(&cal, &h, start, 1, Some(60));
        assert_eq!(at, Due::At(ms("2026-11-25 09:20")));
        assert_eq!(at.label(), "2026-11-25 09:20");
        assert_eq!(at.day(), t("2026-11-25 00:00").date());
        assert!(!at.missed_at(ms("2026-11-25 09:20")));
        assert!(at.missed_at(ms("2026-11-25 09:21")));
        assert_eq!(
            at.urgency(&cal, &h, ms("2026-11-25 09:10")),
            Urgency::DueSoon
        );
        let day = Due::of_limit(&cal, &h, start, 1, None);
        assert_eq!(day, Due::Day(t("2026-11-25 00:00").date()));
        assert_eq!(day.label(), "2026-11-25");
        assert!(
            !day.missed_at(ms("2026-11-25 23:59")),
            "the whole due day counts"
        );
        assert!(day.missed_at(ms("2026-11-26 00:00")));
        // A case accepted at 23:30 UTC on the 23rd is accepted on the 24th in China.
        let late = Due::of_limit(&cal, &h, ms("2026-11-24 07:30"), 1, None);
        assert_eq!(late.label(), "2026-11-25");
        assert_eq!(Due::from_columns(Some("2026-11-25"), None), Some(day));
        assert_eq!(
            Due::from_columns(Some("2026-11-25"), Some(ms("2026-11-25 09:20"))),
            Some(at)
        );
        assert_eq!(Due::from_columns(Some("bad"), None), None);
        assert_eq!(Due::from_columns(None, None), None);
    }

    #[test]
    fn a_pause_moves_the_deadline_by_the_working_time_paused() {
        let cal = cal();
        let h = lunch();
        // Due Wednesday 11-25 09:20; paused Tuesday 16:00 to Wednesday 09:00:
        // 60 + 30 working minutes → due 09:20 + 90 = 10:50.
        let at = Due::At(ms("2026-11-25 09:20"));
        assert_eq!(
            at.extended(&cal, &h, ms("2026-11-24 16:00"), ms("2026-11-25 09:00")),
            Due::At(ms("2026-11-25 10:50"))
        );
        // Paused over lunch only: nothing is added.
        assert_eq!(
            at.extended(&cal, &h, ms("2026-11-25 12:05"), ms("2026-11-25 13:20")),
            at
        );
        // 40 minutes paused move 11:30 across lunch: 30 before, 10 after.
        let before_lunch = Due::At(ms("2026-11-25 11:30"));
        assert_eq!(
            before_lunch.extended(&cal, &h, ms("2026-11-25 10:00"), ms("2026-11-25 10:40")),
            Due::At(ms("2026-11-25 13:40"))
        );
        // Days: paused Friday 11-27, resumed Tuesday 12-01 → Monday and
        // Tuesday are begun in the pause: due Mon 11-30 becomes Wed 12-02.
        let day = Due::Day(t("2026-11-30 00:00").date());
        assert_eq!(
            day.extended(&cal, &h, ms("2026-11-27 10:00"), ms("2026-12-01 09:00")),
            Due::Day(t("2026-12-02 00:00").date())
        );
        // Paused and resumed the same day: no working day begun.
        assert_eq!(
            day.extended(&cal, &h, ms("2026-11-27 10:00"), ms("2026-11-27 15:00")),
            day
        );
    }

    #[test]
    fn minutes_left_and_urgency() {
        let cal = cal();
        let h = lunch();
        let due = t("2026-11-25 09:20");
        assert_eq!(
            working_minutes_between(&cal, &h, t("2026-11-24 16:50"), due),
            60
        );
        assert_eq!(working_minutes_between(&cal, &h, due, due), 0);
        assert_eq!(
            working_minutes_between(&cal, &h, t("2026-11-26 09:00"), due),
            0
        );
        assert_eq!(
            urgency_at(&cal, &h, due, t("2026-11-24 16:50")),
            Urgency::OnTime
        );
        // 17:00 to 08:30 does not count: only the 50 morning minutes are left.
        assert_eq!(
            urgency_at(&cal, &h, due, t("2026-11-24 23:00")),
            Urgency::OnTime
        );
        assert_eq!(
            urgency_at(&cal, &h, due, t("2026-11-25 09:00")),
            Urgency::DueSoon
        );
        assert_eq!(urgency_at(&cal, &h, due, due), Urgency::DueSoon);
        assert_eq!(
            urgency_at(&cal, &h, due, t("2026-11-25 09:21")),
            Urgency::Overdue
        );
    }
}

//! The official working-day calendar: public holidays are off, and some
//! weekend days are declared working days (调休). Statutory deadlines count
//! working days from acceptance, with the clock paused while a case waits on
//! the applicant. Pure functions; the calendar itself is data (seeded from
//! `seed/calendar.json`, edited by an administrator).

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// China Standard Time (UTC+8, no daylight saving), in which dates,
/// deadlines and working hours are reckoned.
pub fn china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// An instant (Unix ms) in China Standard Time.
pub fn china_time(ms: i64) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&china()))
}

/// One year's declared days off and declared working days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearDays {
    /// Public holidays (and the weekdays given off with them).
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Weekend days declared working days (调休上班).
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

/// Why a calendar file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    Format(String),
    /// A date listed under a year it does not belong to.
    WrongYear(NaiveDate),
    /// The same date both off and working.
    Both(NaiveDate),
}

/// A declared day: off (a public holiday) or working (调休上班).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Holiday,
    Workday,
}

impl DayKind {
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn from_code(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

impl WorkCalendar {
    /// From declared days (as stored); a later entry for a date wins.
    pub fn from_days(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> WorkCalendar {
        let mut cal = WorkCalendar::default();
        for (d, kind) in days {
            cal.holidays.remove(&d);
            cal.workdays.remove(&d);
            match kind {
                DayKind::Holiday => cal.holidays.insert(d),
                DayKind::Workday => cal.workdays.insert(d),
            };
        }
        cal
    }

    /// Every declared day, in date order.
    pub fn days(&self) -> Vec<(NaiveDate, DayKind)> {
        let mut out: Vec<(NaiveDate, DayKind)> = self
            .holidays
            .iter()
            .map(|d| (*d, DayKind::Holiday))
            .chain(self.workdays.iter().map(|d| (*d, DayKind::Workday)))
            .collect();
        out.sort();
        out
    }

    /// From `{"2026": {"holidays": [...], "workdays": [...]}, ...}`.
    pub fn from_json(json: &str) -> Result<WorkCalendar, CalendarError> {
        let years: BTreeMap<i32, YearDays> =
            serde_json::from_str(json).map_err(|e| CalendarError::Format(e.to_string()))?;
        let mut cal = WorkCalendar::default();
        for (year, days) in years {
            for d in days.holidays.iter().chain(&days.workdays) {
                if d.year() != year {
                    return Err(CalendarError::WrongYear(*d));
                }
            }
            cal.holidays.extend(days.holidays);
            cal.workdays.extend(days.workdays);
        }
        if let Some(d) = cal.holidays.intersection(&cal.workdays).next() {
            return Err(CalendarError::Both(*d));
        }
        Ok(cal)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.holidays.contains(&d) {
            return false;
        }
        if self.workdays.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The `n`-th working day after `start` (the day of acceptance does not
    /// count): the last day of an `n`-working-day time limit. `n = 0` is
    /// `start` itself.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap_or(d);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]`: how many of a limit have been used by
    /// `to` when the clock started on `from`. Zero when `to <= from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = match d.succ_opt() {
                Some(x) => x,
                None => break,
            };
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// The due date of a limit of `limit` working days started on `start`,
    /// with the clock paused over the given inclusive periods (waiting on the
    /// applicant): each working day inside a pause moves the due date on by
    /// one working day.
    pub fn due_date(
        &self,
        start: NaiveDate,
        limit: u32,
        pauses: &[(NaiveDate, NaiveDate)],
    ) -> NaiveDate {
        let mut d = start;
        let mut left = limit;
        while left > 0 {
            d = d.succ_opt().unwrap_or(d);
            let paused = pauses.iter().any(|(a, b)| *a <= d && d <= *b);
            if self.is_working_day(d) && !paused {
                left -= 1;
            }
        }
        d
    }
}

/// How a case stands against its deadline on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    OnTime,
    /// The due date is today or the next working day (超时预警).
    DueSoon,
    /// Past the due date (已超时).
    Overdue,
}

pub fn urgency(cal: &WorkCalendar, due: NaiveDate, today: NaiveDate) -> Urgency {
    if today > due {
        Urgency::Overdue
    } else if cal.add_working_days(today, 1) >= due {
        Urgency::DueSoon
    } else {
        Urgency::OnTime
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn declared_days_round_trip_and_the_last_word_wins() {
        let seed = WorkCalendar::from_json(include_str!("../../../seed/calendar.json")).unwrap();
        assert_eq!(WorkCalendar::from_days(seed.days()), seed);
        let d = NaiveDate::from_ymd_opt(2026, 12, 26).unwrap(); // a Saturday
        let cal = WorkCalendar::from_days([(d, DayKind::Holiday), (d, DayKind::Workday)]);
        assert!(cal.is_working_day(d));
        assert_eq!(cal.days(), vec![(d, DayKind::Workday)]);
    }
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn seeded() -> WorkCalendar {
        WorkCalendar::from_json(include_str!("../../../seed/calendar.json")).unwrap()
    }

    #[test]
    fn weekends_holidays_and_makeup_days() {
        let cal = seeded();
        assert!(cal.is_working_day(d("2026-11-24")), "a Tuesday");
        assert!(!cal.is_working_day(d("2026-11-28")), "a Saturday");
        assert!(!cal.is_working_day(d("2026-10-01")), "National Day");
        assert!(!cal.is_working_day(d("2026-10-07")), "National Day week");
        assert!(
            cal.is_working_day(d("2026-10-10")),
            "a Saturday made a working day"
        );
        assert!(
            cal.is_working_day(d("2026-02-14")),
            "a Saturday before the Spring Festival"
        );
        assert!(!cal.is_working_day(d("2026-02-16")), "Spring Festival");
    }

    #[test]
    fn limits_count_working_days_after_acceptance() {
        let cal = seeded();
        // Accepted on Friday 2026-11-20: 5 working days end on Friday 11-27.
        assert_eq!(cal.add_working_days(d("2026-11-20"), 5), d("2026-11-27"));
        assert_eq!(cal.add_working_days(d("2026-11-20"), 0), d("2026-11-20"));
        // Accepted on Tuesday 2026-09-29: Sept 30, then the holiday week, then
        // Thursday 10-08, Friday 10-09 and the make-up Saturday 10-10.
        assert_eq!(cal.add_working_days(d("2026-09-29"), 4), d("2026-10-10"));
        assert_eq!(
            cal.working_days_between(d("2026-09-29"), d("2026-10-10")),
            4
        );
        assert_eq!(
            cal.working_days_between(d("2026-10-10"), d("2026-09-29")),
            0
        );
    }

    #[test]
    fn a_pause_moves_the_due_date() {
        let cal = seeded();
        // 3 working days from Monday 11-23, waiting on the applicant Tue–Wed.
        let due = cal.due_date(d("2026-11-23"), 3, &[(d("2026-11-24"), d("2026-11-25"))]);
        assert_eq!(due, d("2026-11-30"), "Thu, Fri, then Monday");
        assert_eq!(cal.due_date(d("2026-11-23"), 3, &[]), d("2026-11-26"));
    }

    #[test]
    fn urgency_flags() {
        let cal = seeded();
        let due = d("2026-11-27"); // a Friday
        assert_eq!(urgency(&cal, due, d("2026-11-24")), Urgency::OnTime);
        assert_eq!(urgency(&cal, due, d("2026-11-26")), Urgency::DueSoon);
        assert_eq!(urgency(&cal, due, d("2026-11-27")), Urgency::DueSoon);
        assert_eq!(urgency(&cal, due, d("2026-11-30")), Urgency::Overdue);
    }

    #[test]
    fn bad_calendars_are_refused() {
        assert!(matches!(
            WorkCalendar::from_json(r#"{"2026": {"holidays": ["2027-01-01"]}}"#),
            Err(CalendarError::WrongYear(_))
        ));
        assert!(matches!(
            WorkCalendar::from_json(
                r#"{"2026": {"holidays": ["2026-10-10"], "workdays": ["2026-10-10"]}}"#
            ),
            Err(CalendarError::Both(_))
        ));
        assert!(matches!(
            WorkCalendar::from_json("[1,2]"),
            Err(CalendarError::Format(_))
        ));
    }
}

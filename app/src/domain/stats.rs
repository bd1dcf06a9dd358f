//! The supervisors' dashboard, computed from each case's timeline: cases
//! received / accepted / issued per day, time spent in each stage (average
//! and 90th percentile), and the overdue rate, per site and per matter.
//! Pure: the server reads the events, this counts them.

use super::case::Stage;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One case as the dashboard sees it. Event times are local days and
/// milliseconds; `kind` is the timeline's event kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub site: String,
    pub matter: String,
    /// `(kind, at_ms)`, in order.
    pub events: Vec<(String, i64)>,
    pub due: Option<super::hours::Due>,
    /// Since when the clock stands still (an open case is judged then).
    pub paused_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: String,
    pub received: u32,
    pub accepted: u32,
    pub issued: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageTime {
    pub stage: String,
    /// Stays in the stage that ended within the period.
    pub count: u32,
    pub avg_hours: f64,
    pub p90_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub key: String,
    pub received: u32,
    pub accepted: u32,
    pub issued: u32,
    /// Cases accepted in the period that are (or were issued) past due…
    pub overdue: u32,
    /// …out of the cases accepted in the period with a deadline.
    pub with_deadline: u32,
}

impl Breakdown {
    fn new(key: &str) -> Self {
        Breakdown {
            key: key.to_string(),
            received: 0,
            accepted: 0,
            issued: 0,
            overdue: 0,
            with_deadline: 0,
        }
    }

    /// Overdue share in per cent, `None` without any deadline.
    pub fn overdue_pct(&self) -> Option<f64> {
        (self.with_deadline > 0)
            .then(|| f64::from(self.overdue) * 100.0 / f64::from(self.with_deadline))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub from: String,
    pub to: String,
    pub days: Vec<DayCount>,
    pub stages: Vec<StageTime>,
    pub total: Breakdown,
    pub by_site: Vec<Breakdown>,
    pub by_matter: Vec<Breakdown>,
}

/// The stage an event puts a case in; `None` for events that do not move
/// it (an owed material received) or whose destination the timeline does
/// not name (a send-back).
fn entered(kind: &str) -> Option<Stage> {
    match kind {
        "submitted" | "resubmitted" => Some(Stage::PreReview),
        "withdrawn" => Some(Stage::None),
        "owed_received"
        | "sent_back"
        | "paused"
        | "resumed"
        | "booked"
        | "booking_cancelled"
        | "booking_closed"
        | "walk_in"
        | "home_visit_requested"
        | "home_visit_scheduled"
        | "home_visit_cancelled" => None,
        other => Stage::from_code(other),
    }
}

/// The stages whose times are reported, in lifecycle order.
pub const TIMED_STAGES: [Stage; 8] = [
    Stage::PreReview,
    Stage::Returned,
    Stage::PreAccepted,
    Stage::Accepted,
    Stage::Review,
    Stage::Register,
    Stage::Certificate,
    Stage::FeePaid,
];

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The dashboard of `cases` for the days `from..=to` (local days of the
/// events, via `day_of`), judged at `now_ms` for open cases' deadlines.
pub fn dashboard(
    cases: &[CaseFacts],
    from: NaiveDate,
    to: NaiveDate,
    now_ms: i64,
    day_of: impl Fn(i64) -> Option<NaiveDate>,
) -> Dashboard {
    let n_days = (to - from).num_days().max(0) as usize + 1;
    let mut days: Vec<DayCount> = (0..n_days)
        .filter_map(|i| from.checked_add_days(chrono::Days::new(i as u64)))
        .map(|d| DayCount {
            day: d.format("%Y-%m-%d").to_string(),
            received: 0,
            accepted: 0,
            issued: 0,
        })
        .collect();
    let mut stage_hours: Vec<Vec<f64>> = vec![Vec::new(); TIMED_STAGES.len()];
    let mut total = Breakdown::new("");
    let mut by_site: Vec<Breakdown> = Vec::new();
    let mut by_matter: Vec<Breakdown> = Vec::new();
    let in_period = |d: NaiveDate| d >= from && d <= to;

    for case in cases {
        let mut received = false;
        let mut accepted = false;
        let mut issued_at: Option<i64> = None;
        let mut issued_in_period = false;
        let mut current: Option<(Stage, i64)> = None;
        for (kind, at) in &case.events {
            let Some(day) = day_of(*at) else { continue };
            let idx = (day - from).num_days();
            let slot = (in_period(day) && idx >= 0).then(|| &mut days[idx as usize]);
            match kind.as_str() {
                "submitted" => {
                    if let Some(s) = slot {
                        s.received += 1;
                        received = true;
                    }
                }
                "accepted" => {
                    if let Some(s) = slot {
                        s.accepted += 1;
                        accepted = true;
                    }
                }
                "issued" => {
                    issued_at = Some(*at);
                    if let Some(s) = slot {
                        s.issued += 1;
                        issued_in_period = true;
                    }
                }
                _ => {}
            }
            let next = entered(kind);
            if kind == "sent_back" {
                // The destination is not in the timeline: stop timing.
                current = None;
                continue;
            }
            let Some(next) = next else { continue };
            if let Some((stage, since)) = current {
                if in_period(day) {
                    if let Some(i) = TIMED_STAGES.iter().position(|s| *s == stage) {
                        stage_hours[i].push((at - since).max(0) as f64 / 3_600_000.0);
                    }
                }
            }
            current = Some((next, *at));
        }
        let overdue = case.due.map(|due| match issued_at {
            Some(done) => due.missed_at(done),
            None => {
                let open = current.is_some_and(|(s, _)| s.is_open());
                open && due.missed_at(case.paused_at.unwrap_or(now_ms))
            }
        });
        for b in [
            &mut total,
            find_or_add(&mut by_site, &case.site),
            find_or_add(&mut by_matter, &case.matter),
        ] {
            b.received += u32::from(received);
            b.accepted += u32::from(accepted);
            b.issued += u32::from(issued_in_period);
            if accepted {
                if let Some(late) = overdue {
                    b.with_deadline += 1;
                    b.overdue += u32::from(late);
                }
            }
        }
    }
    let stages = TIMED_STAGES
        .iter()
        .zip(stage_hours.iter_mut())
        .map(|(stage, hours)| {
            hours.sort_by(|a, b| a.total_cmp(b));
            let count = hours.len() as u32;
            StageTime {
                stage: stage.code().to_string(),
                count,
                avg_hours: if count == 0 {
                    0.0
                } else {
                    hours.iter().sum::<f64>() / f64::from(count)
                },
                p90_hours: percentile(hours, 90.0),
            }
        })
        .collect();
    let busy = |b: &Breakdown| b.received + b.accepted + b.issued + b.with_deadline > 0;
    by_site.retain(busy);
    by_matter.retain(busy);
    by_site.sort_by(|a, b| a.key.cmp(&b.key));
    by_matter.sort_by(|a, b| b.received.cmp(&a.received).then(a.key.cmp(&b.key)));
    Dashboard {
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
        days,
        stages,
        total,
        by_site,
        by_matter,
    }
}

fn find_or_add<'a>(list: &'a mut Vec<Breakdown>, key: &str) -> &'a mut Breakdown {
    match list.iter().position(|b| b.key == key) {
        Some(i) => &mut list[i],
        None => {
            list.push(Breakdown::new(key));
            let last = list.len() - 1;
            &mut list[last]
        }
    }
}

/// The dashboard's tables as CSV (UTF-8 with a byte-order mark, so Excel
/// opens the Chinese headers): daily counts, then stage times, then the
/// breakdowns, each after a title row.
pub fn to_csv(d: &Dashboard, matter_name: impl Fn(&str) -> String) -> String {
    fn field(v: &str) -> String {
        // Quote always; a leading = + - @ would be a formula in a spreadsheet.
        let v = super::filing::neutralise(v);
        format!("\"{}\"", v.replace('"', "\"\""))
    }
    let mut out = String::from("\u{feff}");
    let mut row = |cells: &[String]| {
        out.push_str(&cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    };
    row(&[
        "日期 Day".into(),
        "收件 Received".into(),
        "受理 Accepted".into(),
        "发证 Issued".into(),
    ]);
    for d in &d.days {
        row(&[
            d.day.clone(),
            d.received.to_string(),
            d.accepted.to_string(),
            d.issued.to_string(),
        ]);
    }
    row(&[]);
    row(&[
        "环节 Stage".into(),
        "次数 Stays".into(),
        "平均小时 Average hours".into(),
        "90%小时 90th percentile hours".into(),
    ]);
    for s in &d.stages {
        row(&[
            Stage::from_code(&s.stage)
                .map(|st| st.label(super::Lang::Zh).to_string())
                .unwrap_or_default(),
            s.count.to_string(),
            format!("{:.1}", s.avg_hours),
            format!("{:.1}", s.p90_hours),
        ]);
    }
    for (title, list, named) in [
        ("办理点 Site", &d.by_site, false),
        ("事项 Matter", &d.by_matter, true),
    ] {
        row(&[]);
        row(&[
            title.into(),
            "收件 Received".into(),
            "受理 Accepted".into(),
            "发证 Issued".into(),
            "超期 Overdue".into(),
            "有期限 With deadline".into(),
            "超期率% Overdue rate".into(),
        ]);
        for b in list.iter() {
            row(&[
                if named {
                    matter_name(&b.key)
                } else {
                    b.key.clone()
                },
                b.received.to_string(),
                b.accepted.to_string(),
                b.issued.to_string(),
                b.overdue.to_string(),
                b.with_deadline.to_string(),
                b.overdue_pct()
                    .map(|p| format!("{p:.1}"))
                    .unwrap_or_default(),
            ]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hours::Due;

    const H: i64 = 3_600_000;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Events at hours after 2026-11-02 00:00 (a test clock in UTC).
    fn case(site: &str, events: &[(&str, i64)], due: Option<&str>) -> CaseFacts {
        let base = day("2026-11-02")
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        CaseFacts {
            site: site.into(),
            matter: "M".into(),
            events: events
                .iter()
                .map(|(k, h)| (k.to_string(), base + h * H))
                .collect(),
            due: due.map(|d| Due::Day(day(d))),
            paused_at: None,
        }
    }

    /// Noon UTC of a day (20:00 in China, the same day).
    fn noon(s: &str) -> i64 {
        day(s)
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    #[test]
    fn a_limit_in_minutes_is_missed_by_the_minute() {
        // Accepted 01:00 UTC on the 2nd, due at 02:00, issued at 02:00 and
        // at 03:00; a third still open at noon.
        let base = noon("2026-11-02") - 12 * H;
        let due = Some(Due::At(base + 2 * H));
        let mut on_time = case("MAIN", &[("accepted", 1), ("issued", 2)], None);
        on_time.due = due;
        let mut late = case("MAIN", &[("accepted", 1), ("issued", 3)], None);
        late.due = due;
        let mut open = case("MAIN", &[("accepted", 1), ("review", 1)], None);
        open.due = due;
        // Stopped before its deadline, waiting on the applicant: not late.
        let mut paused = open.clone();
        paused.paused_at = Some(base + H + H / 2);
        let d = dashboard(
            &[on_time, late, open, paused],
            day("2026-11-02"),
            day("2026-11-02"),
            noon("2026-11-02"),
            day_of,
        );
        assert_eq!((d.total.with_deadline, d.total.overdue), (4, 2));
    }

    fn day_of(ms: i64) -> Option<NaiveDate> {
        chrono::DateTime::from_timestamp_millis(ms).map(|t| t.date_naive())
    }

    #[test]
    fn counts_times_and_overdue_by_hand() {
        let cases = vec![
            // Received Mon 2nd 01:00, pre-review 3 h, pre-accepted 20 h,
            // accepted Tue 3rd, issued Thu 5th; due Wed 4th: late.
            case(
                "MAIN",
                &[
                    ("submitted", 1),
                    ("pre_accepted", 4),
                    ("accepted", 24),
                    ("review", 30),
                    ("register", 40),
                    ("certificate", 50),
                    ("fee_paid", 60),
                    ("issued", 75),
                ],
                Some("2026-11-04"),
            ),
            // Returned once (pre-review 1 h, returned 10 h, pre-review 2 h),
            // accepted on the 3rd, still in review on the 9th, due the 10th:
            // not overdue yet.
            case(
                "TOWN",
                &[
                    ("submitted", 0),
                    ("returned", 1),
                    ("resubmitted", 11),
                    ("pre_accepted", 13),
                    ("accepted", 30),
                    ("review", 31),
                ],
                Some("2026-11-10"),
            ),
            // Received before the period: counted only for what happens in it.
            case("MAIN", &[("submitted", -48), ("rejected", 2)], None),
        ];
        let d = dashboard(
            &cases,
            day("2026-11-02"),
            day("2026-11-08"),
            noon("2026-11-09"),
            day_of,
        );
        assert_eq!(d.days.len(), 7);
        assert_eq!((d.days[0].received, d.days[0].accepted), (2, 0));
        assert_eq!((d.days[1].accepted, d.days[3].issued), (2, 1));
        assert_eq!(d.total.received, 2);
        assert_eq!((d.total.with_deadline, d.total.overdue), (2, 1));
        assert_eq!(d.total.overdue_pct(), Some(50.0));
        let stage = |c: &str| d.stages.iter().find(|s| s.stage == c).unwrap().clone();
        // Pre-review stays: 3 h, 1 h, 2 h, and the rejected case's 50 h.
        let pre = stage("pre_review");
        assert_eq!(pre.count, 4);
        assert!((pre.avg_hours - 14.0).abs() < 1e-9);
        assert_eq!(pre.p90_hours, 50.0);
        assert_eq!(stage("returned").avg_hours, 10.0);
        assert_eq!(stage("fee_paid").p90_hours, 15.0);
        assert_eq!(stage("review").count, 1, "an open stay is not timed");
        let main = d.by_site.iter().find(|b| b.key == "MAIN").unwrap();
        assert_eq!((main.received, main.issued, main.overdue), (1, 1, 1));
        let town = d.by_site.iter().find(|b| b.key == "TOWN").unwrap();
        assert_eq!((town.overdue, town.with_deadline), (0, 1));
        // Judged a day after its deadline, the open case is late.
        let later = dashboard(
            &cases,
            day("2026-11-02"),
            day("2026-11-08"),
            noon("2026-11-11"),
            day_of,
        );
        assert_eq!(later.total.overdue, 2);
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 90.0), 9.0);
        assert_eq!(percentile(&v[..1], 90.0), 1.0);
        assert_eq!(percentile(&[], 90.0), 0.0);
    }

    #[test]
    fn csv_has_a_bom_quoted_cells_and_no_formulas() {
        let cases = vec![case("=HYPERLINK(\"x\")", &[("submitted", 1)], None)];
        let d = dashboard(
            &cases,
            day("2026-11-02"),
            day("2026-11-03"),
            noon("2026-11-03"),
            day_of,
        );
        let csv = to_csv(&d, |m| format!("事项{m}"));
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("\"2026-11-02\",\"1\",\"0\",\"0\"\r\n"));
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""));
        assert!(csv.contains("\"事项M\""));
    }
}

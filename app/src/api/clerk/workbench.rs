//! /staff, the workbench: the queues (cases by stage, site, urgency and search) and the
//! clerk's alerts (deadlines near, parties confirmed, originals received).

use crate::domain::calendar::Urgency;
#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::{AppError, FieldError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One line of a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub id: String,
    pub receipt_no: String,
    pub case_no: Option<String>,
    pub matter_zh: String,
    pub matter_en: String,
    pub stage: String,
    pub site_code: String,
    pub assignee: Option<String>,
    pub submitted_at: String,
    /// The due day (`YYYY-MM-DD`).
    pub due_on: Option<String>,
    /// The deadline as shown: the due day, or its minute for a limit in
    /// working minutes (`YYYY-MM-DD HH:MM`).
    pub due: Option<String>,
    pub urgency: Option<Urgency>,
    /// The clock stands still, waiting on the applicant.
    pub paused: bool,
    pub priority: bool,
}

/// The queues of the workbench, in the order the tabs show them.
pub const QUEUES: [(&str, &str, &str); 10] = [
    ("pre_review", "待预审", "To pre-review"),
    ("returned", "待补正", "Returned"),
    ("pre_accepted", "预审通过待到场", "Pre-accepted"),
    ("accepted", "受理中", "In acceptance"),
    ("review", "审核中", "In review"),
    ("register", "待登簿", "For the register"),
    ("certificate", "待缮证", "For the certificate"),
    ("fee_paid", "待发证", "Ready to issue"),
    ("overdue", "已超时", "Overdue"),
    ("all", "全部在办", "All open"),
];

/// The filters of a queue, as the page's GET form sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    #[serde(default)]
    pub matter: String,
    #[serde(default)]
    pub site: String,
    /// Submitted on or after this day (`YYYY-MM-DD`).
    #[serde(default)]
    pub from: String,
    /// Submitted on or before this day.
    #[serde(default)]
    pub to: String,
    /// `1`: the priority lane (绿色通道) only.
    #[serde(default)]
    pub lane: String,
}

impl QueueFilter {
    /// The query string of the filters that are set (`&matter=…`), to keep
    /// them across the queue tabs.
    pub fn query(&self) -> String {
        use crate::components::language::urlencode as q;
        [
            ("matter", &self.matter),
            ("site", &self.site),
            ("from", &self.from),
            ("to", &self.to),
            ("lane", &self.lane),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("&{k}={}", q(v)))
        .collect()
    }

    /// The day bounds as instants (ms, China time): from the start of
    /// `from` to the end of `to`; 0 where open. A malformed or reversed day
    /// is a field error.
    pub fn bounds(&self) -> Result<(i64, i64), Vec<FieldError>> {
        use chrono::NaiveDate;
        let mut errors = Vec::new();
        let mut day = |field: &str, v: &str| -> Option<NaiveDate> {
            if v.is_empty() {
                return None;
            }
            let d = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
            if d.is_none() {
                errors.push(FieldError::new(
                    field,
                    "date_format",
                    "日期格式应为 年-月-日，例如 2026-11-24".into(),
                    "Dates are year-month-day, e.g. 2026-11-24".into(),
                ));
            }
            d
        };
        let from = day("from", &self.from);
        let to = day("to", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new(
                    "to",
                    "date_order",
                    "结束日期不能早于开始日期".into(),
                    "The end date is before the start date".into(),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let ms = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| {
                    t.and_local_timezone(crate::domain::calendar::china())
                        .single()
                })
                .map(|t| t.timestamp_millis())
                .unwrap_or(0)
        };
        Ok((
            from.map(ms).unwrap_or(0),
            to.and_then(|t| t.succ_opt()).map(ms).unwrap_or(0),
        ))
    }
}

#[server(endpoint = "cases/queue")]
pub async fn case_queue(
    queue: String,
    filter: Option<QueueFilter>,
) -> Result<Vec<CaseLine>, AppError> {
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::case_facts::*;
    let s = case_worker().await?;
    let database = database()?;
    let clock = clock(&database).await?;
    let today = clock.today().format("%Y-%m-%d").to_string();
    let queue = if queue.is_empty() {
        crate::domain::case::first_queue(crate::domain::case::Role::from_code(&s.role)).to_string()
    } else {
        queue
    };
    let (stages, overdue): (Vec<&str>, &str) = match queue.as_str() {
        "all" => (vec![], ""),
        "overdue" => (vec![], today.as_str()),
        q if QUEUES.iter().any(|(c, _, _)| *c == q) => (vec![q], ""),
        _ => return Err(AppError::NotFound),
    };
    let filter = filter.unwrap_or_default();
    let (submitted_from, submitted_before) = filter.bounds().map_err(AppError::Validation)?;
    let rows = crate::db::queue(
        &database,
        &s.staff_id,
        &crate::db::QueueQuery {
            stages: &stages,
            overdue_before: overdue,
            now_ms: clock.now_ms,
            matter: filter.matter.trim(),
            site: filter.site.trim(),
            submitted_from,
            submitted_before,
            priority_only: filter.lane == "1",
        },
    )
    .await
    .map_err(internal("queue"))?;
    let matters = crate::db::list_matters(&database)
        .await
        .map_err(internal("matters"))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let m = matters.iter().find(|m| m.code == r.matter_code);
            let (urgency, due) = judge(&clock, &r.site_code, r.due_on.as_deref(), r.due_at);
            CaseLine {
                urgency: urgency.filter(|_| r.paused_at.is_none()),
                paused: r.paused_at.is_some(),
                due,
                matter_zh: m.map(|m| m.name_zh.clone()).unwrap_or_default(),
                matter_en: m.map(|m| m.name_en.clone()).unwrap_or_default(),
                id: r.id,
                receipt_no: r.receipt_no.unwrap_or_default(),
                case_no: r.case_no,
                stage: r.stage,
                site_code: r.site_code,
                assignee: r.assignee,
                submitted_at: r
                    .submitted_at
                    .map(crate::views::local_time)
                    .unwrap_or_default(),
                due_on: r.due_on,
                priority: r.priority == 1,
            }
        })
        .collect())
}

/// A deadline alert on the workbench (超时预警).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertView {
    pub id: String,
    pub application_id: String,
    /// `due_soon` or `overdue`.
    pub kind: String,
    /// The deadline as shown (the day, or its minute).
    pub due_on: String,
    pub receipt_no: String,
    pub case_no: Option<String>,
    pub stage: String,
}

/// The signed-in staff member's unread deadline alerts.
#[server(endpoint = "cases/alerts")]
pub async fn my_alerts() -> Result<Vec<AlertView>, AppError> {
    use crate::guards::*;
    use crate::services::*;

    let s = case_worker().await?;
    Ok(crate::db::unread_alerts(&database()?, &s.staff_id)
        .await
        .map_err(internal("alerts"))?
        .into_iter()
        .map(|a| AlertView {
            id: a.id,
            application_id: a.application_id,
            // An objection's alert carries the day it came in.
            due_on: if a.kind == "objection" {
                a.due_on
            } else {
                crate::domain::hours::Due::from_columns(Some(&a.due_on), a.due_at)
                    .map(|d| d.label())
                    .unwrap_or(a.due_on)
            },
            kind: a.kind,
            receipt_no: a.receipt_no.unwrap_or_default(),
            case_no: a.case_no,
            stage: a.stage,
        })
        .collect())
}

/// Dismiss one's own alert (others' answer 404).
#[server(endpoint = "cases/alert_read")]
pub async fn read_alert(id: String, csrf: String) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;

    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let done = crate::db::mark_alert_read(&database()?, &s.staff_id, &id)
        .await
        .map_err(internal("alert"))?;
    if is_form_post().await {
        redirect("/staff");
        return Ok(());
    }
    if done {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

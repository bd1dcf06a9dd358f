//! The clerks' workbench: queues, one case with its automatic checks, taking
//! and releasing, and the lifecycle moves (pre-accept, return with a
//! one-time correction notice, reject, accept, advance, send back).
//!
//! Authorisation on the server for every call: a staff session, a role that
//! may make the move (domain::case::allowed), and a case of one of the staff
//! member's sites (anything else is `NotFound`). Moves name the version the
//! page showed; a changed case answers `Conflict { code: "stale" }`.

use crate::api::applications::{DocumentView, EventView, PartyView};
use crate::domain::application::Draft;
use crate::domain::calendar::Urgency;
use crate::domain::catalogue::Matter;
use crate::error::{AppError, FieldError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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

/// One automatic check (智能辅助审核) and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckView {
    pub code: String,
    pub pass: bool,
    pub zh: String,
    pub en: String,
}

/// An item of the correction notice, with what changed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeItemView {
    pub material: String,
    pub material_zh: String,
    pub material_en: String,
    pub reason: String,
    pub note: String,
    /// File names added since the notice.
    pub added: Vec<String>,
    /// How many of the files at the time of the notice are gone.
    pub removed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub created_at: String,
    pub answered_at: Option<String>,
    pub items: Vec<NoticeItemView>,
}

/// A material the case was accepted without (容缺) and whether it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwedView {
    pub material: String,
    pub name_zh: String,
    pub name_en: String,
    pub promised_at: String,
    pub received_at: Option<String>,
}

/// The owed materials of a case, named from its checklist.
#[cfg(feature = "ssr")]
pub async fn owed_views(
    database: &crate::db::Db,
    id: &str,
    matter: &Matter,
) -> Result<Vec<OwedView>, AppError> {
    use crate::api::applications::local_time;
    Ok(crate::db::owed(database, id)
        .await
        .map_err(|e| AppError::internal("owed", e))?
        .into_iter()
        .map(|o| {
            let item = matter.checklist.iter().find(|c| c.material == o.material);
            OwedView {
                name_zh: item.map(|c| c.name_zh.clone()).unwrap_or_default(),
                name_en: item.map(|c| c.name_en.clone()).unwrap_or_default(),
                material: o.material,
                promised_at: local_time(o.promised_at),
                received_at: o.received_at.map(local_time),
            }
        })
        .collect())
}

/// Everything the case page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub id: String,
    pub receipt_no: String,
    pub case_no: Option<String>,
    pub matter: Matter,
    pub stage: String,
    pub version: i64,
    pub site_code: String,
    pub priority: bool,
    pub assignee: Option<String>,
    /// Taken by the viewer.
    pub mine: bool,
    pub submitted_at: String,
    pub due_on: Option<String>,
    /// As shown (see [`CaseLine::due`]).
    pub due: Option<String>,
    pub urgency: Option<Urgency>,
    /// Since when the clock stands still, waiting on the applicant.
    pub paused_since: Option<String>,
    pub draft: Draft,
    pub parties: Vec<PartyView>,
    pub documents: Vec<DocumentView>,
    pub events: Vec<EventView>,
    pub checks: Vec<CheckView>,
    pub notice: Option<NoticeView>,
    /// Moves the viewer may make now (action codes).
    pub actions: Vec<String>,
    /// The printable letters the case has now.
    pub letters: Vec<crate::domain::letter::LetterKind>,
    /// Materials accepted as owed (容缺).
    pub owed: Vec<OwedView>,
    pub role: String,
    pub csrf: String,
    /// Every named party and whether they have confirmed.
    pub people: Vec<crate::api::people::PartyStanding>,
    /// The visits recorded, and who has not been seen at one yet.
    pub visits: Vec<crate::api::people::VisitView>,
    pub not_seen: Vec<String>,
    /// The case's live booking, if any (pre-accepted cases).
    pub booking: Option<crate::api::bookings::BookingView>,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::db::{self, StaffSession};
    use crate::domain::hours::{Clock, Due};

    pub fn internal(ctx: &'static str) -> impl Fn(sqlx::Error) -> AppError {
        move |e| AppError::internal(ctx, e)
    }

    /// The working-day calendar as the administrators keep it and the
    /// sites' hours, now (read per request: small tables, and every server
    /// sees an edit at once).
    pub async fn clock(database: &crate::db::Db) -> Result<Clock, AppError> {
        crate::db::load_clock(database, crate::db::now_ms())
            .await
            .map_err(internal("clock"))
    }

    /// A stored deadline's urgency now and its label.
    pub fn judge(
        clock: &Clock,
        site: &str,
        due_on: Option<&str>,
        due_at: Option<i64>,
    ) -> (Option<Urgency>, Option<String>) {
        match Due::from_columns(due_on, due_at) {
            Some(due) => (Some(clock.urgency(site, &due)), Some(due.label())),
            None => (None, None),
        }
    }

    pub fn today() -> chrono::NaiveDate {
        chrono::Utc::now()
            .with_timezone(&crate::domain::calendar::china())
            .date_naive()
    }

    /// Staff who work cases (not administrators).
    pub async fn case_worker() -> Result<StaffSession, AppError> {
        let s = crate::services::require_staff().await?;
        if s.role == "admin" {
            return Err(AppError::Forbidden);
        }
        Ok(s)
    }

    pub async fn case_of(id: &str, s: &StaffSession) -> Result<db::CaseRow, AppError> {
        db::case_for_staff(&crate::services::database()?, id, &s.staff_id)
            .await
            .map_err(internal("case"))?
            .ok_or(AppError::NotFound)
    }
}

/// The latest correction notice of an application, item by item, with what
/// changed since it was made.
#[cfg(feature = "ssr")]
pub async fn notice_view(
    database: &crate::db::Db,
    id: &str,
    matter: &Matter,
    documents: &[DocumentView],
) -> Result<Option<NoticeView>, AppError> {
    use crate::api::applications::local_time;
    let Some((n, items)) = crate::db::latest_notice(database, id)
        .await
        .map_err(|e| AppError::internal("notice", e))?
    else {
        return Ok(None);
    };
    let snapshot: Vec<serde_json::Value> = serde_json::from_str(&n.snapshot).unwrap_or_default();
    let items = items
        .into_iter()
        .map(|i| {
            let before: Vec<&str> = snapshot
                .iter()
                .filter(|v| v["material"] == i.material.as_str())
                .filter_map(|v| v["id"].as_str())
                .collect();
            let now: Vec<&DocumentView> = documents
                .iter()
                .filter(|d| d.material == i.material)
                .collect();
            let added = now
                .iter()
                .filter(|d| !before.contains(&d.id.as_str()))
                .map(|d| d.name.clone())
                .collect();
            let removed = before
                .iter()
                .filter(|b| !now.iter().any(|d| d.id == **b))
                .count();
            let item = matter.checklist.iter().find(|c| c.material == i.material);
            NoticeItemView {
                material_zh: item.map(|c| c.name_zh.clone()).unwrap_or_default(),
                material_en: item.map(|c| c.name_en.clone()).unwrap_or_default(),
                material: i.material,
                reason: i.reason,
                note: i.note,
                added,
                removed,
            }
        })
        .collect();
    Ok(Some(NoticeView {
        created_at: local_time(n.created_at),
        answered_at: n.answered_at.map(local_time),
        items,
    }))
}

/// A check that passes when nothing was found, and otherwise names it.
#[cfg(feature = "ssr")]
fn list_check(
    code: &str,
    found_zh: &[String],
    found_en: &[String],
    ok: (&str, &str),
    bad: (&str, &str),
) -> CheckView {
    let pass = found_zh.is_empty();
    CheckView {
        code: code.into(),
        pass,
        zh: if pass {
            ok.0.into()
        } else {
            format!("{}{}", bad.0, found_zh.join("、"))
        },
        en: if pass {
            ok.1.into()
        } else {
            format!("{}{}", bad.1, found_en.join(", "))
        },
    }
}

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
    use crate::services::*;
    use server::*;
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
                    .map(crate::api::applications::local_time)
                    .unwrap_or_default(),
                due_on: r.due_on,
                priority: r.priority == 1,
            }
        })
        .collect())
}

#[server(endpoint = "cases/get")]
pub async fn get_case(id: String) -> Result<CaseView, AppError> {
    use crate::api::applications::local_time;
    use crate::domain::application::{check_id_number, IdType};
    use crate::domain::case::{allowed, transition, Action, Role, Stage};
    use crate::domain::catalogue::Requirement;
    use crate::services::*;
    use server::*;
    let s = case_worker().await?;
    let row = case_of(&id, &s).await?;
    let database = database()?;
    let app = crate::db::application_row(&database, &id)
        .await
        .map_err(internal("application"))?
        .ok_or(AppError::NotFound)?;
    let matter = crate::api::applications::server::load_matter(&row.matter_code).await?;
    let draft: Draft = serde_json::from_str(&app.draft).unwrap_or_default();
    let parties_rows = crate::db::parties(&database, &id)
        .await
        .map_err(internal("parties"))?;
    let documents = crate::api::applications::document_views_for(&database, &id).await?;
    let events = crate::db::events(&database, &id)
        .await
        .map_err(internal("events"))?
        .into_iter()
        .map(|e| EventView {
            kind: e.kind,
            at: local_time(e.at),
            note: e.note,
        })
        .collect();

    // The automatic checks.
    let bad_ids: Vec<String> = parties_rows
        .iter()
        .filter(|p| {
            IdType::from_code(&p.id_type)
                .map(|t| check_id_number(t, &p.id_number).is_err())
                .unwrap_or(true)
        })
        .map(|p| p.name.clone())
        .collect();
    let missing: Vec<&crate::domain::catalogue::ChecklistItem> = matter
        .checklist
        .iter()
        .filter(|i| i.requirement == Requirement::Required)
        .filter(|i| !documents.iter().any(|d| d.material == i.material))
        .collect();
    let mut names: HashMap<&str, &str> = HashMap::new();
    let mut inconsistent = Vec::new();
    for p in &parties_rows {
        match names.get(p.id_number.as_str()) {
            Some(n) if *n != p.name => inconsistent.push(format!("{n} / {}", p.name)),
            _ => {
                names.insert(&p.id_number, &p.name);
            }
        }
    }
    let unit = draft.property.unit_number.trim().to_string();
    let others = crate::db::open_cases_for_unit(&database, &unit, &id)
        .await
        .map_err(internal("unit"))?;
    let checks = vec![
        list_check(
            "id_checksums",
            &bad_ids,
            &bad_ids,
            (
                "所有证件号码校验通过",
                "Every ID number passes its checksum",
            ),
            (
                "证件号码校验不通过：",
                "ID numbers failing their checksum: ",
            ),
        ),
        list_check(
            "materials",
            &missing
                .iter()
                .map(|i| i.name_zh.clone())
                .collect::<Vec<_>>(),
            &missing
                .iter()
                .map(|i| i.name_en.clone())
                .collect::<Vec<_>>(),
            ("必交材料均已上传", "Every required material is uploaded"),
            ("未上传：", "Not uploaded: "),
        ),
        list_check(
            "names",
            &inconsistent,
            &inconsistent,
            (
                "同一证件号码的姓名一致",
                "Names agree wherever an ID number appears",
            ),
            (
                "同一证件号码姓名不一致：",
                "One ID number, different names: ",
            ),
        ),
        list_check(
            "unit_open_case",
            &others,
            &others,
            (
                "该不动产单元没有其他在办案件",
                "No other open case for this unit",
            ),
            ("该单元已有在办案件：", "Open cases for this unit: "),
        ),
    ];

    let notice = notice_view(&database, &id, &matter, &documents).await?;

    let stage = Stage::from_code(&row.stage).unwrap_or(Stage::None);
    let role = Role::from_code(&s.role);
    let mine = row.assigned_to.as_deref() == Some(s.staff_id.as_str());
    let actions = [
        Action::PreAccept,
        Action::Return,
        Action::Reject,
        Action::Accept,
        Action::Advance,
        Action::SendBack,
        Action::Pause,
        Action::Resume,
    ]
    .into_iter()
    .filter(|a| transition(stage, *a).is_some() && allowed(role, *a, stage))
    .filter(|a| mine || *a == Action::SendBack)
    // While the clock stands still the case only waits to be resumed.
    .filter(|a| (*a == Action::Resume) == row.paused_at.is_some())
    .map(|a| a.code().to_string())
    .collect::<Vec<String>>();

    crate::db::audit_now(
        &database,
        &crate::db::AuditEntry {
            actor: &s.staff_id,
            role: &s.role,
            action: "view",
            application_id: Some(&id),
            ..Default::default()
        },
    )
    .await
    .map_err(internal("audit"))?;

    let letters = crate::domain::letter::available(&row.stage, notice.is_some());
    let owed = owed_views(&database, &id, &matter).await?;
    let who = crate::api::people::server::people(&database, &id).await?;
    // A case a party objected to is stopped: it offers no pre-acceptance
    // or acceptance (the move itself refuses them too).
    let objected = who
        .standings
        .iter()
        .any(|x| x.standing == crate::domain::people::Standing::Objected);
    let actions: Vec<String> = actions
        .into_iter()
        .filter(|a| !(objected && (a == "pre_accept" || a == "accept")))
        .collect();
    let visits = crate::api::people::server::visit_views(&database, &id, &who.parties).await?;
    let not_seen =
        crate::api::people::server::missing_at_visit(&database, &id, &who.parties).await?;
    let booking = crate::api::bookings::server::booking_view(&database, &id).await?;
    let (urgency, due) = judge(
        &clock(&database).await?,
        &row.site_code,
        row.due_on.as_deref(),
        row.due_at,
    );
    Ok(CaseView {
        people: who.standings,
        visits,
        not_seen,
        booking,
        urgency: urgency.filter(|_| row.paused_at.is_none()),
        paused_since: row.paused_at.map(local_time),
        owed,
        parties: parties_rows
            .into_iter()
            .map(|p| PartyView {
                role: p.role,
                name: p.name,
                id_masked: p.id_number,
                share: p.share,
            })
            .collect(),
        due,
        id: row.id,
        receipt_no: row.receipt_no.unwrap_or_default(),
        case_no: row.case_no,
        matter,
        stage: row.stage,
        version: row.version,
        site_code: row.site_code,
        priority: row.priority == 1,
        assignee: row.assignee,
        mine,
        submitted_at: row.submitted_at.map(local_time).unwrap_or_default(),
        due_on: row.due_on,
        draft,
        documents,
        events,
        checks,
        letters,
        notice,
        actions,
        role: s.role,
        csrf: s.csrf_token,
    })
}

/// Take a case (exactly one of two racing clerks wins) or release it (its
/// clerk, or a supervisor for anyone's).
#[server(endpoint = "cases/assign")]
pub async fn assign_case(id: String, csrf: String, op: String) -> Result<(), AppError> {
    use crate::services::*;
    use server::*;
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    case_of(&id, &s).await?;
    let database = database()?;
    let actor = crate::db::Actor {
        id: &s.staff_id,
        role: &s.role,
    };
    let ok = match op.as_str() {
        "take" => crate::db::take_case(&database, &id, actor).await,
        "release" => crate::db::release_case(&database, &id, actor, s.role == "supervisor").await,
        _ => return Err(AppError::BadRequest),
    }
    .map_err(internal("assign"))?;
    if !ok {
        if is_form_post().await {
            redirect(&format!("/staff/cases/{}?error=taken", q(&id)));
            return Ok(());
        }
        return Err(AppError::Conflict {
            code: "taken".into(),
        });
    }
    if is_form_post().await {
        redirect(&format!("/staff/cases/{}", q(&id)));
    }
    Ok(())
}

/// A lifecycle move. `f` carries a return's notice: `pick-<material>` = 1,
/// `reason-<material>`, `note-<material>`; and `reason` for a rejection or
/// a send-back.
#[server(endpoint = "cases/act")]
pub async fn act_on_case(
    id: String,
    csrf: String,
    version: i64,
    action: String,
    reason: Option<String>,
    f: Option<HashMap<String, String>>,
) -> Result<i64, AppError> {
    use crate::db::{MoveOutcome, NoticeItemRow};
    use crate::domain::case::{
        allowed, check_notice_item, event_kind, transition, Action, Role, Stage,
    };
    use crate::services::*;
    use server::*;
    let form = is_form_post().await;
    let back = format!("/staff/cases/{}", q(&id));
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let row = case_of(&id, &s).await?;
    let action = Action::from_code(&action).ok_or(AppError::BadRequest)?;
    let from = Stage::from_code(&row.stage).unwrap_or(Stage::None);
    let role = Role::from_code(&s.role);
    let to = transition(from, action);
    let refuse = |code: &str| -> Result<i64, AppError> {
        if form {
            redirect(&format!("{back}?error={code}"));
            Ok(0)
        } else {
            Err(AppError::Conflict { code: code.into() })
        }
    };
    let Some(to) = to else {
        return refuse("illegal");
    };
    if !allowed(role, action, from) {
        return Err(AppError::Forbidden);
    }
    let mine = row.assigned_to.as_deref() == Some(s.staff_id.as_str());
    if !mine && action != Action::SendBack {
        return refuse("not_yours");
    }
    // While the clock stands still, resuming it is the only move (the
    // conditional update enforces the same against races).
    if row.paused_at.is_some() && action != Action::Resume {
        return refuse("paused");
    }
    if row.paused_at.is_none() && action == Action::Resume {
        return refuse("not_paused");
    }
    let reason = reason.unwrap_or_default().trim().to_string();
    let fields = f.unwrap_or_default();
    let lang = request_lang().await;
    let mut errors = Vec::new();
    let mut items = Vec::new();
    let matter = crate::api::applications::server::load_matter(&row.matter_code).await?;
    if action == Action::Return {
        for item in &matter.checklist {
            let m = &item.material;
            if fields
                .get(&format!("pick-{m}"))
                .is_none_or(|v| v.is_empty())
            {
                continue;
            }
            let r = fields
                .get(&format!("reason-{m}"))
                .cloned()
                .unwrap_or_default();
            let note = fields
                .get(&format!("note-{m}"))
                .map(|n| n.trim().to_string())
                .unwrap_or_default();
            if let Err(code) = check_notice_item(&r, &note) {
                let (zh, en) = match code {
                    "note_required" => ("选择“其他”时请写明原因", "With “Other”, write the reason"),
                    "note_too_long" => ("说明不超过 500 字", "At most 500 characters"),
                    _ => ("请选择原因", "Choose a reason"),
                };
                errors.push(FieldError::new(
                    &format!("reason-{m}"),
                    code,
                    format!("{}：{zh}", item.name_zh),
                    format!("{}: {en}", item.name_en),
                ));
            }
            items.push(NoticeItemRow {
                material: m.clone(),
                reason: r,
                note,
            });
        }
        if items.is_empty() {
            errors.push(FieldError::new(
                "items",
                "items_required",
                "请至少选择一项需要补正的材料".into(),
                "Choose at least one item to correct".into(),
            ));
        }
    }
    // Tolerated deficiencies (容缺): at acceptance, materials the applicant
    // promised to bring; only items the catalogue marks as tolerable.
    let mut owed: Vec<String> = Vec::new();
    let mut owed_names: Vec<String> = Vec::new();
    if action == Action::Accept {
        use crate::domain::catalogue::Requirement;
        for item in &matter.checklist {
            let m = &item.material;
            if fields.get(&format!("owe-{m}")).is_none_or(|v| v.is_empty()) {
                continue;
            }
            if item.requirement != Requirement::Tolerable {
                errors.push(FieldError::new(
                    &format!("owe-{m}"),
                    "not_tolerable",
                    format!("{}：此项材料不可容缺", item.name_zh),
                    format!("{}: this material cannot be owed", item.name_en),
                ));
                continue;
            }
            owed.push(m.clone());
            owed_names.push(item.name_zh.clone());
        }
    }
    let reason = if owed.is_empty() {
        reason
    } else {
        format!("容缺受理，承诺补交：{}", owed_names.join("、"))
    };
    // Marking fees paid records what was paid: the property's use, the
    // certificates, how it was paid and the amount received, which must be
    // what the catalogue's fee items come to.
    let mut fee: Option<crate::db::FeeRecord> = None;
    if action == Action::Advance && from == Stage::Certificate {
        match check_fee(&fields, &matter) {
            Ok(f) => fee = Some(f),
            Err(mut e) => errors.append(&mut e),
        }
    }
    let reason = match &fee {
        Some(f) => crate::domain::fees::describe(&f.lines, &f.method, crate::domain::Lang::Zh),
        None => reason,
    };
    if matches!(action, Action::Reject | Action::SendBack | Action::Pause) && reason.is_empty() {
        errors.push(FieldError::new(
            "reason",
            "reason_required",
            "请写明原因".into(),
            "Please write the reason".into(),
        ));
    }
    if !errors.is_empty() {
        if form {
            redirect(&format!("{back}?error={}", errors[0].code));
            return Ok(0);
        }
        return Err(AppError::Validation(errors));
    }
    let database = database()?;
    // The people of the case: nobody's property is pre-accepted before
    // every named party has confirmed, nor accepted before they have all
    // been seen at the window; an objection stops both.
    if matches!(action, Action::PreAccept | Action::Accept) {
        use crate::api::people::server::{missing_at_visit, people};
        let p = people(&database, &id).await?;
        if p.standings
            .iter()
            .any(|x| x.standing == crate::domain::people::Standing::Objected)
        {
            return refuse("objected");
        }
        if action == Action::PreAccept && !p.all_agree() {
            return refuse("unconfirmed");
        }
        if action == Action::Accept
            && matter.visit_required
            && !missing_at_visit(&database, &id, &p.parties)
                .await?
                .is_empty()
        {
            return refuse("no_visit");
        }
    }
    let actor = crate::db::Actor {
        id: &s.staff_id,
        role: &s.role,
    };
    let clock = clock(&database).await?;
    let day = clock.today();
    // A deadline from now at acceptance; moved on by the working time
    // paused when the clock restarts.
    let due = match (action, row.paused_at) {
        (Action::Accept, _) => Some(clock.deadline(
            &row.site_code,
            matter.time_limit_days,
            matter.time_limit_minutes,
        )),
        (Action::Resume, Some(since)) => {
            crate::domain::hours::Due::from_columns(row.due_on.as_deref(), row.due_at)
                .map(|d| d.extended(&clock.cal, clock.hours(&row.site_code), since, clock.now_ms))
        }
        _ => None,
    };
    let due_on = due
        .map(|d| d.day().format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let due_at = due.and_then(|d| d.instant());
    // Two acceptances at one site at once may compute the same case number:
    // the unique index refuses the second, which tries the next number.
    let mut attempt = 0;
    let outcome = loop {
        let case_no = if action == Action::Accept {
            use chrono::Datelike;
            crate::db::next_case_no(&database, &row.site_code, day.year())
                .await
                .map_err(internal("case no"))?
        } else {
            String::new()
        };
        let m = crate::db::Move {
            action: action.code(),
            from_stage: from.code(),
            to_stage: to.code(),
            version,
            note: &reason,
            event: event_kind(action, to),
            items: &items,
            deadline: due.map(|_| crate::db::Deadline {
                case_no: &case_no,
                due_on: &due_on,
                due_at,
            }),
            clock: match action {
                Action::Pause => "pause",
                Action::Resume => "resume",
                _ => "keep",
            },
            owed: &owed,
            hand_over: crate::domain::case::hands_over(from, to),
            fee: fee.as_ref(),
        };
        match crate::db::apply_move(&database, &id, actor, &m, lang).await {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() && attempt < 3 => {
                attempt += 1;
            }
            other => break other.map_err(internal("move"))?,
        }
    };
    match outcome {
        MoveOutcome::Done { version } => {
            services()?.outbox_wake.notify_one();
            if form {
                redirect(&format!("{back}?ok={}", action.code()));
            }
            Ok(version)
        }
        MoveOutcome::Stale => refuse("stale"),
        MoveOutcome::Owed => refuse("owed"),
        MoveOutcome::Objected => refuse("objected"),
    }
}

/// The fee fields of "fees paid" (`fee_use`, `fee_certs`, `fee_method`,
/// `fee_paid`), checked against the matter's fee items.
#[cfg(feature = "ssr")]
fn check_fee(
    fields: &HashMap<String, String>,
    matter: &Matter,
) -> Result<crate::db::FeeRecord, Vec<FieldError>> {
    use crate::domain::fees::{parse_yuan, quote, total, yuan, PropertyUse, METHODS};
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut errors = Vec::new();
    let use_ = PropertyUse::from_code(&get("fee_use"));
    if use_.is_none() {
        errors.push(FieldError::new(
            "fee_use",
            "fee_use_required",
            "房屋用途：请选择住宅或非住宅".into(),
            "Use of the property: choose residential or non-residential".into(),
        ));
    }
    let certs = get("fee_certs")
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=20).contains(n));
    if certs.is_none() {
        errors.push(FieldError::new(
            "fee_certs",
            "fee_certs_invalid",
            "证书本数：请填写 1 到 20 之间的数".into(),
            "Certificates: a number from 1 to 20".into(),
        ));
    }
    let method = get("fee_method");
    if !METHODS.iter().any(|(c, _, _)| *c == method) {
        errors.push(FieldError::new(
            "fee_method",
            "fee_method_required",
            "缴费方式：请选择".into(),
            "How it was paid: choose one".into(),
        ));
    }
    let (Some(use_), Some(certs)) = (use_, certs) else {
        return Err(errors);
    };
    let lines = if method == "exempt" {
        Vec::new()
    } else {
        quote(&matter.fees, use_, certs)
    };
    let due = total(&lines);
    match parse_yuan(&get("fee_paid")) {
        Some(paid) if paid == due => {}
        _ => errors.push(FieldError::new(
            "fee_paid",
            "fee_amount_mismatch",
            format!("实收金额：应为 {} 元", yuan(due)),
            format!("Amount received: it should be {} yuan", yuan(due)),
        )),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(crate::db::FeeRecord {
        property_use: if use_ == PropertyUse::Residential {
            "residential"
        } else {
            "non_residential"
        },
        certificates: certs,
        total_fen: due,
        lines,
        method,
    })
}

/// A supervisor puts a case into the priority lane (绿色通道) or takes it
/// out, with a written reason (audited). Applicants of 80 and over are put
/// there automatically at submission.
#[server(endpoint = "cases/priority")]
pub async fn set_priority(
    id: String,
    csrf: String,
    lane: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::domain::case::Role;
    use crate::services::*;
    use server::*;
    let form = is_form_post().await;
    let back = format!("/staff/cases/{}", q(&id));
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    if Role::from_code(&s.role) != Some(Role::Supervisor) {
        return Err(AppError::Forbidden);
    }
    case_of(&id, &s).await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        if form {
            redirect(&format!("{back}?error=reason_required"));
            return Ok(());
        }
        return Err(AppError::Validation(vec![FieldError::new(
            "reason",
            "reason_required",
            "请写明原因（不超过 500 字）".into(),
            "Please write the reason (at most 500 characters)".into(),
        )]));
    }
    let actor = crate::db::Actor {
        id: &s.staff_id,
        role: &s.role,
    };
    crate::db::set_priority(&database()?, &id, lane == "1", actor, reason)
        .await
        .map_err(internal("priority"))?;
    if form {
        redirect(&format!("{back}?ok=priority"));
    }
    Ok(())
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
    use crate::services::*;
    use server::*;
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
    use crate::services::*;
    use server::*;
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

/// Record that an owed material (容缺) was brought in: staff working the
/// case's site (not only its clerk: the applicant may come to any window).
#[server(endpoint = "cases/receive_owed")]
pub async fn receive_owed(id: String, csrf: String, material: String) -> Result<(), AppError> {
    use crate::services::*;
    use server::*;
    let form = is_form_post().await;
    let back = format!("/staff/cases/{}", q(&id));
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let row = case_of(&id, &s).await?;
    let matter = crate::api::applications::server::load_matter(&row.matter_code).await?;
    let database = database()?;
    let owed = crate::db::owed(&database, &id)
        .await
        .map_err(internal("owed"))?;
    let item = matter
        .checklist
        .iter()
        .find(|i| i.material == material)
        .filter(|_| owed.iter().any(|o| o.material == material))
        .ok_or(AppError::NotFound)?;
    let actor = crate::db::Actor {
        id: &s.staff_id,
        role: &s.role,
    };
    let done = crate::db::receive_owed(&database, &id, &material, actor, &item.name_zh)
        .await
        .map_err(internal("receive owed"))?;
    if form {
        redirect(&format!("{back}?ok=owed_received"));
        return Ok(());
    }
    if done {
        Ok(())
    } else {
        Err(AppError::Conflict {
            code: "already_received".into(),
        })
    }
}

/// A view of a case outside working hours (the off-hours query review).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffHoursView {
    pub at: String,
    pub who: String,
    pub receipt_no: String,
}

/// What a supervisor reviews: views of their sites' cases made outside
/// working hours (before 08:00, from 18:00, or on a day off) in the last
/// 30 days, and whether the audit chain is intact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReview {
    pub off_hours: Vec<OffHoursView>,
    /// The first audit record whose chain link does not hold, if any.
    pub broken_at: Option<i64>,
}

/// Is this instant (Unix ms) outside working hours in China?
pub fn off_hours(cal: &crate::domain::calendar::WorkCalendar, ms: i64) -> bool {
    use chrono::Timelike;
    let Some(t) = crate::domain::calendar::china_time(ms) else {
        return false;
    };
    !cal.is_working_day(t.date_naive()) || t.hour() < 8 || t.hour() >= 18
}

#[server(endpoint = "cases/audit_review")]
pub async fn review_audit() -> Result<AuditReview, AppError> {
    use crate::services::*;
    use server::*;
    let s = require_staff().await?;
    if s.role != "supervisor" {
        return Err(AppError::Forbidden);
    }
    let database = database()?;
    let cal = crate::db::load_calendar(&database)
        .await
        .map_err(internal("calendar"))?;
    let since = crate::db::now_ms() - 30 * 24 * 3600 * 1000;
    let views = crate::db::case_views_since(&database, &s.staff_id, since)
        .await
        .map_err(internal("audit"))?;
    let broken_at = crate::db::verify_audit(&database)
        .await
        .map_err(internal("audit"))?;
    Ok(AuditReview {
        off_hours: views
            .into_iter()
            .filter(|(at, _, _)| off_hours(&cal, *at))
            .map(|(at, who, receipt)| OffHoursView {
                at: crate::api::applications::local_time(at),
                who,
                receipt_no: receipt.unwrap_or_default(),
            })
            .collect(),
        broken_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_hours_are_evenings_early_mornings_and_days_off() {
        let cal = crate::domain::calendar::WorkCalendar::from_json(include_str!(
            "../../../seed/calendar.json"
        ))
        .unwrap();
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        assert!(
            !off_hours(&cal, at("2026-11-24T10:00:00+08:00")),
            "Tuesday morning"
        );
        assert!(
            off_hours(&cal, at("2026-11-24T19:30:00+08:00")),
            "Tuesday evening"
        );
        assert!(
            off_hours(&cal, at("2026-11-24T07:59:00+08:00")),
            "before eight"
        );
        assert!(off_hours(&cal, at("2026-11-28T10:00:00+08:00")), "Saturday");
        assert!(
            !off_hours(&cal, at("2026-10-10T10:00:00+08:00")),
            "a make-up working Saturday"
        );
        assert!(
            off_hours(&cal, at("2026-10-02T10:00:00+08:00")),
            "National Day"
        );
    }
}

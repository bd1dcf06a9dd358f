//! The clerks' workbench: queues, one case with its automatic checks, taking
//! and releasing, and the lifecycle moves (pre-accept, return with a
//! one-time correction notice, reject, accept, advance, send back).
//!
//! Authorisation on the server for every call: a staff session, a role that
//! may make the move (domain::case::allowed), and a case of one of the staff
//! member's sites (anything else is `NotFound`). Moves name the version the
//! page showed; a changed case answers `Conflict { code: "stale" }`.

use crate::domain::application::Draft;
use crate::domain::calendar::Urgency;
use crate::domain::catalogue::Matter;
#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
use crate::views::*;
use crate::views::{DocumentView, EventView, PartyView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use std::collections::HashMap;

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
    pub people: Vec<crate::views::PartyStanding>,
    /// The visits recorded, and who has not been seen at one yet.
    pub visits: Vec<crate::views::VisitView>,
    pub not_seen: Vec<String>,
    /// The case's live booking, if any (pre-accepted cases).
    pub booking: Option<crate::views::BookingView>,
    /// The case's latest payment order, if one was opened.
    #[serde(default)]
    pub payment: Option<crate::views::PaymentView>,
    /// A payment channel is configured (payment orders can be opened).
    #[serde(default)]
    pub online_payment: bool,
    /// How the applicant collects the paper certificate, once chosen.
    #[serde(default)]
    pub delivery: Option<crate::views::DeliveryView>,
    /// Before 登簿: what it will change in the register, line by line
    /// (Chinese, English); empty for a matter entered by hand.
    #[serde(default)]
    pub register_preview: Vec<(String, String)>,
    /// The register's unit this case is about, when it is there.
    #[serde(default)]
    pub register_unit: Option<String>,
}

#[server(endpoint = "cases/get")]
pub async fn get_case(id: String) -> Result<CaseView, AppError> {
    use crate::domain::application::{check_id_number, IdType};
    use crate::domain::case::{allowed, transition, Action, Role, Stage};
    use crate::domain::catalogue::Requirement;
    use crate::guards::*;
    use crate::services::*;
    use crate::views::local_time;

    use crate::ops::case_facts::*;
    let s = case_worker().await?;
    let row = case_of(&id, &s).await?;
    let database = database()?;
    let app = crate::db::application_row(&database, &id)
        .await
        .map_err(internal("application"))?
        .ok_or(AppError::NotFound)?;
    let matter = crate::ops::case_facts::load_matter(&row.matter_code).await?;
    let draft: Draft = serde_json::from_str(&app.draft).unwrap_or_default();
    let parties_rows = crate::db::parties(&database, &id)
        .await
        .map_err(internal("parties"))?;
    let documents = crate::ops::case_facts::document_views_for(&database, &id).await?;
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
    let mut checks = vec![
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

    // Against the register.
    let facts = crate::ops::register::facts_of(&matter, &draft, &parties_rows);
    let register_in_use = crate::ops::register::in_use(&database).await?;
    let standing = if register_in_use {
        crate::ops::register::standing(&database, &facts).await?
    } else {
        None
    };
    // Checked until 登簿; after it the case's own entries are the register,
    // so its checks against the current register no longer apply.
    let entered = matches!(
        row.stage.as_str(),
        "certificate" | "fee_paid" | "issued" | "archived"
    );
    let register_checks = if register_in_use && !entered {
        crate::domain::register::checks(&facts, standing.as_ref())
    } else {
        Vec::new()
    };
    if register_in_use && entered {
        checks.push(CheckView {
            code: "reg_entered".into(),
            pass: true,
            zh: "已登簿：本案的登记已写入登记簿（登簿后不再对照登记簿核验；详见“查看该单元的登记簿”）".into(),
            en: "Entered in the register (no longer checked against it; see the unit's register)".into(),
        });
    }
    let register_failed = register_checks.iter().any(|k| !k.pass);
    checks.extend(register_checks.into_iter().map(|k| CheckView {
        code: k.code.to_string(),
        pass: k.pass,
        zh: k.zh,
        en: k.en,
    }));
    let register_unit = standing.as_ref().map(|s| s.unit.unit_number.clone());
    let register_preview = if row.stage == "register" && !register_in_use {
        vec![(
            "登记簿尚未导入本系统：登簿不写入登记簿。".to_string(),
            "The register has not been loaded into OneTrip: the entry changes nothing here."
                .to_string(),
        )]
    } else if row.stage == "register" {
        match crate::domain::register::plan(&facts, standing.as_ref()) {
            Ok(changes) if changes.is_empty() => vec![(
                "本事项不自动改写登记簿，请按审核结论在登记簿系统中录入。".to_string(),
                "This matter changes no entry by itself: enter it in the register by hand as reviewed.".to_string(),
            )],
            Ok(changes) => changes
                .iter()
                .map(|c| {
                    (
                        c.words(crate::domain::Lang::Zh),
                        c.words(crate::domain::Lang::En),
                    )
                })
                .collect(),
            Err(_) => vec![(
                "登记簿核验不通过（见智能辅助审核），不能登簿。".to_string(),
                "The checks against the register fail (see Automatic checks): it cannot be entered.".to_string(),
            )],
        }
    } else {
        Vec::new()
    };

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
    let who = crate::ops::people::people(&database, &id).await?;
    // A case a party objected to is stopped: it offers no pre-acceptance
    // or acceptance (the move itself refuses them too).
    let objected = who
        .standings
        .iter()
        .any(|x| x.standing == crate::domain::people::Standing::Objected);
    let actions: Vec<String> = actions
        .into_iter()
        .filter(|a| !((objected || register_failed) && (a == "pre_accept" || a == "accept")))
        .collect();
    let visits = crate::ops::people::visit_views(&database, &id, &who.parties).await?;
    let not_seen = crate::ops::people::missing_at_visit(&database, &id, &who.parties).await?;
    let booking = crate::ops::booking::booking_view(&database, &id).await?;
    let (urgency, due) = judge(
        &clock(&database).await?,
        &row.site_code,
        row.due_on.as_deref(),
        row.due_at,
    );
    let services = services()?;
    let payment = crate::ops::payments::latest_view(&database, &id, &services.policy.public_url)
        .await
        .map_err(internal("payment"))?;
    let delivery = crate::db::aftercare::delivery(&database, &id)
        .await
        .map_err(internal("delivery"))?
        .as_ref()
        .map(crate::ops::aftercare::delivery_view);
    Ok(CaseView {
        register_preview,
        register_unit,
        delivery,
        payment,
        online_payment: services.policy.online_payment,
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
    use crate::guards::*;
    use crate::services::*;

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
    use crate::guards::*;
    use crate::services::*;

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

/// Record that an owed material (容缺) was brought in: staff working the
/// case's site (not only its clerk: the applicant may come to any window).
#[server(endpoint = "cases/receive_owed")]
pub async fn receive_owed(id: String, csrf: String, material: String) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;

    let form = is_form_post().await;
    let back = format!("/staff/cases/{}", q(&id));
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let row = case_of(&id, &s).await?;
    let matter = crate::ops::case_facts::load_matter(&row.matter_code).await?;
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

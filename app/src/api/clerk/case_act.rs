//! A clerk's or supervisor's action on a case: one step of the stage machine, with its checks.

#[cfg(feature = "ssr")]
use crate::domain::catalogue::Matter;
#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
use leptos::prelude::*;
use std::collections::HashMap;

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
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::case_facts::*;
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
        // From the case page this is a page left open (or gone Back to)
        // while the case moved on: say so and show it as it is now.
        if form {
            return refuse("stale");
        }
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
    let matter = crate::ops::case_facts::load_matter(&row.matter_code).await?;
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
        // No material to fix: allowed when the register's checks fail (the
        // register's reason is the notice).
        if items.is_empty() {
            let database = database()?;
            let facts = crate::ops::register::case_facts(&database, &id, &matter).await?;
            let register_fails = crate::ops::register::case_checks(&database, &facts)
                .await?
                .iter()
                .any(|c| !c.pass);
            if !register_fails {
                errors.push(FieldError::new(
                    "items",
                    "items_required",
                    "请至少选择一项需要补正的材料".into(),
                    "Choose at least one item to correct".into(),
                ));
            }
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
    // Paid online, the payment channel's word is the record; an order
    // still unpaid keeps the case here (the applicant has been asked).
    let mut fee: Option<crate::db::FeeRecord> = None;
    if action == Action::Advance && from == Stage::Certificate {
        let order = crate::db::payments::live_of(&database()?, &id)
            .await
            .map_err(internal("payment"))?;
        match order {
            Some(o) if o.status == "paid" => fee = Some(crate::ops::payments::fee_record(&o)),
            Some(_) => return refuse("unpaid"),
            None => match check_fee(&fields, &matter) {
                Ok(f) => fee = Some(f),
                Err(mut e) => errors.append(&mut e),
            },
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
        use crate::ops::people::{missing_at_visit, people};
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
    // The register: a case whose checks against it fail is not
    // pre-accepted or accepted (a return tells the applicant why, in words
    // that never name the registered owners); 登簿 writes its changes in
    // the move's own transaction, reading the unit again there.
    let facts = crate::ops::register::case_facts(&database, &id, &matter).await?;
    let mut reason = reason;
    if matches!(action, Action::PreAccept | Action::Accept | Action::Return) {
        let failed: Vec<_> = crate::ops::register::case_checks(&database, &facts)
            .await?
            .into_iter()
            .filter(|c| !c.pass)
            .collect();
        if !failed.is_empty() {
            if action == Action::Return {
                let why = format!(
                    "{}{}",
                    crate::ops::register::public_reasons(&failed, crate::domain::Lang::Zh),
                    crate::domain::register::PUBLIC_NEXT_STEP
                );
                reason = if reason.is_empty() {
                    format!("登记簿核验：{why}")
                } else {
                    format!("{reason}；登记簿核验：{why}")
                };
            } else {
                return refuse("register_check");
            }
        }
    }
    let services = services()?;
    let register =
        (action == Action::Advance && from == Stage::Register).then(|| crate::db::RegisterEntry {
            hashes: crate::ops::register::hashes(&services, &facts),
            facts: facts.clone(),
        });
    let actor = crate::db::Actor {
        id: &s.staff_id,
        role: &s.role,
    };
    let clock = clock(&database).await?;
    let day = clock.today();
    // Issuing seals the electronic certificate or proof in the same
    // transaction as the move.
    let statement = if to == Stage::Issued {
        let issuer = crate::db::find_active_site(&database, &row.site_code)
            .await
            .map_err(internal("site"))?
            .map(|s| s.name_zh)
            .unwrap_or_default();
        Some(
            crate::ops::ecerts::statement_for(
                &database,
                &id,
                &matter,
                row.case_no.as_deref().unwrap_or_default(),
                row.receipt_no.as_deref().unwrap_or_default(),
                &issuer,
            )
            .await?,
        )
    } else {
        None
    };
    let ecert = statement.map(|statement| {
        use chrono::Datelike;
        crate::db::ecerts::NewEcert {
            statement,
            province: &services.policy.cert_province,
            city: &services.policy.cert_city,
            year: day.year(),
            seal: &services.seal,
        }
    });
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
            event: if action == Action::Reject && from == Stage::Review {
                "refused"
            } else {
                event_kind(action, to)
            },
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
            ecert: ecert.as_ref(),
            no_visit: !matter.visit_required,
            register: register.as_ref(),
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
            // Paid online already: reaching 缮证 moves it on to 已缴费.
            let version = if to == Stage::Certificate
                && crate::ops::payments::advance_if_waiting(&database, &id)
                    .await
                    .map_err(internal("payment"))?
            {
                version + 1
            } else {
                version
            };
            services.outbox_wake.notify_one();
            if form {
                redirect(&format!("{back}?ok={}", action.code()));
            }
            Ok(version)
        }
        MoveOutcome::Stale => refuse("stale"),
        MoveOutcome::Owed => refuse("owed"),
        MoveOutcome::Objected => refuse("objected"),
        MoveOutcome::RegisterRefused(_) => refuse("register"),
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
    let (use_, certs, mut errors) = use_and_certs(fields);
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
        taken_by: None,
    })
}

/// The property's use and the number of certificates (`fee_use`,
/// `fee_certs`): what a fee is computed from, with an error for each that
/// is missing or wrong.
#[cfg(feature = "ssr")]
pub(crate) fn use_and_certs(
    fields: &HashMap<String, String>,
) -> (
    Option<crate::domain::fees::PropertyUse>,
    Option<i64>,
    Vec<FieldError>,
) {
    use crate::domain::fees::PropertyUse;
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
    (use_, certs, errors)
}

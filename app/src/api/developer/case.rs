//! Applications that name an organisation — the mortgagee bank above all
//! (issue 15). A verified organisation named on a citizen's application by
//! its Unified Social Credit Code reads the whole application in its own
//! account and confirms or objects, as a named person does with their
//! mobile number: the same content hash, the same append-only record
//! (channel `org`, the member who pressed it as the actor).
//!
//! Authorisation: only members of the verified organisation whose code the
//! application names; anyone else gets 404.

use crate::domain::people::Standing;
use crate::error::AppError;
use crate::views::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A party line as the organisation reads it (ID numbers masked but for its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgPartyLine {
    pub role: String,
    pub name: String,
    pub id_number: String,
    pub share: String,
    pub ours: bool,
}

/// The application as the named organisation reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgCaseView {
    pub id: String,
    pub receipt: String,
    pub matter_zh: String,
    pub matter_en: String,
    pub stage: String,
    pub property: crate::domain::application::PropertyForm,
    pub parties: Vec<OrgPartyLine>,
    /// Documents: material name (zh, en) and file name.
    pub documents: Vec<(String, String, String)>,
    pub standing: Standing,
    /// When the organisation last answered, and an objection's reason.
    pub answered_at: Option<String>,
    pub note: String,
    /// The content read: posted back with the answer.
    pub hash: String,
    /// Confirmations are still taken.
    pub open: bool,
    pub csrf: String,
}

/// The applications naming the signed-in organisation, newest first (empty
/// until it is verified).
#[server(endpoint = "org/cases")]
pub async fn org_cases() -> Result<Vec<OrgCaseItem>, AppError> {
    use crate::guards::*;
    use crate::services::*;
    let s = require_org().await?;
    if !s.verified() {
        return Ok(Vec::new());
    }
    crate::ops::org_cases::items(&database()?, &s).await
}

/// One application naming the signed-in organisation.
#[server(endpoint = "org/case")]
pub async fn org_case(id: String) -> Result<OrgCaseView, AppError> {
    use crate::services::*;
    let s = crate::guards::verified_org().await?;
    let database = database()?;
    let row = crate::db::application_row(&database, &id)
        .await
        .map_err(|e| AppError::internal("application", e))?
        .filter(|r| r.status != "draft")
        .ok_or(AppError::NotFound)?;
    let p = crate::ops::people::people(&database, &id).await?;
    let ours = crate::ops::org_cases::ours(&p, &s.credit_code);
    if ours.is_empty() {
        return Err(AppError::NotFound);
    }
    let draft: crate::domain::application::Draft =
        serde_json::from_str(&row.draft).unwrap_or_default();
    let matters = crate::db::list_matters(&database)
        .await
        .map_err(|e| AppError::internal("matters", e))?;
    let matter = matters.iter().find(|m| m.code == row.matter_code);
    let docs = crate::db::documents_of(&database, &id)
        .await
        .map_err(|e| AppError::internal("documents", e))?;
    let documents = docs
        .iter()
        .map(|d| {
            let item = matter.and_then(|m| m.checklist.iter().find(|c| c.material == d.material));
            (
                item.map(|c| c.name_zh.clone()).unwrap_or_default(),
                item.map(|c| c.name_en.clone()).unwrap_or_default(),
                d.display_name.clone(),
            )
        })
        .collect();
    let parties = p
        .parties
        .iter()
        .map(|x| {
            let own = ours.contains(&x.idx);
            OrgPartyLine {
                role: x.role.clone(),
                name: x.name.clone(),
                id_number: if own {
                    x.id_number.clone()
                } else {
                    format!("****{}", crate::domain::application::id_last6(&x.id_number))
                },
                share: x.share.clone(),
                ours: own,
            }
        })
        .collect();
    let last = p
        .standings
        .iter()
        .filter(|x| ours.contains(&x.idx))
        .filter_map(|x| x.at.clone().map(|at| (at, x.note.clone())))
        .max();
    Ok(OrgCaseView {
        receipt: row.receipt_no.clone().unwrap_or_default(),
        matter_zh: matter.map(|m| m.name_zh.clone()).unwrap_or_default(),
        matter_en: matter.map(|m| m.name_en.clone()).unwrap_or_default(),
        stage: if row.status == "withdrawn" {
            "withdrawn".into()
        } else {
            row.stage.clone()
        },
        property: match matter {
            Some(m) => draft.property.for_matter(m),
            None => draft.property,
        },
        parties,
        documents,
        standing: crate::ops::org_cases::our_standing(&p, &ours),
        answered_at: last.as_ref().map(|(at, _)| at.clone()),
        note: last.map(|(_, n)| n).unwrap_or_default(),
        hash: p.hash.clone(),
        open: crate::ops::org_cases::open(&row.status, &row.stage),
        csrf: s.csrf_token.clone(),
        id,
    })
}

/// The organisation confirms the application as it read it
/// (`decision = "confirm"`) or objects with a reason (`"object"`).
#[server(endpoint = "org/confirm")]
pub async fn org_confirm(
    id: String,
    csrf: String,
    hash: String,
    decision: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::db::{Confirm, ConfirmOutcome};

    use crate::services::*;
    let s = crate::guards::verified_org().await?;
    check_org_csrf(&s, &csrf)?;
    let database = database()?;
    let row = crate::db::application_row(&database, &id)
        .await
        .map_err(|e| AppError::internal("application", e))?
        .filter(|r| r.status != "draft")
        .ok_or(AppError::NotFound)?;
    let p = crate::ops::people::people(&database, &id).await?;
    let ours = crate::ops::org_cases::ours(&p, &s.credit_code);
    if ours.is_empty() {
        return Err(AppError::NotFound);
    }
    let back = format!("/developer/cases/{}", q(&id));
    let form = is_form_post().await;
    let refuse = |code: &str| -> Result<(), AppError> {
        if form {
            redirect(&format!("{back}?error={code}#confirm"));
            Ok(())
        } else {
            Err(AppError::Conflict { code: code.into() })
        }
    };
    if !crate::ops::org_cases::open(&row.status, &row.stage) {
        return refuse("closed");
    }
    if crate::ops::org_cases::our_standing(&p, &ours) == Standing::Objected {
        return refuse("already_objected");
    }
    if hash != p.hash {
        return refuse("changed");
    }
    let kind = match decision.as_str() {
        "confirm" => "confirmed",
        "object" => "objected",
        _ => return Err(AppError::BadRequest),
    };
    let reason = reason.unwrap_or_default().trim().to_string();
    let bad_char = crate::domain::has_hidden_chars(&reason);
    if kind == "objected" && (reason.is_empty() || reason.chars().count() > 500 || bad_char) {
        if form {
            redirect(&format!("{back}?error=objection_reason#objection"));
            return Ok(());
        }
        return Err(AppError::Validation(vec![crate::error::FieldError::new(
            "reason",
            "reason_required",
            "异议原因：请写明原因（不超过 500 字，不含控制字符）".into(),
            "Reason for objecting: please write it (at most 500 characters, no control characters)"
                .into(),
        )]));
    }
    let site = crate::db::case_row(&database, &id)
        .await
        .map_err(|e| AppError::internal("case", e))?
        .map(|r| r.site_code)
        .ok_or(AppError::NotFound)?;
    let supervisors = crate::db::site_supervisors(&database, &site)
        .await
        .map_err(|e| AppError::internal("supervisors", e))?;
    let today = crate::ops::case_facts::today()
        .format("%Y-%m-%d")
        .to_string();
    // Only the entries still to answer (a confirmed one stays confirmed).
    let todo: Vec<i64> = if kind == "confirmed" {
        p.standings
            .iter()
            .filter(|x| ours.contains(&x.idx) && !x.standing.agrees())
            .map(|x| x.idx)
            .collect()
    } else {
        ours.clone()
    };
    if todo.is_empty() {
        return refuse("already");
    }
    let outcome = crate::db::record_confirmation(
        &database,
        &Confirm {
            identity_level: 0,
            identity_method: "org_account",
            identity_check: None,
            application_id: &id,
            parties: &todo,
            kind,
            content_hash: &p.hash,
            channel: "org",
            actor_id: &s.member_id,
            actor_role: None,
            note: &reason,
            supervisors: &supervisors,
            today: &today,
            lang: request_lang().await,
        },
    )
    .await
    .map_err(|e| AppError::internal("confirm", e))?;
    match outcome {
        ConfirmOutcome::Done => {
            services()?.outbox_wake.notify_one();
            if form {
                redirect(&format!("{back}?ok={kind}#confirm"));
            }
            Ok(())
        }
        ConfirmOutcome::Already => refuse("already"),
        ConfirmOutcome::Closed => refuse("closed"),
    }
}

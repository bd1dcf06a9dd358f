//! A party confirms (or objects to) what was filed in their name.

#[cfg(feature = "ssr")]
use crate::domain::people::Standing;
use crate::error::AppError;
use leptos::prelude::*;

/// A named party confirms the application as they read it
/// (`decision = "confirm"`) or objects with a reason (`"object"`).
#[server(endpoint = "applications/confirm")]
pub async fn confirm_application(
    id: String,
    csrf: String,
    hash: String,
    decision: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::db::{Confirm, ConfirmOutcome};
    use crate::guards::{form_session, visible};

    use crate::services::*;

    use crate::ops::people::*;
    let back = format!("/applications/{}", q(&id));
    let session = form_session(&csrf, &back).await?;
    let row = visible(&id, &session).await?;
    let database = database()?;
    let p = people(&database, &id).await?;
    let mine = p.mine(&session.mobile);
    if mine.is_empty() || row.status != "submitted" {
        return Err(AppError::NotFound);
    }
    let form = is_form_post().await;
    let refuse = |code: &str| -> Result<(), AppError> {
        if form {
            redirect(&format!("{back}?error={code}#confirm"));
            Ok(())
        } else {
            Err(AppError::Conflict { code: code.into() })
        }
    };
    // An objection stands until the centre has dealt with it.
    if p.standings
        .iter()
        .any(|s| mine.contains(&s.idx) && s.standing == Standing::Objected)
    {
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
    if kind == "objected" && (reason.is_empty() || reason.chars().count() > 500) {
        if form {
            redirect(&format!("{back}?error=objection_reason#objection"));
            return Ok(());
        }
        return Err(AppError::Validation(vec![crate::error::FieldError::new(
            "reason",
            "reason_required",
            "异议原因：请写明原因（不超过 500 字）".into(),
            "Reason for objecting: please write it (at most 500 characters)".into(),
        )]));
    }
    // No NUL, control or bidirectional-override characters in what the
    // supervisors will read.
    if crate::domain::has_hidden_chars(&reason) {
        return refuse("objection_reason");
    }
    // A matter confirmed without a visit: each party confirming is first
    // verified by the identity service at the matter's level.
    let matter = crate::ops::case_facts::load_matter(&row.matter_code).await?;
    let mut identity: Option<crate::db::identity::CheckRow> = None;
    if kind == "confirmed" && matter.identity_level > 0 {
        let unverified = crate::ops::people::unverified(
            &database,
            &services()?,
            &id,
            &session.citizen_id,
            &mine,
            matter.identity_level,
        )
        .await?;
        if !unverified.missing.is_empty() {
            return refuse("identity_required");
        }
        identity = unverified.latest;
    }
    let supervisors = crate::db::site_supervisors(&database, &row_site(&database, &id).await?)
        .await
        .map_err(|e| AppError::internal("supervisors", e))?;
    let today = crate::ops::case_facts::today()
        .format("%Y-%m-%d")
        .to_string();
    let outcome = crate::db::record_confirmation(
        &database,
        &Confirm {
            application_id: &id,
            parties: &mine,
            kind,
            content_hash: &p.hash,
            channel: "online",
            actor_id: &session.citizen_id,
            actor_role: None,
            note: &reason,
            identity_level: identity.as_ref().map(|c| c.level).unwrap_or(0),
            identity_method: identity
                .as_ref()
                .map(|c| c.method.as_str())
                .unwrap_or("sms"),
            identity_check: identity.as_ref().map(|c| c.id.as_str()),
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

/// Start the identity service's check of the signed-in person as party
/// `party` of this application (at the matter's level); a form post is sent
/// on to `/identity/<check>`, which leads to the service's page.
#[server(endpoint = "applications/identity")]
pub async fn start_identity(id: String, csrf: String, party: i64) -> Result<String, AppError> {
    use crate::guards::{form_session, visible};
    use crate::services::*;
    let back = format!("/applications/{}", q(&id));
    let session = form_session(&csrf, &back).await?;
    let row = visible(&id, &session).await?;
    let database = database()?;
    let p = crate::ops::people::people(&database, &id).await?;
    if !p.mine(&session.mobile).contains(&party) || row.status != "submitted" {
        return Err(AppError::NotFound);
    }
    let services = services()?;
    let matter = crate::ops::case_facts::load_matter(&row.matter_code).await?;
    if matter.identity_level == 0 || !services.policy.identity_service {
        return Err(AppError::Conflict {
            code: "no_identity_service".into(),
        });
    }
    let number = p
        .parties
        .iter()
        .find(|x| x.idx == party)
        .map(|x| x.id_number.clone())
        .unwrap_or_default();
    let check = crate::db::identity::start(
        &database,
        &session.citizen_id,
        &id,
        party,
        &crate::ops::people::identity_hash(&services, &number),
        matter.identity_level,
    )
    .await
    .map_err(|e| AppError::internal("identity", e))?;
    if is_form_post().await {
        redirect(&format!("/identity/{check}"));
    }
    Ok(check)
}

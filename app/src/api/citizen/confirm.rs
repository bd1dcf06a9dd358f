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

//! The people of a case (issue 15): each named party confirms or objects to
//! what was filed in their name, a clerk records a confirmation given at the
//! window, and the visit with the parties present.
//!
//! Authorisation: a party confirms only the entries that carry the mobile
//! number they signed in with (anyone else: 404); staff act only on cases of
//! their sites (404), clerks and supervisors only (403 for reviewers).

#[cfg(feature = "ssr")]
use crate::domain::people::Standing;
use crate::error::AppError;
use leptos::prelude::*;

/// A clerk records that a party confirmed the application in person at the
/// window, having checked their identity document (`id_checked` = "1").
#[server(endpoint = "cases/confirm_at_window")]
pub async fn confirm_at_window(
    id: String,
    csrf: String,
    party: i64,
    id_checked: Option<String>,
) -> Result<(), AppError> {
    use crate::db::{Confirm, ConfirmOutcome};
    use crate::guards::{case_of, case_worker};

    use crate::services::*;

    use crate::ops::people::*;
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let row = case_of(&id, &s).await?;
    if s.role == "reviewer" {
        return Err(AppError::Forbidden);
    }
    let back = format!("/staff/cases/{}", q(&id));
    let form = is_form_post().await;
    let refuse = |code: &str| -> Result<(), AppError> {
        if form {
            redirect(&format!("{back}?error={code}#people"));
            Ok(())
        } else {
            Err(AppError::Conflict { code: code.into() })
        }
    };
    if id_checked.as_deref() != Some("1") {
        return refuse("id_unchecked");
    }
    let database = database()?;
    let p = people(&database, &id).await?;
    let Some(who) = p.standings.iter().find(|x| x.idx == party) else {
        return Err(AppError::NotFound);
    };
    // The filer's own entries stand by filing; an objection stands until
    // the centre has dealt with it (a clerk cannot turn it into consent).
    if who.standing == Standing::Filer {
        return refuse("filer");
    }
    if who.standing == Standing::Objected {
        return refuse("already_objected");
    }
    let today = crate::ops::case_facts::today()
        .format("%Y-%m-%d")
        .to_string();
    let outcome = crate::db::record_confirmation(
        &database,
        &Confirm {
            identity_level: 0,
            identity_method: "window",
            identity_check: None,
            application_id: &row.id,
            parties: &[party],
            kind: "confirmed",
            content_hash: &p.hash,
            channel: "window",
            actor_id: &s.staff_id,
            actor_role: Some(&s.role),
            note: "",
            supervisors: &[],
            today: &today,
            lang: request_lang().await,
        },
    )
    .await
    .map_err(|e| AppError::internal("confirm", e))?;
    match outcome {
        ConfirmOutcome::Done => {
            if form {
                redirect(&format!("{back}?ok=confirmed#people"));
            }
            Ok(())
        }
        ConfirmOutcome::Already => refuse("already"),
        ConfirmOutcome::Closed => refuse("closed"),
    }
}

/// A clerk records the applicants' visit with the parties present
/// (`f`: `present-<index>` = 1): from their booking, or as a walk-in.
#[server(endpoint = "cases/record_visit")]
pub async fn record_visit(
    id: String,
    csrf: String,
    f: Option<std::collections::HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::db::VisitOutcome;
    use crate::guards::{case_of, case_worker};

    use crate::services::*;
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    case_of(&id, &s).await?;
    if s.role == "reviewer" {
        return Err(AppError::Forbidden);
    }
    let back = format!("/staff/cases/{}", q(&id));
    let form = is_form_post().await;
    let database = database()?;
    let parties = crate::db::parties(&database, &id)
        .await
        .map_err(|e| AppError::internal("parties", e))?;
    let f = f.unwrap_or_default();
    let present: Vec<usize> = (0..parties.len())
        .filter(|i| {
            f.get(&format!("present-{i}"))
                .is_some_and(|v| !v.is_empty())
        })
        .collect();
    if present.is_empty() {
        if form {
            redirect(&format!("{back}?error=present_required#visit"));
            return Ok(());
        }
        return Err(AppError::Validation(vec![crate::error::FieldError::new(
            "present-0",
            "present_required",
            "到场人员：请勾选到场并已核验身份的当事人".into(),
            "Present: tick the parties who came and whose ID you checked".into(),
        )]));
    }
    let outcome = crate::db::record_visit(&database, &id, &s.staff_id, &s.role, &present)
        .await
        .map_err(|e| AppError::internal("visit", e))?;
    match outcome {
        VisitOutcome::Done(_) => {
            if form {
                redirect(&format!("{back}?ok=visit#visit"));
            }
            Ok(())
        }
        VisitOutcome::NotWaiting => {
            if form {
                redirect(&format!("{back}?error=not_waiting#visit"));
                return Ok(());
            }
            Err(AppError::Conflict {
                code: "not_waiting".into(),
            })
        }
    }
}

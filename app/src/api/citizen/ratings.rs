//! Rating the service (好差评): each applicant of a case that ended rates
//! it once; a low rating is followed up by the site's supervisors.

use crate::error::AppError;
use leptos::prelude::*;
use std::collections::HashMap;

/// Rate a case: `level` 1–5, `f` carries `reason-<code>` = 1 for each
/// reason chosen (required for 不满意 and below), `comment` optional.
#[server(endpoint = "applications/rate")]
pub async fn rate_case(
    id: String,
    csrf: String,
    level: Option<String>,
    comment: Option<String>,
    f: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::db::ratings::{NewRating, Rated};
    use crate::domain::rating::{check, is_low, may_rate, FOLLOW_UP_DAYS, MAX_COMMENT};
    use crate::error::{internal, FieldError};
    use crate::guards::*;
    use crate::services::*;

    let back = format!("/applications/{}", q(&id));
    let session = form_session(&csrf, &back).await?;
    let row = visible(&id, &session).await?;
    let form = is_form_post().await;
    if !may_rate(&row.status, &row.stage) {
        if form {
            redirect(&format!("{back}?error=not_rateable#rating"));
            return Ok(());
        }
        return Err(AppError::Conflict {
            code: "not_rateable".into(),
        });
    }
    let reasons: Vec<String> = f
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, v)| k.starts_with("reason-") && !v.is_empty())
        .map(|(k, _)| k.trim_start_matches("reason-").to_string())
        .collect();
    let rating = match check(
        level.as_deref().unwrap_or_default(),
        &reasons,
        comment.as_deref().unwrap_or_default(),
    ) {
        Ok(r) => r,
        Err(fields) => {
            if form {
                // What was chosen and typed comes back with the message.
                redirect(&format!(
                    "{back}?error=rating_{}&level={}&reasons={}&comment={}#rating",
                    fields[0],
                    q(level.as_deref().unwrap_or_default()),
                    q(&reasons.join(" ")),
                    q(comment.as_deref().unwrap_or_default())
                ));
                return Ok(());
            }
            return Err(AppError::Validation(
                fields
                    .into_iter()
                    .map(|f| match f {
                        "level" => FieldError::new(
                            "level",
                            "level_required",
                            "满意度：请选择一项".into(),
                            "Rating: choose one".into(),
                        ),
                        "reasons" => FieldError::new(
                            "reasons",
                            "reasons_required",
                            "不满意的原因：请至少选择一项".into(),
                            "What went wrong: choose at least one".into(),
                        ),
                        _ => FieldError::new(
                            "comment",
                            "comment_invalid",
                            format!("意见：不超过 {MAX_COMMENT} 字"),
                            format!("Comment: at most {MAX_COMMENT} characters"),
                        ),
                    })
                    .collect(),
            ));
        }
    };
    let database = database()?;
    let due = if is_low(rating.level) {
        let clock = crate::ops::case_facts::clock(&database).await?;
        let site = crate::db::case_row(&database, &id)
            .await
            .map_err(internal("case"))?
            .map(|c| c.site_code)
            .unwrap_or_default();
        Some(
            clock
                .deadline(&site, FOLLOW_UP_DAYS, None)
                .day()
                .format("%Y-%m-%d")
                .to_string(),
        )
    } else {
        None
    };
    let rated = crate::db::ratings::rate(
        &database,
        &NewRating {
            application_id: &id,
            citizen_id: &session.citizen_id,
            rating: &rating,
            follow_up_due: due.as_deref(),
        },
    )
    .await
    .map_err(internal("rate"))?;
    match rated {
        Rated::Done(_) => {
            if form {
                redirect(&format!("{back}?ok=rated#rating"));
            }
            Ok(())
        }
        Rated::Already => {
            if form {
                redirect(&format!("{back}?error=rated_already#rating"));
                return Ok(());
            }
            Err(AppError::Conflict {
                code: "rated_already".into(),
            })
        }
    }
}

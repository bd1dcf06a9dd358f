//! After issue, for the clerk: the posted certificate's EMS tracking
//! number, and its delivery.

use crate::error::AppError;
use leptos::prelude::*;

/// Record the EMS tracking number of a certificate posted to the applicant
/// (`op` = `post`), or that it was delivered (`op` = `delivered`).
#[server(endpoint = "cases/delivery")]
pub async fn record_delivery(
    id: String,
    csrf: String,
    op: String,
    tracking_no: Option<String>,
) -> Result<(), AppError> {
    use crate::db::aftercare::Posting;
    use crate::error::{internal, FieldError};
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let back = format!("/staff/cases/{}", q(&id));
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let row = case_of(&id, &s).await?;
    if s.role == "reviewer" {
        return Err(AppError::Forbidden);
    }
    let refuse = |code: &str| -> Result<(), AppError> {
        if form {
            redirect(&format!("{back}?error={code}#delivery"));
            Ok(())
        } else {
            Err(AppError::Conflict { code: code.into() })
        }
    };
    // The paper certificate leaves once the case is issued.
    if !matches!(row.stage.as_str(), "issued" | "archived") {
        return refuse("illegal");
    }
    let database = database()?;
    let staff = (s.staff_id.as_str(), s.role.as_str());
    let done = match op.as_str() {
        "post" => {
            let Some(no) = crate::domain::aftercare::check_tracking(
                tracking_no.as_deref().unwrap_or_default(),
            ) else {
                if form {
                    return refuse("tracking_invalid");
                }
                return Err(AppError::Validation(vec![FieldError::new(
                    "tracking_no",
                    "tracking_invalid",
                    "EMS 运单号：13 位，如 EA123456789CN 或 13 位数字".into(),
                    "EMS tracking number: 13 characters, like EA123456789CN or 13 digits".into(),
                )]));
            };
            crate::db::aftercare::post(&database, &id, &no, staff)
                .await
                .map_err(internal("post"))?
        }
        "delivered" => crate::db::aftercare::delivered(&database, &id, staff)
            .await
            .map_err(internal("delivered"))?,
        _ => return Err(AppError::BadRequest),
    };
    match done {
        Posting::Done => {
            services()?.outbox_wake.notify_one();
            if form {
                redirect(&format!("{back}?ok={op}_recorded#delivery"));
            }
            Ok(())
        }
        Posting::Wrong => refuse("delivery_state"),
    }
}

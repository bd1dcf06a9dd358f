//! Fees paid online: the clerk opens the case's payment order (the
//! applicant is texted a link and pays on their phone), or cancels an
//! unpaid one so the fee can be taken at the window.

use crate::error::AppError;
use leptos::prelude::*;
use std::collections::HashMap;

/// Open the case's payment order from the matter's fee items: `f` carries
/// `fee_use` and `fee_certs`. The clerk holding the case, once it is
/// accepted and before the fee is recorded.
#[server(endpoint = "cases/payment_order")]
pub async fn open_payment(
    id: String,
    csrf: String,
    f: Option<HashMap<String, String>>,
) -> Result<String, AppError> {
    use crate::db::payments::{NewOrder, OpenOutcome};
    use crate::domain::fees::{quote, total, PropertyUse};
    use crate::error::internal;
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let back = format!("/staff/cases/{}", q(&id));
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let row = case_of(&id, &s).await?;
    let refuse = |code: &str| -> Result<String, AppError> {
        if form {
            redirect(&format!("{back}?error={code}#fees"));
            Ok(String::new())
        } else {
            Err(AppError::Conflict { code: code.into() })
        }
    };
    let services = services()?;
    if !services.policy.online_payment {
        return refuse("no_gateway");
    }
    if row.assigned_to.as_deref() != Some(s.staff_id.as_str()) {
        return refuse("not_yours");
    }
    if !matches!(row.stage.as_str(), "accepted" | "certificate") {
        return refuse("illegal");
    }
    let fields = f.unwrap_or_default();
    let (use_, certs, errors) = super::case_act::use_and_certs(&fields);
    let (Some(use_), Some(certs)) = (use_, certs) else {
        if form {
            redirect(&format!("{back}?error={}#fees", errors[0].code));
            return Ok(String::new());
        }
        return Err(AppError::Validation(errors));
    };
    let matter = crate::ops::case_facts::load_matter(&row.matter_code).await?;
    let lines = quote(&matter.fees, use_, certs);
    let due = total(&lines);
    if due <= 0 {
        return refuse("nothing_due");
    }
    let link = format!("{}/applications/{}#payment", services.policy.public_url, id);
    let opened = crate::db::payments::open(
        &database()?,
        &NewOrder {
            application_id: &id,
            property_use: if use_ == PropertyUse::Residential {
                "residential"
            } else {
                "non_residential"
            },
            certificates: certs,
            lines: &lines,
            total_fen: due,
            staff_id: &s.staff_id,
            staff_role: &s.role,
            link: &link,
        },
    )
    .await
    .map_err(internal("payment order"))?;
    match opened {
        OpenOutcome::Opened(order) => {
            services.outbox_wake.notify_one();
            if form {
                redirect(&format!("{back}?ok=payment_order#fees"));
            }
            Ok(order)
        }
        OpenOutcome::AlreadyOpen => refuse("payment_exists"),
    }
}

/// Cancel the case's unpaid order (the fee is then taken at the window). A
/// payment that arrives after all is refunded.
#[server(endpoint = "cases/payment_cancel")]
pub async fn cancel_payment(id: String, csrf: String, order: String) -> Result<(), AppError> {
    use crate::error::internal;
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let back = format!("/staff/cases/{}", q(&id));
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let row = case_of(&id, &s).await?;
    if row.assigned_to.as_deref() != Some(s.staff_id.as_str()) {
        if form {
            redirect(&format!("{back}?error=not_yours#fees"));
            return Ok(());
        }
        return Err(AppError::Conflict {
            code: "not_yours".into(),
        });
    }
    let done = crate::db::payments::cancel(&database()?, &order, &id, &s.staff_id, &s.role)
        .await
        .map_err(internal("payment cancel"))?;
    let code = if done {
        "payment_cancelled"
    } else {
        "not_open"
    };
    if form {
        let key = if done { "ok" } else { "error" };
        redirect(&format!("{back}?{key}={code}#fees"));
        return Ok(());
    }
    if done {
        Ok(())
    } else {
        Err(AppError::Conflict { code: code.into() })
    }
}

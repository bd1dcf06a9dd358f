//! After issue, for the applicant: how the paper certificate is collected
//! (at the window, or posted by EMS to an address), and the utilities moved
//! to the new owner in one step (登记+X).

use crate::error::AppError;
use leptos::prelude::*;
use std::collections::HashMap;

/// Choose window or post (`method`), with the recipient, their mobile and
/// the address for post. The filer, from acceptance until the certificate
/// is posted.
#[server(endpoint = "applications/delivery")]
pub async fn choose_delivery(
    id: String,
    csrf: String,
    method: String,
    recipient: Option<String>,
    mobile: Option<String>,
    address: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::aftercare::{check_address, check_recipient};
    use crate::error::{internal, FieldError};
    use crate::guards::*;
    use crate::services::*;
    let back = format!("/applications/{}", q(&id));
    let session = form_session(&csrf, &back).await?;
    let row = visible(&id, &session).await?;
    if row.filer_id != session.citizen_id {
        return Err(AppError::NotFound);
    }
    let form = is_form_post().await;
    let refuse = |code: &str| -> Result<(), AppError> {
        if form {
            redirect(&format!("{back}?error={code}#delivery"));
            Ok(())
        } else {
            Err(AppError::Conflict { code: code.into() })
        }
    };
    if row.status != "submitted"
        || !matches!(
            row.stage.as_str(),
            "accepted" | "review" | "register" | "certificate" | "fee_paid"
        )
    {
        return refuse("delivery_closed");
    }
    let (recipient, mobile, address) = match method.as_str() {
        "window" => (String::new(), String::new(), String::new()),
        "post" => {
            let mut errors = Vec::new();
            let r = check_recipient(recipient.as_deref().unwrap_or_default());
            if r.is_none() {
                errors.push(FieldError::new(
                    "recipient",
                    "delivery_recipient",
                    "收件人：请填写姓名（2 到 30 个字）".into(),
                    "Recipient: write the name (2 to 30 characters)".into(),
                ));
            }
            let m = crate::domain::MobileNumber::parse(mobile.as_deref().unwrap_or_default());
            if m.is_err() {
                errors.push(FieldError::new(
                    "mobile",
                    "delivery_mobile",
                    "收件人手机号：请填写 11 位手机号".into(),
                    "Recipient's mobile: an 11-digit mobile number".into(),
                ));
            }
            let a = check_address(address.as_deref().unwrap_or_default());
            if a.is_none() {
                errors.push(FieldError::new(
                    "address",
                    "delivery_address",
                    "邮寄地址：请写到门牌号（8 到 120 个字）".into(),
                    "Address: down to the door number (8 to 120 characters)".into(),
                ));
            }
            match (r, m, a) {
                (Some(r), Ok(m), Some(a)) => (r, m.as_str().to_string(), a),
                _ => {
                    if form {
                        redirect(&format!("{back}?error={}#delivery", errors[0].code));
                        return Ok(());
                    }
                    return Err(AppError::Validation(errors));
                }
            }
        }
        _ => return Err(AppError::BadRequest),
    };
    let chosen = crate::db::aftercare::choose(
        &database()?,
        &id,
        &crate::db::aftercare::Choice {
            method: &method,
            recipient: &recipient,
            mobile: &mobile,
            address: &address,
        },
    )
    .await
    .map_err(internal("delivery"))?;
    if !chosen {
        return refuse("delivery_posted");
    }
    if form {
        redirect(&format!("{back}?ok=delivery#delivery"));
    }
    Ok(())
}

/// Ask the utilities to move their accounts to the new owner: `f` carries
/// `util-<code>` = 1 for each chosen and `account-<code>` (optional). The
/// filer of an issued transfer; only the utilities this centre is
/// connected to.
#[server(endpoint = "applications/utilities")]
pub async fn request_utilities(
    id: String,
    csrf: String,
    f: Option<HashMap<String, String>>,
) -> Result<usize, AppError> {
    use crate::domain::aftercare::check_account;
    use crate::error::{internal, FieldError};
    use crate::guards::*;
    use crate::services::*;
    let back = format!("/applications/{}", q(&id));
    let session = form_session(&csrf, &back).await?;
    let row = visible(&id, &session).await?;
    if row.filer_id != session.citizen_id {
        return Err(AppError::NotFound);
    }
    let form = is_form_post().await;
    let matter = crate::ops::case_facts::load_matter(&row.matter_code).await?;
    if !crate::ops::aftercare::utilities_apply(&row.status, &row.stage, &matter) {
        if form {
            redirect(&format!("{back}?error=utilities_closed#utilities"));
            return Ok(0);
        }
        return Err(AppError::Conflict {
            code: "utilities_closed".into(),
        });
    }
    let offered = &services()?.policy.utilities;
    let fields = f.unwrap_or_default();
    let mut wanted = Vec::new();
    let mut errors = Vec::new();
    for code in offered {
        if fields
            .get(&format!("util-{code}"))
            .is_none_or(|v| v.is_empty())
        {
            continue;
        }
        match check_account(
            fields
                .get(&format!("account-{code}"))
                .map(String::as_str)
                .unwrap_or_default(),
        ) {
            Some(a) => wanted.push((code.clone(), a)),
            None => errors.push(FieldError::new(
                &format!("account-{code}"),
                "utility_account",
                "户号：只能有字母、数字和短横线，不超过 32 位".into(),
                "Account number: letters, digits and dashes, at most 32".into(),
            )),
        }
    }
    if wanted.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "utilities",
            "utilities_required",
            "请至少选择一项需要过户的业务".into(),
            "Choose at least one account to move".into(),
        ));
    }
    if !errors.is_empty() {
        if form {
            redirect(&format!("{back}?error={}#utilities", errors[0].code));
            return Ok(0);
        }
        return Err(AppError::Validation(errors));
    }
    let n = crate::db::aftercare::request_utilities(&database()?, &id, &wanted)
        .await
        .map_err(internal("utilities"))?;
    if form {
        redirect(&format!("{back}?ok=utilities#utilities"));
    }
    Ok(n)
}

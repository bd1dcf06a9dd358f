//! The fee schedule of a matter, as administrators edit it.

use crate::error::AppError;
use leptos::prelude::*;

/// An administrator sets a simple matter's fee items, in yuan as typed
/// (`80`, `550.00`); a combined matter's are its parts'.
#[server(endpoint = "matters/set_fees")]
pub async fn set_fees(
    csrf: String,
    matter: String,
    residential: String,
    non_residential: String,
    extra_certificate: String,
) -> Result<(), AppError> {
    use crate::domain::fees::{parse_yuan, FeeItem};
    use crate::error::FieldError;

    use crate::services::*;
    let admin = crate::guards::require_admin(Some(&csrf)).await?;
    let form = is_form_post().await;
    let mut amounts = Vec::new();
    let mut errors = Vec::new();
    for (item, typed, zh, en) in [
        (
            FeeItem::Residential,
            &residential,
            "住宅登记费",
            "Residential fee",
        ),
        (
            FeeItem::NonResidential,
            &non_residential,
            "非住宅登记费",
            "Non-residential fee",
        ),
        (
            FeeItem::ExtraCertificate,
            &extra_certificate,
            "证书工本费",
            "Extra certificate",
        ),
    ] {
        match parse_yuan(typed).filter(|f| *f <= 100_000_000) {
            Some(fen) => amounts.push((item, fen)),
            None => errors.push(FieldError::new(
                item.code(),
                "amount",
                format!("{zh}：请填写金额（元），如 80 或 80.00"),
                format!("{en}: enter an amount in yuan, e.g. 80 or 80.00"),
            )),
        }
    }
    let back = "/staff/fees";
    if !errors.is_empty() {
        if form {
            redirect(&format!(
                "{back}?error=amount&m={}#fee-{}",
                q(&matter),
                q(&matter)
            ));
            return Ok(());
        }
        return Err(AppError::Validation(errors));
    }
    let done = crate::db::set_fees(&database()?, &matter, &amounts, &admin.staff_id)
        .await
        .map_err(|e| AppError::internal("set_fees", e))?;
    if !done {
        return Err(AppError::NotFound);
    }
    services()?.catalogue.invalidate();
    if form {
        redirect(&format!(
            "{back}?ok=saved&m={}#fee-{}",
            q(&matter),
            q(&matter)
        ));
    }
    Ok(())
}

/// An administrator sets how a matter is done: `visit` = `needed` or
/// `none` (一次不用跑), and `identity` 0–2 (the check asked of those who
/// confirm it online: the SMS code, real name, face).
#[server(endpoint = "matters/set_mode")]
pub async fn set_matter_mode(
    csrf: String,
    matter: String,
    visit: String,
    identity: String,
) -> Result<(), AppError> {
    use crate::services::*;
    let admin = crate::guards::require_admin(Some(&csrf)).await?;
    let form = is_form_post().await;
    let visit_required = match visit.as_str() {
        "needed" => true,
        "none" => false,
        _ => return Err(AppError::BadRequest),
    };
    let Some(level) = identity
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|l| (0..=2).contains(l))
    else {
        return Err(AppError::BadRequest);
    };
    let done = crate::db::set_matter_mode(
        &database()?,
        &matter,
        visit_required,
        level,
        &admin.staff_id,
    )
    .await
    .map_err(|e| AppError::internal("set_matter_mode", e))?;
    if !done {
        return Err(AppError::NotFound);
    }
    services()?.catalogue.invalidate();
    if form {
        redirect(&format!(
            "/staff/fees?ok=mode&m={}#fee-{}",
            q(&matter),
            q(&matter)
        ));
    }
    Ok(())
}

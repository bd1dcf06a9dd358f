//! /verify: anyone checks an electronic certificate or proof by its code.

use crate::domain::ecert::Verified;
use crate::error::AppError;
use leptos::prelude::*;

/// The document with this verification code, as a verifier sees it (names
/// masked). Counted per address like progress lookups; codes have 80 random
/// bits, so guessing is hopeless anyway.
#[server(endpoint = "verify")]
pub async fn verify_code(code: String) -> Result<Verified, AppError> {
    use crate::services::*;
    let services = services()?;
    let database = database()?;
    let policy = services.policy.clone();
    let ip = client_ip(&policy).await;
    let bucket = format!("verify:ip:{}", services.keyed_hash(&["ip", &ip]));
    if let Some(retry_after_secs) =
        services
            .counters
            .hit(&bucket, 600 * 1000, policy.lookups_per_ip_10min)
    {
        return Err(AppError::RateLimited { retry_after_secs });
    }
    let Some(code) = crate::domain::ecert::normalize_code(&code) else {
        return Err(AppError::NotFound);
    };
    let row = crate::db::ecerts::by_code(&database, &code)
        .await
        .map_err(|e| AppError::internal("verify", e))?
        .ok_or(AppError::NotFound)?;
    crate::ops::ecerts::verified(&row, &services.seal).ok_or(AppError::NotFound)
}

//! /verify: anyone checks an electronic certificate or proof by its code.

use crate::domain::ecert::Verified;
use crate::error::AppError;
use leptos::prelude::*;

/// What this browser's last file check found ("same", "unknown",
/// "invalid"), from its signed cookie; nothing without one.
#[server(endpoint = "verify_file_result")]
pub async fn verify_file_result(code: String) -> Result<Option<String>, AppError> {
    use crate::services::*;
    let services = services()?;
    let headers = request_headers().await;
    let code = crate::domain::ecert::normalize_code(&code);
    let prefix = format!("{}=", crate::ops::ecerts::FILE_COOKIE);
    let found = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(prefix.as_str()))
        .find_map(|c| {
            crate::ops::ecerts::file_result(&services, c, code.as_deref(), crate::db::now_ms())
        });
    Ok(found)
}

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
        .map_err(|e| AppError::internal("verify", e))?;
    if let Some(row) = row {
        return crate::ops::ecerts::verified(&row, &services.seal).ok_or(AppError::NotFound);
    }
    // A proof of registration (不动产登记信息查询结果).
    crate::ops::register::verified_proof(&database, &services.seal, &code)
        .await
        .map_err(|e| AppError::internal("verify", e))?
        .ok_or(AppError::NotFound)
}

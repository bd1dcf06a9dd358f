//! The service sites, for anyone: the list and one site's page.

use crate::error::AppError;
use crate::model::Site;
use leptos::prelude::*;

/// The public list of service sites.
#[server(endpoint = "sites/list")]
pub async fn list_sites() -> Result<Vec<Site>, AppError> {
    let db = use_context::<crate::db::Db>().ok_or(AppError::Internal)?;
    crate::db::list_active_sites(&db)
        .await
        .map_err(|e| AppError::internal("list_active_sites", e))
}

/// One site by its public code; `NotFound` for an unknown or inactive code.
#[server(endpoint = "sites/get")]
pub async fn get_site(code: String) -> Result<Site, AppError> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > 32 {
        return Err(AppError::NotFound);
    }
    let db = use_context::<crate::db::Db>().ok_or(AppError::Internal)?;
    crate::db::find_active_site(&db, &code)
        .await
        .map_err(|e| AppError::internal("find_active_site", e))?
        .ok_or(AppError::NotFound)
}

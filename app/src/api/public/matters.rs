//! The service guide (办事指南) for anyone: every matter, and one matter with
//! its one-time notice.

use crate::domain::catalogue::Matter;
use crate::error::AppError;
use leptos::prelude::*;

/// The whole public catalogue (a few dozen matters): filtering happens in the
/// page, so search and family filters also work as plain GET forms.
#[server(endpoint = "matters/list")]
pub async fn list_matters() -> Result<Vec<Matter>, AppError> {
    let db = use_context::<crate::db::Db>().ok_or(AppError::Internal)?;
    crate::db::list_matters(&db)
        .await
        .map_err(|e| AppError::internal("list_matters", e))
}

/// One matter with its one-time notice; `NotFound` for an unknown code.
#[server(endpoint = "matters/get")]
pub async fn get_matter(code: String) -> Result<Matter, AppError> {
    let code = code.trim().to_ascii_uppercase();
    let db = use_context::<crate::db::Db>().ok_or(AppError::Internal)?;
    crate::db::list_matters(&db)
        .await
        .map_err(|e| AppError::internal("list_matters", e))?
        .into_iter()
        .find(|m| m.code == code)
        .ok_or(AppError::NotFound)
}

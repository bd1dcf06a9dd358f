//! The service guide (办事指南) for anyone: every matter, and one matter with
//! its one-time notice.

use crate::domain::catalogue::Matter;
use crate::error::AppError;
use leptos::prelude::*;

/// The whole public catalogue (a few dozen matters): filtering happens in the
/// page, so search and family filters also work as plain GET forms.
#[server(endpoint = "matters/list")]
pub async fn list_matters() -> Result<Vec<Matter>, AppError> {
    crate::ops::case_facts::matters()
        .await
        .map(|m| m.as_ref().clone())
}

/// One matter with its one-time notice; `NotFound` for an unknown code.
#[server(endpoint = "matters/get")]
pub async fn get_matter(code: String) -> Result<Matter, AppError> {
    let code = code.trim().to_ascii_uppercase();
    crate::ops::case_facts::load_matter(&code).await
}

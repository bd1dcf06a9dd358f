//! The supervisors' dashboard: what `domain::stats` counts, over the cases
//! of their sites, for the last 7, 30 or 90 days.

use crate::error::AppError;
use crate::views::*;
use leptos::prelude::*;

#[server(endpoint = "cases/dashboard")]
pub async fn get_dashboard(
    days: Option<u32>,
    site: Option<String>,
    matter: Option<String>,
) -> Result<DashboardView, AppError> {
    use crate::guards::*;
    use crate::services::*;
    let staff = require_staff().await?;
    crate::ops::stats::load(
        &database()?,
        &staff,
        days.unwrap_or(30),
        site.as_deref().unwrap_or(""),
        matter.as_deref().unwrap_or(""),
    )
    .await
}

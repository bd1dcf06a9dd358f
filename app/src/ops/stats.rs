//! The statistics behind the dashboard and the `stats` command.

use crate::error::AppError;
use crate::views::*;

/// The dashboard of a supervisor's sites (others: 403).
#[cfg(feature = "ssr")]
pub async fn load(
    database: &crate::db::Db,
    staff: &crate::db::StaffSession,
    days: u32,
    site: &str,
    matter: &str,
) -> Result<DashboardView, AppError> {
    use crate::domain::case::Role;
    use crate::domain::stats::{dashboard, CaseFacts};
    let internal = |ctx: &'static str| move |e: sqlx::Error| AppError::internal(ctx, e);
    if Role::from_code(&staff.role) != Some(Role::Supervisor) {
        return Err(AppError::Forbidden);
    }
    let days = if PERIODS.contains(&days) { days } else { 30 };
    let today = crate::ops::case_facts::today();
    let from = today - chrono::Days::new(u64::from(days) - 1);
    let since = from
        .and_hms_opt(0, 0, 0)
        .and_then(|t| {
            t.and_local_timezone(crate::domain::calendar::china())
                .single()
        })
        .map(|t| t.timestamp_millis())
        .unwrap_or(0);
    let sites: Vec<(String, String, String)> = {
        let all = crate::db::list_active_sites(database)
            .await
            .map_err(internal("sites"))?;
        crate::db::staff_sites(database, &staff.staff_id)
            .await
            .map_err(internal("staff sites"))?
            .iter()
            .map(|code| {
                let s = all.iter().find(|s| &s.code == code);
                (
                    code.clone(),
                    s.map(|s| s.name_zh.clone()).unwrap_or_else(|| code.clone()),
                    s.map(|s| s.name_en.clone()).unwrap_or_else(|| code.clone()),
                )
            })
            .collect()
    };
    let site = if sites.iter().any(|(c, _, _)| c == site) {
        site
    } else {
        ""
    };
    let matters: Vec<(String, String, String)> = crate::db::list_matters(database)
        .await
        .map_err(internal("matters"))?
        .into_iter()
        .map(|m| (m.code, m.name_zh, m.name_en))
        .collect();
    let matter = if matters.iter().any(|(c, _, _)| c == matter) {
        matter
    } else {
        ""
    };
    let rows = crate::db::stats_rows(database, &staff.staff_id, since, site, matter)
        .await
        .map_err(internal("stats"))?;
    let mut cases: Vec<CaseFacts> = Vec::new();
    let mut last_id = String::new();
    for r in rows {
        if r.id != last_id || cases.is_empty() {
            last_id = r.id.clone();
            cases.push(CaseFacts {
                site: r.site_code,
                matter: r.matter_code,
                events: Vec::new(),
                due: crate::domain::hours::Due::from_columns(r.due_on.as_deref(), r.due_at),
                paused_at: r.paused_at,
            });
        }
        if let Some(c) = cases.last_mut() {
            c.events.push((r.kind, r.at));
        }
    }
    let dashboard = dashboard(&cases, from, today, crate::db::now_ms(), |ms| {
        crate::domain::calendar::china_time(ms).map(|t| t.date_naive())
    });
    Ok(DashboardView {
        dashboard,
        days,
        site: site.to_string(),
        matter: matter.to_string(),
        sites,
        matters,
    })
}

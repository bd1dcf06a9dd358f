//! The supervisors' view of ratings (好差评): per site, matter and clerk,
//! and the follow-ups of low ratings, which they record.

#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One rating as a supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRatingView {
    pub id: String,
    pub application_id: String,
    pub receipt_no: String,
    pub level: i64,
    pub reasons: Vec<String>,
    pub comment: String,
    pub site: String,
    pub matter: String,
    pub clerk: String,
    pub at: String,
    /// For a low rating: its follow-up.
    pub due_on: Option<String>,
    pub follow_up_open: bool,
    pub action: String,
    pub followed_up_by: String,
}

/// A group's ratings: how many, their average and how many were low.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub name: String,
    pub count: i64,
    pub average: f64,
    pub low: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingsBoard {
    pub ratings: Vec<StaffRatingView>,
    pub by_site: Vec<Tally>,
    pub by_matter: Vec<Tally>,
    pub by_clerk: Vec<Tally>,
    pub csrf: String,
}

/// The last 90 days' ratings of the supervisor's sites.
#[server(endpoint = "cases/ratings")]
pub async fn ratings_overview() -> Result<RatingsBoard, AppError> {
    use crate::guards::*;
    use crate::services::*;
    let s = require_staff().await?;
    if s.role != "supervisor" {
        return Err(AppError::Forbidden);
    }
    let database = database()?;
    let since = crate::db::now_ms() - 90 * 86_400_000;
    let rows = crate::db::ratings::of_sites(&database, &s.staff_id, since)
        .await
        .map_err(internal("ratings"))?;
    let matters = crate::ops::case_facts::matters().await?;
    let sites = crate::db::list_active_sites(&database)
        .await
        .map_err(internal("sites"))?;
    let ratings: Vec<StaffRatingView> = rows
        .into_iter()
        .map(|r| StaffRatingView {
            reasons: serde_json::from_str(&r.reasons).unwrap_or_default(),
            matter: matters
                .iter()
                .find(|m| m.code == r.matter_code)
                .map(|m| m.name_zh.clone())
                .unwrap_or(r.matter_code),
            site: sites
                .iter()
                .find(|x| x.code == r.site_code)
                .map(|x| x.name_zh.clone())
                .unwrap_or(r.site_code),
            clerk: r.clerk_name.unwrap_or_else(|| "—".into()),
            at: crate::views::local_time(r.created_at),
            follow_up_open: r.status.as_deref() == Some("open"),
            action: r.action.unwrap_or_default(),
            followed_up_by: r.staff_name.unwrap_or_default(),
            due_on: r.due_on,
            id: r.id,
            application_id: r.application_id,
            receipt_no: r.receipt_no.unwrap_or_default(),
            level: r.level,
            comment: r.comment,
        })
        .collect();
    let tally = |key: &dyn Fn(&StaffRatingView) -> String| -> Vec<Tally> {
        let mut out: Vec<Tally> = Vec::new();
        for r in &ratings {
            let k = key(r);
            let t = match out.iter_mut().find(|t| t.name == k) {
                Some(t) => t,
                None => {
                    out.push(Tally {
                        name: k,
                        count: 0,
                        average: 0.0,
                        low: 0,
                    });
                    out.last_mut().expect("just pushed")
                }
            };
            t.average = (t.average * t.count as f64 + r.level as f64) / (t.count + 1) as f64;
            t.count += 1;
            t.low += i64::from(crate::domain::rating::is_low(r.level));
        }
        out.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        out
    };
    Ok(RatingsBoard {
        by_site: tally(&|r| r.site.clone()),
        by_matter: tally(&|r| r.matter.clone()),
        by_clerk: tally(&|r| r.clerk.clone()),
        ratings,
        csrf: s.csrf_token,
    })
}

/// A supervisor records what was done about a low rating (整改、回访);
/// the applicant is texted it.
#[server(endpoint = "cases/rating_follow_up")]
pub async fn follow_up_rating(id: String, csrf: String, action: String) -> Result<(), AppError> {
    use crate::db::ratings::FollowedUp;
    use crate::error::FieldError;
    use crate::guards::*;
    use crate::services::*;
    let s = require_staff().await?;
    check_staff_csrf(&s, &csrf)?;
    if s.role != "supervisor" {
        return Err(AppError::Forbidden);
    }
    let form = is_form_post().await;
    let back = "/staff/ratings";
    let action = action.trim().to_string();
    let n = action.chars().count();
    if !(5..=crate::domain::rating::MAX_COMMENT).contains(&n) {
        if form {
            redirect(&format!("{back}?error=action#rating-{}", q(&id)));
            return Ok(());
        }
        return Err(AppError::Validation(vec![FieldError::new(
            "action",
            "action_required",
            "处理情况：请写明核实和整改的情况（5 到 500 字）".into(),
            "What was done: describe it (5 to 500 characters)".into(),
        )]));
    }
    let done =
        crate::db::ratings::record_follow_up(&database()?, &id, &s.staff_id, &s.role, &action)
            .await
            .map_err(internal("follow up"))?;
    match done {
        FollowedUp::Done => {
            services()?.outbox_wake.notify_one();
            if form {
                redirect(&format!("{back}?ok=followed_up"));
            }
            Ok(())
        }
        FollowedUp::NotFound => Err(AppError::NotFound),
    }
}

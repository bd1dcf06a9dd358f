//! Clerks' pre-review of developers' batches: the batch as one case with a
//! line per unit, each line's automatic checks, "pass every clean line" in
//! one step (each becomes a formal case with its own number and deadline),
//! and returning single lines with a reason.

use crate::domain::filing::FilingKind;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guards::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffBatchItem {
    pub id: String,
    pub batch_no: String,
    pub kind: FilingKind,
    pub status: String,
    pub org_name: String,
    pub credit_code: String,
    pub project_name: String,
    pub site_code: String,
    pub submitted_at: Option<i64>,
    pub lines: i64,
    pub pending: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewLine {
    pub id: String,
    pub unit_no: String,
    pub buyer: String,
    pub contract_no: String,
    pub price: String,
    pub loan: String,
    pub receipt_no: String,
    pub case_no: String,
    pub status: String,
    pub review_note: String,
    /// The unit's case (its own page on the workbench).
    pub application_id: String,
    /// What the automatic checks found (empty: clean).
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchReview {
    pub batch: StaffBatchItem,
    /// One page of the lines (see `page`).
    pub lines: Vec<ReviewLine>,
    pub page: crate::domain::filing::LinePage,
    pub clean_pending: usize,
    pub csrf: String,
}

#[cfg(feature = "ssr")]
fn internal(e: impl std::fmt::Display + 'static) -> AppError {
    AppError::internal("batch review", e)
}

#[cfg(feature = "ssr")]
fn item(b: crate::db::StaffBatchRow) -> Option<StaffBatchItem> {
    Some(StaffBatchItem {
        kind: FilingKind::from_code(&b.kind)?,
        id: b.id,
        batch_no: b.batch_no,
        status: b.status,
        org_name: b.org_name,
        credit_code: b.credit_code,
        project_name: b.project_name,
        site_code: b.site_code,
        submitted_at: b.submitted_at,
        lines: b.lines,
        pending: b.pending,
    })
}

#[cfg(feature = "ssr")]
fn yuan(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Submitted batches of the clerk's sites, waiting ones first.
#[server(endpoint = "staff/batches")]
pub async fn staff_batches() -> Result<Vec<StaffBatchItem>, AppError> {
    let s = reviewer().await?;
    let database = crate::services::database()?;
    Ok(crate::db::batches_for_staff(&database, &s.staff_id)
        .await
        .map_err(internal)?
        .into_iter()
        .filter_map(item)
        .collect())
}

/// One batch with its lines and what the automatic checks say of each:
/// the unit is still in the project's list, and (for notices) no other
/// buyer's notice is open on it.
#[cfg(feature = "ssr")]
async fn load(staff_id: &str, id: &str) -> Result<(StaffBatchItem, Vec<ReviewLine>), AppError> {
    use crate::domain::filing::FilingRow;
    let database = crate::services::database()?;
    let b = crate::db::batch_for_staff(&database, staff_id, id)
        .await
        .map_err(internal)?
        .and_then(item)
        .ok_or(AppError::NotFound)?;
    let batch = crate::db::batch_by_id(&database, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let units: std::collections::HashSet<String> =
        crate::db::unit_numbers_of(&database, &batch.project_id)
            .await
            .map_err(internal)?
            .into_iter()
            .collect();
    let notice = matches!(b.kind, FilingKind::Notice | FilingKind::DualNotice);
    let others = if notice {
        crate::db::open_notices_elsewhere(&database, id)
            .await
            .map_err(internal)?
    } else {
        Vec::new()
    };
    let lines = crate::db::review_lines(&database, id)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|l| {
            let row: Option<FilingRow> = serde_json::from_str(&l.data).ok();
            let mut flags = Vec::new();
            if l.status == "pending" {
                if !units.contains(&l.unit_no) {
                    flags.push("不在本项目楼盘表中 / not in the project's unit list".to_string());
                }
                if let Some((_, no)) = others.iter().find(|(u, _)| *u == l.unit_no) {
                    flags.push(format!(
                        "另有预告在办（批次 {no}） / another notice is open (batch {no})"
                    ));
                }
            }
            let row = row.as_ref();
            ReviewLine {
                buyer: row
                    .and_then(|r| r.buyer_name.as_deref())
                    .map(crate::domain::application::mask_name)
                    .unwrap_or_default(),
                price: row
                    .and_then(|r| r.price_cents)
                    .map(yuan)
                    .unwrap_or_default(),
                loan: row
                    .and_then(|r| r.loan.as_ref())
                    .map(|l| format!("{} / {}", yuan(l.amount_cents), l.bank.as_str()))
                    .unwrap_or_default(),
                application_id: l.application_id.unwrap_or_default(),
                id: l.id,
                unit_no: l.unit_no,
                contract_no: l.contract_no,
                receipt_no: l.receipt_no.unwrap_or_default(),
                case_no: l.case_no.unwrap_or_default(),
                status: l.status,
                review_note: l.review_note,
                flags,
            }
        })
        .collect();
    Ok((b, lines))
}

/// A batch with one page of its lines (`page` from 1; `show`: only lines
/// in that state); the count of clean pending lines is over all of them.
#[server(endpoint = "staff/batch")]
pub async fn staff_batch(
    id: String,
    #[server(default)] page: Option<usize>,
    #[server(default)] show: Option<String>,
) -> Result<BatchReview, AppError> {
    let s = reviewer().await?;
    let (batch, lines) = load(&s.staff_id, &id).await?;
    let clean_pending = lines
        .iter()
        .filter(|l| l.status == "pending" && l.flags.is_empty())
        .count();
    let (lines, page) = crate::domain::filing::LinePage::cut(
        lines,
        |l: &ReviewLine| l.status.as_str(),
        show.as_deref().unwrap_or_default(),
        page.unwrap_or(1),
    );
    Ok(BatchReview {
        batch,
        lines,
        page,
        clean_pending,
        csrf: s.csrf_token,
    })
}

/// Pass every pending line the automatic checks found clean: each case is
/// formally accepted (its own case number and deadline) in one transaction.
#[server(endpoint = "staff/batch_pass")]
pub async fn pass_clean_lines(csrf: String, id: String) -> Result<usize, AppError> {
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = reviewer().await?;
    check_staff_csrf(&s, &csrf)?;
    let (batch, lines) = load(&s.staff_id, &id).await?;
    let database = database()?;
    let matter = crate::ops::case_facts::load_matter(batch.kind.matter_code()).await?;
    let clock = crate::db::load_clock(&database, crate::db::now_ms())
        .await
        .map_err(internal)?;
    let due = clock.deadline(
        &batch.site_code,
        matter.time_limit_days,
        matter.time_limit_minutes,
    );
    let due_on = due.day().format("%Y-%m-%d").to_string();
    let clean: Vec<&ReviewLine> = lines
        .iter()
        .filter(|l| l.status == "pending" && l.flags.is_empty())
        .collect();
    let lang = request_lang().await;
    let mut passed = None;
    // Another acceptance at the site may take a case number meanwhile: the
    // unique index refuses the whole pass, which draws new numbers.
    for _ in 0..3 {
        use chrono::Datelike;
        let first = crate::db::next_case_no(&database, &batch.site_code, clock.today().year())
            .await
            .map_err(internal)?;
        let (prefix, n) = first.rsplit_once('-').unwrap_or(("", "1"));
        let start: u64 = n.parse().unwrap_or(1);
        let accept: Vec<crate::db::Acceptance> = clean
            .iter()
            .filter(|l| !l.application_id.is_empty())
            .enumerate()
            .map(|(i, l)| crate::db::Acceptance {
                line_id: l.id.clone(),
                application_id: l.application_id.clone(),
                case_no: format!("{prefix}-{:06}", start + i as u64),
            })
            .collect();
        match crate::db::pass_lines(
            &database,
            &id,
            &s.staff_id,
            &s.role,
            &accept,
            &due_on,
            due.instant(),
            lang,
        )
        .await
        {
            Ok(n) => {
                passed = Some(n);
                break;
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
            Err(e) => return Err(internal(e)),
        }
    }
    let passed = passed.ok_or(AppError::Conflict {
        code: "busy".into(),
    })?;
    services()?.outbox_wake.notify_one();
    if form {
        redirect(&format!("/staff/batches/{id}?ok=passed&n={passed}"));
    }
    Ok(passed)
}

/// Return one line with a reason (the developer sees it on the unit; the
/// buyer's case is refused at pre-review with that reason).
#[server(endpoint = "staff/batch_return")]
pub async fn return_batch_line(
    csrf: String,
    id: String,
    line: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = reviewer().await?;
    check_staff_csrf(&s, &csrf)?;
    load(&s.staff_id, &id).await?;
    let reason: String = reason.trim().chars().take(200).collect();
    if reason.is_empty() {
        if form {
            redirect(&format!("/staff/batches/{id}?error=reason"));
            return Ok(());
        }
        return Err(crate::api::developer::messages::org_errors(&["reason"]));
    }
    let database = database()?;
    let done = crate::db::return_line(
        &database,
        &id,
        &line,
        &s.staff_id,
        &s.role,
        &reason,
        request_lang().await,
    )
    .await
    .map_err(internal)?;
    if !done {
        return Err(AppError::Conflict {
            code: "not_pending".into(),
        });
    }
    services()?.outbox_wake.notify_one();
    if form {
        redirect(&format!("/staff/batches/{id}?ok=returned"));
    }
    Ok(())
}

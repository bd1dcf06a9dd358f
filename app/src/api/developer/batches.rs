//! Projects' unit lists and batches of filings as the developer's pages see
//! them; the spreadsheet uploads themselves are plain HTTP routes of the
//! server (`/developer/projects/{id}/units`, `/developer/batches/{id}/upload`).

use crate::domain::filing::FilingKind;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::ops::batches::*;
use crate::views::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitItem {
    pub unit_no: String,
    pub building: String,
    pub floor: i64,
    pub area: String,
    pub use_kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectView {
    pub id: String,
    pub name: String,
    pub address: String,
    pub site_code: String,
    pub units: Vec<UnitItem>,
    pub uploads: Vec<UploadItem>,
    pub batches: Vec<BatchItem>,
    pub csrf: String,
    pub max_rows: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub id: String,
    pub unit_no: String,
    pub buyer_name: String,
    pub contract_no: String,
    pub status: String,
    pub review_note: String,
    /// Once submitted: the unit's pre-application receipt.
    pub receipt_no: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: String,
    pub batch_no: String,
    pub project_id: String,
    pub project_name: String,
    pub kind: FilingKind,
    pub status: String,
    /// One page of the lines (see `page`).
    pub lines: Vec<LineItem>,
    pub page: crate::domain::filing::LinePage,
    pub uploads: Vec<UploadItem>,
    pub csrf: String,
    pub max_rows: usize,
}

#[cfg(feature = "ssr")]
fn internal(e: impl std::fmt::Display + 'static) -> AppError {
    AppError::internal("filings", e)
}

/// A project of the signed-in member's organisation, with its units and
/// the unit-list uploads.
#[server(endpoint = "org/project")]
pub async fn get_project(id: String) -> Result<ProjectView, AppError> {
    use crate::db;
    use crate::guards::*;
    use crate::services::*;
    let s = require_org().await?;
    let database = database()?;
    let p = db::project_of(&database, &s.org_id, &id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    // Progress first, then the rows it covers: a file shown as done
    // never comes with lines read before it finished.
    let uploads = upload_items(
        &database,
        db::uploads_for(&database, &p.id, None)
            .await
            .map_err(internal)?,
    )
    .await?;
    let units = db::units_of(&database, &p.id)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|u| UnitItem {
            area: format!("{}.{:02}", u.area_centi / 100, u.area_centi % 100),
            unit_no: u.unit_no,
            building: u.building,
            floor: u.floor,
            use_kind: u.use_kind,
        })
        .collect();
    let batches = batches_of_org(&database, &s.org_id)
        .await?
        .into_iter()
        .filter(|b| b.project_name == p.name)
        .collect();
    Ok(ProjectView {
        id: p.id,
        name: p.name,
        address: p.address,
        site_code: p.site_code,
        units,
        uploads,
        batches,
        csrf: s.csrf_token,
        max_rows: services()?.policy.filing_max_rows,
    })
}

/// Start a batch of one matter for a project (verified organisations).
#[server(endpoint = "org/batch_create")]
pub async fn create_batch(csrf: String, project: String, kind: String) -> Result<String, AppError> {
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = require_org().await?;
    check_org_csrf(&s, &csrf)?;
    let back = format!("/developer/projects/{}", q(&project));
    if !s.verified() {
        return crate::api::developer::messages::refuse(form, &back, &["not_verified"]);
    }
    let Some(kind) = FilingKind::from_code(&kind) else {
        return Err(AppError::BadRequest);
    };
    let database = database()?;
    let (id, _) = new_batch(&database, &s.org_id, &s.member_id, &project, kind, None).await?;
    if form {
        redirect(&format!("/developer/batches/{id}"));
    }
    Ok(id)
}

/// A batch of the signed-in member's organisation with its lines and uploads.
/// A batch with one page of its lines (`page` from 1; `show`: only lines
/// in that state), its uploads and their progress.
#[server(endpoint = "org/batch")]
pub async fn get_batch(
    id: String,
    #[server(default)] page: Option<usize>,
    #[server(default)] show: Option<String>,
) -> Result<BatchView, AppError> {
    use crate::db;
    use crate::guards::*;
    use crate::services::*;
    let s = require_org().await?;
    let database = database()?;
    let b = db::batch_of(&database, &s.org_id, &id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let p = db::project_by_id(&database, &b.project_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    // Progress first, then the rows it covers: a file shown as done
    // never comes with lines read before it finished.
    let uploads = upload_items(
        &database,
        db::uploads_for(&database, &b.project_id, Some(&b.id))
            .await
            .map_err(internal)?,
    )
    .await?;
    let lines = db::review_lines(&database, &b.id)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|l| {
            let row: Option<crate::domain::filing::FilingRow> = serde_json::from_str(&l.data).ok();
            LineItem {
                id: l.id,
                unit_no: l.unit_no,
                buyer_name: row.and_then(|r| r.buyer_name).unwrap_or_default(),
                contract_no: l.contract_no,
                status: l.status,
                review_note: l.review_note,
                receipt_no: l.receipt_no.unwrap_or_default(),
            }
        })
        .collect();
    let (lines, page) = crate::domain::filing::LinePage::cut(
        lines,
        |l: &LineItem| l.status.as_str(),
        show.as_deref().unwrap_or_default(),
        page.unwrap_or(1),
    );
    Ok(BatchView {
        kind: FilingKind::from_code(&b.kind).ok_or(AppError::NotFound)?,
        id: b.id,
        batch_no: b.batch_no,
        project_id: p.id,
        project_name: p.name,
        status: b.status,
        lines,
        page,
        uploads,
        csrf: s.csrf_token,
        max_rows: services()?.policy.filing_max_rows,
    })
}

/// How far an upload's checking has come (the progress bar polls this).
#[server(endpoint = "org/upload_status")]
pub async fn upload_status(id: String) -> Result<UploadItem, AppError> {
    use crate::guards::*;
    use crate::services::*;
    let s = require_org().await?;
    let database = database()?;
    let u = crate::db::upload_of(&database, &s.org_id, &id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    upload_items(&database, vec![u])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Take one line out of a draft batch.
#[server(endpoint = "org/batch_remove_line")]
pub async fn remove_line(csrf: String, batch: String, line: String) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = require_org().await?;
    check_org_csrf(&s, &csrf)?;
    let database = database()?;
    crate::db::batch_of(&database, &s.org_id, &batch)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    if !crate::db::remove_line(&database, &batch, &line)
        .await
        .map_err(internal)?
    {
        return Err(AppError::Conflict {
            code: "not_draft".into(),
        });
    }
    if form {
        redirect(&format!("/developer/batches/{batch}"));
    }
    Ok(())
}

/// Messages for a batch page's `error=` codes.
pub fn batch_message(code: &str, lang: crate::domain::Lang) -> Option<String> {
    let zh = lang == crate::domain::Lang::Zh;
    let pick = |z: &str, e: &str| Some(if zh { z.to_string() } else { e.to_string() });
    match code {
        "not_draft" => pick(
            "批次已提交，不能再修改。",
            "The batch has been submitted and can no longer change.",
        ),
        "empty" => pick(
            "批次里还没有任何一行，请先上传表格。",
            "The batch has no line yet; upload a spreadsheet first.",
        ),
        "checking" => pick(
            "还有表格正在检查，请等检查完成后再提交。",
            "A spreadsheet is still being checked; submit once it is done.",
        ),
        _ => crate::api::developer::messages::org_message(code, lang),
    }
}

/// Submit a draft batch for pre-review: no more amendments after this.
#[server(endpoint = "org/batch_submit")]
pub async fn submit_batch(csrf: String, batch: String) -> Result<(), AppError> {
    use crate::db::{self, SubmitRefusal};
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = require_org().await?;
    check_org_csrf(&s, &csrf)?;
    let database = database()?;
    let b = db::batch_of(&database, &s.org_id, &batch)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let back = format!("/developer/batches/{batch}");
    let outcome = submit_with_cases(&database, &s, &b, request_lang().await).await?;
    services()?.outbox_wake.notify_one();
    let code = match outcome {
        Ok(()) => {
            if form {
                redirect(&format!("{back}?ok=submitted"));
            }
            return Ok(());
        }
        Err(SubmitRefusal::NotDraft) => "not_draft",
        Err(SubmitRefusal::Empty) => "empty",
        Err(SubmitRefusal::StillChecking) => "checking",
        Err(SubmitRefusal::Changed) => "checking",
    };
    if form {
        redirect(&format!("{back}?error={code}"));
        return Ok(());
    }
    Err(AppError::Conflict { code: code.into() })
}

//! Projects' unit lists and batches of filings as the developer's pages see
//! them; the spreadsheet uploads themselves are plain HTTP routes of the
//! server (`/developer/projects/{id}/units`, `/developer/batches/{id}/upload`).

use crate::domain::filing::{CellError, FilingKind};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchItem {
    pub id: String,
    pub batch_no: String,
    pub project_name: String,
    pub kind: FilingKind,
    pub status: String,
    pub lines: i64,
    pub passed: i64,
    pub returned: i64,
}

/// A spreadsheet taken in, and how far its checking has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadItem {
    pub id: String,
    pub file_name: String,
    pub checking: bool,
    pub total: i64,
    pub checked: i64,
    pub accepted: i64,
    pub failed: i64,
    /// Up to 200 failing rows: line and errors.
    pub errors: Vec<(i64, Vec<CellError>)>,
}

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

#[cfg(feature = "ssr")]
pub(crate) async fn batches_of_org(
    db: &crate::db::Db,
    org_id: &str,
) -> Result<Vec<BatchItem>, AppError> {
    Ok(crate::db::batches_of(db, org_id)
        .await
        .map_err(internal)?
        .into_iter()
        .filter_map(|b| {
            Some(BatchItem {
                kind: FilingKind::from_code(&b.kind)?,
                id: b.id,
                batch_no: b.batch_no,
                project_name: b.project_name,
                status: b.status,
                lines: b.lines,
                passed: b.passed,
                returned: b.returned,
            })
        })
        .collect())
}

#[cfg(feature = "ssr")]
pub async fn upload_items(
    db: &crate::db::Db,
    rows: Vec<crate::db::FilingUpload>,
) -> Result<Vec<UploadItem>, AppError> {
    let mut out = Vec::new();
    for u in rows {
        let errors = if u.status == "done" && u.failed_rows > 0 {
            crate::db::upload_errors_first(db, &u.id, 200)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|(line, _, errors)| (line, serde_json::from_str(&errors).unwrap_or_default()))
                .collect()
        } else {
            Vec::new()
        };
        out.push(UploadItem {
            checking: u.status == "checking",
            id: u.id,
            file_name: u.file_name,
            total: u.total_rows,
            checked: u.checked_rows,
            accepted: u.accepted_rows,
            failed: u.failed_rows,
            errors,
        });
    }
    Ok(out)
}

/// A project of the signed-in member's organisation, with its units and
/// the unit-list uploads.
#[server(endpoint = "org/project")]
pub async fn get_project(id: String) -> Result<ProjectView, AppError> {
    use crate::db;
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
    use crate::services::*;
    let form = is_form_post().await;
    let s = require_org().await?;
    check_org_csrf(&s, &csrf)?;
    let back = format!("/developer/projects/{}", q(&project));
    if !s.verified() {
        return crate::api::orgs::refuse(form, &back, &["not_verified"]);
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

/// Make a batch (or, with an idempotency key already used by this
/// organisation, answer the one it made). `(id, created)`.
#[cfg(feature = "ssr")]
pub async fn new_batch(
    database: &crate::db::Db,
    org_id: &str,
    member_id: &str,
    project_id: &str,
    kind: FilingKind,
    idempotency_key: Option<&str>,
) -> Result<(String, bool), AppError> {
    use crate::db;
    let p = db::project_of(database, org_id, project_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let now = db::now_ms();
    let day = crate::domain::hours::local(now)
        .format("%Y%m%d")
        .to_string();
    let b = db::BatchRow {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: org_id.to_string(),
        project_id: p.id,
        kind: kind.code().to_string(),
        status: "draft".into(),
        batch_no: format!(
            "PL{day}{}",
            crate::services::random_token()[..6].to_ascii_uppercase()
        ),
        created_at: now,
        updated_at: now,
        submitted_at: None,
    };
    db::insert_batch(database, &b, member_id, idempotency_key)
        .await
        .map_err(internal)
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
        _ => crate::api::orgs::org_message(code, lang),
    }
}

/// Submit a draft batch for pre-review: no more amendments after this.
#[server(endpoint = "org/batch_submit")]
pub async fn submit_batch(csrf: String, batch: String) -> Result<(), AppError> {
    use crate::db::{self, SubmitRefusal};
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

/// Draw up one case per line (receipt, parties, the text to the buyer) and
/// submit the batch with them in one transaction. A line that came or went
/// meanwhile (a file finishing) makes the database refuse; drawn again.
#[cfg(feature = "ssr")]
pub async fn submit_with_cases(
    database: &crate::db::Db,
    s: &crate::db::OrgSession,
    b: &crate::db::BatchRow,
    lang: crate::domain::Lang,
) -> Result<Result<(), crate::db::SubmitRefusal>, AppError> {
    use crate::db::{self, NewCase, NewParty};
    use crate::domain::application::{format_receipt, Draft, PartyForm, PropertyForm};
    use crate::domain::filing::FilingRow;
    let kind = FilingKind::from_code(&b.kind).ok_or(AppError::NotFound)?;
    let project = db::project_by_id(database, &b.project_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let matter = db::list_matters(database)
        .await
        .map_err(internal)?
        .into_iter()
        .find(|m| m.code == kind.matter_code())
        .ok_or(AppError::NotFound)?;
    let submitter = db::member_mobile(database, &s.member_id)
        .await
        .map_err(internal)?
        .unwrap_or_default();
    let today = chrono::Utc::now()
        .with_timezone(&crate::domain::calendar::china())
        .date_naive();
    for _ in 0..3 {
        let lines = db::lines_of(database, &b.id).await.map_err(internal)?;
        let cases: Vec<NewCase> = lines
            .iter()
            .map(|l| {
                let row: Option<FilingRow> = serde_json::from_str(&l.data).ok();
                let mut random = [0u8; 8];
                rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut random);
                let receipt = format_receipt(today, &random);
                let developer = NewParty {
                    role: if kind == FilingKind::FirstRegistration {
                        "right_holder"
                    } else {
                        "obligor"
                    }
                    .into(),
                    name: s.org_name.clone(),
                    id_type: "organisation".into(),
                    id_number: s.credit_code.clone(),
                    mobile: submitter.clone(),
                };
                let mut parties = Vec::new();
                let buyer_mobile = row
                    .as_ref()
                    .and_then(|r| r.buyer_mobile.as_ref())
                    .map(|m| m.as_str().to_string());
                if let Some(r) = &row {
                    if let (Some(name), Some(id)) = (&r.buyer_name, &r.buyer_id) {
                        parties.push(NewParty {
                            role: "right_holder".into(),
                            name: name.clone(),
                            id_type: "resident_id".into(),
                            id_number: id.as_str().to_string(),
                            mobile: buyer_mobile.clone().unwrap_or_default(),
                        });
                    }
                }
                parties.push(developer);
                if let Some(loan) = row.as_ref().and_then(|r| r.loan.as_ref()) {
                    parties.push(NewParty {
                        role: "mortgagee".into(),
                        name: format!("抵押权人 {}", loan.bank.as_str()),
                        id_type: "organisation".into(),
                        id_number: loan.bank.as_str().to_string(),
                        mobile: String::new(),
                    });
                }
                let draft = Draft {
                    property: PropertyForm {
                        unit_number: l.unit_no.clone(),
                        certificate_number: String::new(),
                        address: project.address.clone(),
                    },
                    parties: parties
                        .iter()
                        .map(|p| PartyForm {
                            role: p.role.clone(),
                            name: p.name.clone(),
                            id_type: p.id_type.clone(),
                            id_number: p.id_number.clone(),
                            mobile: p.mobile.clone(),
                            share: String::new(),
                        })
                        .collect(),
                    ..Draft::default()
                };
                let notice = buyer_mobile.clone().map(|m| {
                    (
                        m,
                        serde_json::json!({
                            "org": s.org_name,
                            "matter_zh": matter.name_zh,
                            "matter_en": matter.name_en,
                            "unit": l.unit_no,
                            "receipt": receipt,
                        }),
                    )
                });
                NewCase {
                    line_id: l.id.clone(),
                    application_id: uuid::Uuid::new_v4().to_string(),
                    receipt,
                    filer_mobile: buyer_mobile.unwrap_or_else(|| submitter.clone()),
                    draft: serde_json::to_string(&draft).unwrap_or_default(),
                    parties,
                    notice,
                }
            })
            .collect();
        match db::submit_batch(
            database,
            &b.id,
            kind.matter_code(),
            &project.site_code,
            &cases,
            lang,
        )
        .await
        {
            Ok(Err(db::SubmitRefusal::Changed)) => continue,
            Ok(outcome) => return Ok(outcome),
            // A receipt number drawn twice (about 1 in 10^11): draw again.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
            Err(e) => return Err(internal(e)),
        }
    }
    Ok(Err(crate::db::SubmitRefusal::Changed))
}

//! A developer's batches as both doors reach them — the pages (server
//! functions) and the REST API and spreadsheet upload (server crate): making a
//! batch, listing it and its uploads, and submitting it with one case per line.

use crate::domain::filing::FilingKind;
use crate::error::AppError;
use crate::views::{BatchItem, UploadItem};

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
                        secured_amount: row
                            .as_ref()
                            .and_then(|r| r.loan.as_ref())
                            .map(|loan| crate::domain::fees::yuan(loan.amount_cents))
                            .unwrap_or_default(),
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

//! The register (不动产登记簿) as its readers see it: an owner whose
//! identity is verified sees the units registered in their name; a member
//! of staff sees a unit's whole history (every query audited); a bank sees
//! the mortgages registered to it.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An entry as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    pub kind: String,
    pub kind_zh: String,
    pub kind_en: String,
    /// The holders with shares, in words.
    pub holders: String,
    pub certificate_no: String,
    /// The secured amount in yuan ("1200000.00"), for a mortgage.
    pub amount: String,
    pub obligors: String,
    pub note: String,
    /// China time, to the minute (imported entries: the day).
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// The receipt numbers of the cases that made and ended it (staff only).
    pub made_by: String,
    pub ended_by: String,
}

/// A unit as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitView {
    pub unit_number: String,
    pub address: String,
    pub area: String,
    pub usage: String,
    pub project: String,
    pub building: String,
    pub entries: Vec<EntryView>,
}

/// The owner's register page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRegisterView {
    /// A verification of their identity counts now.
    pub verified: bool,
    /// The centre has an identity service (else: ask at a window).
    pub identity_service: bool,
    pub units: Vec<UnitView>,
    pub csrf: String,
    /// The citizen's latest check of their own identity failed.
    #[serde(default)]
    pub last_failed: bool,
}

#[cfg(feature = "ssr")]
fn when(ms: i64) -> String {
    crate::views::local_time(ms)
}

#[cfg(feature = "ssr")]
pub fn entry_view(e: &crate::domain::register::Entry, receipts: &[(String, String)]) -> EntryView {
    use crate::domain::Lang;
    let receipt = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| receipts.iter().find(|(a, _)| a == i))
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    };
    EntryView {
        kind: e.kind.code().into(),
        kind_zh: e.kind.label(Lang::Zh).into(),
        kind_en: e.kind.label(Lang::En).into(),
        holders: crate::domain::register::owners_words(e),
        certificate_no: e.certificate_no.clone(),
        amount: e
            .amount_fen
            .map(crate::domain::fees::yuan)
            .unwrap_or_default(),
        obligors: e.obligors.clone(),
        note: e.note.clone(),
        valid_from: when(e.valid_from),
        valid_to: e.valid_to.map(when),
        made_by: receipt(&e.made_by),
        ended_by: receipt(&e.ended_by),
    }
}

#[cfg(feature = "ssr")]
pub fn unit_view(s: &crate::domain::register::Standing, receipts: &[(String, String)]) -> UnitView {
    UnitView {
        unit_number: s.unit.unit_number.clone(),
        address: s.unit.address.clone(),
        area: s.unit.area.clone(),
        usage: s.unit.usage.clone(),
        project: s.unit.project.clone(),
        building: s.unit.building.clone(),
        entries: s.current.iter().map(|e| entry_view(e, receipts)).collect(),
    }
}

/// The signed-in citizen's units, once their identity is verified.
#[server(endpoint = "me/register")]
pub async fn my_register() -> Result<MyRegisterView, AppError> {
    use crate::guards::require_session;
    use crate::services::*;
    let session = require_session().await?;
    let database = database()?;
    let services = services()?;
    let hashes = crate::db::register::verified_hashes(&database, &session.citizen_id)
        .await
        .map_err(|e| AppError::internal("register", e))?;
    let units = if hashes.is_empty() {
        Vec::new()
    } else {
        crate::db::register::units_of(&database, &hashes)
            .await
            .map_err(|e| AppError::internal("register", e))?
            .iter()
            .map(|s| unit_view(s, &[]))
            .collect()
    };
    let last_failed = hashes.is_empty()
        && crate::db::register::last_own_check(&database, &session.citizen_id)
            .await
            .map_err(|e| AppError::internal("register", e))?
            .as_deref()
            == Some("failed");
    Ok(MyRegisterView {
        verified: !hashes.is_empty(),
        identity_service: services.policy.identity_service,
        units,
        csrf: session.csrf_token,
        last_failed,
    })
}

/// Start the check of the signed-in citizen's own identity (face), to see
/// their register: name and resident ID number. A form post goes on to
/// the identity service.
#[server(endpoint = "me/register/identity")]
pub async fn verify_for_register(
    csrf: String,
    name: String,
    id_number: String,
) -> Result<String, AppError> {
    use crate::error::FieldError;
    use crate::guards::form_session;
    use crate::services::*;
    let back = "/me/register";
    let session = form_session(&csrf, back).await?;
    let services = services()?;
    if !services.policy.identity_service {
        return Err(AppError::Conflict {
            code: "no_identity_service".into(),
        });
    }
    let mut errors = Vec::new();
    let name = name.trim().to_string();
    if let Err(e) = crate::domain::application::check_name(&name, 60) {
        errors.push(FieldError::new(
            "name",
            e.code(),
            format!("姓名：{}", e.message(crate::domain::Lang::Zh)),
            format!("Name: {}", e.message(crate::domain::Lang::En)),
        ));
    }
    let id = crate::domain::ResidentId::parse(&id_number);
    if let Err(e) = &id {
        errors.push(FieldError::new(
            "id_number",
            e.code(),
            format!("身份证号码：{}", e.message(crate::domain::Lang::Zh)),
            format!("ID number: {}", e.message(crate::domain::Lang::En)),
        ));
    }
    let form = is_form_post().await;
    if !errors.is_empty() {
        if form {
            redirect(&format!(
                "{back}?error={}&name={}",
                errors[0].field,
                q(&name.chars().take(60).collect::<String>())
            ));
            return Ok(String::new());
        }
        return Err(AppError::Validation(errors));
    }
    let number = id.map(|i| i.as_str().to_string()).unwrap_or_default();
    let database = database()?;
    let check = crate::db::register::start_own_check(
        &database,
        &session.citizen_id,
        &name,
        "resident_id",
        &number,
        &crate::ops::people::identity_hash(&services, &number),
    )
    .await
    .map_err(|e| AppError::internal("identity", e))?;
    if form {
        redirect(&format!("/identity/{check}"));
    }
    Ok(check)
}

/// A unit's whole history, for staff: by unit number or certificate
/// number. Every query is in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitHistoryView {
    pub query: String,
    pub unit: Option<UnitView>,
    /// The register's size (units, current entries).
    pub units: i64,
    pub current: i64,
}

#[server(endpoint = "staff/register")]
pub async fn unit_history(query: String) -> Result<UnitHistoryView, AppError> {
    use crate::guards::case_worker;
    use crate::services::*;
    let s = case_worker().await?;
    let database = database()?;
    let internal = |e: sqlx::Error| AppError::internal("register", e);
    let query: String = crate::domain::normalize_compact(&query)
        .chars()
        .take(80)
        .collect();
    let (units, current) = crate::db::register::counts(&database)
        .await
        .map_err(internal)?;
    if query.is_empty() {
        return Ok(UnitHistoryView {
            query,
            unit: None,
            units,
            current,
        });
    }
    let unit_number = match crate::domain::UnitNumber::parse(&query) {
        Ok(u) => Some(u.as_str().to_string()),
        Err(_) => match crate::domain::CertificateNumber::parse(&query) {
            Ok(c) => crate::db::register::unit_of_any_certificate(&database, c.as_str())
                .await
                .map_err(internal)?,
            Err(_) => None,
        },
    };
    let standing = match &unit_number {
        Some(u) => crate::db::register::unit(&database, u, true)
            .await
            .map_err(internal)?,
        None => None,
    };
    crate::db::audit_now(
        &database,
        &crate::db::AuditEntry {
            actor: &s.staff_id,
            role: &s.role,
            action: "register_query",
            application_id: None,
            before: "",
            after: if standing.is_some() { "found" } else { "none" },
            reason: &query,
        },
    )
    .await
    .map_err(internal)?;
    let unit = match standing {
        Some(st) => {
            let receipts = crate::db::register::case_receipts(&database, &st.unit.unit_number)
                .await
                .map_err(internal)?;
            Some(unit_view(&st, &receipts))
        }
        None => None,
    };
    Ok(UnitHistoryView {
        query,
        unit,
        units,
        current,
    })
}

/// A mortgage as its bank sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MortgageView {
    pub unit_number: String,
    pub address: String,
    pub entry: EntryView,
}

/// The current mortgages registered to the signed-in bank.
#[server(endpoint = "org/mortgages")]
pub async fn my_mortgages() -> Result<Vec<MortgageView>, AppError> {
    use crate::guards::verified_org;
    use crate::services::*;
    let s = verified_org().await?;
    if s.org_kind != "bank" {
        return Err(AppError::NotFound);
    }
    let database = database()?;
    let rows = crate::db::register::mortgages_of(&database, &s.credit_code)
        .await
        .map_err(|e| AppError::internal("register", e))?;
    Ok(rows
        .iter()
        .map(|(u, e)| MortgageView {
            unit_number: u.unit_number.clone(),
            address: u.address.clone(),
            entry: entry_view(e, &[]),
        })
        .collect())
}

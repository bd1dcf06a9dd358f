//! Electronic certificates: the statement a case's issue seals, and what a
//! verifier is shown of a sealed document.

use crate::db::{self, ecerts::EcertRow, Db};
use crate::domain::application::Draft;
use crate::domain::catalogue::{Family, Matter, PartyRole};
use crate::domain::ecert::{
    new_code, share_words, EcertKind, EcertStatus, Holder, Statement, Verified,
};
use crate::error::AppError;
use crate::ops::seal::Seal;

fn day(ms: i64) -> String {
    crate::domain::calendar::china_time(ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Where the register does not yet hold a fact, the certificate says so.
pub const PER_REGISTER: &str = "以登记簿为准";

/// The statement a case's issue will seal (its number and key id are given
/// in the issuing transaction).
pub async fn statement_for(
    database: &Db,
    id: &str,
    matter: &Matter,
    case_no: &str,
    receipt_no: &str,
    issuer: &str,
) -> Result<Statement, AppError> {
    let internal = |ctx: &'static str| move |e: sqlx::Error| AppError::internal(ctx, e);
    let app = db::application_row(database, id)
        .await
        .map_err(internal("application"))?
        .ok_or(AppError::NotFound)?;
    let draft: Draft = serde_json::from_str(&app.draft).unwrap_or_default();
    let parties = db::parties(database, id)
        .await
        .map_err(internal("parties"))?;
    let kind = db::ecerts::kind_for(matter);
    // Whose right the document states: on a certificate the right holders
    // (heirs); on a proof the mortgagee where the matter has one, else the
    // right holders.
    let holder_roles: &[PartyRole] = match kind {
        EcertKind::Certificate => &[PartyRole::RightHolder, PartyRole::Heir],
        EcertKind::Proof if matter.parties.contains(&PartyRole::Mortgagee) => {
            &[PartyRole::Mortgagee]
        }
        EcertKind::Proof | EcertKind::RegisterResult => &[PartyRole::RightHolder, PartyRole::Heir],
    };
    let is_holder =
        |role: &str| PartyRole::from_code(role).is_some_and(|r| holder_roles.contains(&r));
    let mut holders: Vec<(String, String)> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for p in &parties {
        if is_holder(&p.role) {
            if !holders.iter().any(|(n, _)| n == &p.name) {
                holders.push((p.name.clone(), p.share.clone()));
            }
        } else if !others.contains(&p.name) {
            others.push(p.name.clone());
        }
    }
    let n = holders.len();
    let holders = holders
        .into_iter()
        .map(|(name, share)| Holder {
            share: share_words(&share, n),
            name,
        })
        .collect();
    let secured = matter
        .asks_secured_amount()
        .then(|| crate::domain::application::secured_fen(&draft.property))
        .flatten();
    let remarks = match (matter.family, secured) {
        (Family::Cancellation, _) => "所登记的权利已注销".to_string(),
        (_, Some(fen)) => format!("被担保主债权数额：{} 元", crate::domain::fees::yuan(fen)),
        _ => String::new(),
    };
    // Area and use as the register holds them (once it is loaded).
    let registered = crate::db::register::unit(database, draft.property.unit_number.trim(), false)
        .await
        .map_err(internal("register"))?
        .map(|s| s.unit);
    let (area, usage) = match registered {
        Some(u) => (
            if u.area.is_empty() {
                PER_REGISTER.to_string()
            } else {
                format!("{} ㎡", u.area)
            },
            if u.usage.is_empty() {
                PER_REGISTER.to_string()
            } else {
                u.usage
            },
        ),
        None => (PER_REGISTER.to_string(), PER_REGISTER.to_string()),
    };
    let mut random = [0u8; 10];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut random);
    Ok(Statement {
        v: 1,
        kind,
        code: new_code(random),
        number: String::new(),
        matter: matter.name_zh.clone(),
        unit_number: draft.property.unit_number.trim().to_string(),
        address: draft.property.address.trim().to_string(),
        holders,
        others,
        area,
        usage,
        remarks,
        case_no: case_no.to_string(),
        receipt_no: receipt_no.to_string(),
        issuer: issuer.to_string(),
        issued_on: crate::ops::case_facts::today().to_string(),
        key_id: String::new(),
    })
}

/// The cookie that carries a file check's result back to the page.
pub const FILE_COOKIE: &str = "onetrip_vf";
const FILE_COOKIE_MS: i64 = 5 * 60 * 1000;

/// `result.code.expires.mac`: what the upload found, for this browser only.
pub fn file_cookie(
    services: &crate::services::Services,
    result: &str,
    code: &str,
    now_ms: i64,
) -> String {
    let code = if code.is_empty() { "-" } else { code };
    let expires = (now_ms + FILE_COOKIE_MS).to_string();
    let mac = services.keyed_hash(&["verify-file", result, code, &expires]);
    format!("{result}.{code}.{expires}.{}", &mac[..32])
}

/// The result a file check left in this cookie, if it is ours, fresh, and
/// (for "same") about the code on the page.
pub fn file_result(
    services: &crate::services::Services,
    cookie: &str,
    page_code: Option<&str>,
    now_ms: i64,
) -> Option<String> {
    let mut parts = cookie.split('.');
    let (result, code, expires, mac) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || expires.parse::<i64>().ok()? < now_ms {
        return None;
    }
    let want = services.keyed_hash(&["verify-file", result, code, expires]);
    if want.get(..32)? != mac {
        return None;
    }
    match result {
        "same" if page_code == Some(code) => Some(result.to_string()),
        "unknown" | "invalid" => Some(result.to_string()),
        _ => None,
    }
}

/// The stored statement of a document, if it reads.
pub fn statement(row: &EcertRow) -> Option<Statement> {
    serde_json::from_str(&row.statement).ok()
}

/// What a verifier is shown; the seal is checked again on every look.
pub fn verified(row: &EcertRow, seal: &Seal) -> Option<Verified> {
    let s = statement(row)?;
    let seal_ok =
        row.key_id == seal.key_id() && seal.verify(row.statement.as_bytes(), &row.signature);
    let status = EcertStatus::from_code(&row.status).unwrap_or(EcertStatus::Revoked);
    let changed_on = if status == EcertStatus::Valid {
        String::new()
    } else {
        day(row.changed_at)
    };
    Some(Verified::from_statement(
        &s,
        status,
        changed_on,
        row.reason.clone(),
        seal_ok,
    ))
}

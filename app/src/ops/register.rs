//! The register as a case sees it: the facts of a case the register
//! compares, its automatic checks, the preview of its 登簿, and what 登簿
//! needs in the moving transaction (the keyed hashes of the ID numbers).

use crate::db::register as reg;
use crate::db::Db;
use crate::domain::application::Draft;
use crate::domain::catalogue::{Matter, PartyRole};
use crate::domain::register::{checks, plan, CaseFacts, CaseParty, Change, Check, Standing};
use crate::error::AppError;

fn internal(ctx: &'static str) -> impl Fn(sqlx::Error) -> AppError {
    move |e| AppError::internal(ctx, e)
}

/// The case's facts as the register compares them.
pub async fn case_facts(database: &Db, id: &str, matter: &Matter) -> Result<CaseFacts, AppError> {
    let app = crate::db::application_row(database, id)
        .await
        .map_err(internal("application"))?
        .ok_or(AppError::NotFound)?;
    let draft: Draft = serde_json::from_str(&app.draft).unwrap_or_default();
    let parties = crate::db::parties(database, id)
        .await
        .map_err(internal("parties"))?;
    Ok(facts_of(matter, &draft, &parties))
}

pub fn facts_of(matter: &Matter, draft: &Draft, parties: &[crate::db::PartyRow]) -> CaseFacts {
    CaseFacts {
        matter_code: matter.code.clone(),
        parts: matter.parts.clone(),
        parties: parties
            .iter()
            .filter_map(|p| {
                Some(CaseParty {
                    role: PartyRole::from_code(&p.role)?,
                    name: p.name.clone(),
                    id_number: crate::domain::normalize_compact(&p.id_number),
                    share: p.share.clone(),
                })
            })
            .collect(),
        unit_number: draft.property.unit_number.clone(),
        certificate_no: draft.property.certificate_number.clone(),
        address: draft.property.address.clone(),
        amount_fen: matter
            .asks_secured_amount()
            .then(|| crate::domain::application::secured_fen(&draft.property))
            .flatten(),
    }
}

/// The unit the case is about, as the register holds it now.
pub async fn standing(database: &Db, facts: &CaseFacts) -> Result<Option<Standing>, AppError> {
    reg::standing_for(database, facts)
        .await
        .map_err(internal("register"))
}

/// Whether the centre has loaded its register (checks and 登簿 apply).
pub async fn in_use(database: &Db) -> Result<bool, AppError> {
    reg::in_use(database).await.map_err(internal("register"))
}

/// The automatic checks against the register (none before it is loaded).
pub async fn case_checks(database: &Db, facts: &CaseFacts) -> Result<Vec<Check>, AppError> {
    if !in_use(database).await? {
        return Ok(Vec::new());
    }
    let s = standing(database, facts).await?;
    Ok(checks(facts, s.as_ref()))
}

/// What 登簿 would change now (or the failing checks that stop it).
pub async fn preview(
    database: &Db,
    facts: &CaseFacts,
) -> Result<Result<Vec<Change>, Vec<Check>>, AppError> {
    let s = standing(database, facts).await?;
    Ok(plan(facts, s.as_ref()))
}

/// The keyed hashes of the case's ID numbers, for the entries 登簿 writes.
pub fn hashes(services: &crate::services::Services, facts: &CaseFacts) -> Vec<(String, String)> {
    facts
        .parties
        .iter()
        .map(|p| {
            (
                p.id_number.clone(),
                crate::ops::people::identity_hash(services, &p.id_number),
            )
        })
        .collect()
}

/// The applicant's words for the failing checks (never the register's
/// names), one sentence each.
pub fn public_reasons(failed: &[Check], lang: crate::domain::Lang) -> String {
    let mut out: Vec<&str> = Vec::new();
    for c in failed.iter().filter(|c| !c.pass) {
        let t = match lang {
            crate::domain::Lang::Zh => c.public_zh.as_str(),
            crate::domain::Lang::En => c.public_en.as_str(),
        };
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out.join("")
}

/// Seal a proof of registration (不动产登记信息查询结果) for a citizen
/// whose identity is verified: what the register holds in their name now.
/// `None` when no verification of theirs counts.
pub async fn seal_proof(
    database: &Db,
    services: &crate::services::Services,
    citizen_id: &str,
) -> Result<Option<(reg::ProofRow, crate::domain::register::ProofStatement)>, AppError> {
    use crate::domain::register::{
        owners_words, restriction_words, ProofStatement, ProofUnit, RightKind,
    };
    let hashes = reg::verified_hashes(database, citizen_id)
        .await
        .map_err(internal("register"))?;
    if hashes.is_empty() {
        return Ok(None);
    }
    let units = reg::units_of(database, &hashes)
        .await
        .map_err(internal("register"))?;
    let (subject, subject_id) = reg::holder_by_hashes(database, &hashes)
        .await
        .map_err(internal("register"))?
        .unwrap_or_default();
    let mut random = [0u8; 10];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut random);
    let mut statement = ProofStatement {
        v: 1,
        code: crate::domain::ecert::new_code(random),
        subject,
        subject_id: mask_id(&subject_id),
        units: units
            .iter()
            .map(|s| {
                let own = s.current.iter().find(|e| e.kind == RightKind::Ownership);
                ProofUnit {
                    unit_number: s.unit.unit_number.clone(),
                    address: s.unit.address.clone(),
                    area: s.unit.area.clone(),
                    usage: s.unit.usage.clone(),
                    certificate_no: own.map(|e| e.certificate_no.clone()).unwrap_or_default(),
                    owners: own.map(owners_words).unwrap_or_default(),
                    restrictions: s
                        .current
                        .iter()
                        .filter(|e| e.kind.is_restriction())
                        .map(restriction_words)
                        .collect(),
                }
            })
            .collect(),
        issuer: format!("{}不动产登记中心", services.policy.cert_city),
        queried_at: crate::views::local_time(crate::db::now_ms()),
        key_id: services.seal.key_id().to_string(),
    };
    statement.key_id = services.seal.key_id().to_string();
    let canonical = statement.canonical();
    let row = reg::ProofRow {
        id: uuid::Uuid::new_v4().simple().to_string(),
        code: statement.code.clone(),
        citizen_id: citizen_id.to_string(),
        statement: String::from_utf8_lossy(&canonical).into_owned(),
        signature: services.seal.sign(&canonical),
        key_id: statement.key_id.clone(),
        issued_at: crate::db::now_ms(),
    };
    reg::insert_proof(database, &row)
        .await
        .map_err(internal("register"))?;
    Ok(Some((row, statement)))
}

/// An ID number as a proof prints it: the first 3 and last 4 characters.
pub fn mask_id(id: &str) -> String {
    let n = id.chars().count();
    if n <= 7 {
        return "*".repeat(n);
    }
    id.chars()
        .enumerate()
        .map(|(i, c)| if i < 3 || i >= n - 4 { c } else { '*' })
        .collect()
}

/// A proof of registration by its verification code, as a verifier sees it.
pub async fn verified_proof(
    database: &Db,
    seal: &crate::ops::seal::Seal,
    code: &str,
) -> Result<Option<crate::domain::ecert::Verified>, sqlx::Error> {
    let Some(proof) = reg::proof_by_code(database, code).await? else {
        return Ok(None);
    };
    let Ok(statement) =
        serde_json::from_str::<crate::domain::register::ProofStatement>(&proof.statement)
    else {
        return Ok(None);
    };
    let seal_ok = seal.verify(proof.statement.as_bytes(), &proof.signature);
    Ok(Some(statement.verified(seal_ok)))
}

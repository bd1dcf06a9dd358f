//! The cases that name an organisation, and its standing on them (the
//! developer's home page and its cases page).

use crate::db::{Db, OrgSession};
use crate::domain::people::Standing;
use crate::error::AppError;
use crate::ops::people::People;
use crate::views::OrgCaseItem;

/// The applications naming this organisation, newest first.
pub async fn items(database: &Db, s: &OrgSession) -> Result<Vec<OrgCaseItem>, AppError> {
    let matters = crate::db::list_matters(database)
        .await
        .map_err(|e| AppError::internal("matters", e))?;
    let rows = crate::db::org_cases(database, &s.credit_code, 200)
        .await
        .map_err(|e| AppError::internal("org cases", e))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let p = crate::ops::people::people(database, &r.id).await?;
        let ours = ours(&p, &s.credit_code);
        let draft: crate::domain::application::Draft =
            serde_json::from_str(&r.draft).unwrap_or_default();
        let m = matters.iter().find(|m| m.code == r.matter_code);
        out.push(OrgCaseItem {
            receipt: r.receipt_no.unwrap_or_default(),
            matter_zh: m.map(|m| m.name_zh.clone()).unwrap_or_default(),
            matter_en: m.map(|m| m.name_en.clone()).unwrap_or_default(),
            address: draft.property.address,
            stage: if r.status == "withdrawn" {
                "withdrawn".into()
            } else {
                r.stage
            },
            standing: our_standing(&p, &ours),
            submitted: r
                .submitted_at
                .map(crate::views::local_time)
                .unwrap_or_default(),
            id: r.id,
        });
    }
    Ok(out)
}

/// The entries of a case that name this organisation.
pub fn ours(p: &People, credit_code: &str) -> Vec<i64> {
    p.parties
        .iter()
        .filter(|x| x.id_type == "organisation" && x.id_number == credit_code)
        .map(|x| x.idx)
        .collect()
}

/// The organisation's standing on its entries: the weakest of them.
pub fn our_standing(p: &People, ours: &[i64]) -> Standing {
    let mine: Vec<Standing> = p
        .standings
        .iter()
        .filter(|s| ours.contains(&s.idx))
        .map(|s| s.standing)
        .collect();
    if mine.contains(&Standing::Objected) {
        Standing::Objected
    } else if mine.iter().all(|s| s.agrees()) && !mine.is_empty() {
        Standing::Confirmed
    } else if mine.contains(&Standing::Outdated) {
        Standing::Outdated
    } else {
        Standing::Waiting
    }
}

pub fn open(status: &str, stage: &str) -> bool {
    status == "submitted" && matches!(stage, "pre_review" | "returned" | "pre_accepted")
}

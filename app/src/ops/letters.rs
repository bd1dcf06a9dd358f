//! The facts a printable letter states, read from the database. The caller
//! (the server's letter route) has already authorised the reader.

use crate::db::{self, Db};
use crate::domain::case::{reason_label, Stage};
use crate::domain::letter::{LetterFacts, NoticeLine};
use crate::domain::Lang;
use crate::error::AppError;

fn day(ms: i64) -> String {
    crate::domain::calendar::china_time(ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Everything the letters of a submitted application may say; `NotFound`
/// when there is no such case.
pub async fn letter_facts(database: &Db, id: &str) -> Result<LetterFacts, AppError> {
    let internal = |ctx: &'static str| move |e: sqlx::Error| AppError::internal(ctx, e);
    let case = db::case_row(database, id)
        .await
        .map_err(internal("case"))?
        .ok_or(AppError::NotFound)?;
    let app = db::application_row(database, id)
        .await
        .map_err(internal("application"))?
        .ok_or(AppError::NotFound)?;
    let draft: crate::domain::application::Draft =
        serde_json::from_str(&app.draft).unwrap_or_default();
    let matter = db::list_matters(database)
        .await
        .map_err(internal("matters"))?
        .into_iter()
        .find(|m| m.code == case.matter_code)
        .ok_or(AppError::NotFound)?;
    let site = db::find_active_site(database, &case.site_code)
        .await
        .map_err(internal("site"))?;
    let mut applicants: Vec<String> = Vec::new();
    for p in db::parties(database, id)
        .await
        .map_err(internal("parties"))?
    {
        if !applicants.contains(&p.name) {
            applicants.push(p.name);
        }
    }
    let notice = db::latest_notice(database, id)
        .await
        .map_err(internal("notice"))?
        .map(|(n, items)| {
            let lines = items
                .into_iter()
                .map(|i| {
                    // "Other" says nothing by itself: the clerk's note is the reason.
                    let (reason, note) = if i.reason == "other" && !i.note.trim().is_empty() {
                        (i.note, String::new())
                    } else {
                        (reason_label(&i.reason, Lang::Zh).to_string(), i.note)
                    };
                    NoticeLine {
                        material: matter
                            .checklist
                            .iter()
                            .find(|c| c.material == i.material)
                            .map(|c| c.name_zh.clone())
                            .unwrap_or(i.material),
                        reason,
                        note,
                    }
                })
                .collect();
            (day(n.created_at), lines)
        });
    let refusal_reason = if Stage::from_code(&case.stage) == Some(Stage::Rejected) {
        db::events(database, id)
            .await
            .map_err(internal("events"))?
            .into_iter()
            .rev()
            .find(|e| e.kind == Stage::Rejected.code())
            .map(|e| e.note)
    } else {
        None
    };
    Ok(LetterFacts {
        receipt_no: case.receipt_no.unwrap_or_default(),
        case_no: case.case_no,
        matter: matter.name_zh.clone(),
        site: site.as_ref().map(|s| s.name_zh.clone()).unwrap_or_default(),
        site_address: site
            .as_ref()
            .map(|s| s.address_zh.clone())
            .unwrap_or_default(),
        site_phone: site.map(|s| s.phone).unwrap_or_default(),
        applicants,
        unit: draft.property.unit_number.trim().to_string(),
        submitted_on: case.submitted_at.map(day).unwrap_or_default(),
        accepted_on: case.accepted_at.map(day),
        due_on: crate::domain::hours::Due::from_columns(case.due_on.as_deref(), case.due_at)
            .map(|d| d.label()),
        promised: Some(matter.promise_zh()),
        notice,
        refusal_reason,
        owed: db::owed(database, id)
            .await
            .map_err(internal("owed"))?
            .into_iter()
            .filter(|o| o.received_at.is_none())
            .map(|o| {
                matter
                    .checklist
                    .iter()
                    .find(|c| c.material == o.material)
                    .map(|c| c.name_zh.clone())
                    .unwrap_or(o.material)
            })
            .collect(),
        printed_on: crate::ops::case_facts::today().to_string(),
    })
}

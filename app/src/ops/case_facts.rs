//! The facts of one case as several areas show them: its matter, documents,
//! correction notice, owed originals, and the clock its deadlines run on.

use crate::db::ApplicationRow;
use crate::db::{self};
use crate::domain::application::Draft;
use crate::domain::calendar::Urgency;
use crate::domain::catalogue::Matter;
use crate::domain::hours::{Clock, Due};
use crate::error::internal;
use crate::error::AppError;
use crate::services::*;
use crate::views::DocumentView;
use crate::views::*;

/// The catalogue's active matters, from the in-memory copy.
pub async fn matters() -> Result<std::sync::Arc<Vec<Matter>>, AppError> {
    services()?
        .catalogue
        .matters(&database()?)
        .await
        .map_err(internal("matters"))
}

pub async fn load_matter(code: &str) -> Result<Matter, AppError> {
    matters()
        .await?
        .iter()
        .find(|m| m.code == code)
        .cloned()
        .ok_or(AppError::NotFound)
}

pub fn draft_of(row: &ApplicationRow) -> Draft {
    serde_json::from_str(&row.draft).unwrap_or_default()
}

/// The application if this citizen may see it; `NotFound` otherwise.
/// An application's documents in checklist order, with preview flags.
pub async fn document_views(
    database: &db::Db,
    application_id: &str,
) -> Result<Vec<DocumentView>, AppError> {
    let ready = db::previews_ready(database, application_id)
        .await
        .map_err(internal("previews"))?;
    Ok(db::documents_of(database, application_id)
        .await
        .map_err(internal("documents"))?
        .into_iter()
        .map(|d| DocumentView {
            preview: ready.contains(&d.sha256),
            id: d.id,
            material: d.material,
            name: d.display_name,
            size: d.size,
            mime: d.mime,
        })
        .collect())
}

/// The working-day calendar as the administrators keep it and the
/// sites' hours, now (read per request: small tables, and every server
/// sees an edit at once).
pub async fn clock(database: &crate::db::Db) -> Result<Clock, AppError> {
    crate::db::load_clock(database, crate::db::now_ms())
        .await
        .map_err(internal("clock"))
}

/// A stored deadline's urgency now and its label.
pub fn judge(
    clock: &Clock,
    site: &str,
    due_on: Option<&str>,
    due_at: Option<i64>,
) -> (Option<Urgency>, Option<String>) {
    match Due::from_columns(due_on, due_at) {
        Some(due) => (Some(clock.urgency(site, &due)), Some(due.label())),
        None => (None, None),
    }
}

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&crate::domain::calendar::china())
        .date_naive()
}

/// Save one wizard step (every step autosaves, valid or not) and move on.
/// `op`: `next` (default), `back`, `save` (save and leave), `stay` (save,
/// stay: the browser's check failed), `add:<role>`,
/// `remove:<index>`. `f` holds the step's fields.
/// An application's documents in checklist order, with preview flags (for
/// the workbench).
#[cfg(feature = "ssr")]
pub async fn document_views_for(
    database: &crate::db::Db,
    application_id: &str,
) -> Result<Vec<DocumentView>, AppError> {
    document_views(database, application_id).await
}

/// The owed materials of a case, named from its checklist.
#[cfg(feature = "ssr")]
pub async fn owed_views(
    database: &crate::db::Db,
    id: &str,
    matter: &Matter,
) -> Result<Vec<OwedView>, AppError> {
    use crate::views::local_time;
    Ok(crate::db::owed(database, id)
        .await
        .map_err(|e| AppError::internal("owed", e))?
        .into_iter()
        .map(|o| {
            let item = matter.checklist.iter().find(|c| c.material == o.material);
            OwedView {
                name_zh: item.map(|c| c.name_zh.clone()).unwrap_or_default(),
                name_en: item.map(|c| c.name_en.clone()).unwrap_or_default(),
                material: o.material,
                promised_at: local_time(o.promised_at),
                received_at: o.received_at.map(local_time),
            }
        })
        .collect())
}

/// The latest correction notice of an application, item by item, with what
/// changed since it was made.
#[cfg(feature = "ssr")]
pub async fn notice_view(
    database: &crate::db::Db,
    id: &str,
    matter: &Matter,
    documents: &[DocumentView],
) -> Result<Option<NoticeView>, AppError> {
    use crate::views::local_time;
    let Some((n, items)) = crate::db::latest_notice(database, id)
        .await
        .map_err(|e| AppError::internal("notice", e))?
    else {
        return Ok(None);
    };
    let snapshot: Vec<serde_json::Value> = serde_json::from_str(&n.snapshot).unwrap_or_default();
    let items = items
        .into_iter()
        .map(|i| {
            let before: Vec<&str> = snapshot
                .iter()
                .filter(|v| v["material"] == i.material.as_str())
                .filter_map(|v| v["id"].as_str())
                .collect();
            let now: Vec<&DocumentView> = documents
                .iter()
                .filter(|d| d.material == i.material)
                .collect();
            let added = now
                .iter()
                .filter(|d| !before.contains(&d.id.as_str()))
                .map(|d| d.name.clone())
                .collect();
            let removed = before
                .iter()
                .filter(|b| !now.iter().any(|d| d.id == **b))
                .count();
            let item = matter.checklist.iter().find(|c| c.material == i.material);
            NoticeItemView {
                material_zh: item.map(|c| c.name_zh.clone()).unwrap_or_default(),
                material_en: item.map(|c| c.name_en.clone()).unwrap_or_default(),
                material: i.material,
                reason: i.reason,
                note: i.note,
                added,
                removed,
            }
        })
        .collect();
    Ok(Some(NoticeView {
        created_at: local_time(n.created_at),
        answered_at: n.answered_at.map(local_time),
        items,
    }))
}

/// A check that passes when nothing was found, and otherwise names it.
#[cfg(feature = "ssr")]
pub fn list_check(
    code: &str,
    found_zh: &[String],
    found_en: &[String],
    ok: (&str, &str),
    bad: (&str, &str),
) -> CheckView {
    let pass = found_zh.is_empty();
    CheckView {
        code: code.into(),
        pass,
        zh: if pass {
            ok.0.into()
        } else {
            format!("{}{}", bad.0, found_zh.join("、"))
        },
        en: if pass {
            ok.1.into()
        } else {
            format!("{}{}", bad.1, found_en.join(", "))
        },
    }
}

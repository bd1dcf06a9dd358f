//! Help articles as administrators edit them: every article (published or
//! not), create or change one, publish or unpublish. Each change is audited.
#![allow(clippy::too_many_arguments)] // the #[server] macro copies form fields into generated fns

use crate::domain::help::{HelpArticle, HelpForm};
use crate::error::{AppError, FieldError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A refused form, shown again with its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpDraftView {
    /// The article's address before the edit; empty for a new one.
    pub original: String,
    pub form: HelpForm,
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpAdminView {
    pub articles: Vec<HelpArticle>,
    /// This administrator's refused form, when the page is asked for it.
    pub draft: Option<HelpDraftView>,
}

/// Every article; with `draft` = "1", this administrator's refused form too.
#[server(endpoint = "help/admin")]
pub async fn help_admin(draft: String) -> Result<HelpAdminView, AppError> {
    use crate::services::database;
    let admin = crate::guards::require_admin(None).await?;
    let db = database()?;
    let articles = crate::db::help::all(&db)
        .await
        .map_err(|e| AppError::internal("help admin", e))?;
    let draft = if draft == "1" {
        crate::db::help::draft(&db, &admin.staff_id)
            .await
            .map_err(|e| AppError::internal("help draft", e))?
            .and_then(|(original, form, errors)| {
                Some(HelpDraftView {
                    original,
                    form: serde_json::from_str(&form).ok()?,
                    errors: serde_json::from_str(&errors).ok()?,
                })
            })
    } else {
        None
    };
    Ok(HelpAdminView { articles, draft })
}

/// Create (`original` empty) or change the article at `original`. The
/// address (`id`) of an existing article cannot change. Without JavaScript
/// a refused form comes back with what was typed and the messages.
#[server(endpoint = "help/save")]
pub async fn help_save(
    csrf: String,
    original: String,
    id: String,
    position: String,
    question_zh: String,
    answer_zh: String,
    question_en: String,
    answer_en: String,
    keywords: String,
    matters: String,
    steps: String,
) -> Result<String, AppError> {
    use crate::db::help::Saved;
    use crate::services::*;
    let admin = crate::guards::require_admin(Some(&csrf)).await?;
    let form_post = is_form_post().await;
    let db = database()?;
    let original = original.trim().to_ascii_lowercase();
    let form = HelpForm {
        id: if original.is_empty() {
            id
        } else {
            original.clone()
        },
        position,
        question_zh,
        answer_zh,
        question_en,
        answer_en,
        keywords,
        matters,
        steps,
    };
    if !original.is_empty() {
        let exists = crate::db::help::get(&db, &original)
            .await
            .map_err(|e| AppError::internal("help get", e))?;
        if exists.is_none() {
            return Err(AppError::NotFound);
        }
    }
    let catalogue = crate::ops::case_facts::matters().await?;
    let parsed = form.parse(|code| catalogue.iter().any(|m| m.code == code));
    let mut errors: Vec<FieldError> = match &parsed {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .iter()
            .map(|(f, zh, en)| FieldError::new(f, "invalid", zh.clone(), en.clone()))
            .collect(),
    };
    let mut saved = None;
    if let Ok(draft) = &parsed {
        match crate::db::help::save(&db, draft, original.is_empty(), &admin.staff_id)
            .await
            .map_err(|e| AppError::internal("help save", e))?
        {
            Saved::Taken => errors.push(FieldError::new(
                "id",
                "taken",
                format!("地址名 {} 已被另一篇使用，请换一个", draft.id),
                format!(
                    "Another article already uses the address {}; choose another",
                    draft.id
                ),
            )),
            done => saved = Some((done, draft.id.clone())),
        }
    }
    match saved {
        Some((done, id)) => {
            let _ = crate::db::help::drop_draft(&db, &admin.staff_id).await;
            if form_post {
                let ok = if done == Saved::Created {
                    "created"
                } else {
                    "saved"
                };
                redirect(&format!("/staff/help?ok={ok}&a={}#help-{}", q(&id), q(&id)));
            }
            Ok(id)
        }
        None => {
            if form_post {
                let form_json = serde_json::to_string(&form).unwrap_or_default();
                let errors_json = serde_json::to_string(&errors).unwrap_or_default();
                crate::db::help::keep_draft(
                    &db,
                    &admin.staff_id,
                    &original,
                    &form_json,
                    &errors_json,
                )
                .await
                .map_err(|e| AppError::internal("help draft", e))?;
                redirect("/staff/help?draft=1#help-form");
                return Ok(String::new());
            }
            Err(AppError::Validation(errors))
        }
    }
}

/// Publish (`published` = "1") or unpublish ("0") an article.
#[server(endpoint = "help/publish")]
pub async fn help_publish(csrf: String, id: String, published: String) -> Result<(), AppError> {
    use crate::services::*;
    let admin = crate::guards::require_admin(Some(&csrf)).await?;
    let form_post = is_form_post().await;
    let publish = match published.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::BadRequest),
    };
    let id = id.trim().to_ascii_lowercase();
    let done = crate::db::help::set_published(&database()?, &id, publish, &admin.staff_id)
        .await
        .map_err(|e| AppError::internal("help publish", e))?;
    if !done {
        return Err(AppError::NotFound);
    }
    if form_post {
        let ok = if publish { "published" } else { "unpublished" };
        redirect(&format!("/staff/help?ok={ok}&a={}#help-{}", q(&id), q(&id)));
    }
    Ok(())
}

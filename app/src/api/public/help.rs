//! Help (常见问题) for anyone: search, one article, and the articles that
//! belong on a matter's notice or a wizard step.

use crate::domain::catalogue::Matter;
use crate::domain::help::HelpArticle;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a search found (published articles only, best first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpResults {
    pub query: String,
    pub hits: Vec<HelpArticle>,
}

/// One article with the matters it is about: their names and, for the
/// "what do I need for…" answers, their checklists as the catalogue has
/// them now (so the answer never disagrees with the service guide).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpArticleView {
    pub article: HelpArticle,
    pub matters: Vec<Matter>,
    /// Other articles about the same matters or steps.
    pub related: Vec<HelpArticle>,
}

/// The longest query read (longer input is cut, not refused).
pub const QUERY_MAX: usize = 100;

#[cfg(feature = "ssr")]
async fn published() -> Result<Vec<HelpArticle>, AppError> {
    use crate::services::database;
    let all = crate::db::help::all(&database()?)
        .await
        .map_err(|e| AppError::internal("help", e))?;
    Ok(all.into_iter().filter(|a| a.published).collect())
}

#[server(endpoint = "help/search")]
pub async fn help_search(q: String) -> Result<HelpResults, AppError> {
    let query: String = q.chars().take(QUERY_MAX).collect();
    let all = published().await?;
    let hits = crate::domain::help::search(&all, &query)
        .into_iter()
        .cloned()
        .collect();
    Ok(HelpResults { query, hits })
}

/// A published article; `NotFound` otherwise.
#[server(endpoint = "help/article")]
pub async fn get_help_article(id: String) -> Result<HelpArticleView, AppError> {
    let id = id.trim().to_ascii_lowercase();
    let all = published().await?;
    let Some(article) = all.iter().find(|a| a.id == id).cloned() else {
        return Err(AppError::NotFound);
    };
    let catalogue = crate::ops::case_facts::matters().await?;
    let matters = article
        .matters
        .iter()
        .filter_map(|code| catalogue.iter().find(|m| &m.code == code).cloned())
        .collect();
    let related = all
        .iter()
        .filter(|a| a.id != article.id)
        .filter(|a| {
            a.matters.iter().any(|m| article.matters.contains(m))
                || a.steps.iter().any(|s| article.steps.contains(s))
        })
        .take(5)
        .cloned()
        .collect();
    Ok(HelpArticleView {
        article,
        matters,
        related,
    })
}

/// The articles for a matter's notice (`step` empty: those about the
/// matter) or for one wizard step of it (those offered there).
#[server(endpoint = "help/for")]
pub async fn help_for(matter: String, step: String) -> Result<Vec<HelpArticle>, AppError> {
    use crate::domain::application::Step;
    let matter = matter.trim().to_ascii_uppercase();
    let all = published().await?;
    let picked = if step.is_empty() {
        all.into_iter()
            .filter(|a| a.matters.contains(&matter))
            .collect()
    } else {
        let Some(step) = Step::from_slug(&step) else {
            return Err(AppError::NotFound);
        };
        all.into_iter()
            .filter(|a| a.offered_on(&matter, step))
            .collect()
    };
    Ok(picked)
}

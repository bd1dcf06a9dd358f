//! A verified organisation's home: members, projects, batches, cases, API tokens.

#[cfg(feature = "ssr")]
use crate::api::developer::messages::*;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectItem {
    pub id: String,
    pub name: String,
    pub site_code: String,
    pub address: String,
    pub units: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteChoice {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// The developer's home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgHome {
    pub me: OrgMe,
    pub members: Vec<MemberItem>,
    pub projects: Vec<ProjectItem>,
    pub sites: Vec<SiteChoice>,
    pub batches: Vec<crate::views::BatchItem>,
    /// The organisation's API tokens (administrators only).
    pub tokens: Vec<TokenItem>,
    /// A token just made, shown this once.
    pub new_token: Option<String>,
    /// The applications naming the organisation (a bank's mortgages).
    pub cases: Vec<crate::views::OrgCaseItem>,
}

#[cfg(feature = "ssr")]
async fn me_of(s: &crate::db::OrgSession) -> Result<OrgMe, AppError> {
    let database = crate::services::database()?;
    let org = crate::db::org_by_id(&database, &s.org_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    Ok(OrgMe {
        org_name: s.org_name.clone(),
        kind: s.org_kind.clone(),
        credit_code: s.credit_code.clone(),
        status: s.org_status.clone(),
        reject_reason: org.reject_reason,
        member_name: s.member_name.clone(),
        is_admin: s.is_admin(),
        csrf: s.csrf_token.clone(),
    })
}

/// The developer's home: `None` when nobody is signed in (the page then
/// offers sign-in and registration).
#[server(endpoint = "org/home")]
pub async fn get_org_home() -> Result<Option<OrgHome>, AppError> {
    use crate::db;
    use crate::guards::*;
    use crate::services::*;
    let Some(s) = current_org().await? else {
        return Ok(None);
    };
    let database = database()?;
    let me = me_of(&s).await?;
    let members = if s.is_admin() {
        db::members_of(&database, &s.org_id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|m| MemberItem {
                is_me: m.id == s.member_id,
                invited: m.password_hash.is_none(),
                mobile_masked: mask(&m.mobile),
                id: m.id,
                name: m.name,
                role: m.role,
                active: m.active == 1,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut projects = Vec::new();
    for p in db::projects_of(&database, &s.org_id)
        .await
        .map_err(internal)?
    {
        let units = db::unit_count(&database, &p.id).await.map_err(internal)?;
        projects.push(ProjectItem {
            id: p.id,
            name: p.name,
            site_code: p.site_code,
            address: p.address,
            units,
        });
    }
    let sites = db::list_active_sites(&database)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|s| SiteChoice {
            code: s.code,
            name_zh: s.name_zh,
            name_en: s.name_en,
        })
        .collect();
    let batches = crate::ops::batches::batches_of_org(&database, &s.org_id).await?;
    let (tokens, new_token) = if s.is_admin() {
        use crate::views::local_time;
        let tokens = db::tokens_of(&database, &s.org_id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|t| TokenItem {
                id: t.id,
                name: t.name,
                prefix: t.prefix,
                created: local_time(t.created_at),
                last_used: t.last_used_at.map(local_time),
                revoked: t.revoked_at.is_some(),
            })
            .collect();
        // Shown once: the cookie that carried it here is cleared.
        let new_token = match new_token_cookie().await {
            Some(t) => {
                set_new_token_cookie("", &services()?.policy);
                db::token_owner(&database, &sha256_hex(&t))
                    .await
                    .map_err(internal)?
                    .filter(|o| o.org_id == s.org_id)
                    .map(|_| t)
            }
            None => None,
        };
        (tokens, new_token)
    } else {
        (Vec::new(), None)
    };
    // Nothing names an organisation until it is verified.
    let cases = if s.verified() {
        crate::ops::org_cases::items(&database, &s).await?
    } else {
        Vec::new()
    };
    Ok(Some(OrgHome {
        me,
        members,
        projects,
        sites,
        batches,
        tokens,
        new_token,
        cases,
    }))
}

/// Create a project (verified organisations). Its units come from a
/// spreadsheet upload on the project's page.
#[server(endpoint = "org/project_create")]
pub async fn create_project(
    csrf: String,
    name: String,
    site: String,
    address: String,
) -> Result<String, AppError> {
    use crate::db;
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = require_org().await?;
    check_org_csrf(&s, &csrf)?;
    let back = "/developer#projects";
    if !s.verified() {
        return refuse(form, back, &["not_verified"]);
    }
    let database = database()?;
    let mut codes = Vec::new();
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        codes.push("project_name");
    }
    let address = address.trim().to_string();
    if address.is_empty() || address.chars().count() > 200 {
        codes.push("address");
    }
    let sites = db::list_active_sites(&database).await.map_err(internal)?;
    if !sites.iter().any(|x| x.code == site) {
        codes.push("site");
    }
    if !codes.is_empty() {
        return refuse(form, back, &codes);
    }
    let p = db::ProjectRow {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: s.org_id.clone(),
        name,
        site_code: site,
        address,
        created_at: db::now_ms(),
    };
    if !db::insert_project(&database, &p).await.map_err(internal)? {
        return refuse(form, back, &["project_taken"]);
    }
    if form {
        redirect(&format!("/developer/projects/{}", p.id));
    }
    Ok(p.id)
}

/// The signed-in member and their organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgMe {
    pub org_name: String,
    /// `developer` or `bank`.
    pub kind: String,
    pub credit_code: String,
    /// `pending`, `verified` or `rejected`.
    pub status: String,
    pub reject_reason: String,
    pub member_name: String,
    pub is_admin: bool,
    pub csrf: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberItem {
    pub id: String,
    pub name: String,
    pub mobile_masked: String,
    pub role: String,
    pub active: bool,
    /// Invited, password not yet set.
    pub invited: bool,
    pub is_me: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenItem {
    pub id: String,
    pub name: String,
    /// The first characters, to tell tokens apart.
    pub prefix: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: bool,
}

//! /staff/admin: staff accounts, kept by administrators.

#[cfg(feature = "ssr")]
use crate::api::clerk::signin::field_error;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One account in the administrator's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffListItem {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub locked: bool,
    pub sites: Vec<String>,
}

#[server(endpoint = "staff/list")]
pub async fn list_staff() -> Result<Vec<StaffListItem>, AppError> {
    use crate::guards::*;
    use crate::services::*;
    require_admin(None).await?;
    let database = database()?;
    let now = crate::db::now_ms();
    let rows = crate::db::all_staff(&database)
        .await
        .map_err(|e| AppError::internal("staff", e))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let sites = crate::db::staff_sites(&database, &r.id)
            .await
            .map_err(|e| AppError::internal("sites", e))?;
        out.push(StaffListItem {
            locked: r.locked_until > now,
            active: r.active == 1,
            id: r.id,
            username: r.username,
            name: r.name,
            role: r.role,
            sites,
        });
    }
    Ok(out)
}

/// Create an account (administrators only). The sites are the form's
/// checkboxes `f[site-<code>]`.
#[server(endpoint = "staff/create")]
pub async fn create_staff(
    csrf: String,
    username: String,
    name: String,
    role: String,
    password: String,
    f: Option<std::collections::HashMap<String, String>>,
) -> Result<String, AppError> {
    use crate::domain::case::Role;
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let admin = require_admin(Some(&csrf)).await?;
    let database = database()?;
    let known: Vec<String> = crate::db::list_active_sites(&database)
        .await
        .map_err(|e| AppError::internal("sites", e))?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let f = f.unwrap_or_default();
    let sites: Vec<String> = known
        .into_iter()
        .filter(|c| f.get(&format!("site-{c}")).is_some_and(|v| !v.is_empty()))
        .collect();
    let checked = (|| {
        let u = crate::domain::credentials::check_username(&username)?;
        if name.trim().is_empty() || name.chars().count() > 50 {
            return Err("name");
        }
        let r = Role::from_code(&role).ok_or("role")?;
        crate::domain::credentials::check_password(&password)?;
        if sites.is_empty() && r != Role::Admin {
            return Err("sites");
        }
        Ok((u, r))
    })();
    let (u, r) = match checked {
        Ok(x) => x,
        Err(code) if form => {
            redirect(&format!("/staff/admin?error={code}"));
            return Ok(String::new());
        }
        Err(code) => return Err(field_error(code)),
    };
    let hash = hash_password(password).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let created = crate::db::insert_staff(&database, &id, &u, name.trim(), &hash, r.code(), &sites)
        .await
        .map_err(|e| AppError::internal("insert staff", e))?;
    if !created {
        if form {
            redirect("/staff/admin?error=username_taken");
            return Ok(String::new());
        }
        return Err(field_error("username_taken"));
    }
    crate::db::audit_now(
        &database,
        &crate::db::AuditEntry {
            actor: &admin.staff_id,
            role: &admin.role,
            action: "staff_create",
            after: &format!("{u} {}", r.code()),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| AppError::internal("audit", e))?;
    if form {
        redirect("/staff/admin?ok=created");
    }
    Ok(id)
}

/// Disable (ending its sessions) or re-enable an account.
#[server(endpoint = "staff/set_active")]
pub async fn set_staff_active(csrf: String, id: String, active: String) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;
    let admin = require_admin(Some(&csrf)).await?;
    if id == admin.staff_id {
        return Err(AppError::Conflict {
            code: "self".into(),
        });
    }
    let database = database()?;
    let on = active == "1" || active == "true";
    if !crate::db::set_staff_active(&database, &id, on)
        .await
        .map_err(|e| AppError::internal("set active", e))?
    {
        return Err(AppError::NotFound);
    }
    crate::db::audit_now(
        &database,
        &crate::db::AuditEntry {
            actor: &admin.staff_id,
            role: &admin.role,
            action: if on { "staff_enable" } else { "staff_disable" },
            after: &id,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| AppError::internal("audit", e))?;
    if is_form_post().await {
        redirect("/staff/admin?ok=saved");
    }
    Ok(())
}

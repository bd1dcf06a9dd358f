//! API tokens for an organisation's own systems.

#[cfg(feature = "ssr")]
use crate::api::developer::messages::*;
use crate::error::AppError;
use leptos::prelude::*;

/// Make an API token (organisation administrators of a verified
/// organisation). The token is answered (and shown on the page) once; only
/// its SHA-256 is kept.
#[server(endpoint = "org/token_create")]
pub async fn create_token(csrf: String, name: String) -> Result<String, AppError> {
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = require_org().await?;
    check_org_csrf(&s, &csrf)?;
    if !s.is_admin() {
        return Err(AppError::Forbidden);
    }
    let back = "/developer#api";
    if !s.verified() {
        return refuse(form, back, &["not_verified"]);
    }
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 50 {
        return refuse(form, back, &["token_name"]);
    }
    let token = format!("ot_{}", random_token());
    crate::db::insert_token(
        &database()?,
        &uuid::Uuid::new_v4().to_string(),
        &s.org_id,
        &name,
        &sha256_hex(&token),
        &token[..10],
        &s.member_id,
    )
    .await
    .map_err(internal)?;
    if form {
        set_new_token_cookie(&token, &services()?.policy);
        redirect("/developer?ok=token#api");
    }
    Ok(token)
}

/// Revoke an API token at once (organisation administrators).
#[server(endpoint = "org/token_revoke")]
pub async fn revoke_token(csrf: String, id: String) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = require_org().await?;
    check_org_csrf(&s, &csrf)?;
    if !s.is_admin() {
        return Err(AppError::Forbidden);
    }
    if !crate::db::revoke_token(&database()?, &s.org_id, &id)
        .await
        .map_err(internal)?
    {
        return Err(AppError::NotFound);
    }
    if form {
        redirect("/developer#api");
    }
    Ok(())
}

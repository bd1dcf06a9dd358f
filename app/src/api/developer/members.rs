//! An organisation's members: invitations and (de)activation.

#[cfg(feature = "ssr")]
use crate::api::developer::messages::*;
use crate::error::AppError;
use leptos::prelude::*;

/// Invite a member (organisation administrators): a link texted to their
/// mobile lets them set a password within 7 days.
#[server(endpoint = "org/invite")]
pub async fn invite_member(
    csrf: String,
    name: String,
    mobile: String,
    role: String,
) -> Result<(), AppError> {
    use crate::db;
    use crate::domain::MobileNumber;
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = require_org().await?;
    check_org_csrf(&s, &csrf)?;
    if !s.is_admin() {
        return Err(AppError::Forbidden);
    }
    let back = "/developer#members";
    let mut codes = Vec::new();
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 50 {
        codes.push("name");
    }
    let mobile = MobileNumber::parse(&mobile)
        .map_err(|_| codes.push("mobile"))
        .ok();
    if !matches!(role.as_str(), "admin" | "filer") {
        codes.push("role");
    }
    let (Some(mobile), true) = (mobile, codes.is_empty()) else {
        return refuse(form, back, &codes);
    };
    let services = services()?;
    let database = database()?;
    let token = random_token();
    let mut tx = database.begin_write().await.map_err(internal)?;
    let added = db::insert_invited_member(
        &mut tx,
        &db::Invitation {
            id: &uuid::Uuid::new_v4().to_string(),
            org_id: &s.org_id,
            mobile: mobile.as_str(),
            name: &name,
            role: &role,
            invite_hash: &sha256_hex(&token),
            expires_at: db::now_ms() + 7 * 24 * 3600 * 1000,
        },
    )
    .await
    .map_err(internal)?;
    if !added {
        return refuse(form, back, &["taken.mobile"]);
    }
    db::enqueue(
        &mut tx,
        db::Channel::Sms,
        mobile.as_str(),
        "org_invite",
        &serde_json::json!({
            "org": s.org_name,
            "link": format!("{}/developer/invite?t={token}", services.policy.public_url),
        }),
        request_lang().await,
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    services.outbox_wake.notify_one();
    if form {
        redirect("/developer?ok=invited#members");
    }
    Ok(())
}

/// Who an invitation is for (the page greets them), or `None` when it is
/// unknown, used or expired.
#[server(endpoint = "org/invite_info")]
pub async fn invite_info(t: String) -> Result<Option<(String, String)>, AppError> {
    use crate::services::*;
    let database = database()?;
    let Some(m) = crate::db::member_by_invite(&database, &sha256_hex(&t))
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    let org = crate::db::org_by_id(&database, &m.org_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    Ok(Some((org.name, m.name)))
}

/// Accept an invitation by setting a password.
#[server(endpoint = "org/accept_invite")]
pub async fn accept_invite(t: String, password: String, password2: String) -> Result<(), AppError> {
    use crate::services::*;
    let form = is_form_post().await;
    let t: String = t
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .take(64)
        .collect();
    let back = format!("/developer/invite?t={t}");
    if crate::domain::credentials::check_password(&password).is_err() {
        return refuse(form, &back, &["password"]);
    }
    if password != password2 {
        return refuse(form, &back, &["password2"]);
    }
    let hash = hash_password(password).await?;
    if !crate::db::accept_invite(&database()?, &sha256_hex(&t), &hash)
        .await
        .map_err(internal)?
    {
        return refuse(form, &back, &["invite"]);
    }
    if form {
        redirect("/developer/signin?ok=invite_accepted");
    }
    Ok(())
}

/// Disable or re-enable a member (organisation administrators; not oneself).
#[server(endpoint = "org/member_active")]
pub async fn set_member_active(csrf: String, id: String, active: String) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let s = require_org().await?;
    check_org_csrf(&s, &csrf)?;
    if !s.is_admin() {
        return Err(AppError::Forbidden);
    }
    if id == s.member_id {
        return refuse(form, "/developer#members", &["self"]);
    }
    let database = database()?;
    let mut tx = database.begin_write().await.map_err(internal)?;
    if !crate::db::set_member_active(&mut tx, &s.org_id, &id, active == "1")
        .await
        .map_err(internal)?
    {
        return Err(AppError::NotFound);
    }
    tx.commit().await.map_err(internal)?;
    if form {
        redirect("/developer#members");
    }
    Ok(())
}

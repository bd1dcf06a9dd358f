//! Developer organisations: registration (verified by a centre
//! administrator), members invited by SMS link, sign-in by password and a
//! one-time code, projects and their unit lists.
//!
//! Every function is also a plain form target: a browser's form post gets a
//! redirect back to the page (with `error=` codes in the query when something
//! was wrong); an API client gets the error with its real status.

#![allow(clippy::too_many_arguments)] // the #[server] macro copies form fields into generated fns
#[cfg(feature = "ssr")]
use crate::api::developer::messages::*;

use crate::error::AppError;
use leptos::prelude::*;

/// Register an organisation; the person registering becomes its first
/// administrator. It can sign in at once but files nothing until a centre
/// administrator has verified it.
#[server(endpoint = "org/register")]
pub async fn register_org(
    credit_code: String,
    org_name: String,
    contact_name: String,
    mobile: String,
    password: String,
    password2: String,
    kind: Option<String>,
) -> Result<(), AppError> {
    use crate::db;
    use crate::domain::{CreditCode, DomainError, MobileNumber};

    use crate::services::*;
    let form = is_form_post().await;
    let kind = kind.unwrap_or_else(|| "developer".into());
    let back = format!(
        "/developer/register?credit_code={}&org_name={}&kind={}",
        q(&credit_code),
        q(&org_name),
        q(&kind)
    );
    let mut codes: Vec<&str> = Vec::new();
    if !matches!(kind.as_str(), "developer" | "bank") {
        codes.push("kind");
    }
    let code = match CreditCode::parse(&credit_code) {
        Ok(c) => Some(c),
        Err(DomainError::Empty) => {
            codes.push("credit_code.empty");
            None
        }
        Err(DomainError::CreditCodeChecksum) => {
            codes.push("credit_code.checksum");
            None
        }
        Err(_) => {
            codes.push("credit_code.format");
            None
        }
    };
    let org_name = org_name.trim().to_string();
    if org_name.is_empty() || org_name.chars().count() > 100 {
        codes.push("org_name");
    }
    let contact_name = contact_name.trim().to_string();
    if contact_name.is_empty() || contact_name.chars().count() > 50 {
        codes.push("contact_name");
    }
    let mobile = MobileNumber::parse(&mobile)
        .map_err(|_| codes.push("mobile"))
        .ok();
    if crate::domain::credentials::check_password(&password).is_err() {
        codes.push("password");
    } else if password != password2 {
        codes.push("password2");
    }
    let (Some(code), Some(mobile), true) = (code, mobile, codes.is_empty()) else {
        return refuse(form, &back, &codes);
    };
    let services = services()?;
    let database = database()?;
    let ip = client_ip(&services.policy).await;
    let ip_key = services.keyed_hash(&["ip", &ip]);
    let bucket = format!("org:register:{ip_key}");
    let refused = match services.refusals.refused(&[&bucket]) {
        Some(secs) => Some(secs),
        None => {
            let mut tx = database.begin_write().await.map_err(internal)?;
            let refused = db::rate_hit(&mut tx, &bucket, 3600 * 1000, 20)
                .await
                .map_err(internal)?;
            if refused.is_none() {
                tx.commit().await.map_err(internal)?;
            }
            refused
        }
    };
    if let Some(retry_after_secs) = refused {
        services.refusals.remember(&bucket, retry_after_secs);
        return if form {
            refuse(form, &back, &["rate"])
        } else {
            Err(AppError::RateLimited { retry_after_secs })
        };
    }
    let hash = hash_password(password).await?;
    let org = db::OrgRow {
        id: uuid::Uuid::new_v4().to_string(),
        credit_code: code.as_str().to_string(),
        name: org_name,
        contact_name,
        contact_mobile: mobile.as_str().to_string(),
        status: "pending".into(),
        reject_reason: String::new(),
        created_at: db::now_ms(),
        kind,
    };
    match db::insert_org(&database, &org, &uuid::Uuid::new_v4().to_string(), &hash)
        .await
        .map_err(internal)?
    {
        Ok(()) => {
            tracing::info!(org = %org.id, "organisation registered");
            if form {
                redirect("/developer/signin?ok=registered");
            }
            Ok(())
        }
        Err(db::RegisterClash::CreditCode) => refuse(form, &back, &["taken.credit_code"]),
        Err(db::RegisterClash::Mobile) => refuse(form, &back, &["taken.mobile"]),
    }
}

/// Step 1 of a member's sign-in: mobile and password; on success a code is
/// texted to that mobile and the challenge token returned. Wrong password
/// and unknown number answer alike; five wrong in a row lock for 15 minutes.
#[server(endpoint = "org/sign_in")]
pub async fn org_sign_in(
    mobile: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use crate::db;
    use crate::domain::MobileNumber;

    use crate::services::*;
    let form = is_form_post().await;
    let back = "/developer/signin";
    let services = services()?;
    let database = database()?;
    let member = match MobileNumber::parse(&mobile) {
        Ok(m) => db::member_by_mobile(&database, m.as_str())
            .await
            .map_err(internal)?,
        Err(_) => None,
    };
    let Some(member) = member.filter(|m| m.active == 1 && m.password_hash.is_some()) else {
        let _ = hash_password(password).await;
        return refuse(form, back, &["credentials"]);
    };
    // Counted before the check, atomically; a locked member answers as a
    // wrong password after as much work (see staff sign-in).
    let hash = member.password_hash.clone().unwrap_or_default();
    if !db::claim_member_attempt(&database, &member.id)
        .await
        .map_err(internal)?
    {
        let _ = verify_password(password, hash).await;
        return refuse(form, back, &["credentials"]);
    }
    if !verify_password(password, hash).await {
        return refuse(form, back, &["credentials"]);
    }
    db::reset_member_attempts(&database, &member.id)
        .await
        .map_err(internal)?;
    let key = services.keyed_hash(&["org-member", &member.id]);
    let mut tx = database.begin_write().await.map_err(internal)?;
    for (bucket, window, max) in [
        (
            format!("orgcode:gap:{key}"),
            services.policy.code_interval_ms,
            1,
        ),
        (
            format!("orgcode:hour:{key}"),
            3600 * 1000,
            services.policy.codes_per_mobile_hour,
        ),
    ] {
        if let Some(retry_after_secs) = db::rate_hit(&mut tx, &bucket, window, max)
            .await
            .map_err(internal)?
        {
            drop(tx);
            return if form {
                refuse(form, back, &["rate"])
            } else {
                Err(AppError::RateLimited { retry_after_secs })
            };
        }
    }
    let challenge = random_token();
    let code = random_code();
    db::insert_challenge(
        &mut tx,
        &challenge,
        &member.id,
        &services.keyed_hash(&[&challenge, &code]),
    )
    .await
    .map_err(internal)?;
    db::enqueue(
        &mut tx,
        db::Channel::Sms,
        &member.mobile,
        "signin_code",
        &serde_json::json!({ "code": code }),
        request_lang().await,
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    services.outbox_wake.notify_one();
    if form {
        let next = safe_next(next.as_deref())
            .map(|n| format!("&next={}", q(n)))
            .unwrap_or_default();
        redirect(&format!("/developer/signin/verify?c={challenge}{next}"));
    }
    Ok(challenge)
}

/// Step 2: the texted code; on success a new session (the token rotates).
#[server(endpoint = "org/verify")]
pub async fn org_verify(c: String, code: String, next: Option<String>) -> Result<(), AppError> {
    use crate::db;
    use crate::domain::normalize_compact;

    use crate::services::*;
    let form = is_form_post().await;
    let c: String = c
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .take(64)
        .collect();
    let back = format!("/developer/signin/verify?c={c}");
    let code = normalize_compact(&code);
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return refuse(form, &back, &["code.format"]);
    }
    let services = services()?;
    let database = database()?;
    let mut tx = database.begin_write().await.map_err(internal)?;
    let Some(row) = db::find_challenge(&mut tx, &c).await.map_err(internal)? else {
        return refuse(form, &back, &["code.expired"]);
    };
    if row.used_at.is_some()
        || row.expires_at <= db::now_ms()
        || row.attempts >= db::CODE_MAX_ATTEMPTS
    {
        return refuse(form, &back, &["code.expired"]);
    }
    if !services.code_matches(&c, &code, &row.code_hash) {
        db::challenge_wrong_try(&mut tx, &c)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        let last = row.attempts + 1 >= db::CODE_MAX_ATTEMPTS;
        return refuse(
            form,
            &back,
            &[if last { "code.expired" } else { "code.wrong" }],
        );
    }
    let token = random_token();
    let replaces = presented_org_hash().await;
    let started = db::start_org_session(
        &mut tx,
        &c,
        &row.member_id,
        &sha256_hex(&token),
        &random_token(),
        services.policy.session_absolute_ms,
        replaces.as_deref(),
    )
    .await
    .map_err(internal)?;
    if !started {
        return refuse(form, &back, &["code.expired"]);
    }
    tx.commit().await.map_err(internal)?;
    set_org_cookie(&token, &services.policy);
    if form {
        redirect(safe_next(next.as_deref()).unwrap_or("/developer"));
    }
    Ok(())
}

#[server(endpoint = "org/sign_out")]
pub async fn org_sign_out(csrf: String) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    if let Some(s) = current_org().await? {
        check_org_csrf(&s, &csrf)?;
        crate::db::end_org_session(&database()?, &s.token_hash)
            .await
            .map_err(internal)?;
    }
    clear_org_cookie(&services()?.policy);
    if form {
        redirect("/developer/signin?ok=signed_out");
    }
    Ok(())
}

//! Citizen sign-in by mobile number and one-time SMS code; sessions.
//!
//! Every function here is also a plain form target: a browser's form post
//! (no JavaScript) gets a redirect back to the page, with an error code in
//! the query string when something was wrong; an API client gets the error
//! with its real status (422, 429 with Retry-After…).

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a page needs to know about the signed-in citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub mobile_masked: String,
    /// Put into every form as `csrf`.
    pub csrf: String,
}

/// Messages for the error codes the sign-in pages receive in their query.
pub fn signin_message(code: &str, lang: crate::domain::Lang) -> Option<String> {
    use crate::domain::{DomainError, Lang};
    let zh = lang == Lang::Zh;
    Some(match code {
        "empty" => DomainError::Empty.message(lang),
        "mobile.format" => DomainError::Mobile.message(lang),
        "code.format" => DomainError::CodeFormat.message(lang),
        "code.wrong" if zh => "验证码不正确，请核对短信后重新输入。".into(),
        "code.wrong" => "That code is not right; please check the text message and try again.".into(),
        "code.expired" if zh => "验证码已失效（超过 5 分钟、已使用或输错次数过多），请重新获取。".into(),
        "code.expired" => "This code is no longer valid (older than 5 minutes, already used, or too many wrong tries). Please ask for a new one.".into(),
        "rate" if zh => "获取验证码过于频繁，请稍后再试。".into(),
        "rate" => "Too many codes were requested; please wait a little and try again.".into(),
        "signed_out" if zh => "您已退出登录。".into(),
        "signed_out" => "You have signed out.".into(),
        "signed_out_all" if zh => "已在所有设备上退出登录。".into(),
        "signed_out_all" => "You have been signed out on every device.".into(),
        "csrf" if zh => "页面已过期，请重新操作一次。".into(),
        "csrf" => "This page had expired; please try once more.".into(),
        _ => return None,
    })
}

#[cfg(feature = "ssr")]
fn first_code(e: &AppError) -> String {
    match e {
        AppError::Validation(v) => v
            .first()
            .map(|f| f.code.clone())
            .unwrap_or_else(|| "empty".into()),
        AppError::RateLimited { .. } => "rate".into(),
        AppError::Forbidden => "csrf".into(),
        _ => "error".into(),
    }
}

/// Step 1: send a code to a mobile number. Returns the challenge token that
/// step 2 must present with the code.
#[server(endpoint = "auth/request_code")]
pub async fn request_code(mobile: String, next: Option<String>) -> Result<String, AppError> {
    use crate::services::*;
    let form = is_form_post().await;
    let next = next
        .and_then(|n| local_path(&n))
        .unwrap_or_else(|| "/me".into());
    match request_code_inner(&mobile).await {
        Ok(challenge) => {
            if form {
                redirect(&format!("/signin/verify?c={challenge}&next={}", q(&next)));
            }
            Ok(challenge)
        }
        Err(e) if form && !matches!(e, AppError::Internal) => {
            let retry = match &e {
                AppError::RateLimited { retry_after_secs } => format!("&retry={retry_after_secs}"),
                _ => String::new(),
            };
            redirect(&format!(
                "/signin?error={}{retry}&next={}",
                first_code(&e),
                q(&next)
            ));
            Ok(String::new())
        }
        Err(e) => Err(e),
    }
}

#[cfg(feature = "ssr")]
async fn request_code_inner(mobile: &str) -> Result<String, AppError> {
    use crate::db;
    use crate::domain::MobileNumber;

    use crate::services::*;
    let mobile = MobileNumber::parse(mobile)
        .map_err(|e| AppError::Validation(vec![FieldError::from_domain("mobile", &e)]))?;
    let services = services()?;
    let policy = &services.policy;
    let database = database()?;
    let ip = client_ip(policy).await;
    let mobile_key = services.keyed_hash(&["mobile", mobile.as_str()]);
    let ip_key = services.keyed_hash(&["ip", &ip]);
    let lang = request_lang().await;

    let internal = |e| AppError::internal("request_code", e);
    let limits = [
        (
            format!("code:ip:{ip_key}"),
            3600 * 1000,
            policy.codes_per_ip_hour,
        ),
        (format!("code:gap:{mobile_key}"), policy.code_interval_ms, 1),
        (
            format!("code:mobile:{mobile_key}"),
            3600 * 1000,
            policy.codes_per_mobile_hour,
        ),
    ];
    let buckets: Vec<&str> = limits.iter().map(|(b, _, _)| b.as_str()).collect();
    if let Some(retry_after_secs) = services.refusals.refused(&buckets) {
        return Err(AppError::RateLimited { retry_after_secs });
    }
    let mut tx = database.begin_write().await.map_err(internal)?;
    for (bucket, window, max) in &limits {
        if let Some(retry_after_secs) = db::rate_hit(&mut tx, bucket, *window, *max)
            .await
            .map_err(internal)?
        {
            // Nothing of this request is kept: the hits recorded so far go too.
            drop(tx);
            services.refusals.remember(bucket, retry_after_secs);
            return Err(AppError::RateLimited { retry_after_secs });
        }
    }
    let challenge = random_token();
    let code = random_code();
    let hash = services.keyed_hash(&[&challenge, &code]);
    db::insert_code(&mut tx, &challenge, mobile.as_str(), &hash)
        .await
        .map_err(internal)?;
    db::enqueue(
        &mut tx,
        db::Channel::Sms,
        mobile.as_str(),
        "signin_code",
        &serde_json::json!({ "code": code }),
        lang,
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    services.outbox_wake.notify_one();
    Ok(challenge)
}

/// Step 2: check the code; on success start a new session (any session the
/// browser already had is ended: the token rotates on sign-in).
#[server(endpoint = "auth/verify_code")]
pub async fn verify_code(c: String, code: String, next: Option<String>) -> Result<(), AppError> {
    use crate::services::*;
    let form = is_form_post().await;
    let next = next
        .and_then(|n| local_path(&n))
        .unwrap_or_else(|| "/me".into());
    match verify_code_inner(&c, &code).await {
        Ok(()) => {
            if form {
                redirect(&next);
            }
            Ok(())
        }
        Err(e) if form && !matches!(e, AppError::Internal) => {
            let c: String = c
                .chars()
                .filter(|c| c.is_ascii_hexdigit())
                .take(64)
                .collect();
            redirect(&format!(
                "/signin/verify?c={c}&error={}&next={}",
                first_code(&e),
                q(&next)
            ));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[cfg(feature = "ssr")]
async fn verify_code_inner(challenge: &str, code: &str) -> Result<(), AppError> {
    use crate::db;
    use crate::domain::{normalize_compact, DomainError};

    use crate::services::*;
    let code = normalize_compact(code);
    if code.is_empty() {
        return Err(AppError::Validation(vec![FieldError::from_domain(
            "code",
            &DomainError::Empty,
        )]));
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::Validation(vec![FieldError::from_domain(
            "code",
            &DomainError::CodeFormat,
        )]));
    }
    let field = |c: &str| {
        let lang_zh = signin_message(c, crate::domain::Lang::Zh).unwrap_or_default();
        let lang_en = signin_message(c, crate::domain::Lang::En).unwrap_or_default();
        AppError::Validation(vec![FieldError::new("code", c, lang_zh, lang_en)])
    };
    let services = services()?;
    let policy = services.policy.clone();
    let database = database()?;
    let internal = |e| AppError::internal("verify_code", e);
    let mut tx = database.begin_write().await.map_err(internal)?;
    let Some(row) = db::find_code(&mut tx, challenge).await.map_err(internal)? else {
        return Err(field("code.expired"));
    };
    if row.used_at.is_some()
        || row.expires_at <= db::now_ms()
        || row.attempts >= db::CODE_MAX_ATTEMPTS
    {
        return Err(field("code.expired"));
    }
    if !services.code_matches(challenge, &code, &row.code_hash) {
        let left = db::count_wrong_try(&mut tx, challenge)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        return Err(field(if left == 0 {
            "code.expired"
        } else {
            "code.wrong"
        }));
    }
    if !db::consume_code(&mut tx, challenge)
        .await
        .map_err(internal)?
    {
        return Err(field("code.expired"));
    }
    let citizen_id = db::upsert_citizen(&mut tx, &row.mobile)
        .await
        .map_err(internal)?;
    // Messages to this person go in the language they use here.
    db::set_citizen_lang(&mut tx, &citizen_id, request_lang().await)
        .await
        .map_err(internal)?;
    if let Some(old) = presented_session_hash().await {
        db::delete_session_tx(&mut tx, &old)
            .await
            .map_err(internal)?;
    }
    let token = random_token();
    db::insert_session(
        &mut tx,
        &sha256_hex(&token),
        &citizen_id,
        &random_token(),
        policy.session_absolute_ms,
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    set_session_cookie(&token, &policy);
    Ok(())
}

/// The signed-in citizen, or `None`.
#[server(endpoint = "auth/me")]
pub async fn whoami() -> Result<Option<Me>, AppError> {
    use crate::domain::MobileNumber;
    let session = crate::guards::current_session().await?;
    Ok(session.map(|s| Me {
        mobile_masked: MobileNumber::parse(&s.mobile)
            .map(|m| m.masked())
            .unwrap_or_default(),
        csrf: s.csrf_token,
    }))
}

/// Sign out of this browser, or (`everywhere`) of every device.
#[server(endpoint = "auth/sign_out")]
pub async fn sign_out(csrf: String, everywhere: Option<String>) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;
    let form = is_form_post().await;
    let services = services()?;
    let database = database()?;
    let Some(session) = current_session().await? else {
        clear_session_cookie(&services.policy);
        if form {
            redirect("/signin?error=signed_out");
        }
        return Ok(());
    };
    if let Err(e) = check_csrf(&session, &csrf) {
        if form {
            redirect("/me?error=csrf");
            return Ok(());
        }
        return Err(e);
    }
    let all = everywhere.is_some_and(|v| !v.is_empty() && v != "false");
    let res = if all {
        crate::db::delete_citizen_sessions(&database, &session.citizen_id)
            .await
            .map(|_| ())
    } else {
        crate::db::delete_session(&database, &session.token_hash).await
    };
    res.map_err(|e| AppError::internal("sign_out", e))?;
    clear_session_cookie(&services.policy);
    if form {
        redirect(if all {
            "/signin?error=signed_out_all"
        } else {
            "/signin?error=signed_out"
        });
    }
    Ok(())
}

//! /staff/signin: staff sign-in (username + password, argon2id, lockout), the
//! messages of staff forms. Every function checks the staff session and role on the
//! server; forms without JavaScript get redirects with an error code.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in staff member, as pages see them (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMe {
    pub name: String,
    pub username: String,
    pub role: String,
    pub sites: Vec<String>,
    pub csrf: String,
}

/// Messages for the codes staff pages receive in their query string.
pub fn staff_message(code: &str, lang: crate::domain::Lang) -> Option<&'static str> {
    use crate::domain::Lang::*;
    Some(match (code, lang) {
        ("credentials", Zh) => {
            "用户名或密码不正确。连续输错 5 次，账户将锁定 15 分钟（锁定期间无法登录）。"
        }
        ("credentials", En) => {
            "The username or password is not right. After five wrong tries in a row the account is locked for 15 minutes."
        }
        ("locked", Zh) => "连续输错次数过多，账户已锁定 15 分钟。",
        ("locked", En) => "Too many wrong tries: the account is locked for 15 minutes.",
        ("signed_out", Zh) => "您已退出登录。",
        ("signed_out", En) => "You have signed out.",
        ("csrf", Zh) => "页面已过期，请重新操作一次。",
        ("csrf", En) => "This page had expired; please try once more.",
        ("username", Zh) => "用户名为 3–32 位小写字母、数字、点、横线或下划线。",
        ("username", En) => {
            "A username is 3–32 lowercase letters, digits, dots, dashes or underscores."
        }
        ("username_taken", Zh) => "这个用户名已被使用，请换一个。",
        ("username_taken", En) => "That username is taken; choose another.",
        ("password", Zh) => "密码至少 10 位。",
        ("password", En) => "A password has at least 10 characters.",
        ("name", Zh) => "请填写姓名。",
        ("name", En) => "Please enter the name.",
        ("role", Zh) => "请选择角色。",
        ("role", En) => "Please choose a role.",
        ("sites", Zh) => "请至少选择一个服务网点。",
        ("sites", En) => "Please choose at least one site.",
        ("created", Zh) => "账户已创建。",
        ("created", En) => "The account was created.",
        ("day", Zh) => "请填写日期（年-月-日）并选择类型。",
        ("day", En) => "Enter a date (year-month-day) and choose a kind.",
        ("saved", Zh) => "已保存。",
        ("saved", En) => "Saved.",
        _ => return None,
    })
}

#[cfg(feature = "ssr")]
pub(crate) fn field_error(code: &'static str) -> AppError {
    use crate::domain::Lang;
    let field = match code {
        "credentials" | "locked" => "password",
        "username_taken" => "username",
        c => c,
    };
    AppError::Validation(vec![crate::error::FieldError::new(
        field,
        code,
        staff_message(code, Lang::Zh).unwrap_or_default().into(),
        staff_message(code, Lang::En).unwrap_or_default().into(),
    )])
}

/// Sign in. Wrong password, unknown user and a locked account answer alike
/// (and take as long); the fifth attempt in a row locks the account for 15
/// minutes, counted before the password is checked.
#[server(endpoint = "staff/sign_in")]
pub async fn staff_sign_in(username: String, password: String) -> Result<(), AppError> {
    use crate::db;

    use crate::services::*;
    let form = is_form_post().await;
    let fail = |code: &'static str| {
        if form {
            redirect(&format!("/staff/signin?error={code}"));
            Ok(())
        } else {
            Err(field_error(code))
        }
    };
    let services = services()?;
    let database = database()?;
    let username = username.trim().to_lowercase();
    let row = db::staff_by_username(&database, &username)
        .await
        .map_err(|e| AppError::internal("staff", e))?;
    let Some(row) = row.filter(|r| r.active == 1) else {
        // As much work as a real check, so timing does not tell who exists.
        let _ = hash_password(password).await;
        return fail("credentials");
    };
    // The attempt is counted before the password is checked, atomically, so
    // parallel guesses get no more checks than the limit. A locked account
    // answers as a wrong password, after as much work (no enumeration by
    // wording or timing).
    let counted = db::claim_login_attempt(&database, &row.id)
        .await
        .map_err(|e| AppError::internal("login attempt", e))?;
    if !counted {
        let _ = verify_password(password, row.password_hash.clone()).await;
        return fail("credentials");
    }
    if !verify_password(password, row.password_hash.clone()).await {
        return fail("credentials");
    }
    let token = random_token();
    let replaces = presented_staff_hash().await;
    db::start_staff_session(
        &database,
        &row.id,
        &sha256_hex(&token),
        &random_token(),
        services.policy.session_absolute_ms,
        replaces.as_deref(),
    )
    .await
    .map_err(|e| AppError::internal("staff session", e))?;
    set_staff_cookie(&token, &services.policy);
    if form {
        redirect(if row.role == "admin" {
            "/staff/admin"
        } else {
            "/staff"
        });
    }
    Ok(())
}

#[server(endpoint = "staff/me")]
pub async fn current_staff_member() -> Result<Option<StaffMe>, AppError> {
    use crate::guards::*;
    use crate::services::*;
    let Some(s) = current_staff().await? else {
        return Ok(None);
    };
    let sites = crate::db::staff_sites(&database()?, &s.staff_id)
        .await
        .map_err(|e| AppError::internal("sites", e))?;
    Ok(Some(StaffMe {
        name: s.name,
        username: s.username,
        role: s.role,
        sites,
        csrf: s.csrf_token,
    }))
}

#[server(endpoint = "staff/sign_out")]
pub async fn staff_sign_out(csrf: String) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;
    let services = services()?;
    if let Some(s) = current_staff().await? {
        check_staff_csrf(&s, &csrf)?;
        crate::db::end_staff_session(&database()?, &s.token_hash)
            .await
            .map_err(|e| AppError::internal("sign out", e))?;
    }
    clear_staff_cookie(&services.policy);
    if is_form_post().await {
        redirect("/staff/signin?error=signed_out");
    }
    Ok(())
}

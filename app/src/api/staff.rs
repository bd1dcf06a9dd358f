//! Staff sign-in (username + password, argon2id, lockout) and account
//! administration. Every function checks the staff session and role on the
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

/// `3–32` of `a-z 0-9 . _ -`, lowercased.
pub fn check_username(raw: &str) -> Result<String, &'static str> {
    let u = raw.trim().to_lowercase();
    let ok = (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(u)
    } else {
        Err("username")
    }
}

pub fn check_password(p: &str) -> Result<(), &'static str> {
    if p.chars().count() >= 10 && p.len() <= 256 {
        Ok(())
    } else {
        Err("password")
    }
}

#[cfg(feature = "ssr")]
fn field_error(code: &'static str) -> AppError {
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

#[cfg(feature = "ssr")]
pub(crate) async fn require_admin(csrf: Option<&str>) -> Result<crate::db::StaffSession, AppError> {
    let s = crate::services::require_staff().await?;
    if s.role != "admin" {
        return Err(AppError::Forbidden);
    }
    if let Some(token) = csrf {
        crate::services::check_staff_csrf(&s, token)?;
    }
    Ok(s)
}

#[server(endpoint = "staff/list")]
pub async fn list_staff() -> Result<Vec<StaffListItem>, AppError> {
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
        let u = check_username(&username)?;
        if name.trim().is_empty() || name.chars().count() > 50 {
            return Err("name");
        }
        let r = Role::from_code(&role).ok_or("role")?;
        check_password(&password)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords() {
        assert_eq!(check_username(" Wang.Li "), Ok("wang.li".into()));
        assert_eq!(check_username("ab"), Err("username"));
        assert_eq!(check_username("王丽"), Err("username"));
        assert_eq!(check_password("short"), Err("password"));
        assert_eq!(check_password("long enough pass"), Ok(()));
    }
}

/// One year of the working-day calendar, for the administrators' editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarYearView {
    pub year: i32,
    /// Declared days of the year: (`YYYY-MM-DD`, `holiday` | `workday`).
    pub days: Vec<(String, String)>,
    pub csrf: String,
}

#[server(endpoint = "calendar/year")]
pub async fn calendar_year(year: Option<i32>) -> Result<CalendarYearView, AppError> {
    use crate::services::*;
    use chrono::Datelike;
    let admin = require_admin(None).await?;
    let year = year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| crate::api::cases::server::today().year());
    let cal = crate::db::load_calendar(&database()?)
        .await
        .map_err(|e| AppError::internal("calendar", e))?;
    Ok(CalendarYearView {
        year,
        days: cal
            .days()
            .into_iter()
            .filter(|(d, _)| d.year() == year)
            .map(|(d, k)| (d.format("%Y-%m-%d").to_string(), k.code().to_string()))
            .collect(),
        csrf: admin.csrf_token,
    })
}

/// Declare a day a holiday or a working day, or (`normal`) give it back to
/// its weekday rule. Deadlines computed from now on use the new calendar;
/// deadlines already set are kept (they were promised to applicants).
#[server(endpoint = "calendar/set")]
pub async fn set_calendar_day(csrf: String, day: String, kind: String) -> Result<(), AppError> {
    use crate::domain::calendar::DayKind;
    use crate::error::FieldError;
    use crate::services::*;
    let admin = require_admin(Some(&csrf)).await?;
    let form = is_form_post().await;
    let parsed = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)));
    let kind_ok = kind == "normal" || DayKind::from_code(&kind).is_some();
    let Some(date) = parsed.filter(|_| kind_ok) else {
        if form {
            redirect("/staff/calendar?error=day");
            return Ok(());
        }
        return Err(AppError::Validation(vec![FieldError::new(
            "day",
            "day",
            "请填写日期（年-月-日）并选择类型".into(),
            "Enter a date (year-month-day) and choose a kind".into(),
        )]));
    };
    let actor = crate::db::Actor {
        id: &admin.staff_id,
        role: &admin.role,
    };
    crate::db::set_calendar_day(&database()?, date, DayKind::from_code(&kind), actor)
        .await
        .map_err(|e| AppError::internal("calendar", e))?;
    if form {
        redirect(&format!(
            "/staff/calendar?year={}&ok=saved",
            chrono::Datelike::year(&date)
        ));
    }
    Ok(())
}

//! Developer organisations: registration (verified by a centre
//! administrator), members invited by SMS link, sign-in by password and a
//! one-time code, projects and their unit lists.
//!
//! Every function is also a plain form target: a browser's form post gets a
//! redirect back to the page (with `error=` codes in the query when something
//! was wrong); an API client gets the error with its real status.

#![allow(clippy::too_many_arguments)] // the #[server] macro copies form fields into generated fns

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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
    pub batches: Vec<crate::api::filings::BatchItem>,
    /// The organisation's API tokens (administrators only).
    pub tokens: Vec<TokenItem>,
    /// A token just made, shown this once.
    pub new_token: Option<String>,
    /// The applications naming the organisation (a bank's mortgages).
    pub cases: Vec<crate::api::org_cases::OrgCaseItem>,
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

/// Messages for the error codes the developer pages receive in their query.
pub fn org_message(code: &str, lang: crate::domain::Lang) -> Option<String> {
    use crate::domain::{DomainError, Lang};
    let zh = lang == Lang::Zh;
    let pick = |z: &str, e: &str| Some(if zh { z.to_string() } else { e.to_string() });
    match code {
        "credit_code.empty" => Some(DomainError::Empty.message(lang)),
        "credit_code.format" => pick(
            "统一社会信用代码应为 18 位（不含 I、O、S、V、Z），请核对营业执照。",
            "A Unified Social Credit Code has 18 characters (no I, O, S, V, Z); check the business licence.",
        ),
        "credit_code.checksum" => Some(DomainError::CreditCodeChecksum.message(lang)),
        "org_name" => pick(
            "请填写企业名称（与营业执照一致，100 字以内）。",
            "Give the company's name as on its business licence (up to 100 characters).",
        ),
        "contact_name" | "name" => pick("请填写姓名（50 字以内）。", "Give a name (up to 50 characters)."),
        "mobile" => Some(DomainError::Mobile.message(lang)),
        "password" => pick(
            "密码至少 10 位。",
            "The password needs at least 10 characters.",
        ),
        "password2" => pick("两次输入的密码不一致。", "The two passwords differ."),
        "taken.credit_code" => pick(
            "该统一社会信用代码已经注册过。如需加入，请联系贵单位的管理员邀请您。",
            "That credit code is already registered. Ask your organisation's administrator to invite you.",
        ),
        "taken.mobile" => pick(
            "该手机号已是某个企业的成员，一个手机号只能属于一个企业。",
            "That mobile number already belongs to a member of an organisation (one number, one organisation).",
        ),
        "credentials" => pick(
            "手机号或密码不正确。连续输错 5 次，账户将锁定 15 分钟（锁定期间无法登录）。",
            "Wrong mobile number or password. After five wrong tries in a row the account is locked for 15 minutes.",
        ),
        "locked" => pick(
            "连续输错 5 次，账户已锁定 15 分钟。",
            "Five wrong tries in a row: the account is locked for 15 minutes.",
        ),
        "rate" => pick(
            "操作过于频繁，请稍后再试。",
            "Too many attempts; please wait a little and try again.",
        ),
        "code.wrong" => pick("验证码不正确。", "That code is not right."),
        "code.expired" => pick(
            "验证码已失效，请重新登录获取。",
            "This code is no longer valid; sign in again for a new one.",
        ),
        "code.format" => Some(DomainError::CodeFormat.message(lang)),
        "invite" => pick(
            "邀请链接已失效（超过 7 天或已使用），请联系管理员重新邀请。",
            "This invitation has expired or been used; ask your administrator for a new one.",
        ),
        "role" => pick("请选择角色。", "Choose a role."),
        "kind" => pick(
            "请选择单位类型：开发企业或银行。",
            "Choose the kind of organisation: developer or bank.",
        ),
        "project_name" => pick(
            "请填写项目名称（100 字以内）。",
            "Give the project's name (up to 100 characters).",
        ),
        "project_taken" => pick(
            "已有同名项目。",
            "There is already a project with that name.",
        ),
        "site" => pick("请选择受理的办理点。", "Choose the site that handles it."),
        "address" => pick(
            "请填写项目坐落（200 字以内）。",
            "Give the project's address (up to 200 characters).",
        ),
        "not_verified" => pick(
            "企业尚未通过审核，通过后才能建项目和申报。",
            "The organisation is not verified yet; projects and filings open once it is.",
        ),
        "csrf" => pick("页面已过期，请重新操作一次。", "This page had expired; please try once more."),
        "self" => pick("不能停用自己的账户。", "You cannot disable your own account."),
        "token_name" => pick(
            "请给令牌起个名字（50 字以内），如“销售系统”。",
            "Name the token (up to 50 characters), e.g. \"sales system\".",
        ),
        "reason" => pick("退回时请写明理由。", "Give a reason when rejecting."),
        "decided" => pick("该企业已经审核过。", "That organisation has already been decided."),
        _ => None,
    }
}

/// The input a code belongs to.
pub fn org_field(code: &str) -> &str {
    match code {
        c if c.starts_with("credit_code") || c == "taken.credit_code" => "credit_code",
        "taken.mobile" | "mobile" => "mobile",
        "credentials" | "locked" => "password",
        c if c.starts_with("code.") => "code",
        c => c,
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn org_errors(codes: &[&str]) -> AppError {
    use crate::domain::Lang;
    AppError::Validation(
        codes
            .iter()
            .map(|c| {
                FieldError::new(
                    org_field(c),
                    c,
                    org_message(c, Lang::Zh).unwrap_or_default(),
                    org_message(c, Lang::En).unwrap_or_default(),
                )
            })
            .collect(),
    )
}

/// Answer a failed form: redirect a browser back to `page` with the codes,
/// or return the field errors to an API client.
#[cfg(feature = "ssr")]
pub(crate) fn refuse<T: Default>(form: bool, page: &str, codes: &[&str]) -> Result<T, AppError> {
    if form {
        let sep = if page.contains('?') { '&' } else { '?' };
        crate::services::redirect(&format!("{page}{sep}error={}", codes.join(",")));
        Ok(T::default())
    } else {
        Err(org_errors(codes))
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn internal(e: impl std::fmt::Display + 'static) -> AppError {
    AppError::internal("orgs", e)
}

#[cfg(feature = "ssr")]
fn mask(mobile: &str) -> String {
    crate::domain::MobileNumber::parse(mobile)
        .map(|m| m.masked())
        .unwrap_or_default()
}

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
    if crate::api::staff::check_password(&password).is_err() {
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

/// Where a sign-in may return to: an application page of the organisation
/// area, nothing else (no open redirect).
pub fn safe_next(next: Option<&str>) -> Option<&str> {
    let n = next?;
    let id = n.strip_prefix("/developer/cases/")?;
    (!id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then_some(n)
}

#[server(endpoint = "org/sign_out")]
pub async fn org_sign_out(csrf: String) -> Result<(), AppError> {
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
    let batches = crate::api::filings::batches_of_org(&database, &s.org_id).await?;
    let (tokens, new_token) = if s.is_admin() {
        use crate::api::applications::local_time;
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
    let cases = crate::api::org_cases::org_cases().await?;
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
    if crate::api::staff::check_password(&password).is_err() {
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

// ---- centre administrators ---------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgListItem {
    pub id: String,
    pub credit_code: String,
    pub name: String,
    pub contact_name: String,
    pub contact_mobile_masked: String,
    pub status: String,
    pub reject_reason: String,
    pub created_at: i64,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgList {
    pub orgs: Vec<OrgListItem>,
    pub csrf: String,
}

/// Organisations for the centre's administrators: waiting ones first.
#[server(endpoint = "org/admin_list")]
pub async fn list_orgs() -> Result<OrgList, AppError> {
    use crate::services::*;
    let admin = crate::api::staff::require_admin(None).await?;
    let orgs = crate::db::all_orgs(&database()?)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|o| OrgListItem {
            contact_mobile_masked: mask(&o.contact_mobile),
            id: o.id,
            credit_code: o.credit_code,
            name: o.name,
            contact_name: o.contact_name,
            status: o.status,
            reject_reason: o.reject_reason,
            created_at: o.created_at,
            kind: o.kind,
        })
        .collect();
    Ok(OrgList {
        orgs,
        csrf: admin.csrf_token,
    })
}

/// Verify (`decision = verify`) or reject (with a reason) a waiting
/// organisation; audited, and its contact is texted.
#[server(endpoint = "org/admin_decide")]
pub async fn decide_org(
    csrf: String,
    id: String,
    decision: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::db;
    use crate::services::*;
    let form = is_form_post().await;
    let admin = crate::api::staff::require_admin(Some(&csrf)).await?;
    let back = "/staff/orgs";
    let verified = decision == "verify";
    let reason = reason
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect::<String>();
    if !verified && reason.is_empty() {
        return refuse(form, back, &["reason"]);
    }
    let database = database()?;
    let org = db::org_by_id(&database, &id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let mut tx = database.begin_write().await.map_err(internal)?;
    if !db::decide_org(&mut tx, &id, verified, &admin.staff_id, &reason)
        .await
        .map_err(internal)?
    {
        drop(tx);
        return refuse(form, back, &["decided"]);
    }
    db::audit(
        &mut tx,
        &db::AuditEntry {
            actor: &admin.staff_id,
            role: &admin.role,
            action: if verified { "org_verify" } else { "org_reject" },
            before: "pending",
            after: &format!(
                "{} {}",
                org.credit_code,
                if verified { "verified" } else { "rejected" }
            ),
            reason: &reason,
            ..Default::default()
        },
    )
    .await
    .map_err(internal)?;
    db::enqueue(
        &mut tx,
        db::Channel::Sms,
        &org.contact_mobile,
        if verified {
            "org_verified"
        } else {
            "org_rejected"
        },
        &serde_json::json!({ "org": org.name, "reason": reason, "kind": org.kind }),
        crate::domain::Lang::Zh,
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    services()?.outbox_wake.notify_one();
    if form {
        redirect("/staff/orgs?ok=decided");
    }
    Ok(())
}

/// Make an API token (organisation administrators of a verified
/// organisation). The token is answered (and shown on the page) once; only
/// its SHA-256 is kept.
#[server(endpoint = "org/token_create")]
pub async fn create_token(csrf: String, name: String) -> Result<String, AppError> {
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

//! What developer pages say about an organisation's forms, in both languages; refusals of a form post.

#[cfg(feature = "ssr")]
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;

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
        // The query goes before a fragment (`/developer#projects`), or the
        // browser never sends it and the page shows no error.
        let (path, fragment) = match page.split_once('#') {
            Some((p, f)) => (p, format!("#{f}")),
            None => (page, String::new()),
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        crate::services::redirect(&format!("{path}{sep}error={}{fragment}", codes.join(",")));
        Ok(T::default())
    } else {
        Err(org_errors(codes))
    }
}

#[cfg(feature = "ssr")]
pub fn internal(e: impl std::fmt::Display + 'static) -> AppError {
    AppError::internal("orgs", e)
}

#[cfg(feature = "ssr")]
pub(crate) fn mask(mobile: &str) -> String {
    crate::domain::MobileNumber::parse(mobile)
        .map(|m| m.masked())
        .unwrap_or_default()
}

/// Where a sign-in may return to: an application page of the organisation
/// area, nothing else (no open redirect).
pub fn safe_next(next: Option<&str>) -> Option<&str> {
    let n = next?;
    let id = n.strip_prefix("/developer/cases/")?;
    (!id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then_some(n)
}

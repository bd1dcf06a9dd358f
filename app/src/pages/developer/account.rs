//! /developer/register, /developer/signin, /developer/verify, /developer/invite: an organisation's account.

use crate::api::developer::members::invite_info;
use crate::api::developer::messages::org_message;
use crate::components::forms::{bi, invalid, zh_en, ErrorSummary, FieldMsg};
use crate::components::language::current_lang;
use crate::components::org::*;
use crate::error::FieldError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DevRegisterPage() -> impl IntoView {
    let query = use_query_map();
    let (code, name, kind) =
        query.with_untracked(|q| (q.get("credit_code"), q.get("org_name"), q.get("kind")));
    let bank = kind.as_deref() == Some("bank");
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(org_message));
    view! {
        <crate::components::layout::PageTitle
            zh="开发企业注册"
            en="Register an organisation"
        />
        <p class="breadcrumb">
            <a href="/developer">{bi("← 开发企业", "← Developers")}</a>
        </p>
        <h1>
            {bi(
                "单位注册（开发企业、银行）",
                "Register an organisation (developer or bank)",
            )}
        </h1>
        <p class="lead">
            {bi(
                "填写营业执照上的统一社会信用代码和单位名称。登记中心审核通过后：开发企业可以建项目、批量申报；银行可以在线确认把本行列为抵押权人的申请。注册人成为本单位的管理员，可以再邀请同事。",
                "Give the Unified Social Credit Code and name from the business licence. Once the centre has verified you, a developer can add projects and file in bulk, and a bank can confirm online the applications that name it as mortgagee. Whoever registers becomes the organisation's administrator and can invite colleagues.",
            )}
        </p>
        <ErrorSummary errors=errs />
        <form method="post" action="/api/org/register" class="form" novalidate=true>
            <fieldset class="field">
                <legend>{bi("单位类型", "Kind of organisation")}</legend>
                <label class="choice">
                    <input type="radio" name="kind" value="developer" checked=!bank />
                    {bi("房地产开发企业", "Property developer")}
                </label>
                <label class="choice">
                    <input type="radio" name="kind" value="bank" checked=bank />
                    {bi("银行（抵押权人）", "Bank (mortgagee)")}
                </label>
            </fieldset>
            <TextField
                errors=errs
                name="credit_code"
                zh="统一社会信用代码"
                en="Unified Social Credit Code"
                value=code.unwrap_or_default()
            />
            <TextField
                errors=errs
                name="org_name"
                zh="单位名称"
                en="Organisation name"
                value=name.unwrap_or_default()
                autocomplete="organization"
            />
            <TextField
                errors=errs
                name="contact_name"
                zh="联系人（管理员）姓名"
                en="Contact (administrator) name"
                autocomplete="name"
            />
            <TextField
                errors=errs
                name="mobile"
                zh="联系人手机号（登录用）"
                en="Contact's mobile (to sign in)"
                kind="tel"
                autocomplete="tel"
            />
            <TextField
                errors=errs
                name="password"
                zh="密码（至少 10 位）"
                en="Password (at least 10 characters)"
                kind="password"
                autocomplete="new-password"
            />
            <TextField
                errors=errs
                name="password2"
                zh="再次输入密码"
                en="Password again"
                kind="password"
                autocomplete="new-password"
            />
            <button type="submit" class="button">
                {bi("提交注册", "Register")}
            </button>
        </form>
    }
}

#[component]
pub fn DevSignInPage() -> impl IntoView {
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(org_message));
    let next = use_query_map().with_untracked(|q| q.get("next"));
    let next = crate::api::developer::messages::safe_next(next.as_deref()).map(str::to_string);
    view! {
        <crate::components::layout::PageTitle zh="开发企业登录" en="Developer sign-in" />
        <h1>
            {bi(
                "单位登录（开发企业、银行）",
                "Organisation sign-in (developers, banks)",
            )}
        </h1>
        <OkNotice />
        <ErrorSummary errors=errs />
        <form method="post" action="/api/org/sign_in" class="form" novalidate=true>
            {next.map(|n| view! { <input type="hidden" name="next" value=n /> })}
            <TextField
                errors=errs
                name="mobile"
                zh="手机号"
                en="Mobile number"
                kind="tel"
                autocomplete="username"
            />
            <TextField
                errors=errs
                name="password"
                zh="密码"
                en="Password"
                kind="password"
                autocomplete="current-password"
            />
            <button type="submit" class="button">
                {bi("下一步：短信验证码", "Next: texted code")}
            </button>
        </form>
        <p>
            <a href="/developer/register">
                {bi("还没有账户？注册企业", "No account? Register")}
            </a>
        </p>
    }
}

#[component]
pub fn DevVerifyPage() -> impl IntoView {
    let query = use_query_map();
    let c = query.with_untracked(|q| q.get("c")).unwrap_or_default();
    let next = query.with_untracked(|q| q.get("next"));
    let next = crate::api::developer::messages::safe_next(next.as_deref()).map(str::to_string);
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(org_message));
    view! {
        <crate::components::layout::PageTitle
            zh="开发企业登录验证"
            en="Developer sign-in code"
        />
        <h1>{bi("输入短信验证码", "Enter the texted code")}</h1>
        <p class="lead">
            {bi(
                "验证码已发到您的手机，5 分钟内有效。",
                "A code has been texted to your mobile; it is valid for 5 minutes.",
            )}
        </p>
        <ErrorSummary errors=errs />
        <form method="post" action="/api/org/verify" class="form" novalidate=true>
            <input type="hidden" name="c" value=c />
            {next.map(|n| view! { <input type="hidden" name="next" value=n /> })}
            <div class="field">
                <label for="code">{bi("6 位验证码", "6-digit code")}</label>
                <FieldMsg errors=errs field="code".into() />
                <input
                    id="code"
                    name="code"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    class="input--code"
                    maxlength="12"
                    aria-invalid=invalid(errs, "code")
                />
            </div>
            <button type="submit" class="button">
                {bi("登录", "Sign in")}
            </button>
        </form>
        <p>
            <a href="/developer/signin">{bi("重新登录", "Start again")}</a>
        </p>
    }
}

#[component]
pub fn DevInvitePage() -> impl IntoView {
    let query = use_query_map();
    let t = query.with_untracked(|q| q.get("t")).unwrap_or_default();
    let token = t.clone();
    let info = Resource::new(move || token.clone(), invite_info);
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(org_message));
    view! {
        <crate::components::layout::PageTitle zh="加入企业" en="Join an organisation" />
        <h1>{bi("接受邀请", "Accept the invitation")}</h1>
        <ErrorSummary errors=errs />
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || {
                let t = t.clone();
                Suspend::new(async move {
                    match info.await {
                        Ok(Some((org, name))) => {
                            view! {
                                <p class="lead">
                                    {move || {
                                        zh_en(
                                            current_lang(),
                                            &format!(
                                                "{name}，{org}邀请您加入。设置密码后即可登录。",
                                            ),
                                            &format!(
                                                "{name}, {org} invites you. Set a password, then sign in.",
                                            ),
                                        )
                                    }}
                                </p>
                                <form
                                    method="post"
                                    action="/api/org/accept_invite"
                                    class="form"
                                    novalidate=true
                                >
                                    <input type="hidden" name="t" value=t />
                                    <TextField
                                        errors=errs
                                        name="password"
                                        zh="密码（至少 10 位）"
                                        en="Password (at least 10 characters)"
                                        kind="password"
                                        autocomplete="new-password"
                                    />
                                    <TextField
                                        errors=errs
                                        name="password2"
                                        zh="再次输入密码"
                                        en="Password again"
                                        kind="password"
                                        autocomplete="new-password"
                                    />
                                    <button type="submit" class="button">
                                        {bi("设置密码", "Set password")}
                                    </button>
                                </form>
                            }
                                .into_any()
                        }
                        _ => {
                            view! {
                                <p class="notice notice--error" role="alert">
                                    {move || org_message("invite", current_lang())}
                                </p>
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

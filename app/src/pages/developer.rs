//! The developers' pages: registration, sign-in (password, then a texted
//! code), the organisation's home (projects, batches, members), a project
//! with its unit list, and a batch with its uploads, per-row errors and
//! lines. Plain forms that post to server functions or upload routes, so
//! everything works without JavaScript; with it, a file being checked shows
//! its progress live (without it, the page refreshes itself).

use crate::api::filings::{
    batch_message, get_batch, get_project, BatchItem, BatchView, ProjectView, UploadItem,
};
use crate::api::orgs::{get_org_home, invite_info, list_orgs, org_field, org_message, OrgHome};
use crate::components::forms::{bi, invalid, zh_en, ErrorSummary, FieldMsg};
use crate::components::islands::{Bundle, IslandScripts};
use crate::components::language::current_lang;
use crate::components::pager::{LineFilter, LinePages};
use crate::domain::filing::{FileError, FilingKind};
use crate::domain::Lang;
use crate::error::{AppError, FieldError};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Field errors from a page's `error=a,b` query.
fn query_errors(message: fn(&str, Lang) -> Option<String>) -> Vec<FieldError> {
    let query = use_query_map();
    query
        .with_untracked(|q| q.get("error"))
        .map(|e| {
            e.split(',')
                .filter_map(|c| {
                    Some(FieldError::new(
                        org_field(c),
                        c,
                        message(c, Lang::Zh)?,
                        message(c, Lang::En)?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn status_name(status: &str, lang: Lang) -> &'static str {
    let zh = lang == Lang::Zh;
    match status {
        "draft" if zh => "草稿（可修改）",
        "draft" => "Draft (can change)",
        "submitted" if zh => "已提交，待预审",
        "submitted" => "Submitted for pre-review",
        "reviewed" if zh => "已预审",
        "reviewed" => "Pre-reviewed",
        "pending" if zh => "待预审",
        "pending" => "Awaiting pre-review",
        "passed" if zh => "预审通过",
        "passed" => "Passed",
        "returned" if zh => "退回",
        "returned" => "Returned",
        _ => "",
    }
}

/// The labelled text input used by the developer forms.
#[component]
fn TextField(
    errors: Signal<Vec<FieldError>>,
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    #[prop(optional)] kind: &'static str,
    #[prop(optional)] value: String,
    #[prop(optional)] autocomplete: &'static str,
) -> impl IntoView {
    let kind = if kind.is_empty() { "text" } else { kind };
    view! {
        <div class="field">
            <label for=name>{bi(zh, en)}</label>
            <FieldMsg errors field=name.into() />
            <input
                id=name
                name=name
                type=kind
                value=value
                autocomplete=if autocomplete.is_empty() { "off" } else { autocomplete }
                aria-describedby=format!("{name}-error")
                aria-invalid=invalid(errors, name)
            />
        </div>
    }
}

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

fn ok_message(code: &str, lang: Lang) -> Option<String> {
    let zh = lang == Lang::Zh;
    Some(
        match code {
            "registered" if zh => "注册已提交。现在可以登录；登记中心审核通过后会短信通知您，届时开发企业即可建项目、申报，银行即可在线确认列明本行的申请。",
            "registered" => "Registered. You can sign in now; the centre will text you once it has verified the organisation: developers can then file, banks confirm the applications naming them.",
            "invite_accepted" if zh => "密码已设置，请登录。",
            "invite_accepted" => "Your password is set; please sign in.",
            "signed_out" if zh => "您已退出登录。",
            "signed_out" => "You have signed out.",
            "token" if zh => "令牌已生成，见下方“接口令牌”。",
            "token" => "Token made: see API tokens below.",
            "invited" if zh => "邀请短信已发送，对方 7 天内打开链接设置密码即可登录。",
            "invited" => "Invitation texted: they have 7 days to open the link and set a password.",
            "submitted" if zh => "批次已提交预审。预审意见会逐户显示在本页。",
            "submitted" => "The batch is submitted for pre-review. Opinions will show here, unit by unit.",
            _ => return None,
        }
        .to_string(),
    )
}

#[component]
fn OkNotice() -> impl IntoView {
    let ok = use_query_map().with_untracked(|q| q.get("ok"));
    ok.and_then(|c| {
        ok_message(&c, Lang::Zh).map(|_| {
            view! {
                <p class="notice" role="status" data-testid="ok">
                    {move || ok_message(&c, current_lang()).unwrap_or_default()}
                </p>
            }
        })
    })
}

#[component]
pub fn DevSignInPage() -> impl IntoView {
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(org_message));
    let next = use_query_map().with_untracked(|q| q.get("next"));
    let next = crate::api::orgs::safe_next(next.as_deref()).map(str::to_string);
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
    let next = crate::api::orgs::safe_next(next.as_deref()).map(str::to_string);
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

/// The organisation's home, or the way in for someone not signed in.
#[component]
pub fn DeveloperPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_org_home());
    view! {
        <crate::components::layout::PageTitle zh="企业首页" en="Organisation" />
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(home)) => view! { <OrgHomeView home /> }.into_any(),
                    Ok(None) => view! { <DeveloperWelcome /> }.into_any(),
                    Err(_) => {
                        view! {
                            <p class="notice notice--error" role="alert">
                                {bi(
                                    "暂时无法打开，请稍后再试。",
                                    "This page cannot open just now.",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Templates() -> impl IntoView {
    view! {
        <ul class="doc-list" data-testid="templates">
            {FilingKind::ALL
                .into_iter()
                .map(|k| {
                    view! {
                        <li>
                            {move || k.name(current_lang())} " · "
                            <a href=format!("/developer/templates/{}.xlsx", k.code())>"XLSX"</a>
                            " · "
                            <a href=format!("/developer/templates/{}.csv", k.code())>"CSV"</a>
                        </li>
                    }
                })
                .collect_view()}
            <li>
                {bi("楼盘表（项目的单元清单）", "Unit list (a project's units)")} " · "
                <a href="/developer/templates/units.xlsx">"XLSX"</a> " · "
                <a href="/developer/templates/units.csv">"CSV"</a>
            </li>
        </ul>
    }
}

#[component]
fn DeveloperWelcome() -> impl IntoView {
    view! {
        <h1>{bi("开发企业批量申报", "Bulk filings for developers")}</h1>
        <p class="lead">
            {bi(
                "预售商品房买卖预告登记（含抵押预告“双预告”）、预转本、首次登记：按模板填好表格上传，每一户都先给出预审意见，预审通过的直接转为正式受理，不用再逐件跑窗口。",
                "Advance notices of sale (with the mortgage notice: 'dual notice'), conversions and first registrations: fill in the template, upload it, get a pre-review opinion for every unit, and passed units go straight into formal acceptance — no more visits case by case.",
            )}
        </p>
        <p>
            {bi(
                "银行：注册并通过审核后，申请人把贵行（按统一社会信用代码）列为抵押权人的带押过户、抵押登记等申请，会短信通知贵行管理员，在单位账户中阅读全部内容并在线确认，无需派人到窗口确认。",
                "Banks: once registered and verified, the applications that name your bank (by its credit code) as mortgagee — transfers with mortgage, mortgage registrations — are texted to your administrators, who read and confirm them online in the organisation's account, with no trip to a window.",
            )}
        </p>
        <p class="actions">
            <a class="button" href="/developer/signin">
                {bi("登录", "Sign in")}
            </a>
            <a class="button button--secondary" href="/developer/register">
                {bi("注册单位", "Register")}
            </a>
        </p>
        <h2>{bi("表格模板", "Templates")}</h2>
        <Templates />
    }
}

#[component]
fn OrgHomeView(home: OrgHome) -> impl IntoView {
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(org_message));
    let me = home.me.clone();
    let csrf = me.csrf.clone();
    let verified = me.status == "verified";
    let bank = me.kind == "bank";
    let standing = match me.status.as_str() {
        "verified" => view! {
            <p class="notice" role="status" data-testid="org-status">
                <span class="tag tag--ok">{bi("已通过审核", "Verified")}</span>
            </p>
        }
            .into_any(),
        "rejected" => {
            let reason = me.reject_reason.clone();
            view! {
                <p class="notice notice--error" role="alert" data-testid="org-status">
                    {bi("未通过审核：", "Not verified: ")}
                    {reason}
                </p>
            }
                .into_any()
        }
        _ => view! {
            <p class="notice" role="status" data-testid="org-status">
                {bi(
                    "登记中心正在审核贵单位的注册信息，通过后会短信通知，届时可以建项目、申报。",
                    "The centre is checking your registration; you will get a text once verified, and projects and filings open then.",
                )}
            </p>
        }
            .into_any(),
    };
    let sites = home.sites.clone();
    view! {
        <h1>{me.org_name.clone()}</h1>
        <p class="muted">
            {bi("统一社会信用代码：", "Credit code: ")} {me.credit_code.clone()} " · "
            {me.member_name.clone()} " · "
            {if me.is_admin {
                bi("管理员", "administrator")()
            } else {
                bi("申报员", "filer")()
            }}
        </p>
        {standing}
        <OkNotice />
        <ErrorSummary errors=errs />
        <OrgCases items=home.cases.clone() bank />
        {(!bank)
            .then(|| {
                view! {
                    <h2 id="projects">{bi("项目", "Projects")}</h2>
                    {if home.projects.is_empty() {
                        view! { <p class="muted">{bi("还没有项目。", "No project yet.")}</p> }
                            .into_any()
                    } else {
                        view! {
                            <ul class="cards" data-testid="projects">
                                {home
                                    .projects
                                    .iter()
                                    .map(|p| {
                                        view! {
                                            <li class="card">
                                                <a href=format!(
                                                    "/developer/projects/{}",
                                                    p.id,
                                                )>{p.name.clone()}</a>
                                                <p class="muted">
                                                    {p.address.clone()} " · " {p.units} {bi(" 户", " units")}
                                                </p>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                    {verified
                        .then(|| {
                            let csrf = csrf.clone();
                            view! {
                                <details class="card">
                                    <summary>{bi("新建项目", "Add a project")}</summary>
                                    <form
                                        method="post"
                                        action="/api/org/project_create"
                                        class="form"
                                    >
                                        <input type="hidden" name="csrf" value=csrf />
                                        <TextField
                                            errors=errs
                                            name="name"
                                            zh="项目名称"
                                            en="Project name"
                                        />
                                        <TextField
                                            errors=errs
                                            name="address"
                                            zh="项目坐落"
                                            en="Project address"
                                        />
                                        <div class="field">
                                            <label for="site">
                                                {bi("受理办理点", "Handled at")}
                                            </label>
                                            <select id="site" name="site">
                                                {sites
                                                    .iter()
                                                    .map(|s| {
                                                        let (zh, en) = (s.name_zh.clone(), s.name_en.clone());
                                                        view! {
                                                            <option value=s
                                                                .code
                                                                .clone()>{move || zh_en(current_lang(), &zh, &en)}</option>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </select>
                                        </div>
                                        <button type="submit" class="button">
                                            {bi("建立项目", "Add project")}
                                        </button>
                                    </form>
                                </details>
                            }
                        })}
                    <h2>{bi("申报批次", "Batches")}</h2>
                    <BatchList batches=home.batches.clone() />
                }
            })}
        {me
            .is_admin
            .then(|| {
                let csrf = csrf.clone();
                let csrf2 = csrf.clone();
                view! {
                    <h2 id="members">{bi("成员", "Members")}</h2>
                    <table class="cases" data-testid="members">
                        <tbody>
                            {home
                                .members
                                .iter()
                                .map(|m| {
                                    let csrf = csrf2.clone();
                                    let id = m.id.clone();
                                    let active = m.active;
                                    let is_me = m.is_me;
                                    view! {
                                        <tr>
                                            <td>{m.name.clone()}</td>
                                            <td>{m.mobile_masked.clone()}</td>
                                            <td>
                                                {if m.role == "admin" {
                                                    bi("管理员", "Admin")()
                                                } else {
                                                    bi("申报员", "Filer")()
                                                }}
                                                {m
                                                    .invited
                                                    .then(|| {
                                                        view! {
                                                            " "
                                                            <span class="tag tag--warn">
                                                                {bi("已邀请", "Invited")}
                                                            </span>
                                                        }
                                                    })}
                                            </td>
                                            <td>
                                                {(!is_me)
                                                    .then(|| {
                                                        view! {
                                                            <form
                                                                method="post"
                                                                action="/api/org/member_active"
                                                                class="inline-form"
                                                            >
                                                                <input type="hidden" name="csrf" value=csrf />
                                                                <input type="hidden" name="id" value=id />
                                                                <input
                                                                    type="hidden"
                                                                    name="active"
                                                                    value=if active { "0" } else { "1" }
                                                                />
                                                                <button type="submit" class="button button--secondary">
                                                                    {if active {
                                                                        bi("停用", "Disable")()
                                                                    } else {
                                                                        bi("启用", "Enable")()
                                                                    }}
                                                                </button>
                                                            </form>
                                                        }
                                                    })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <details class="card">
                        <summary>{bi("邀请成员", "Invite a member")}</summary>
                        <form method="post" action="/api/org/invite" class="form">
                            <input type="hidden" name="csrf" value=csrf />
                            <TextField errors=errs name="name" zh="姓名" en="Name" />
                            <TextField
                                errors=errs
                                name="mobile"
                                zh="手机号"
                                en="Mobile number"
                                kind="tel"
                            />
                            <div class="field">
                                <label for="role">{bi("角色", "Role")}</label>
                                <select id="role" name="role">
                                    <option value="filer">{bi("申报员", "Filer")}</option>
                                    <option value="admin">
                                        {bi("管理员", "Administrator")}
                                    </option>
                                </select>
                            </div>
                            <button type="submit" class="button">
                                {bi("发送邀请短信", "Text the invitation")}
                            </button>
                        </form>
                    </details>
                }
            })}
        {(me.is_admin && !bank).then(|| view! { <ApiTokens home=home.clone() /> })}
        {(!bank)
            .then(|| {
                view! {
                    <h2>{bi("表格模板", "Templates")}</h2>
                    <Templates />
                }
            })}
        <form method="post" action="/api/org/sign_out" class="inline-form">
            <input type="hidden" name="csrf" value=csrf />
            <button type="submit" class="button button--secondary">
                {bi("退出登录", "Sign out")}
            </button>
        </form>
    }
}

/// The applications that name the organisation, for it to confirm.
#[component]
fn OrgCases(items: Vec<crate::api::org_cases::OrgCaseItem>, bank: bool) -> impl IntoView {
    if items.is_empty() && !bank {
        return ().into_any();
    }
    view! {
        <h2 id="cases">{bi("列明本单位的申请", "Applications naming us")}</h2>
        <p class="muted">
            {bi(
                "申请人把本单位（按统一社会信用代码）列为当事人的申请，例如本行为抵押权人的带押过户、抵押登记。请阅读全部内容后确认；不同意的请提出异议，案件将停止办理。",
                "Applications whose filer names this organisation (by its credit code) as a party, e.g. a transfer with mortgage naming the bank as mortgagee. Read each one and confirm; if you do not agree, object and the case stops.",
            )}
        </p>
        {if items.is_empty() {
            view! { <p class="muted">{bi("暂无。", "None yet.")}</p> }.into_any()
        } else {
            view! {
                <ul class="cards" data-testid="org-cases">
                    {items
                        .into_iter()
                        .map(|c| {
                            let st = c.standing;
                            let stage = c.stage.clone();
                            let (mz, me) = (c.matter_zh.clone(), c.matter_en.clone());
                            view! {
                                <li class="card">
                                    <a href=format!(
                                        "/developer/cases/{}",
                                        c.id,
                                    )>{move || zh_en(current_lang(), &mz, &me)}</a>
                                    <p class="muted wrap-anywhere">
                                        {c.receipt.clone()} " · " {c.address.clone()}
                                    </p>
                                    <p>
                                        <span class=if st.agrees() {
                                            "tag tag--ok"
                                        } else {
                                            "tag"
                                        }>{move || st.label(current_lang())}</span>
                                        " "
                                        <span class="muted">
                                            {move || stage_label(&stage, current_lang())}
                                        </span>
                                    </p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
        .into_any()
}

/// A stage code as the organisation reads it (a withdrawn application too).
fn stage_label(code: &str, lang: Lang) -> String {
    if code == "withdrawn" {
        return zh_en(lang, "已撤回", "Withdrawn");
    }
    crate::domain::case::Stage::from_code(code)
        .map(|s| s.label(lang).to_string())
        .unwrap_or_default()
}

#[component]
fn BatchList(batches: Vec<BatchItem>) -> impl IntoView {
    if batches.is_empty() {
        return view! { <p class="muted">{bi("还没有批次。", "No batch yet.")}</p> }.into_any();
    }
    view! {
        <table class="cases cases--stack" data-testid="batches">
            <thead>
                <tr>
                    <th>{bi("批次号", "Batch")}</th>
                    <th>{bi("事项", "Matter")}</th>
                    <th>{bi("状态", "Status")}</th>
                    <th>{bi("户数", "Units")}</th>
                </tr>
            </thead>
            <tbody>
                {batches
                    .into_iter()
                    .map(|b| {
                        let kind = b.kind;
                        let status = b.status.clone();
                        view! {
                            <tr>
                                <td>
                                    <a href=format!(
                                        "/developer/batches/{}",
                                        b.id,
                                    )>{b.batch_no.clone()}</a>
                                    <br />
                                    <span class="muted">{b.project_name.clone()}</span>
                                </td>
                                <td data-label=bi(
                                    "事项",
                                    "Matter",
                                )>{move || kind.name(current_lang())}</td>
                                <td data-label=bi(
                                    "状态",
                                    "Status",
                                )>{move || status_name(&status, current_lang())}</td>
                                <td data-label=bi("户数", "Units")>{b.lines}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A whole-file refusal passed back in the query (`file_error`, `p`).
#[component]
fn FileRefusal() -> impl IntoView {
    let query = use_query_map();
    let refusal = query.with_untracked(|q| {
        FileError::from_parts(&q.get("file_error")?, &q.get("p").unwrap_or_default())
    });
    refusal.map(|e| {
        view! {
            <p class="notice notice--error" role="alert" data-testid="file-error">
                {move || e.message(current_lang())}
            </p>
        }
    })
}

/// The upload form of a batch or a project's unit list.
#[component]
fn UploadForm(action: String, csrf: String, max_rows: usize) -> impl IntoView {
    view! {
        <form method="post" action=action enctype="multipart/form-data" class="form upload">
            <input type="hidden" name="csrf" value=csrf />
            <div class="field">
                <label for="file">
                    {bi("选择填好的表格", "Choose the filled-in sheet")}
                </label>
                <p class="hint" id="file-hint">
                    {move || {
                        zh_en(
                            current_lang(),
                            &format!(
                                "Excel（.xlsx）或 CSV（UTF-8 或 GBK 均可），每个文件最多 {max_rows} 行。同一单元、同一合同重复上传会覆盖原行，不会重复。",
                            ),
                            &format!(
                                "Excel (.xlsx) or CSV (UTF-8 or GBK), at most {max_rows} rows per file. Uploading the same unit and contract again replaces that row; nothing is doubled.",
                            ),
                        )
                    }}
                </p>
                <input
                    id="file"
                    name="file"
                    type="file"
                    accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    aria-describedby="file-hint"
                    required=true
                />
            </div>
            <button type="submit" class="button">
                {bi("上传并检查", "Upload and check")}
            </button>
        </form>
    }
}

/// Uploads with progress while checking, then their counts, per-row
/// errors and the error report.
#[component]
fn Uploads(uploads: Vec<UploadItem>) -> impl IntoView {
    let any_checking = uploads.iter().any(|u| u.checking);
    view! {
        {any_checking
            .then(|| {
                view! {
                    <noscript>
                        <meta http-equiv="refresh" content="2" />
                    </noscript>
                    <IslandScripts bundle=Bundle::Org />
                }
            })}
        {uploads
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                let report = format!("/developer/uploads/{}/report.xlsx", u.id);
                let failed_class = if u.failed > 0 { "tag tag--danger" } else { "tag" };
                let errors = u.errors.clone();
                view! {
                    <section class="card filing-upload" data-testid="upload">
                        <h3>{u.file_name.clone()}</h3>
                        {if u.checking {
                            view! {
                                <CheckingProgress
                                    id=u.id.clone()
                                    checked=u.checked
                                    total=u.total
                                    lang=current_lang()
                                />
                            }
                                .into_any()
                        } else {
                            view! {
                                <p data-testid="upload-result">
                                    {bi("共 ", "")} {u.total} {bi(" 行：", " rows: ")}
                                    <span class="tag tag--ok" data-testid="accepted">
                                        {u.accepted}
                                        {bi(" 行通过", " accepted")}
                                    </span> " " <span class=failed_class data-testid="failed">
                                        {u.failed}
                                        {bi(" 行有误", " with errors")}
                                    </span>
                                </p>
                            }
                                .into_any()
                        }}
                        {(!errors.is_empty())
                            .then(|| {
                                view! {
                                    <p>
                                        <a class="button button--secondary" href=report download="">
                                            {bi(
                                                "下载错误报告（XLSX，改好后直接重新上传）",
                                                "Download the error report (XLSX; fix it and upload it again)",
                                            )}
                                        </a>
                                    </p>
                                    <details open=i == 0>
                                        <summary>{bi("有误的行", "Rows with errors")}</summary>
                                        <table class="cases cases--stack" data-testid="row-errors">
                                            <tbody>
                                                {errors
                                                    .into_iter()
                                                    .map(|(line, errs)| {
                                                        view! {
                                                            <tr>
                                                                <td>
                                                                    {move || {
                                                                        zh_en(
                                                                            current_lang(),
                                                                            &format!("第 {line} 行"),
                                                                            &format!("Line {line}"),
                                                                        )
                                                                    }}
                                                                </td>
                                                                <td>
                                                                    <ul>
                                                                        {errs
                                                                            .into_iter()
                                                                            .map(|e| {
                                                                                view! {
                                                                                    <li>
                                                                                        {move || {
                                                                                            let lang = current_lang();
                                                                                            let col = e.col.map(|c| c.header()).unwrap_or("");
                                                                                            let msg = zh_en(lang, &e.zh, &e.en);
                                                                                            if col.is_empty() { msg } else { format!("{col}：{msg}") }
                                                                                        }}
                                                                                    </li>
                                                                                }
                                                                            })
                                                                            .collect_view()}
                                                                    </ul>
                                                                </td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </details>
                                }
                            })}
                    </section>
                }
            })
            .collect_view()}
    }
}

/// While a file is being checked: its progress, which asks the server how
/// far the check has come every 1.5 s and loads the page again when it is
/// done, so the counts and the row errors appear (without JavaScript the
/// page refreshes itself every 2 s instead).
#[cfg_attr(any(feature = "ssr", feature = "islands-org"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-org")), component)]
fn CheckingProgress(id: String, checked: i64, total: i64, lang: Lang) -> impl IntoView {
    let checked = RwSignal::new(checked);
    let total = RwSignal::new(total);
    #[cfg(feature = "hydrate")]
    poll_progress(id, checked, total);
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
    view! {
        <p role="status" data-testid="upload-progress">
            {match lang {
                Lang::Zh => "正在检查：",
                Lang::En => "Checking: ",
            }}
            {checked}
            " / "
            {total}
        </p>
        <progress max=total value=checked></progress>
    }
}

#[cfg(feature = "hydrate")]
fn poll_progress(id: String, checked: RwSignal<i64>, total: RwSignal<i64>) {
    /// The part of the server's answer the bar needs.
    #[derive(serde::Deserialize)]
    struct Progress {
        checking: bool,
        checked: i64,
        total: i64,
    }
    set_timeout(
        move || {
            leptos::task::spawn_local(async move {
                let body = [("id".to_string(), id.clone())];
                let reply = crate::components::browser::post_form("/api/org/upload_status", &body)
                    .await
                    .ok()
                    .filter(|r| r.status == 200)
                    .and_then(|r| serde_json::from_str::<Progress>(&r.body).ok());
                match reply {
                    Some(p) if !p.checking => {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    }
                    Some(p) => {
                        checked.set(p.checked);
                        total.set(p.total);
                        poll_progress(id, checked, total);
                    }
                    // A passing fault (network, a busy server): ask again.
                    None => poll_progress(id, checked, total),
                }
            });
        },
        std::time::Duration::from_millis(1500),
    );
}

fn page_error(e: AppError) -> AnyView {
    match e {
        AppError::Unauthorized => view! {
            <section class="notice" role="status">
                <p>
                    {bi(
                        "请先登录开发企业账户。",
                        "Please sign in with your developer account.",
                    )}
                </p>
                <a class="button" href="/developer/signin">
                    {bi("登录", "Sign in")}
                </a>
            </section>
        }
        .into_any(),
        _ => {
            crate::pages::not_found::respond_not_found();
            view! { <crate::pages::NotFound /> }.into_any()
        }
    }
}

#[component]
pub fn DevProjectPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let data = Resource::new(id, get_project);
    view! {
        <crate::components::layout::PageTitle zh="项目" en="Project" />
        <p class="breadcrumb">
            <a href="/developer">{bi("← 企业首页", "← Organisation")}</a>
        </p>
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(p) => view! { <ProjectBody p /> }.into_any(),
                    Err(e) => page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectBody(p: ProjectView) -> impl IntoView {
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(org_message));
    let units = p.units.len();
    view! {
        <h1>{p.name.clone()}</h1>
        <p class="muted">{p.address.clone()}</p>
        <ErrorSummary errors=errs />
        <h2>{bi("新建申报批次", "Start a batch")}</h2>
        {(units == 0)
            .then(|| {
                view! {
                    <p class="notice" role="status">
                        {bi(
                            "请先上传本项目的楼盘表：申报时会核对每一户是否属于本项目。",
                            "Upload the project's unit list first: every filed unit is checked against it.",
                        )}
                    </p>
                }
            })}
        <form method="post" action="/api/org/batch_create" class="form">
            <input type="hidden" name="csrf" value=p.csrf.clone() />
            <input type="hidden" name="project" value=p.id.clone() />
            <div class="field">
                <label for="kind">{bi("申报事项", "Matter")}</label>
                <select id="kind" name="kind">
                    {FilingKind::ALL
                        .into_iter()
                        .map(|k| {
                            view! {
                                <option value=k.code()>{move || k.name(current_lang())}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button">
                {bi("新建批次", "Start batch")}
            </button>
        </form>
        <BatchList batches=p.batches.clone() />
        <h2>{bi("楼盘表", "Unit list")}</h2>
        <FileRefusal />
        <UploadForm
            action=format!("/developer/projects/{}/units", p.id)
            csrf=p.csrf.clone()
            max_rows=p.max_rows
        />
        <Uploads uploads=p.uploads.clone() />
        <p data-testid="unit-count">
            {move || {
                zh_en(current_lang(), &format!("共 {units} 户"), &format!("{units} units"))
            }}
        </p>
        {(units > 0)
            .then(|| {
                view! {
                    <details>
                        <summary>{bi("查看单元", "See the units")}</summary>
                        <table class="cases cases--stack">
                            <thead>
                                <tr>
                                    <th>{bi("楼栋", "Building")}</th>
                                    <th>{bi("不动产单元号", "Unit number")}</th>
                                    <th>{bi("层", "Floor")}</th>
                                    <th>{bi("面积（㎡）", "Area (m²)")}</th>
                                    <th>{bi("用途", "Use")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {p
                                    .units
                                    .iter()
                                    .take(1000)
                                    .map(|u| {
                                        view! {
                                            <tr>
                                                <td data-label=bi(
                                                    "楼栋",
                                                    "Building",
                                                )>{u.building.clone()}</td>
                                                <td data-label=bi(
                                                    "不动产单元号",
                                                    "Unit number",
                                                )>{u.unit_no.clone()}</td>
                                                <td data-label=bi("层", "Floor")>{u.floor}</td>
                                                <td data-label=bi(
                                                    "面积（㎡）",
                                                    "Area (m²)",
                                                )>{u.area.clone()}</td>
                                                <td data-label=bi("用途", "Use")>{u.use_kind.clone()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </details>
                }
            })}
    }
}

#[component]
pub fn DevBatchPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        let (page, show) = query.with(|q| (q.get("page"), q.get("show")));
        (id, page.and_then(|p| p.parse::<usize>().ok()), show)
    };
    let data = Resource::new(key, |(id, page, show)| get_batch(id, page, show));
    view! {
        <crate::components::layout::PageTitle zh="申报批次" en="Filing batch" />
        <p class="breadcrumb">
            <a href="/developer">{bi("← 企业首页", "← Organisation")}</a>
        </p>
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(b) => view! { <BatchBody b /> }.into_any(),
                    Err(e) => page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BatchBody(b: BatchView) -> impl IntoView {
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(batch_message));
    let kind = b.kind;
    let draft = b.status == "draft";
    let status = b.status.clone();
    let csrf = b.csrf.clone();
    let batch_id = b.id.clone();
    let lines = b.page.total;
    let base = format!("/developer/batches/{}", b.id);
    view! {
        <h1>{bi("批次 ", "Batch ")} {b.batch_no.clone()}</h1>
        <p class="muted">
            <a href=format!("/developer/projects/{}", b.project_id)>{b.project_name.clone()}</a>
            " · "
            {move || kind.name(current_lang())}
        </p>
        <p data-testid="batch-status">
            <span class="tag">{move || status_name(&status, current_lang())}</span>
        </p>
        <OkNotice />
        <ErrorSummary errors=errs />
        {draft
            .then(|| {
                view! {
                    <h2>{bi("上传表格", "Upload a sheet")}</h2>
                    <p>
                        {bi("模板：", "Template: ")}
                        <a href=format!("/developer/templates/{}.xlsx", kind.code())>"XLSX"</a>
                        " · " <a href=format!("/developer/templates/{}.csv", kind.code())>"CSV"</a>
                    </p>
                    <FileRefusal />
                    <UploadForm
                        action=format!("/developer/batches/{}/upload", batch_id)
                        csrf=csrf.clone()
                        max_rows=b.max_rows
                    />
                }
            })}
        <Uploads uploads=b.uploads.clone() />
        <h2>{bi("本批次的单元", "Units in this batch")}</h2>
        <p data-testid="line-count">
            {move || {
                zh_en(current_lang(), &format!("共 {lines} 户"), &format!("{lines} units"))
            }}
        </p>
        {draft
            .then(|| {
                let csrf = csrf.clone();
                let batch = b.id.clone();
                view! {
                    <form method="post" action="/api/org/batch_submit" class="form">
                        <input type="hidden" name="csrf" value=csrf />
                        <input type="hidden" name="batch" value=batch />
                        <p class="hint">
                            {bi(
                                "提交后不能再修改本批次；登记中心逐户预审，意见显示在本页。",
                                "Once submitted the batch cannot change; the centre pre-reviews each unit and the opinions show here.",
                            )}
                        </p>
                        <button type="submit" class="button" data-testid="submit-batch">
                            {bi("提交预审", "Submit for pre-review")}
                        </button>
                    </form>
                }
            })}
        <LineFilter page=b.page.clone() base=base.clone() name=status_name />
        <table class="cases cases--stack" data-testid="lines">
            <thead>
                <tr>
                    <th>{bi("不动产单元号", "Unit number")}</th>
                    <th>{bi("买受人", "Buyer")}</th>
                    <th>{bi("合同号 / 回执号", "Contract / receipt")}</th>
                    <th>{bi("预审", "Pre-review")}</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {b
                    .lines
                    .iter()
                    .map(|l| {
                        let status = l.status.clone();
                        let note = l.review_note.clone();
                        let csrf = csrf.clone();
                        let batch = b.id.clone();
                        let line = l.id.clone();
                        view! {
                            <tr data-testid="line">
                                <td data-label=bi(
                                    "不动产单元号",
                                    "Unit number",
                                )>{l.unit_no.clone()}</td>
                                <td data-label=bi("买受人", "Buyer")>{l.buyer_name.clone()}</td>
                                <td data-label=bi(
                                    "合同号 / 回执号",
                                    "Contract / receipt",
                                )>
                                    {l.contract_no.clone()} <br />
                                    <span class="muted" data-testid="receipt">
                                        {l.receipt_no.clone()}
                                    </span>
                                </td>
                                <td data-label=bi(
                                    "预审",
                                    "Pre-review",
                                )>
                                    {move || status_name(&status, current_lang())}
                                    {(!note.is_empty())
                                        .then(|| {
                                            view! {
                                                <br />
                                                {note.clone()}
                                            }
                                        })}
                                </td>
                                <td>
                                    {draft
                                        .then(|| {
                                            view! {
                                                <form
                                                    method="post"
                                                    action="/api/org/batch_remove_line"
                                                    class="inline-form"
                                                >
                                                    <input type="hidden" name="csrf" value=csrf />
                                                    <input type="hidden" name="batch" value=batch />
                                                    <input type="hidden" name="line" value=line />
                                                    <button type="submit" class="button button--secondary">
                                                        {bi("移出", "Remove")}
                                                    </button>
                                                </form>
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <LinePages page=b.page.clone() base=base.clone() />
    }
}

/// The centre's administrators: organisations waiting for verification
/// first; verify, or reject with a reason.
#[component]
pub fn StaffOrgsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| list_orgs());
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(org_message));
    view! {
        <crate::components::layout::PageTitle zh="开发企业审核" en="Organisations" />
        <p class="breadcrumb">
            <a href="/staff/admin">{bi("← 账户管理", "← Accounts")}</a>
        </p>
        <h1>
            {bi("单位审核（开发企业、银行）", "Organisations (developers, banks)")}
        </h1>
        <ErrorSummary errors=errs />
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) if list.orgs.is_empty() => {
                        view! {
                            <p class="muted">
                                {bi("还没有企业注册。", "No organisation has registered.")}
                            </p>
                        }
                            .into_any()
                    }
                    Ok(list) => {
                        let csrf = list.csrf.clone();
                        view! {
                            <ul class="cards" data-testid="orgs">
                                {list
                                    .orgs
                                    .into_iter()
                                    .map(|o| {
                                        let pending = o.status == "pending";
                                        let csrf = csrf.clone();
                                        let id = o.id.clone();
                                        let status = o.status.clone();
                                        let bank = o.kind == "bank";
                                        view! {
                                            <li class="card" data-testid="org">
                                                <h2>{o.name.clone()}</h2>
                                                <p>
                                                    <span class="tag">
                                                        {if bank {
                                                            bi("银行", "Bank")()
                                                        } else {
                                                            bi("开发企业", "Developer")()
                                                        }}
                                                    </span>
                                                </p>
                                                <p class="muted">
                                                    {o.credit_code.clone()} " · " {o.contact_name.clone()}
                                                    " · " {o.contact_mobile_masked.clone()}
                                                </p>
                                                <p>
                                                    <span class="tag">
                                                        {move || match (status.as_str(), current_lang()) {
                                                            ("pending", Lang::Zh) => "待审核",
                                                            ("pending", Lang::En) => "Waiting",
                                                            ("verified", Lang::Zh) => "已通过",
                                                            ("verified", Lang::En) => "Verified",
                                                            (_, Lang::Zh) => "未通过",
                                                            (_, Lang::En) => "Rejected",
                                                        }}
                                                    </span>
                                                    " "
                                                    {o.reject_reason.clone()}
                                                </p>
                                                {pending
                                                    .then(|| {
                                                        let csrf2 = csrf.clone();
                                                        let id2 = id.clone();
                                                        view! {
                                                            <form
                                                                method="post"
                                                                action="/api/org/admin_decide"
                                                                class="inline-form"
                                                            >
                                                                <input type="hidden" name="csrf" value=csrf />
                                                                <input type="hidden" name="id" value=id />
                                                                <input type="hidden" name="decision" value="verify" />
                                                                <button type="submit" class="button" data-testid="verify">
                                                                    {bi("核实无误，通过", "Verified: approve")}
                                                                </button>
                                                            </form>
                                                            <form
                                                                method="post"
                                                                action="/api/org/admin_decide"
                                                                class="form"
                                                            >
                                                                <input type="hidden" name="csrf" value=csrf2 />
                                                                <input type="hidden" name="id" value=id2 />
                                                                <input type="hidden" name="decision" value="reject" />
                                                                <div class="field">
                                                                    <label for=format!(
                                                                        "reason-{}",
                                                                        o.id,
                                                                    )>{bi("不通过的理由", "Reason for rejecting")}</label>
                                                                    <input id=format!("reason-{}", o.id) name="reason" />
                                                                </div>
                                                                <button type="submit" class="button button--secondary">
                                                                    {bi("不通过", "Reject")}
                                                                </button>
                                                            </form>
                                                        }
                                                    })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(AppError::Unauthorized) => {
                        view! { <crate::pages::staff::StaffSignInPrompt /> }.into_any()
                    }
                    Err(_) => {
                        view! {
                            <p class="notice notice--error" role="alert">
                                {bi(
                                    "仅管理员可以审核企业。",
                                    "Only administrators verify organisations.",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The organisation administrator's API tokens: a new one shown once,
/// the list with revoke buttons, and the form to make one.
#[component]
fn ApiTokens(home: OrgHome) -> impl IntoView {
    let csrf = home.me.csrf.clone();
    let csrf2 = csrf.clone();
    view! {
        <h2 id="api">
            {bi("接口令牌（销售系统对接）", "API tokens (for your sales system)")}
        </h2>
        <p class="hint">
            {bi("接口说明：", "API documentation: ")} <a href="/api/v1/docs">"/api/v1/docs"</a>
            " · " <a href="/api/v1/openapi.json">"openapi.json"</a>
        </p>
        {home
            .new_token
            .clone()
            .map(|t| {
                view! {
                    <div class="notice" role="status" data-testid="new-token">
                        <p>
                            {bi(
                                "新令牌如下，只显示这一次，请立即复制保存：",
                                "Your new token, shown this once — copy it now:",
                            )}
                        </p>
                        <p>
                            <code>{t}</code>
                        </p>
                    </div>
                }
            })}
        <ul class="doc-list" data-testid="tokens">
            {home
                .tokens
                .iter()
                .map(|t| {
                    let csrf = csrf2.clone();
                    let id = t.id.clone();
                    let revoked = t.revoked;
                    view! {
                        <li>
                            <strong>{t.name.clone()}</strong>
                            " · "
                            <code>{t.prefix.clone()} "…"</code>
                            " · "
                            {t.created.clone()}
                            {revoked
                                .then(|| {
                                    view! {
                                        " "
                                        <span class="tag tag--danger">
                                            {bi("已吊销", "Revoked")}
                                        </span>
                                    }
                                })}
                            {(!revoked)
                                .then(|| {
                                    view! {
                                        <form
                                            method="post"
                                            action="/api/org/token_revoke"
                                            class="inline-form"
                                        >
                                            <input type="hidden" name="csrf" value=csrf />
                                            <input type="hidden" name="id" value=id />
                                            <button type="submit" class="button button--secondary">
                                                {bi("吊销", "Revoke")}
                                            </button>
                                        </form>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <form method="post" action="/api/org/token_create" class="form">
            <input type="hidden" name="csrf" value=csrf />
            <div class="field">
                <label for="token_name">{bi("令牌名称", "Token name")}</label>
                <input id="token_name" name="name" />
            </div>
            <button type="submit" class="button">
                {bi("生成新令牌", "Make a new token")}
            </button>
        </form>
    }
}

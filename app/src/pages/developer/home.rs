//! The developers' pages: registration, sign-in (password, then a texted
//! code), the organisation's home (projects, batches, members), a project
//! with its unit list, and a batch with its uploads, per-row errors and
//! lines. Plain forms that post to server functions or upload routes, so
//! everything works without JavaScript; with it, a file being checked shows
//! its progress live (without it, the page refreshes itself).

use crate::api::developer::home::{get_org_home, OrgHome};
use crate::api::developer::messages::org_message;
use crate::components::forms::{bi, zh_en, ErrorSummary};
use crate::components::language::current_lang;
use crate::components::org::*;
use crate::components::page_data::{PageData, SignIn};
use crate::domain::filing::FilingKind;
use crate::error::FieldError;
use leptos::prelude::*;

/// The organisation's home, or the way in for someone not signed in.
#[component]
pub fn DeveloperPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_org_home());
    view! {
        <crate::components::layout::PageTitle zh="企业首页" en="Organisation" />
        <PageData
            data=data
            sign_in=SignIn::Org
            failed=("暂时无法打开，请稍后再试。", "This page cannot open just now.")
            let:value
        >
            {match value {
                Some(home) => view! { <OrgHomeView home /> }.into_any(),
                None => view! { <DeveloperWelcome /> }.into_any(),
            }}
        </PageData>
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
        {bank
            .then(|| {
                view! {
                    <p>
                        <a href="/developer/mortgages" data-testid="bank-mortgages-link">
                            {bi("登记在本行名下的抵押", "Mortgages registered to us")}
                        </a>
                    </p>
                }
            })}
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
                                <details class="card" open=move || !errs.get().is_empty()>
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
fn OrgCases(items: Vec<crate::views::OrgCaseItem>, bank: bool) -> impl IntoView {
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

//! /staff/orgs: organisations applying to file, verified or refused by administrators.

use crate::api::clerk::orgs::list_orgs;
use crate::api::developer::messages::org_message;
use crate::components::forms::{bi, ErrorSummary};
use crate::components::language::current_lang;
use crate::components::org::*;
use crate::components::page_data::{PageData, Refused, SignIn};
use crate::domain::Lang;
use crate::error::{AppError, FieldError};
use leptos::prelude::*;

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
        <PageData
            data=data
            sign_in=SignIn::Staff
            refused=admins_only as Refused
            failed=("企业列表暂时无法读取。", "The organisations cannot be read now.")
            let:value
        >
            {match value {
                list if list.orgs.is_empty() => {
                    view! {
                        <p class="muted">
                            {bi("还没有企业注册。", "No organisation has registered.")}
                        </p>
                    }
                        .into_any()
                }
                list => {
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
            }}
        </PageData>
    }
}

/// Organisations are verified by administrators: anyone else is told so.
fn admins_only(e: &AppError) -> Option<AnyView> {
    matches!(e, AppError::Forbidden).then(|| {
        view! {
            <p class="notice notice--error" role="alert">
                {bi(
                    "仅管理员可以审核企业。",
                    "Only administrators verify organisations.",
                )}
            </p>
        }
        .into_any()
    })
}

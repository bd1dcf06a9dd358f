//! /me: the signed-in citizen's applications and cases.

use crate::api::citizen::applications::my_applications;
use crate::api::citizen::signin::{signin_message, whoami, Me};
use crate::components::forms::bi;
use crate::components::labels::*;
use crate::components::language::current_lang;
use crate::components::page_data::PageData;
use crate::components::prompts::*;
use crate::domain::Lang;
use crate::error::AppError;
use crate::views::Status;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MePage() -> impl IntoView {
    // Both resources belong to the page itself, not to a suspended child that
    // may be re-created while they load (their server calls need the
    // request's context).
    let me = Resource::new(|| (), |_| whoami());
    let list = Resource::new(|| (), |_| my_applications());
    let query = use_query_map();
    let flash = move || {
        query.with(|q| {
            if q.get("saved").is_some() {
                Some(bi(
                    "已保存。您可以随时回来继续填写。",
                    "Saved. You can come back and continue at any time.",
                ))
            } else if q.get("discarded").is_some() {
                Some(bi("草稿已删除。", "The draft has been deleted."))
            } else {
                None
            }
        })
    };
    let error = move || query.with(|q| q.get("error"));
    view! {
        <crate::components::layout::PageTitle zh="我的办件" en="My applications" />
        <h1>{bi("我的办件", "My applications")}</h1>
        <p>
            <a href="/me/register" data-testid="my-register-link">
                {bi(
                    "我的不动产（登记簿查询、下载查询结果）",
                    "My property (the register, and a sealed query result)",
                )}
            </a>
        </p>
        {move || {
            flash()
                .map(|f| {
                    view! {
                        <p class="notice" role="status">
                            {f}
                        </p>
                    }
                })
        }}
        {move || {
            error()
                .and_then(|c| signin_message(&c, current_lang()))
                .map(|m| {
                    view! {
                        <p class="notice notice--error" role="alert">
                            {m}
                        </p>
                    }
                })
        }}
        <PageData
            data=me
            failed=(
                "暂时无法加载，请稍后刷新页面。",
                "This could not be loaded; please reload the page in a moment.",
            )
            let:value
        >
            {match value {
                Some(me) => view! { <MyApplications me list /> }.into_any(),
                None => view! { <SignInPrompt /> }.into_any(),
            }}
        </PageData>
    }
}

#[component]
fn MyApplications(
    me: Me,
    list: Resource<Result<Vec<crate::api::citizen::applications::ApplicationSummary>, AppError>>,
) -> impl IntoView {
    let csrf = me.csrf.clone();
    let csrf2 = me.csrf.clone();
    view! {
        <p class="muted">
            {bi("已登录：", "Signed in as ")}
            <span data-testid="me-mobile">{me.mobile_masked}</span>
        </p>
        <p>
            <A href="/matters" attr:class="button">
                {bi("开始新的预申请", "Start a new pre-application")}
            </A>
        </p>
        <PageData
            data=list
            failed=(
                "暂时无法加载，请稍后刷新页面。",
                "This could not be loaded; please reload the page in a moment.",
            )
            let:value
        >
            {match value {
                items if items.is_empty() => {
                    view! {
                        <p class="notice">
                            {bi(
                                "您还没有办件。先在“办事指南”中找到要办的事项。",
                                "You have no applications yet. Start by finding your matter in the service guide.",
                            )}
                        </p>
                    }
                        .into_any()
                }
                items => {
                    view! {
                        <ul class="app-list">
                            {items
                                .into_iter()
                                .map(|a| {
                                    let href = if a.status == Status::Draft {
                                        format!("/apply/{}/{}", a.id, a.resume)
                                    } else {
                                        format!("/applications/{}", a.id)
                                    };
                                    let status = a.status;
                                    let stage = crate::domain::case::Stage::from_code(&a.stage)
                                        .filter(|_| status == Status::Submitted);
                                    let (zh, en) = (a.matter_zh.clone(), a.matter_en.clone());
                                    view! {
                                        <li>
                                            <a href=href class="app-link">
                                                <span class="app-link__name">
                                                    {move || {
                                                        if current_lang() == Lang::Zh {
                                                            zh.clone()
                                                        } else {
                                                            en.clone()
                                                        }
                                                    }}
                                                </span>
                                                <span class=format!(
                                                    "status status--{}",
                                                    serde_json::to_string(&status)
                                                        .unwrap_or_default()
                                                        .trim_matches('"'),
                                                )>
                                                    {move || match stage {
                                                        Some(st) => st.label(current_lang()),
                                                        None => status_label(status, current_lang()),
                                                    }}
                                                </span>
                                                <span class="app-link__meta">
                                                    {a.receipt_no.clone().unwrap_or_default()} " · "
                                                    {a.updated_at.clone()}
                                                    {(!a.is_filer)
                                                        .then(|| {
                                                            view! {
                                                                " · "
                                                                {bi("您是申请人之一", "you are named on it")}
                                                            }
                                                        })}
                                                </span>
                                            </a>
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
        <section class="account">
            <h2>{bi("账户安全", "Account security")}</h2>
            <div class="actions">
                <form method="post" action="/api/auth/sign_out">
                    <input type="hidden" name="csrf" value=csrf />
                    <button type="submit" class="button button--secondary">
                        {bi("退出登录", "Sign out")}
                    </button>
                </form>
                <form method="post" action="/api/auth/sign_out">
                    <input type="hidden" name="csrf" value=csrf2 />
                    <input type="hidden" name="everywhere" value="1" />
                    <button type="submit" class="button button--secondary">
                        {bi("在所有设备上退出", "Sign out on every device")}
                    </button>
                </form>
            </div>
        </section>
    }
}

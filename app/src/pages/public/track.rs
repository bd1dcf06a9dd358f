//! /track: progress by receipt number, for anyone.

use crate::api::public::track::{track, TrackView};
use crate::components::forms::bi;
use crate::components::labels::*;
use crate::components::language::current_lang;
use crate::components::timeline::*;
use crate::domain::Lang;
use crate::error::AppError;
use crate::views::Status;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TrackPage() -> impl IntoView {
    let query = use_query_map();
    let no = move || query.with(|q| q.get("no")).unwrap_or_default();
    let id = move || query.with(|q| q.get("id")).unwrap_or_default();
    let result = Resource::new(
        move || (no(), id()),
        |(no, id)| async move {
            if no.trim().is_empty() || id.trim().is_empty() {
                None
            } else {
                Some(track(no, id).await)
            }
        },
    );
    view! {
        <crate::components::layout::PageTitle zh="进度查询" en="Track an application" />
        <h1>{bi("办件进度查询", "Track progress")}</h1>
        <p class="lead">
            {bi(
                "无需登录：输入回执号，以及任一申请人身份证号码的后 6 位（或其手机号）。",
                "No sign-in needed: enter the receipt number and the last 6 characters of any party's ID number (or their mobile number).",
            )}
        </p>
        <form method="get" action="/track" class="form">
            <div class="field">
                <label for="no">{bi("回执号", "Receipt number")}</label>
                <p class="hint" id="no-hint">
                    {bi("例如 261124-7KQM-3RTX", "e.g. 261124-7KQM-3RTX")}
                </p>
                <input
                    id="no"
                    name="no"
                    type="text"
                    autocomplete="off"
                    autocapitalize="characters"
                    maxlength="40"
                    aria-describedby="no-hint"
                    prop:value=no
                    value=no
                />
            </div>
            <div class="field">
                <label for="id">
                    {bi("身份证后 6 位或手机号", "Last 6 of ID number, or mobile number")}
                </label>
                <input
                    id="id"
                    name="id"
                    type="text"
                    autocomplete="off"
                    maxlength="20"
                    prop:value=id
                    value=id
                />
            </div>
            <button type="submit" class="button">
                {bi("查询", "Look up")}
            </button>
        </form>
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match result.await {
                    None if query.with_untracked(|q| q.get("id").is_some()) => {
                        // The form was sent (it always sends both fields) with one
                        // left empty: say so. A link that only fills in the
                        // receipt number (`?no=…`, from an application) is not.
                        view! {
                            <p class="notice notice--error" role="alert" data-testid="track-result">
                                {bi(
                                    "请同时填写回执号和任一申请人身份证号码的后 6 位（或其手机号）。",
                                    "Enter both the receipt number and the last 6 characters of a party's ID number (or their mobile number).",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                    None => ().into_any(),
                    Some(Ok(t)) => view! { <TrackResult t /> }.into_any(),
                    Some(Err(e @ AppError::Unavailable { .. })) => {
                        crate::components::respond::respond_error(&e);
                        view! {
                            <p class="notice notice--error" role="alert" data-testid="track-result">
                                {bi(
                                    "系统暂时无法查询（数据库暂不可用），请稍后再试；您的办件不受影响。",
                                    "Lookups are unavailable for a moment (the database is not answering); please try again shortly. Your case is not affected.",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                    Some(Err(AppError::RateLimited { retry_after_secs })) => {
                        crate::components::respond::respond_error(
                            &AppError::RateLimited {
                                retry_after_secs,
                            },
                        );
                        view! {
                            <p class="notice notice--error" role="alert" data-testid="track-result">
                                {move || {
                                    if current_lang() == Lang::Zh {
                                        format!(
                                            "查询过于频繁，请 {} 分钟后再试。",
                                            retry_after_secs.div_ceil(60),
                                        )
                                    } else {
                                        format!(
                                            "Too many lookups; please try again in {} minutes.",
                                            retry_after_secs.div_ceil(60),
                                        )
                                    }
                                }}
                            </p>
                        }
                            .into_any()
                    }
                    Some(Err(_)) => {
                        view! {
                            <p class="notice notice--error" role="alert" data-testid="track-result">
                                {bi(
                                    "没有找到匹配的办件。请核对回执号和身份证后 6 位（或手机号）。",
                                    "No matching application was found. Please check the receipt number and the last 6 characters of the ID number (or the mobile number).",
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
fn TrackResult(t: TrackView) -> impl IntoView {
    let status = t.status;
    let stage = t.stage.clone();
    let (zh, en) = (t.matter_zh.clone(), t.matter_en.clone());
    view! {
        <section class="track-result" data-testid="track-result">
            <h2>{move || if current_lang() == Lang::Zh { zh.clone() } else { en.clone() }}</h2>
            <dl class="facts">
                <dt>{bi("回执号", "Receipt number")}</dt>
                <dd class="receipt">{t.receipt_no}</dd>
                <dt>{bi("状态", "Status")}</dt>
                <dd data-testid="status">
                    {move || {
                        match crate::domain::case::Stage::from_code(&stage) {
                            Some(st) if status == Status::Submitted => {
                                st.label(current_lang()).to_string()
                            }
                            _ => status_label(status, current_lang()).to_string(),
                        }
                    }}
                </dd>
                <dt>{bi("申请人", "Parties")}</dt>
                <dd>{t.names.join("、")}</dd>
                <DuePromise due=t.due.clone() paused=t.paused />
            </dl>
            <Timeline events=t.events />
        </section>
    }
}

//! /staff/ratings: the supervisors' view of ratings (好差评) per site,
//! matter and clerk, and the follow-ups of low ratings.

use crate::api::clerk::ratings::{ratings_overview, Tally};
use crate::api::clerk::signin::current_staff_member;
use crate::components::forms::bi;
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, SignIn};
use crate::components::staff::*;
use crate::domain::rating::{level_label, reason_label};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
fn TallyTable(
    title: (&'static str, &'static str),
    rows: Vec<Tally>,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <h2>{bi(title.0, title.1)}</h2>
        <table class="cases" data-testid=testid>
            <thead>
                <tr>
                    <th>{bi("名称", "Name")}</th>
                    <th>{bi("评价数", "Ratings")}</th>
                    <th>{bi("平均（5 分制）", "Average (of 5)")}</th>
                    <th>{bi("差评", "Low")}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|t| {
                        view! {
                            <tr>
                                <td>{t.name}</td>
                                <td>{t.count}</td>
                                <td>{format!("{:.1}", t.average)}</td>
                                <td>{t.low}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// `/staff/ratings`: the last 90 days' ratings of the supervisor's sites.
#[component]
pub fn RatingsPage() -> impl IntoView {
    let data = Resource::new(
        || (),
        |_| async {
            let me = current_staff_member()
                .await?
                .ok_or(AppError::Unauthorized)?;
            Ok::<_, AppError>((me, ratings_overview().await?))
        },
    );
    let query = use_query_map();
    let error = query
        .with_untracked(|q| q.get("error"))
        .filter(|c| c == "action");
    let ok = query
        .with_untracked(|q| q.get("ok"))
        .filter(|c| c == "followed_up");
    view! {
        <crate::components::layout::PageTitle zh="好差评" en="Ratings" />
        <PageData data sign_in=SignIn::Staff let:loaded>
            {
                let (me, r) = loaded;
                let csrf = r.csrf.clone();
                view! {
                    <StaffBar me />
                    <p class="breadcrumb">
                        <a href="/staff">{bi("← 队列", "← Queues")}</a>
                    </p>
                    <h1>{bi("好差评", "Ratings")}</h1>
                    {error
                        .clone()
                        .map(|_| {
                            view! {
                                <p class="notice notice--error" role="alert">
                                    {bi(
                                        "处理情况：请写明核实和整改的情况（5 到 500 字）。",
                                        "What was done: describe it (5 to 500 characters).",
                                    )}
                                </p>
                            }
                        })}
                    {ok
                        .clone()
                        .map(|_| {
                            view! {
                                <p class="notice" role="status">
                                    {bi(
                                        "已记录处理情况，并已短信告知评价人。",
                                        "Recorded; the person who rated has been texted.",
                                    )}
                                </p>
                            }
                        })}
                    <p class="muted">
                        {bi(
                            "本网点近 90 天的评价。评价由办事群众给出，任何人都不能修改或删除；“不满意”及以下须在期限内核实整改并答复。",
                            "Your sites' ratings of the last 90 days. Nobody can change or delete a rating; one of Dissatisfied or below must be looked into and answered by its due day.",
                        )}
                    </p>
                    <h2>
                        {bi(
                            "差评及处理（待处理的在前）",
                            "Low ratings and their follow-ups (open first)",
                        )}
                    </h2>
                    <ul class="plain-list" data-testid="ratings">
                        {r
                            .ratings
                            .into_iter()
                            .map(|x| {
                                let level = x.level;
                                let reasons = x.reasons.clone();
                                let anchor = format!("rating-{}", x.id);
                                view! {
                                    <li id=anchor class="card" data-testid="rating-row">
                                        <p>
                                            <strong>
                                                {move || level_label(level, current_lang())}
                                            </strong>
                                            " · "
                                            {x.receipt_no.clone()}
                                            " · "
                                            {x.matter.clone()}
                                            " · "
                                            {x.site.clone()}
                                            " · "
                                            {bi("经办：", "Clerk: ")}
                                            {x.clerk.clone()}
                                        </p>
                                        <p class="muted">
                                            {x.at.clone()}
                                            {(!reasons.is_empty())
                                                .then(|| {
                                                    view! {
                                                        " · "
                                                        {move || {
                                                            reasons
                                                                .iter()
                                                                .map(|c| reason_label(c, current_lang()))
                                                                .collect::<Vec<_>>()
                                                                .join("、")
                                                        }}
                                                    }
                                                })}
                                        </p>
                                        {(!x.comment.is_empty())
                                            .then(|| {
                                                view! { <blockquote>{x.comment.clone()}</blockquote> }
                                            })}
                                        {x
                                            .due_on
                                            .clone()
                                            .map(|due| {
                                                if x.follow_up_open {
                                                    view! {
                                                        <form
                                                            method="post"
                                                            action="/api/cases/rating_follow_up"
                                                            class="form"
                                                        >
                                                            <input type="hidden" name="id" value=x.id.clone() />
                                                            <input type="hidden" name="csrf" value=csrf.clone() />
                                                            <p>
                                                                <span class="tag tag--warn">
                                                                    {bi("待处理，期限 ", "Open, due ")} {due}
                                                                </span>
                                                            </p>
                                                            <div class="field">
                                                                <label for=format!(
                                                                    "action-{}",
                                                                    x.id,
                                                                )>
                                                                    {bi(
                                                                        "核实与整改情况（将短信告知评价人）",
                                                                        "What was found and done (texted to them)",
                                                                    )}
                                                                </label>
                                                                <textarea
                                                                    id=format!("action-{}", x.id)
                                                                    name="action"
                                                                    rows="3"
                                                                    maxlength="500"
                                                                    required
                                                                ></textarea>
                                                            </div>
                                                            <button type="submit" class="button">
                                                                {bi("办结并答复", "Close and answer")}
                                                            </button>
                                                        </form>
                                                    }
                                                        .into_any()
                                                } else {
                                                    view! {
                                                        <p class="notice" role="status">
                                                            {bi("已处理：", "Done: ")}
                                                            {x.action.clone()}
                                                            " （"
                                                            {x.followed_up_by.clone()}
                                                            "）"
                                                        </p>
                                                    }
                                                        .into_any()
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <TallyTable title=("按网点", "By site") rows=r.by_site testid="by-site" />
                    <TallyTable
                        title=("按事项", "By matter")
                        rows=r.by_matter
                        testid="by-matter"
                    />
                    <TallyTable
                        title=("按经办人", "By clerk")
                        rows=r.by_clerk
                        testid="by-clerk"
                    />
                }
                    .into_any()
            }
        </PageData>
    }
}

//! /staff: the workbench — alerts, queue filters, the queue.

use crate::api::clerk::signin::current_staff_member;
use crate::api::clerk::workbench::{case_queue, CaseLine, QueueFilter, QUEUES};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, SignIn};
use crate::components::staff::*;
use crate::domain::case::Stage;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// What the workbench shows a case worker beside their bar (administrators
/// work no cases: they see only their bar and the way to the accounts).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Desk {
    /// The queue, or why it cannot be shown (a filter's bad dates).
    lines: Result<Vec<CaseLine>, AppError>,
    matters: Vec<crate::domain::catalogue::Matter>,
    sites: Vec<crate::model::Site>,
    alerts: Vec<crate::api::clerk::workbench::AlertView>,
}

/// `/staff?q=<queue>`: the queues of the staff member's sites.
#[component]
pub fn WorkbenchPage() -> impl IntoView {
    let query = use_query_map();
    let queue = move || query.with(|q| q.get("q")).unwrap_or_default();
    let filter = move || {
        query.with(|q| QueueFilter {
            matter: q.get("matter").unwrap_or_default(),
            site: q.get("site").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            lane: q.get("lane").unwrap_or_default(),
        })
    };
    let data = Resource::new(
        move || (queue(), filter()),
        |(q, f)| async move {
            let me = current_staff_member()
                .await?
                .ok_or(AppError::Unauthorized)?;
            if me.role == "admin" {
                return Ok((me, None));
            }
            let desk = Desk {
                lines: case_queue(q, Some(f)).await,
                matters: crate::api::public::matters::list_matters()
                    .await
                    .unwrap_or_default(),
                sites: crate::api::public::sites::list_sites()
                    .await
                    .unwrap_or_default(),
                alerts: crate::api::clerk::workbench::my_alerts()
                    .await
                    .unwrap_or_default(),
            };
            Ok::<_, AppError>((me, Some(desk)))
        },
    );
    view! {
        <crate::components::layout::PageTitle zh="工作台" en="Workbench" />
        <PageData
            data
            sign_in=SignIn::Staff
            failed=("工作台暂时无法读取。", "The workbench cannot be read now.")
            let:loaded
        >
            {match loaded {
                (me, None) => {
                    view! {
                        <StaffBar me />
                        <p>
                            <a href="/staff/admin">{bi("账户管理", "Accounts")}</a>
                        </p>
                    }
                        .into_any()
                }
                (me, Some(Desk { lines, matters, sites, alerts })) => {
                    let csrf = me.csrf.clone();
                    let supervisor = me.role == "supervisor";
                    let here = match queue() {
                        q if q.is_empty() => {
                            crate::domain::case::first_queue(
                                    crate::domain::case::Role::from_code(&me.role),
                                )
                                .to_string()
                        }
                        q => q,
                    };
                    let f = filter();
                    let keep = f.query();
                    let my_sites: Vec<(String, String, String)> = me
                        .sites
                        .iter()
                        .map(|code| {
                            let s = sites.iter().find(|s| &s.code == code);
                            (
                                code.clone(),
                                s.map(|s| s.name_zh.clone()).unwrap_or_else(|| code.clone()),
                                s.map(|s| s.name_en.clone()).unwrap_or_else(|| code.clone()),
                            )
                        })
                        .collect();
                    view! {
                        <StaffBar me />
                        <h1>{bi("预审与办件", "Cases")}</h1>
                        {supervisor
                            .then(|| {
                                view! {
                                    <p>
                                        <a href="/staff/dashboard">
                                            {bi("统计分析", "Statistics")}
                                        </a>
                                        " · "
                                        <a href="/staff/audit">
                                            {bi("非工作时间查询审查", "Off-hours views")}
                                        </a>
                                        " · "
                                        <a href="/staff/ratings">{bi("好差评", "Ratings")}</a>
                                    </p>
                                }
                            })}
                        <Alerts alerts csrf />
                        <nav class="queue-tabs" aria-label="队列 Queues">
                            {QUEUES
                                .iter()
                                .map(|(code, zh, en)| {
                                    let current = here == *code;
                                    view! {
                                        <a
                                            href=format!("/staff?q={code}{keep}")
                                            class:current=current
                                            aria-current=current.then_some("page")
                                        >
                                            {move || zh_en(current_lang(), zh, en)}
                                        </a>
                                    }
                                })
                                .collect_view()}
                        </nav>
                        <QueueFilters queue=here.clone() f=f.clone() matters my_sites />
                        {match lines {
                            Ok(lines) => view! { <QueueTable lines /> }.into_any(),
                            Err(AppError::Validation(errors)) => {
                                view! {
                                    <div class="notice notice--error" role="alert">
                                        {errors
                                            .into_iter()
                                            .map(|e| {
                                                view! {
                                                    <p>{move || zh_en(current_lang(), &e.zh, &e.en)}</p>
                                                }
                                            })
                                            .collect_view()}
                                    </div>
                                }
                                    .into_any()
                            }
                            Err(_) => {
                                view! {
                                    <p class="field-error">
                                        {bi(
                                            "队列暂时无法读取。",
                                            "The queue cannot be read now.",
                                        )}
                                    </p>
                                }
                                    .into_any()
                            }
                        }}
                    }
                        .into_any()
                }
            }}
        </PageData>
    }
}

/// Deadline alerts from the background job, each dismissed once read.
#[component]
fn Alerts(alerts: Vec<crate::api::clerk::workbench::AlertView>, csrf: String) -> impl IntoView {
    (!alerts.is_empty()).then(|| {
        view! {
            <section class="alerts" data-testid="alerts" aria-labelledby="alerts-title">
                <h2 id="alerts-title">{bi("提醒", "Alerts")}</h2>
                <ul class="owed-list">
                    {alerts
                        .into_iter()
                        .map(|a| {
                            let overdue = a.kind == "overdue";
                            let objection = a.kind == "objection";
                            view! {
                                <li data-kind=a
                                    .kind
                                    .clone()>
                                    {if objection {
                                        view! {
                                            <span class="tag tag--danger">
                                                {bi("当事人异议", "Objection")}
                                            </span>
                                        }
                                            .into_any()
                                    } else if overdue {
                                        view! {
                                            <span class="tag tag--danger">
                                                {bi("已超时", "Overdue")}
                                            </span>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <span class="tag tag--warn">
                                                {bi("即将到期", "Due soon")}
                                            </span>
                                        }
                                            .into_any()
                                    }}
                                    <a href=format!(
                                        "/staff/cases/{}",
                                        a.application_id,
                                    )>{a.case_no.clone().unwrap_or(a.receipt_no.clone())}</a>
                                    {if objection {
                                        view! {
                                            {bi(
                                                " 当事人提出异议，案件已停止 ",
                                                " a party objected; the case is stopped ",
                                            )}
                                            {a.due_on.clone()}
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            {bi(" 办结期限 ", " due ")}
                                            {a.due_on.clone()}
                                        }
                                            .into_any()
                                    }}
                                    <form
                                        method="post"
                                        action="/api/cases/alert_read"
                                        class="inline-form"
                                    >
                                        <input type="hidden" name="id" value=a.id.clone() />
                                        <input type="hidden" name="csrf" value=csrf.clone() />
                                        <button type="submit" class="button button--secondary">
                                            {bi("知道了", "Dismiss")}
                                        </button>
                                    </form>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

/// The queue's filters: matter, site, submission dates, priority lane. A
/// plain GET form, so it works without JavaScript and the address can be
/// bookmarked.
#[component]
fn QueueFilters(
    queue: String,
    f: QueueFilter,
    matters: Vec<crate::domain::catalogue::Matter>,
    my_sites: Vec<(String, String, String)>,
) -> impl IntoView {
    let (matter, site) = (f.matter.clone(), f.site.clone());
    view! {
        <form method="get" action="/staff" class="queue-filters" aria-label="筛选 Filters">
            <input type="hidden" name="q" value=queue />
            <div class="field">
                <label for="filter-matter">{bi("事项", "Matter")}</label>
                <select id="filter-matter" name="matter">
                    <option value="">{bi("全部事项", "All matters")}</option>
                    {matters
                        .into_iter()
                        .map(|m| {
                            let selected = m.code == matter;
                            let (zh, en) = (m.name_zh.clone(), m.name_en.clone());
                            view! {
                                <option value=m.code.clone() selected=selected>
                                    {move || zh_en(current_lang(), &zh, &en)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-site">{bi("办理点", "Site")}</label>
                <select id="filter-site" name="site">
                    <option value="">{bi("我的全部办理点", "All my sites")}</option>
                    {my_sites
                        .into_iter()
                        .map(|(code, zh, en)| {
                            let selected = code == site;
                            view! {
                                <option value=code selected=selected>
                                    {move || zh_en(current_lang(), &zh, &en)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-from">{bi("提交日期自", "Submitted from")}</label>
                <input id="filter-from" name="from" type="date" value=f.from.clone() />
            </div>
            <div class="field">
                <label for="filter-to">{bi("至", "to")}</label>
                <input id="filter-to" name="to" type="date" value=f.to.clone() />
            </div>
            <div class="check-row">
                <input
                    id="filter-lane"
                    name="lane"
                    type="checkbox"
                    value="1"
                    checked=f.lane == "1"
                />
                <label for="filter-lane">{bi("只看绿色通道", "Priority lane only")}</label>
            </div>
            <button type="submit" class="button button--secondary">
                {bi("筛选", "Filter")}
            </button>
        </form>
    }
}

#[component]
fn QueueTable(lines: Vec<CaseLine>) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="muted">{bi("这个队列里没有案件。", "No cases in this queue.")}</p> }
            .into_any();
    }
    view! {
        <table class="cases">
            <thead>
                <tr>
                    <th>{bi("回执号 / 案件号", "Receipt / case")}</th>
                    <th>{bi("事项", "Matter")}</th>
                    <th>{bi("环节", "Stage")}</th>
                    <th>{bi("提交时间", "Submitted")}</th>
                    <th>{bi("办结期限", "Due")}</th>
                    <th>{bi("经办人", "Clerk")}</th>
                </tr>
            </thead>
            <tbody>
                {lines
                    .into_iter()
                    .map(|l| {
                        let stage = Stage::from_code(&l.stage).unwrap_or(Stage::None);
                        let (zh, en) = (l.matter_zh.clone(), l.matter_en.clone());
                        view! {
                            <tr data-testid="case-line">
                                <td>
                                    <a href=format!(
                                        "/staff/cases/{}",
                                        l.id,
                                    )>{l.receipt_no.clone()}</a>
                                    {l
                                        .case_no
                                        .clone()
                                        .map(|c| view! { <div class="muted">{c}</div> })}
                                    {l
                                        .priority
                                        .then(|| {
                                            view! {
                                                <span class="tag">{bi("绿色通道", "Priority")}</span>
                                            }
                                        })}
                                </td>
                                <td>{move || zh_en(current_lang(), &zh, &en)}</td>
                                <td>{move || stage.label(current_lang())}</td>
                                <td>{l.submitted_at.clone()}</td>
                                <td>
                                    {l.due.clone().unwrap_or_default()} {urgency_tag(l.urgency)}
                                    {l
                                        .paused
                                        .then(|| {
                                            view! {
                                                <span class="tag">
                                                    {bi("暂停计时", "Clock stopped")}
                                                </span>
                                            }
                                        })}
                                </td>
                                <td>{l.assignee.clone().unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
        .into_any()
}

//! /staff/bookings: a site's day — visits, walk-ins, home visits, marking who came.

use crate::api::clerk::bookings::{site_day, DayPlan};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, Refused, SignIn};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/staff/bookings?site=&day=`: who is coming when to a site.
#[component]
pub fn StaffBookingsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || query.with(|q| (q.get("site"), q.get("day"), q.get("code")));
    let data = Resource::new(args, |(site, day, code)| site_day(site, day, code));
    view! {
        <crate::components::layout::PageTitle zh="预约日程" en="Visits of the day" />
        <p class="breadcrumb">
            <a href="/staff">{bi("← 队列", "← Queues")}</a>
        </p>
        <h1>{bi("预约日程", "Visits of the day")}</h1>
        <PageData data=data sign_in=SignIn::Staff refused=bad_date as Refused let:d>
            <DayPlanView d />
        </PageData>
    }
}

fn day_error(code: &str) -> (&'static str, &'static str) {
    match code {
        "receipt" => (
            "没有找到这个回执号的案件，请核对。",
            "No case has that receipt number; check it.",
        ),
        "not_bookable" => (
            "该案件不在“预审通过、待到场”状态。",
            "That case is not pre-accepted and waiting for a visit.",
        ),
        "case_booked" => (
            "该案件已有预约，请在列表中标记到场。",
            "That case is booked already; mark it arrived in the list.",
        ),
        "site" => (
            "本办理点不办理该事项。",
            "This site does not handle that matter.",
        ),
        "no_capacity" => (
            "今天剩余时段已满（或已过办公时间），请为申请人预约其他时间。",
            "No seat is left today (or the site has closed); book another time.",
        ),
        "when" => (
            "请填写今后某个工作日的上门日期和时间。",
            "Give a coming working day and a time for the visit.",
        ),
        "clash" => (
            "该工作人员此时已有上门安排，请换一个时间或人员。",
            "That clerk already has a visit then; choose another time or clerk.",
        ),
        "clerk" => ("请选择本办理点的工作人员。", "Choose a clerk of this site."),
        _ => (
            "请填写开始和结束时间（结束晚于开始）以及闭厅原因。",
            "Give a start, a later end and the reason.",
        ),
    }
}

fn reason_label(reason: &str) -> (&'static str, &'static str) {
    match reason {
        "age" => ("年满 80 周岁", "Aged 80+"),
        "illness" => ("患病", "Illness"),
        _ => ("残疾", "Disability"),
    }
}

/// Home visits of the site: the day's scheduled ones (the viewer's own
/// marked) and the requests waiting to be scheduled, each with a form.
#[component]
fn HomeVisits(d: DayPlan) -> impl IntoView {
    let me = d.me.clone();
    view! {
        <section data-testid="home-visits">
            <h2>{bi("上门服务", "Home visits")}</h2>
            {if d.home_day.is_empty() {
                view! {
                    <p class="muted">
                        {bi("当天没有上门安排。", "No home visits that day.")}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="cards" data-testid="home-day">
                        {d
                            .home_day
                            .iter()
                            .map(|v| {
                                let mine = v.clerk_id == me;
                                view! {
                                    <li class="card">
                                        <p>
                                            <strong>{v.when.clone()}</strong>
                                            " "
                                            {v.clerk_name.clone()}
                                            {mine
                                                .then(|| {
                                                    view! {
                                                        " "
                                                        <span class="tag" data-testid="mine">
                                                            {bi("我的", "Mine")}
                                                        </span>
                                                    }
                                                })}
                                        </p>
                                        <p>
                                            <a href=format!(
                                                "/staff/cases/{}",
                                                v.application_id,
                                            )>{v.receipt_no.clone()}</a>
                                            " · "
                                            {v.address.clone()}
                                        </p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            {(!d.home_waiting.is_empty())
                .then(|| {
                    view! {
                        <h3>{bi("待安排的申请", "Waiting to be scheduled")}</h3>
                        <ul class="cards" data-testid="home-waiting">
                            {d
                                .home_waiting
                                .iter()
                                .map(|v| {
                                    let (rzh, ren) = reason_label(&v.reason);
                                    let first = v
                                        .preferred
                                        .split(',')
                                        .next()
                                        .unwrap_or("")
                                        .to_string();
                                    let fid = format!("hv-{}", v.id);
                                    view! {
                                        <li class="card">
                                            <p>
                                                <a href=format!(
                                                    "/staff/cases/{}",
                                                    v.application_id,
                                                )>{v.receipt_no.clone()}</a>
                                                " · "
                                                <span class="tag">
                                                    {move || zh_en(current_lang(), rzh, ren)}
                                                </span>
                                            </p>
                                            <p>{v.note.clone()}</p>
                                            <p>{v.address.clone()}</p>
                                            <p class="muted">
                                                {bi("希望日期：", "Preferred: ")} {v.preferred.clone()}
                                            </p>
                                            <form
                                                method="post"
                                                action="/api/home_visits/schedule"
                                                class="form"
                                            >
                                                <input type="hidden" name="id" value=v.id.clone() />
                                                <input type="hidden" name="csrf" value=d.csrf.clone() />
                                                <input type="hidden" name="site" value=d.site.clone() />
                                                <div class="field">
                                                    <label for=format!(
                                                        "{fid}-clerk",
                                                    )>{bi("上门人员", "Clerk")}</label>
                                                    <select id=format!("{fid}-clerk") name="clerk">
                                                        {d
                                                            .workers
                                                            .iter()
                                                            .map(|(id, name)| {
                                                                view! {
                                                                    <option value=id.clone() selected=*id == d.me>
                                                                        {name.clone()}
                                                                    </option>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </select>
                                                </div>
                                                <div class="field">
                                                    <label for=format!(
                                                        "{fid}-day",
                                                    )>{bi("日期", "Day")}</label>
                                                    <input
                                                        id=format!("{fid}-day")
                                                        name="day"
                                                        type="date"
                                                        value=first
                                                        required=true
                                                    />
                                                </div>
                                                <div class="field">
                                                    <label for=format!(
                                                        "{fid}-time",
                                                    )>{bi("时间", "Time")}</label>
                                                    <input
                                                        id=format!("{fid}-time")
                                                        name="time"
                                                        type="time"
                                                        value="09:30"
                                                        required=true
                                                    />
                                                </div>
                                                <button type="submit" class="button">
                                                    {bi("安排上门", "Schedule")}
                                                </button>
                                            </form>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
        </section>
    }
}

#[component]
fn DayPlanView(d: DayPlan) -> impl IntoView {
    let back = format!("/staff/bookings?site={}&day={}", d.site, d.day);
    let site = d.site.clone();
    let query = use_query_map();
    let (ok, error) = query.with_untracked(|q| (q.get("ok"), q.get("error")));
    let cancelled = query
        .with_untracked(|q| q.get("cancelled"))
        .unwrap_or_default();
    view! {
        {ok
            .clone()
            .filter(|o| o == "closed")
            .map(|_| {
                view! {
                    <p class="notice" role="status" data-testid="closed-ok">
                        {bi(
                            "已登记闭厅，取消并通知的预约：",
                            "Closure recorded; bookings cancelled and told: ",
                        )}
                        {cancelled}
                    </p>
                }
            })}
        {ok
            .clone()
            .filter(|o| o == "walk_in" || o == "scheduled")
            .map(|o| {
                let time = query.with_untracked(|q| q.get("time")).unwrap_or_default();
                let (zh, en) = if o == "walk_in" {
                    ("已登记现场到场，时段 ", "Walk-in recorded, slot ")
                } else {
                    (
                        "已安排上门服务，申请人已收到短信。",
                        "Home visit scheduled; the applicant has been texted.",
                    )
                };
                view! {
                    <p class="notice" role="status" data-testid="day-ok">
                        {move || zh_en(current_lang(), zh, en)}
                        {time}
                    </p>
                }
            })}
        {error
            .map(|code| {
                let (zh, en) = day_error(&code);
                view! {
                    <p class="notice notice--error" role="alert" data-testid="day-error">
                        {move || zh_en(current_lang(), zh, en)}
                    </p>
                }
            })}
        <form method="get" action="/staff/bookings" class="form filters">
            <div class="field">
                <label for="code">
                    {bi("预约码（扫码或输入）", "Booking code (scan or type)")}
                </label>
                <input
                    id="code"
                    name="code"
                    autocapitalize="characters"
                    autocomplete="off"
                    maxlength="16"
                />
            </div>
            <button type="submit" class="button button--secondary" data-testid="find-code">
                {bi("查找", "Find")}
            </button>
        </form>
        <form method="get" action="/staff/bookings" class="form filters">
            <div class="field">
                <label for="site">{bi("网点", "Site")}</label>
                <select id="site" name="site">
                    {d
                        .sites
                        .iter()
                        .map(|(code, zh, en)| {
                            let (zh, en) = (zh.clone(), en.clone());
                            view! {
                                <option value=code.clone() selected=*code == site>
                                    {move || zh_en(current_lang(), &zh, &en)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="day">{bi("日期", "Day")}</label>
                <input id="day" name="day" type="date" value=d.day.clone() />
            </div>
            <button type="submit" class="button button--secondary">
                {bi("查看", "Show")}
            </button>
        </form>
        {(!d.closures.is_empty())
            .then(|| {
                view! {
                    <ul class="closures" data-testid="closures">
                        {d
                            .closures
                            .iter()
                            .map(|(when, reason)| {
                                view! {
                                    <li>
                                        <span class="tag tag--danger">
                                            {bi("闭厅", "Closed")}
                                        </span>
                                        " "
                                        {when.clone()}
                                        " "
                                        {reason.clone()}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
        {if d.visits.is_empty() {
            view! {
                <p class="muted" data-testid="no-visits">
                    {bi("当天没有预约。", "No visits booked that day.")}
                </p>
            }
                .into_any()
        } else {
            view! {
                <table class="cases" data-testid="visits">
                    <thead>
                        <tr>
                            <th>{bi("时间", "Time")}</th>
                            <th>{bi("预约码", "Code")}</th>
                            <th>{bi("案件", "Case")}</th>
                            <th>{bi("状态", "Status")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {d
                            .visits
                            .iter()
                            .map(|v| {
                                let (zh, en) = (v.matter_zh.clone(), v.matter_en.clone());
                                let booked = v.status == "booked";
                                let status = v.status.clone();
                                let found = d.found.as_deref() == Some(v.code.as_str());
                                let started = v.started;
                                let (group, window) = (v.group.clone(), v.window);
                                view! {
                                    <tr
                                        class:found=found
                                        data-testid=found.then_some("found-visit")
                                    >
                                        <td>
                                            {v.time.clone()} <br />
                                            <span class="muted">
                                                {move || {
                                                    crate::domain::booking::group_label(&group, current_lang())
                                                }} " " {window}
                                            </span>
                                            {v
                                                .walk_in
                                                .then(|| {
                                                    view! {
                                                        <br />
                                                        <span class="tag">{bi("现场", "Walk-in")}</span>
                                                    }
                                                })}
                                        </td>
                                        <td class="receipt">{v.code.clone()}</td>
                                        <td>
                                            {if v.application_id.is_empty() {
                                                view! {
                                                    <span class="tag">{bi("咨询", "Consultation")}</span>
                                                    <br />
                                                    <span>{v.topic.clone()}</span>
                                                }
                                                    .into_any()
                                            } else {
                                                view! {
                                                    <a href=format!(
                                                        "/staff/cases/{}",
                                                        v.application_id,
                                                    )>{v.receipt_no.clone()}</a>
                                                    <br />
                                                    <span class="muted">
                                                        {move || zh_en(current_lang(), &zh, &en)}
                                                    </span>
                                                }
                                                    .into_any()
                                            }}
                                        </td>
                                        <td>
                                            {move || {
                                                let (zh, en) = match status.as_str() {
                                                    "arrived" => ("已到场", "Arrived"),
                                                    "no_show" => ("未到场", "No-show"),
                                                    _ => ("待到场", "Expected"),
                                                };
                                                zh_en(current_lang(), zh, en)
                                            }}
                                            {booked
                                                .then(|| {
                                                    let mark = |
                                                        status: &'static str,
                                                        label: (&'static str, &'static str)|
                                                    {
                                                        view! {
                                                            <form
                                                                method="post"
                                                                action="/api/bookings/mark"
                                                                class="inline-form"
                                                            >
                                                                <input type="hidden" name="id" value=v.id.clone() />
                                                                <input type="hidden" name="csrf" value=d.csrf.clone() />
                                                                <input type="hidden" name="status" value=status />
                                                                <input type="hidden" name="back" value=back.clone() />
                                                                <button type="submit" class="button button--secondary">
                                                                    {move || zh_en(current_lang(), label.0, label.1)}
                                                                </button>
                                                            </form>
                                                        }
                                                    };
                                                    view! {
                                                        {mark("arrived", ("到场", "Arrived"))}
                                                        {started.then(|| mark("no_show", ("未到", "No-show")))}
                                                    }
                                                })}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }}
        <details class="reason-form" data-testid="walk-in">
            <summary>
                {bi(
                    "登记现场到场（占用今天的空余名额）",
                    "Add a walk-in (takes a free seat today)",
                )}
            </summary>
            <form method="post" action="/api/bookings/walk_in" class="form">
                <input type="hidden" name="csrf" value=d.csrf.clone() />
                <input type="hidden" name="site" value=d.site.clone() />
                <div class="field">
                    <label for="walk-receipt">{bi("回执号", "Receipt number")}</label>
                    <input id="walk-receipt" name="receipt" required=true maxlength="40" />
                </div>
                <button type="submit" class="button">
                    {bi("登记到场", "Record the walk-in")}
                </button>
            </form>
        </details>
        <HomeVisits d=d.clone() />
        {d
            .can_close
            .then(|| {
                view! {
                    <details class="reason-form">
                        <summary>
                            {bi(
                                "临时闭厅（取消并通知受影响的预约）",
                                "Close the site for a while (cancels and tells bookings)",
                            )}
                        </summary>
                        <form method="post" action="/api/bookings/close" class="form">
                            <input type="hidden" name="csrf" value=d.csrf.clone() />
                            <input type="hidden" name="site" value=d.site.clone() />
                            <input type="hidden" name="day" value=d.day.clone() />
                            <div class="field">
                                <label for="close-from">{bi("开始时间", "From")}</label>
                                <input id="close-from" name="from" type="time" required=true />
                            </div>
                            <div class="field">
                                <label for="close-to">{bi("结束时间", "To")}</label>
                                <input id="close-to" name="to" type="time" required=true />
                            </div>
                            <div class="field">
                                <label for="close-reason">
                                    {bi(
                                        "原因（申请人可见）",
                                        "Reason (applicants see it)",
                                    )}
                                </label>
                                <input
                                    id="close-reason"
                                    name="reason"
                                    maxlength="200"
                                    required=true
                                />
                            </div>
                            <button type="submit" class="button button--danger">
                                {bi("闭厅", "Close")}
                            </button>
                        </form>
                    </details>
                }
            })}
    }
}

/// A day that is not a date is explained, not a 404.
fn bad_date(e: &AppError) -> Option<AnyView> {
    matches!(e, AppError::Validation(_)).then(|| {
        view! {
            <p class="notice notice--error" role="alert">
                {bi("日期格式应为 2026-11-26。", "Dates look like 2026-11-26.")}
            </p>
        }
        .into_any()
    })
}

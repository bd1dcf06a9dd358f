//! `/staff/dashboard`: the supervisors' statistics, charts drawn as SVG on
//! the server (no chart library, readable without JavaScript), each with
//! its numbers in a table, and a CSV export.

use crate::api::clerk::dashboard::get_dashboard;
use crate::components::forms::{bi, zh_en};
use crate::components::language::{current_lang, urlencode};
use crate::components::page_data::{PageData, Refused, SignIn};
use crate::domain::case::Stage;
use crate::domain::stats::{Breakdown, DayCount, StageTime};
use crate::error::AppError;
use crate::views::{DashboardView, PERIODS};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The daily series and their colours (the legend's swatches use the same
/// colours from the stylesheet: the page's CSP allows no inline styles).
const SERIES: [(&str, &str, &str); 3] = [
    ("收件", "Received", "#1f5fa8"),
    ("受理", "Accepted", "#2e7d4f"),
    ("发证", "Issued", "#b36b00"),
];

#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        query.with(|q| {
            (
                q.get("days").and_then(|d| d.parse::<u32>().ok()),
                q.get("site").unwrap_or_default(),
                q.get("matter").unwrap_or_default(),
            )
        })
    };
    let data = Resource::new(args, |(days, site, matter)| {
        get_dashboard(days, Some(site), Some(matter))
    });
    view! {
        <crate::components::layout::PageTitle zh="统计" en="Statistics" />
        <p class="breadcrumb">
            <a href="/staff">{bi("← 队列", "← Queues")}</a>
        </p>
        <h1>{bi("统计分析", "Statistics")}</h1>
        <p>
            <a href="/staff/ratings" data-testid="ratings-link">
                {bi(
                    "好差评：按网点、事项、经办人统计与差评处理",
                    "Ratings by site, matter and clerk; low ratings to answer",
                )}
            </a>
        </p>
        <PageData
            data=data
            sign_in=SignIn::Staff
            failed=("统计暂时无法读取。", "The statistics cannot be read now.")
            refused=supervisors_only as Refused
            let:v
        >
            <Dashboard v />
        </PageData>
    }
}

#[component]
fn Dashboard(v: DashboardView) -> impl IntoView {
    let d = v.dashboard.clone();
    let csv = format!(
        "/staff/dashboard.csv?days={}&site={}&matter={}",
        v.days,
        urlencode(&v.site),
        urlencode(&v.matter)
    );
    let matters = StoredValue::new(v.matters.clone());
    let matter_name = move |code: &str| {
        matters.with_value(|m| {
            m.iter()
                .find(|(c, _, _)| c == code)
                .map(|(_, zh, en)| zh_en(current_lang(), zh, en))
                .unwrap_or_else(|| code.to_string())
        })
    };
    let sites = StoredValue::new(v.sites.clone());
    let site_name = move |code: &str| {
        sites.with_value(|s| {
            s.iter()
                .find(|(c, _, _)| c == code)
                .map(|(_, zh, en)| zh_en(current_lang(), zh, en))
                .unwrap_or_else(|| code.to_string())
        })
    };
    let total = d.total.clone();
    view! {
        <form method="get" action="/staff/dashboard" class="queue-filters">
            <div class="field">
                <label for="dash-days">{bi("时间范围", "Period")}</label>
                <select id="dash-days" name="days">
                    {PERIODS
                        .iter()
                        .map(|n| {
                            let n = *n;
                            view! {
                                <option value=n.to_string() selected=n == v.days>
                                    {move || zh_en(
                                        current_lang(),
                                        &format!("最近 {n} 天"),
                                        &format!("Last {n} days"),
                                    )}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="dash-site">{bi("办理点", "Site")}</label>
                <select id="dash-site" name="site">
                    <option value="">{bi("我的全部办理点", "All my sites")}</option>
                    {v
                        .sites
                        .iter()
                        .map(|(code, zh, en)| {
                            let (zh, en) = (zh.clone(), en.clone());
                            view! {
                                <option value=code.clone() selected=*code == v.site>
                                    {move || zh_en(current_lang(), &zh, &en)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="dash-matter">{bi("事项", "Matter")}</label>
                <select id="dash-matter" name="matter">
                    <option value="">{bi("全部事项", "All matters")}</option>
                    {v
                        .matters
                        .iter()
                        .map(|(code, zh, en)| {
                            let (zh, en) = (zh.clone(), en.clone());
                            view! {
                                <option value=code.clone() selected=*code == v.matter>
                                    {move || zh_en(current_lang(), &zh, &en)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button button--secondary">
                {bi("查看", "Show")}
            </button>
        </form>
        <p>
            {d.from.clone()} " — " {d.to.clone()} " · "
            <a href=csv download="onetrip-statistics.csv" data-testid="csv">
                {bi("导出 CSV", "Export CSV")}
            </a>
        </p>
        <dl class="facts stats-totals" data-testid="totals">
            <dt>{bi("收件", "Received")}</dt>
            <dd>{total.received}</dd>
            <dt>{bi("受理", "Accepted")}</dt>
            <dd>{total.accepted}</dd>
            <dt>{bi("发证", "Issued")}</dt>
            <dd>{total.issued}</dd>
            <dt>{bi("超期率", "Overdue rate")}</dt>
            <dd data-testid="overdue-rate">{pct(&total)}</dd>
        </dl>

        <h2>{bi("每日办件量", "Cases per day")}</h2>
        <ul class="legend">
            {SERIES
                .iter()
                .enumerate()
                .map(|(i, (zh, en, _))| {
                    view! {
                        <li>
                            <span class=format!("swatch swatch--{i}")></span>
                            {move || zh_en(current_lang(), zh, en)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <DailyChart days=d.days.clone() />
        <details>
            <summary>{bi("查看数据表", "Show the numbers")}</summary>
            <table class="cases">
                <thead>
                    <tr>
                        <th>{bi("日期", "Day")}</th>
                        <th>{bi("收件", "Received")}</th>
                        <th>{bi("受理", "Accepted")}</th>
                        <th>{bi("发证", "Issued")}</th>
                    </tr>
                </thead>
                <tbody>
                    {d
                        .days
                        .iter()
                        .map(|x| {
                            view! {
                                <tr>
                                    <td>{x.day.clone()}</td>
                                    <td>{x.received}</td>
                                    <td>{x.accepted}</td>
                                    <td>{x.issued}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </details>

        <h2>{bi("各环节用时（小时）", "Time per stage (hours)")}</h2>
        <p class="muted">
            {bi(
                "深色为平均值，浅色为 90% 分位值；统计期内结束的环节。",
                "Dark: average; light: 90th percentile; stays that ended in the period.",
            )}
        </p>
        <StageChart stages=d.stages.clone() />
        <table class="cases" data-testid="stage-table">
            <thead>
                <tr>
                    <th>{bi("环节", "Stage")}</th>
                    <th>{bi("次数", "Stays")}</th>
                    <th>{bi("平均", "Average")}</th>
                    <th>{bi("90% 分位", "90th percentile")}</th>
                </tr>
            </thead>
            <tbody>
                {d
                    .stages
                    .iter()
                    .map(|s| {
                        let stage = Stage::from_code(&s.stage).unwrap_or(Stage::None);
                        view! {
                            <tr>
                                <td>{move || stage.label(current_lang())}</td>
                                <td>{s.count}</td>
                                <td>{format!("{:.1}", s.avg_hours)}</td>
                                <td>{format!("{:.1}", s.p90_hours)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>

        <h2>{bi("按办理点", "By site")}</h2>
        <BreakdownTable rows=d.by_site.clone() name=site_name />
        <h2>{bi("按事项", "By matter")}</h2>
        <BreakdownTable rows=d.by_matter.clone() name=matter_name />
    }
}

fn pct(b: &Breakdown) -> String {
    b.overdue_pct()
        .map(|p| format!("{p:.1}% ({}/{})", b.overdue, b.with_deadline))
        .unwrap_or_else(|| "—".into())
}

#[component]
fn BreakdownTable(
    rows: Vec<Breakdown>,
    name: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">{bi("统计期内没有案件。", "No cases in the period.")}</p> }
            .into_any();
    }
    view! {
        <table class="cases">
            <thead>
                <tr>
                    <th></th>
                    <th>{bi("收件", "Received")}</th>
                    <th>{bi("受理", "Accepted")}</th>
                    <th>{bi("发证", "Issued")}</th>
                    <th>{bi("超期率", "Overdue rate")}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|b| {
                        let key = b.key.clone();
                        view! {
                            <tr>
                                <td>{move || name(&key)}</td>
                                <td>{b.received}</td>
                                <td>{b.accepted}</td>
                                <td>{b.issued}</td>
                                <td>{pct(&b)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Grouped bars: received, accepted and issued for each day.
#[component]
fn DailyChart(days: Vec<DayCount>) -> impl IntoView {
    let (w, h, left, bottom, top) = (720.0_f64, 220.0_f64, 36.0, 24.0, 12.0);
    let n = days.len().max(1) as f64;
    let max = days
        .iter()
        .map(|d| d.received.max(d.accepted).max(d.issued))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let group = (w - left - 8.0) / n;
    let bar = (group * 0.8 / 3.0).max(1.0);
    let y = move |v: u32| h - bottom - (f64::from(v) / max) * (h - bottom - top);
    let mut bars = Vec::new();
    for (i, d) in days.iter().enumerate() {
        for (j, v) in [d.received, d.accepted, d.issued].into_iter().enumerate() {
            if v == 0 {
                continue;
            }
            let x = left + i as f64 * group + group * 0.1 + j as f64 * bar;
            bars.push(view! {
                <rect
                    x=format!("{x:.1}")
                    y=format!("{:.1}", y(v))
                    width=format!("{bar:.1}")
                    height=format!("{:.1}", h - bottom - y(v))
                    fill=SERIES[j].2
                >
                    <title>{format!("{} {}: {v}", d.day, SERIES[j].0)}</title>
                </rect>
            });
        }
    }
    let label_days: Vec<(f64, String)> = [0, days.len() / 2, days.len().saturating_sub(1)]
        .into_iter()
        .filter_map(|i| days.get(i).map(|d| (i, d)))
        .map(|(i, d)| {
            (
                left + i as f64 * group + group / 2.0,
                d.day.get(5..).unwrap_or_default().to_string(),
            )
        })
        .collect();
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {w} {h}")
            role="img"
            aria-label="每日收件、受理、发证数量 Cases per day"
            data-testid="daily-chart"
        >
            <line
                x1=left
                y1=h - bottom
                x2=w - 4.0
                y2=h - bottom
                stroke="#8a96a3"
                stroke-width="1"
            />
            <text x=left - 6.0 y=top + 4.0 text-anchor="end" class="chart-label">
                {max as u32}
            </text>
            <text x=left - 6.0 y=h - bottom text-anchor="end" class="chart-label">
                "0"
            </text>
            {bars}
            {label_days
                .into_iter()
                .map(|(x, label)| {
                    view! {
                        <text
                            x=format!("{x:.1}")
                            y=h - 6.0
                            text-anchor="middle"
                            class="chart-label"
                        >
                            {label}
                        </text>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// Horizontal bars per stage: the 90th percentile behind the average.
#[component]
fn StageChart(stages: Vec<StageTime>) -> impl IntoView {
    let (w, row, left) = (720.0_f64, 30.0_f64, 150.0_f64);
    let h = row * stages.len() as f64 + 10.0;
    let max = stages
        .iter()
        .map(|s| s.p90_hours)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let scale = move |v: f64| v / max * (w - left - 70.0);
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {w} {h}")
            role="img"
            aria-label="各环节用时 Time per stage"
            data-testid="stage-chart"
        >
            {stages
                .into_iter()
                .enumerate()
                .map(|(i, s)| {
                    let y = 5.0 + i as f64 * row;
                    let stage = Stage::from_code(&s.stage).unwrap_or(Stage::None);
                    view! {
                        <text x=left - 8.0 y=y + 18.0 text-anchor="end" class="chart-label">
                            {move || stage.label(current_lang())}
                        </text>
                        <rect
                            x=left
                            y=y + 4.0
                            width=format!("{:.1}", scale(s.p90_hours))
                            height="18"
                            fill="#b9cde6"
                        />
                        <rect
                            x=left
                            y=y + 8.0
                            width=format!("{:.1}", scale(s.avg_hours))
                            height="10"
                            fill="#1f5fa8"
                        />
                        <text
                            x=format!("{:.1}", left + scale(s.p90_hours) + 6.0)
                            y=y + 18.0
                            class="chart-label"
                        >
                            {format!("{:.1} / {:.1}", s.avg_hours, s.p90_hours)}
                        </text>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// Statistics are for supervisors: anyone else is told so.
fn supervisors_only(e: &AppError) -> Option<AnyView> {
    matches!(e, AppError::Forbidden).then(|| {
        view! {
            <p class="notice notice--error" role="alert">
                {bi(
                    "统计分析仅对科室负责人开放。",
                    "Statistics are for supervisors.",
                )}
            </p>
        }
        .into_any()
    })
}

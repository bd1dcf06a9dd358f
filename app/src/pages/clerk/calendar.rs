//! /staff/calendar: the working-day calendar (administrators).

use crate::components::forms::bi;
use crate::components::page_data::{PageData, SignIn};
use crate::components::staff::*;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/staff/calendar?year=`: the working-day calendar (administrators):
/// declared holidays and working weekend days of a year, and a form to
/// change a day.
#[component]
pub fn CalendarPage() -> impl IntoView {
    use crate::api::clerk::calendar::calendar_year;
    let query = use_query_map();
    let year = move || query.with(|q| q.get("year").and_then(|y| y.parse::<i32>().ok()));
    let data = Resource::new(year, calendar_year);
    view! {
        <crate::components::layout::PageTitle zh="工作日历" en="Working calendar" />
        <p class="breadcrumb">
            <a href="/staff/admin">{bi("← 账户管理", "← Accounts")}</a>
        </p>
        <h1>{bi("工作日历", "Working-day calendar")}</h1>
        <QueryMessage />
        <PageData
            data=data
            sign_in=SignIn::Staff
            failed=("日历暂时无法读取。", "The calendar cannot be read now.")
            let:c
        >
            {{
                let y = c.year;
                view! {
                    <nav class="queue-tabs" aria-label="年份 Years">
                        <a href=format!(
                            "/staff/calendar?year={}",
                            y - 1,
                        )>{format!("← {}", y - 1)}</a>
                        <a class="current" aria-current="page" href="#">
                            {y.to_string()}
                        </a>
                        <a href=format!(
                            "/staff/calendar?year={}",
                            y + 1,
                        )>{format!("{} →", y + 1)}</a>
                    </nav>
                    <p class="muted">
                        {bi(
                            "未列出的日期按星期计算：周一至周五上班，周六、周日休息。修改只影响此后计算的期限，已告知申请人的期限不变。",
                            "Days not listed follow the weekday: Monday to Friday work, weekends off. A change applies to deadlines computed from now on; deadlines already given to applicants stay.",
                        )}
                    </p>
                    <form method="post" action="/api/calendar/set" class="form">
                        <input type="hidden" name="csrf" value=c.csrf.clone() />
                        <label for="cal-day">{bi("日期", "Date")}</label>
                        <input id="cal-day" name="day" type="date" required=true />
                        <label for="cal-kind">{bi("类型", "Kind")}</label>
                        <select id="cal-kind" name="kind">
                            <option value="holiday">
                                {bi("法定节假日（休息）", "Public holiday (off)")}
                            </option>
                            <option value="workday">
                                {bi("调休上班", "Declared working day")}
                            </option>
                            <option value="normal">
                                {bi("恢复按星期计算", "Back to the weekday rule")}
                            </option>
                        </select>
                        <button type="submit" class="button">
                            {bi("保存", "Save")}
                        </button>
                    </form>
                    {if c.days.is_empty() {
                        view! {
                            <p class="muted">
                                {bi(
                                    "这一年还没有登记节假日。",
                                    "No declared days for this year yet.",
                                )}
                            </p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <table class="cases" data-testid="calendar-days">
                                <thead>
                                    <tr>
                                        <th>{bi("日期", "Date")}</th>
                                        <th>{bi("类型", "Kind")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {c
                                        .days
                                        .into_iter()
                                        .map(|(day, kind)| {
                                            let holiday = kind == "holiday";
                                            view! {
                                                <tr>
                                                    <td>{day}</td>
                                                    <td>
                                                        {if holiday {
                                                            bi("节假日", "Holiday")()
                                                        } else {
                                                            bi("调休上班", "Working day")()
                                                        }}
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
                }
                    .into_any()
            }}
        </PageData>
    }
}

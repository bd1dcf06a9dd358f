//! Appointments: the citizen's booking page (a site, then a free slot over
//! the next days, as plain radio buttons in a GET/POST form that works
//! without JavaScript) and the clerks' day view of a site.

use crate::api::citizen::booking::{booking_options, BookingChoices};
use crate::components::booking::*;
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, Refused};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn booking_error(code: &str) -> (&'static str, &'static str) {
    match code {
        "full" => (
            "这个时段刚刚被约满了，请从下面仍有空位的时段中选择。",
            "That time was just taken; choose one of the free times below.",
        ),
        "too_late" => (
            "该时段已过或距开始太近，请选择更晚的时段。",
            "That time has passed or is too close; choose a later one.",
        ),
        "too_far" => (
            "只能预约近期的时段。",
            "Bookings open only for the coming days.",
        ),
        "not_a_slot" => (
            "该时段不开放预约，请重新选择。",
            "That time is not open for booking.",
        ),
        "slot" => ("请选择一个时段。", "Choose a time."),
        "closed" => (
            "办理点该时段临时闭厅，请选择其他时段。",
            "The site is closed then; choose another time.",
        ),
        "site" => ("请选择办理点。", "Choose a site."),
        "too_many" => (
            "您的未到期预约已达上限，请先取消不需要的预约。",
            "You hold as many future bookings as allowed; cancel one first.",
        ),
        "locked" => (
            "原预约即将开始，已不能改约。",
            "The current booking is about to start and can no longer be moved.",
        ),
        "csrf" => (
            "页面已过期，请重新操作。",
            "The page expired; please try again.",
        ),
        "no_shows" => (
            "您近期多次预约后未到场，网上预约暂停一段时间；可直接到窗口现场办理。",
            "After repeated no-shows, online booking is paused for a while; you can still come to a window.",
        ),
        _ => (
            "预约未成功，请重试。",
            "The booking did not go through; try again.",
        ),
    }
}

/// `/applications/:id/booking?site=`: choose a site and a free slot.
#[component]
pub fn BookingPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let site = move || query.with(|q| q.get("site"));
    let day = move || query.with(|q| q.get("day"));
    let error = query.with_untracked(|q| q.get("error"));
    let data = Resource::new(
        move || (id(), site()),
        |(id, site)| booking_options(id, site),
    );
    view! {
        <crate::components::layout::PageTitle zh="预约到场" en="Book a visit" />
        <PageData data=data refused=not_yet_pre_accepted as Refused let:b>
            <BookingForm b error=error.clone() day=day() />
        </PageData>
    }
}

/// The booking page fits one phone screen: a strip of days with their free
/// seats (plain links, so it works without JavaScript), then the chosen
/// day's times, and the confirm button right below them.
#[component]
fn BookingForm(b: BookingChoices, error: Option<String>, day: Option<String>) -> impl IntoView {
    let id = b.application_id.clone();
    let (mzh, men) = (b.matter_zh.clone(), b.matter_en.clone());
    let site = b.site.clone();
    let has_slots = !b.days.is_empty();
    let chosen = day
        .filter(|d| b.days.iter().any(|x| &x.day == d))
        .or_else(|| b.days.first().map(|d| d.day.clone()))
        .unwrap_or_default();
    let shown: Vec<crate::views::DayView> =
        b.days.iter().filter(|d| d.day == chosen).cloned().collect();
    let strip = b
        .days
        .iter()
        .map(|d| {
            let (wz, we) = weekday(d.weekday);
            let free: i64 = d.slots.iter().map(|s| s.free).sum();
            let href = format!("/applications/{}/booking?site={}&day={}", id, site, d.day);
            let current = d.day == chosen;
            let label = d.day.get(5..).unwrap_or(&d.day).to_string();
            view! {
                <li>
                    <a
                        href=href
                        class="day-strip__day"
                        class:current=current
                        aria-current=current.then_some("date")
                        data-day=d.day.clone()
                    >
                        <strong>{label}</strong>
                        <span>{move || zh_en(current_lang(), wz, we)}</span>
                        <small>{bi("余 ", "free ")} {free}</small>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="breadcrumb">
            <a href=format!(
                "/applications/{id}",
            )>{bi("← 返回申请", "← Back to the application")}</a>
        </p>
        <h1>{bi("预约到场办理", "Book a visit")}</h1>
        <p class="muted">
            {move || zh_en(current_lang(), &mzh, &men)} " · " {b.receipt_no.clone()}
        </p>
        {error
            .map(|code| {
                let (zh, en) = booking_error(&code);
                view! {
                    <p class="notice notice--error" role="alert" data-testid="booking-error">
                        {move || zh_en(current_lang(), zh, en)}
                    </p>
                }
            })}
        {b
            .limited_until
            .clone()
            .map(|until| {
                view! {
                    <p class="notice notice--error" data-testid="limited">
                        {bi(
                            "您近期多次预约后未到场，网上预约暂停至 ",
                            "After repeated no-shows, online booking is paused until ",
                        )}
                        {until}
                        {bi(
                            "；可直接到窗口现场办理，或致电办理点。",
                            "; you can still come to a window or call the site.",
                        )}
                    </p>
                }
            })}
        {b
            .current
            .clone()
            .map(|c| {
                view! {
                    <p class="notice" data-testid="current-booking">
                        {bi("当前预约：", "Current booking: ")}
                        {c.when}
                        " · "
                        {move || zh_en(current_lang(), &c.site.name_zh, &c.site.name_en)}
                        {bi(
                            "。选择新的时段即可改约。",
                            ". Choose a new time to move it.",
                        )}
                    </p>
                }
            })}
        <form method="get" action=format!("/applications/{id}/booking") class="form">
            <div class="field">
                <label for="site">{bi("办理点", "Site")}</label>
                <select id="site" name="site">
                    {b
                        .sites
                        .iter()
                        .map(|s| {
                            let (zh, en) = (s.name_zh.clone(), s.name_en.clone());
                            view! {
                                <option value=s.code.clone() selected=s.code == site>
                                    {move || zh_en(current_lang(), &zh, &en)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button button--secondary">
                {bi("查看该办理点的时段", "Show this site's times")}
            </button>
        </form>
        {if has_slots {
            view! {
                <form method="post" action="/api/bookings/book" class="form booking-slots">
                    <input type="hidden" name="id" value=id.clone() />
                    <input type="hidden" name="csrf" value=b.csrf.clone() />
                    <input type="hidden" name="site" value=b.site.clone() />
                    <nav aria-label="日期 Days">
                        <ul class="day-strip" data-testid="day-strip">
                            {strip}
                        </ul>
                    </nav>
                    <SlotPicker days=shown />
                    <p class="muted">
                        {bi("开始前 ", "Bookings can be moved or cancelled until ")}
                        {b.close_minutes / 60}
                        {bi(" 小时内不能再改约或取消。", " hours before they start.")}
                    </p>
                    <button type="submit" class="button" data-testid="book">
                        {bi("确认预约", "Book this time")}
                    </button>
                </form>
            }
                .into_any()
        } else {
            view! {
                <p class="notice" data-testid="no-slots">
                    {bi(
                        "该办理点近期没有可预约的时段，请选择其他办理点。",
                        "This site has no free times in the coming days; choose another site.",
                    )}
                </p>
            }
                .into_any()
        }}
    }
}

/// A visit is booked once the application is pre-accepted.
fn not_yet_pre_accepted(e: &AppError) -> Option<AnyView> {
    matches!(e, AppError::Conflict { .. }).then(|| {
        view! {
            <h1>{bi("预约到场办理", "Book a visit")}</h1>
            <p class="notice">
                {bi(
                    "预审通过后才能预约到场办理。",
                    "A visit can be booked once the application is pre-accepted.",
                )}
            </p>
        }
        .into_any()
    })
}

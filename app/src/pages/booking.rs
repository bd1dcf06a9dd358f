//! Appointments: the citizen's booking page (a site, then a free slot over
//! the next days, as plain radio buttons in a GET/POST form that works
//! without JavaScript) and the clerks' day view of a site.

use crate::api::bookings::{booking_options, site_day, BookingChoices, BookingView, DayPlan};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn weekday(n: u32) -> (&'static str, &'static str) {
    match n {
        1 => ("周一", "Mon"),
        2 => ("周二", "Tue"),
        3 => ("周三", "Wed"),
        4 => ("周四", "Thu"),
        5 => ("周五", "Fri"),
        6 => ("周六", "Sat"),
        _ => ("周日", "Sun"),
    }
}

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
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(b) => view! { <BookingForm b error day=day() /> }.into_any(),
                        Err(AppError::Unauthorized) => {
                            view! { <crate::pages::citizen::SignInPrompt /> }.into_any()
                        }
                        Err(AppError::Conflict { .. }) => {
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
                        }
                        Err(_) => {
                            crate::pages::not_found::respond_not_found();
                            view! { <crate::pages::NotFound /> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
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
    let shown: Vec<crate::api::bookings::DayView> =
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

/// Free slots day by day as large radio tiles (`slot`).
#[component]
pub fn SlotPicker(days: Vec<crate::api::bookings::DayView>) -> impl IntoView {
    days.into_iter()
        .map(|d| {
            let (wz, we) = weekday(d.weekday);
            view! {
                <fieldset class="slot-day">
                    <legend>{d.day.clone()} " " {move || zh_en(current_lang(), wz, we)}</legend>
                    <div class="slot-grid">
                        {d
                            .slots
                            .iter()
                            .map(|s| {
                                let input_id = format!("slot-{}", s.key.replace([' ', ':'], "-"));
                                let label_for = input_id.clone();
                                view! {
                                    <label class="slot" for=label_for>
                                        <input
                                            type="radio"
                                            name="slot"
                                            id=input_id
                                            value=s.key.clone()
                                            required=true
                                        />
                                        <span>{s.label.clone()}</span>
                                        <small class="muted">{bi("余 ", "free ")} {s.free}</small>
                                    </label>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
            }
        })
        .collect_view()
}

/// The booking block of the application page: the booking with its code,
/// calendar file, move and cancel; or the way to book.
#[component]
pub fn BookingCard(
    application_id: String,
    booking: Option<BookingView>,
    bookable: bool,
    csrf: String,
    home_visit: Option<crate::api::bookings::HomeVisitLine>,
) -> impl IntoView {
    let id = application_id;
    if let Some(v) = home_visit {
        let scheduled = v.status == "scheduled";
        return view! {
            <section class="booking" data-testid="home-visit">
                <h2>{bi("上门服务", "Home visit")}</h2>
                {if scheduled {
                    view! {
                        <p data-testid="home-visit-when">
                            {bi("已安排上门：", "Scheduled: ")}
                            <strong>{v.when.clone()}</strong>
                        </p>
                        <p class="muted">
                            {bi(
                                "工作人员会出示工作证，不会收取现金。",
                                "Staff show their ID card and never take cash.",
                            )}
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <p data-testid="home-visit-when">
                            {bi(
                                "已申请，等待工作人员安排。希望日期：",
                                "Requested; waiting to be scheduled. Preferred dates: ",
                            )} {v.preferred.clone()}
                        </p>
                    }
                        .into_any()
                }}
                <p class="muted">{v.address.clone()}</p>
                <form method="post" action="/api/home_visits/cancel" class="inline-form">
                    <input type="hidden" name="id" value=id.clone() />
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <button type="submit" class="button button--danger">
                        {bi("撤回上门服务申请", "Withdraw the home-visit request")}
                    </button>
                </form>
            </section>
        }
        .into_any();
    }
    match booking {
        Some(b) => {
            let (szh, sen) = (b.site.name_zh.clone(), b.site.name_en.clone());
            let (azh, aen) = (b.site.address_zh.clone(), b.site.address_en.clone());
            view! {
                <section class="booking" data-testid="booking">
                    <h2>{bi("到场预约", "Your visit")}</h2>
                    <dl class="facts">
                        <dt>{bi("预约码", "Booking code")}</dt>
                        <dd class="receipt" data-testid="booking-code">
                            {b.code.clone()}
                        </dd>
                        <dt>{bi("时间", "When")}</dt>
                        <dd data-testid="booking-when">{b.when.clone()}</dd>
                        <dt>{bi("地点", "Where")}</dt>
                        <dd>
                            {move || zh_en(current_lang(), &szh, &sen)} <br />
                            <span class="muted">{move || zh_en(current_lang(), &azh, &aen)}</span>
                        </dd>
                    </dl>
                    <figure class="booking-qr">
                        <img
                            src=format!("/applications/{id}/booking.svg")
                            width="160"
                            height="160"
                            alt=move || {
                                zh_en(
                                    current_lang(),
                                    "预约二维码：到场后向工作人员出示",
                                    "Booking QR code: show it at the desk",
                                )
                            }
                            data-testid="booking-qr"
                        />
                        <figcaption class="muted">
                            {bi(
                                "到场后出示此二维码或预约码",
                                "Show this code at the desk",
                            )}
                        </figcaption>
                    </figure>
                    <p>
                        <a
                            class="button button--secondary"
                            href=format!("/applications/{id}/booking.ics")
                            data-testid="booking-ics"
                        >
                            {bi("加入手机日历", "Add to my calendar")}
                        </a>
                    </p>
                    {b
                        .changeable
                        .then(|| {
                            view! {
                                <p>
                                    <a
                                        class="button button--secondary"
                                        href=format!("/applications/{id}/booking")
                                    >
                                        {bi("改约", "Move")}
                                    </a>
                                </p>
                                <form
                                    method="post"
                                    action="/api/bookings/cancel"
                                    class="inline-form"
                                >
                                    <input type="hidden" name="id" value=id.clone() />
                                    <input type="hidden" name="csrf" value=csrf.clone() />
                                    <button type="submit" class="button button--danger">
                                        {bi("取消预约", "Cancel the booking")}
                                    </button>
                                </form>
                            }
                        })}
                </section>
            }
                .into_any()
        }
        None if bookable => {
            view! {
                <section class="booking" data-testid="booking">
                    <h2>{bi("到场预约", "Your visit")}</h2>
                    <p>
                        {bi(
                            "预审已通过。请预约到场时间，携带材料原件办理，只需跑一次。",
                            "Pre-review passed. Book a time to bring the originals: one visit is enough.",
                        )}
                    </p>
                    <a
                        class="button"
                        href=format!("/applications/{id}/booking")
                        data-testid="book-link"
                    >
                        {bi("预约到场办理", "Book a visit")}
                    </a>
                    <p class="muted">
                        {bi(
                            "年满 80 周岁、患病或残疾不能到场？",
                            "Aged 80+, ill or disabled and cannot come? ",
                        )}
                        <a
                            href=format!("/applications/{id}/home-visit")
                            data-testid="home-visit-link"
                        >
                            {bi("申请上门服务", "Ask for a home visit")}
                        </a>
                    </p>
                </section>
            }
                .into_any()
        }
        None => ().into_any(),
    }
}

/// `/staff/bookings?site=&day=`: who is coming when to a site.
#[component]
pub fn StaffBookingsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || query.with(|q| (q.get("site"), q.get("day"), q.get("code")));
    let data = Resource::new(args, |(site, day, code)| site_day(site, day, code));
    view! {
        <crate::components::layout::PageTitle zh="预约管理" en="Bookings" />
        <p class="breadcrumb">
            <a href="/staff">{bi("← 队列", "← Queues")}</a>
        </p>
        <h1>{bi("预约日程", "Visits of the day")}</h1>
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <DayPlanView d /> }.into_any(),
                    Err(AppError::Unauthorized) => {
                        view! { <crate::pages::staff::StaffSignInPrompt /> }.into_any()
                    }
                    Err(AppError::Validation(_)) => {
                        view! {
                            <p class="notice notice--error" role="alert">
                                {bi(
                                    "日期格式应为 2026-11-26。",
                                    "Dates look like 2026-11-26.",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                    Err(_) => {
                        crate::pages::not_found::respond_not_found();
                        view! { <crate::pages::NotFound /> }.into_any()
                    }
                }
            })}
        </Suspense>
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

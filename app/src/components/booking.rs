//! The slot picker and a booking's card (bookings and consultations).

use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::views::BookingView;
use leptos::prelude::*;

pub fn weekday(n: u32) -> (&'static str, &'static str) {
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

/// Free slots day by day as large radio tiles (`slot`).
#[component]
pub fn SlotPicker(days: Vec<crate::views::DayView>) -> impl IntoView {
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
    home_visit: Option<crate::views::HomeVisitLine>,
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

//! Pages of the rest of the appointment service: the home-visit request
//! (上门服务), booking a consultation without a case, and the site editor
//! for administrators. Plain forms: they work without JavaScript.

use crate::api::citizen::visits::{
    consultation_options, get_home_visit, ConsultChoices, HomeVisitInfo,
};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, Refused};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The words for the error codes a form post sends back in `?error=`.
fn message(code: &str) -> (&'static str, &'static str) {
    match code {
        "reason" => (
            "请选择申请上门服务的原因。",
            "Choose why you need a home visit.",
        ),
        "note" => (
            "请简要说明情况（2–200 字）。",
            "Describe your situation briefly (2–200 characters).",
        ),
        "address" => (
            "请填写上门地址（5–200 字，写到门牌号）。",
            "Give the address to visit (5–200 characters, with the door number).",
        ),
        "dates" => (
            "请选择 1 至 3 个希望上门的日期（明天起 30 天内的工作日）。",
            "Choose 1 to 3 preferred dates (working days from tomorrow, within 30 days).",
        ),
        "open" => (
            "此案件已有上门服务申请。",
            "This case already has a home-visit request.",
        ),
        "topic" => (
            "请简要写明想咨询的问题（2–200 字）。",
            "Say briefly what you want to ask (2–200 characters).",
        ),
        "no_shows" => (
            "您近期多次预约后未到场，网上预约暂停一段时间；可直接到窗口现场办理。",
            "After repeated no-shows, online booking is paused for a while; you can still come to a window.",
        ),
        "full" => (
            "这个时段刚刚被约满了，请从仍有空位的时段中选择。",
            "That time was just taken; choose one of the free times.",
        ),
        "too_many" => (
            "您的未到期预约已达上限，请先取消不需要的预约。",
            "You hold as many future bookings as allowed; cancel one first.",
        ),
        "booking_locked" => (
            "预约即将开始，已不能取消。",
            "The booking starts soon and can no longer be cancelled.",
        ),
        "csrf" => (
            "页面已过期，请重新操作。",
            "The page expired; please try again.",
        ),
        _ => (
            "未成功，请检查后重试。",
            "That did not go through; check and try again.",
        ),
    }
}

/// The error codes of `?error=a,b`, and a summary of them.
fn query_errors() -> Vec<String> {
    use_query_map()
        .with_untracked(|q| q.get("error"))
        .map(|e| e.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

#[component]
fn ErrorList(codes: Vec<String>) -> impl IntoView {
    (!codes.is_empty()).then(|| {
        view! {
            <div class="notice notice--error" role="alert" data-testid="form-errors">
                <ul>
                    {codes
                        .into_iter()
                        .map(|c| {
                            let (zh, en) = message(&c);
                            view! { <li>{move || zh_en(current_lang(), zh, en)}</li> }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// The message under a field, if its code is among the errors.
fn field_error(codes: &[String], code: &'static str) -> impl IntoView {
    codes.iter().any(|c| c == code).then(|| {
        let (zh, en) = message(code);
        view! {
            <p class="field-error" id=format!("{code}-error")>
                {move || zh_en(current_lang(), zh, en)}
            </p>
        }
    })
}

/// `/applications/:id/home-visit`: an applicant who cannot come asks for a
/// visit at home.
#[component]
pub fn HomeVisitPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let data = Resource::new(id, get_home_visit);
    view! {
        <crate::components::layout::PageTitle zh="上门服务" en="Home visit" />
        <PageData data=data refused=not_yet_pre_accepted as Refused let:info>
            <HomeVisitForm info />
        </PageData>
    }
}

#[component]
fn HomeVisitForm(info: HomeVisitInfo) -> impl IntoView {
    let id = info.application_id.clone();
    let codes = query_errors();
    let tomorrow = info.earliest.clone();
    view! {
        <p class="breadcrumb">
            <a href=format!(
                "/applications/{id}",
            )>{bi("← 返回申请", "← Back to the application")}</a>
        </p>
        <h1>{bi("申请上门服务", "Ask for a home visit")}</h1>
        <p class="muted">{info.receipt_no.clone()}</p>
        <p>
            {bi(
                "年满 80 周岁、患病或残疾、行动不便不能到场的申请人，可以申请工作人员上门办理。请如实说明情况，工作人员上门时会核实。",
                "Applicants aged 80 or over, ill or disabled who cannot come may ask for staff to visit. Describe your situation truthfully; staff check it at the visit.",
            )}
        </p>
        {match info.current {
            Some(v) => {
                view! {
                    <p class="notice" data-testid="home-visit-current">
                        {if v.status == "scheduled" {
                            view! {
                                {bi("已安排上门：", "Visit scheduled: ")}
                                {v.when.clone()}
                            }
                                .into_any()
                        } else {
                            view! {
                                {bi(
                                    "已提交申请，等待工作人员安排。希望日期：",
                                    "Requested; waiting to be scheduled. Preferred dates: ",
                                )}
                                {v.preferred.clone()}
                            }
                                .into_any()
                        }}
                    </p>
                }
                    .into_any()
            }
            None => {
                view! {
                    <ErrorList codes=codes.clone() />
                    <form method="post" action="/api/home_visits/request" class="form">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="csrf" value=info.csrf.clone() />
                        <fieldset class="field">
                            <legend>{bi("申请原因", "Why")}</legend>
                            <label class="choice">
                                <input type="radio" name="reason" value="age" required=true />
                                {bi("年满 80 周岁", "Aged 80 or over")}
                            </label>
                            <label class="choice">
                                <input type="radio" name="reason" value="illness" />
                                {bi("患病，行动不便", "Ill, cannot travel")}
                            </label>
                            <label class="choice">
                                <input type="radio" name="reason" value="disability" />
                                {bi("残疾", "Disability")}
                            </label>
                            {field_error(&codes, "reason")}
                        </fieldset>
                        <div class="field">
                            <label for="hv-note">{bi("情况说明", "Your situation")}</label>
                            <textarea
                                id="hv-note"
                                name="note"
                                maxlength="200"
                                required=true
                                rows="3"
                            ></textarea>
                            {field_error(&codes, "note")}
                        </div>
                        <div class="field">
                            <label for="hv-address">{bi("上门地址", "Address to visit")}</label>
                            <input
                                id="hv-address"
                                name="address"
                                maxlength="200"
                                required=true
                                autocomplete="street-address"
                            />
                            {field_error(&codes, "address")}
                        </div>
                        <fieldset class="field">
                            <legend>
                                {bi(
                                    "希望上门的日期（1–3 个工作日）",
                                    "Preferred dates (1–3 working days)",
                                )}
                            </legend>
                            <label for="hv-date1">{bi("首选日期", "First choice")}</label>
                            <input
                                id="hv-date1"
                                name="date1"
                                type="date"
                                min=tomorrow.clone()
                                required=true
                            />
                            <label for="hv-date2">
                                {bi("备选日期（可不填）", "Second (optional)")}
                            </label>
                            <input id="hv-date2" name="date2" type="date" min=tomorrow.clone() />
                            <label for="hv-date3">
                                {bi("备选日期（可不填）", "Third (optional)")}
                            </label>
                            <input id="hv-date3" name="date3" type="date" min=tomorrow />
                            {field_error(&codes, "dates")}
                        </fieldset>
                        <button type="submit" class="button" data-testid="home-visit-submit">
                            {bi("提交上门服务申请", "Ask for the visit")}
                        </button>
                    </form>
                }
                    .into_any()
            }
        }}
    }
}

/// `/consult?site=`: book a consultation at a window, without a case.
#[component]
pub fn ConsultPage() -> impl IntoView {
    let query = use_query_map();
    let site = move || query.with(|q| q.get("site"));
    let data = Resource::new(site, consultation_options);
    view! {
        <crate::components::layout::PageTitle zh="预约咨询" en="Consultation" />
        <h1>{bi("预约咨询", "Book a consultation")}</h1>
        <p>
            {bi(
                "还不确定要办什么、要带哪些材料？可以预约到办理点的咨询窗口当面咨询，不需要先提交申请。",
                "Not sure what to apply for or what to bring? Book a time at a site's consultation window; no application is needed.",
            )}
        </p>
        <PageData
            data=data
            failed=("暂时无法加载，请稍后重试。", "Could not load; try again later.")
            let:value
        >
            {match value {
                Some(c) => view! { <ConsultForm c /> }.into_any(),
                None => view! { <crate::components::prompts::SignInPrompt /> }.into_any(),
            }}
        </PageData>
    }
}

#[component]
fn ConsultForm(c: ConsultChoices) -> impl IntoView {
    let codes = query_errors();
    let ok = use_query_map().with_untracked(|q| q.get("ok"));
    let site = c.site.clone();
    let csrf = c.csrf.clone();
    view! {
        {ok
            .map(|o| {
                let (zh, en) = if o == "booked" {
                    (
                        "预约成功，预约码已通过短信发送。",
                        "Booked; the code has been texted to you.",
                    )
                } else {
                    ("已取消。", "Cancelled.")
                };
                view! {
                    <p class="notice" role="status" data-testid="consult-ok">
                        {move || zh_en(current_lang(), zh, en)}
                    </p>
                }
            })}
        <ErrorList codes=codes.clone() />
        {c
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
                            "；可直接到窗口现场咨询。",
                            "; you can still come to a window.",
                        )}
                    </p>
                }
            })}
        {(!c.current.is_empty())
            .then(|| {
                view! {
                    <section data-testid="consultations">
                        <h2>{bi("我的咨询预约", "My consultations")}</h2>
                        <ul class="cards">
                            {c
                                .current
                                .iter()
                                .map(|b| {
                                    let (zh, en) = (b.site.name_zh.clone(), b.site.name_en.clone());
                                    view! {
                                        <li class="card">
                                            <p>
                                                <strong class="receipt">{b.code.clone()}</strong>
                                                " "
                                                {b.when.clone()}
                                            </p>
                                            <p>{move || zh_en(current_lang(), &zh, &en)}</p>
                                            {b
                                                .changeable
                                                .then(|| {
                                                    view! {
                                                        <form
                                                            method="post"
                                                            action="/api/consult/cancel"
                                                            class="inline-form"
                                                        >
                                                            <input type="hidden" name="id" value=b.id.clone() />
                                                            <input type="hidden" name="csrf" value=csrf.clone() />
                                                            <button type="submit" class="button button--danger">
                                                                {bi("取消", "Cancel")}
                                                            </button>
                                                        </form>
                                                    }
                                                })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        <form method="get" action="/consult" class="form">
            <div class="field">
                <label for="site">{bi("办理点", "Site")}</label>
                <select id="site" name="site">
                    {c
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
        {if c.days.is_empty() {
            view! {
                <p class="notice" data-testid="no-slots">
                    {bi(
                        "该办理点近期没有可预约的咨询时段，请选择其他办理点。",
                        "No free consultation times here in the coming days; choose another site.",
                    )}
                </p>
            }
                .into_any()
        } else {
            view! {
                <form method="post" action="/api/consult/book" class="form booking-slots">
                    <input type="hidden" name="csrf" value=c.csrf.clone() />
                    <input type="hidden" name="site" value=c.site.clone() />
                    <div class="field">
                        <label for="topic">{bi("想咨询什么", "What about")}</label>
                        <textarea
                            id="topic"
                            name="topic"
                            maxlength="200"
                            required=true
                            rows="2"
                        ></textarea>
                        {field_error(&codes, "topic")}
                    </div>
                    <crate::components::booking::SlotPicker days=c.days.clone() />
                    <button type="submit" class="button" data-testid="consult-book">
                        {bi("确认预约", "Book this time")}
                    </button>
                </form>
            }
                .into_any()
        }}
    }
}

/// A home visit is asked for once the application is pre-accepted.
fn not_yet_pre_accepted(e: &AppError) -> Option<AnyView> {
    matches!(e, AppError::Conflict { .. }).then(|| {
        view! {
            <h1>{bi("申请上门服务", "Ask for a home visit")}</h1>
            <p class="notice">
                {bi(
                    "预审通过后才能申请上门服务。",
                    "A home visit can be asked for once the application is pre-accepted.",
                )}
            </p>
        }
        .into_any()
    })
}

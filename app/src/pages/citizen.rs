//! The citizen's own pages: "my applications", one application with its
//! timeline, and the public progress lookup.

use crate::api::applications::{
    get_application, my_applications, track, ApplicationView, EventView, Status, TrackView,
};
use crate::api::auth::{signin_message, whoami, Me};
use crate::components::documents::{DocumentList, LetterLinks, OwedStatus};
use crate::components::forms::{bi, zh_en};
use crate::components::language::{current_lang, urlencode};
use crate::domain::catalogue::PartyRole;
use crate::domain::Lang;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

pub fn status_label(s: Status, lang: Lang) -> &'static str {
    match (s, lang) {
        (Status::Draft, Lang::Zh) => "草稿（尚未提交）",
        (Status::Draft, Lang::En) => "Draft (not submitted)",
        (Status::Submitted, Lang::Zh) => "已提交，待预审",
        (Status::Submitted, Lang::En) => "Submitted, awaiting pre-review",
        (Status::Withdrawn, Lang::Zh) => "已撤回",
        (Status::Withdrawn, Lang::En) => "Withdrawn",
    }
}

pub fn event_label(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        ("submitted", Lang::Zh) => "提交预申请，取得回执号",
        ("submitted", Lang::En) => "Pre-application submitted; receipt issued",
        ("withdrawn", Lang::Zh) => "申请人撤回",
        ("withdrawn", Lang::En) => "Withdrawn by the applicant",
        ("returned", Lang::Zh) => "预审退回补正（一次性告知）",
        ("returned", Lang::En) => "Returned for correction (one notice listing everything)",
        ("resubmitted", Lang::Zh) => "补正后重新提交",
        ("resubmitted", Lang::En) => "Corrected and resubmitted",
        ("pre_accepted", Lang::Zh) => "预审通过，可预约到场办理",
        ("pre_accepted", Lang::En) => "Pre-accepted: you can book a visit",
        ("rejected", Lang::Zh) => "不予受理",
        ("rejected", Lang::En) => "Not accepted",
        ("accepted", Lang::Zh) => "正式受理，开始计算办理时限",
        ("accepted", Lang::En) => "Formally accepted; the time limit starts",
        ("review", Lang::Zh) => "进入审核",
        ("review", Lang::En) => "In review",
        ("register", Lang::Zh) => "审核通过，待登簿",
        ("register", Lang::En) => "Reviewed; to be entered in the register",
        ("certificate", Lang::Zh) => "已登簿，缮制证书",
        ("certificate", Lang::En) => "Registered; certificate being prepared",
        ("fee_paid", Lang::Zh) => "已缴费，待领证",
        ("fee_paid", Lang::En) => "Fees paid; ready to collect",
        ("issued", Lang::Zh) => "已发证",
        ("issued", Lang::En) => "Certificate issued",
        ("archived", Lang::Zh) => "已归档",
        ("archived", Lang::En) => "Archived",
        ("sent_back", Lang::Zh) => "退回上一环节重新办理",
        ("sent_back", Lang::En) => "Sent back a stage",
        ("owed_received", Lang::Zh) => "已收到容缺补交的材料",
        ("owed_received", Lang::En) => "Owed material received",
        ("booked", Lang::Zh) => "已预约到场时间",
        ("booked", Lang::En) => "Visit booked",
        ("booking_cancelled", Lang::Zh) => "已取消到场预约",
        ("booking_cancelled", Lang::En) => "Visit cancelled",
        ("booking_closed", Lang::Zh) => "办理点临时闭厅，预约已取消，请重新预约",
        ("booking_closed", Lang::En) => {
            "The site closed; your visit was cancelled, please book again"
        }
        ("walk_in", Lang::Zh) => "已到场（现场登记）",
        ("walk_in", Lang::En) => "Arrived (walk-in)",
        ("home_visit_requested", Lang::Zh) => "已申请上门服务，等待安排",
        ("home_visit_requested", Lang::En) => "Home visit requested; waiting to be scheduled",
        ("home_visit_scheduled", Lang::Zh) => "已安排上门服务",
        ("home_visit_scheduled", Lang::En) => "Home visit scheduled",
        ("home_visit_cancelled", Lang::Zh) => "已撤回上门服务申请",
        ("home_visit_cancelled", Lang::En) => "Home visit withdrawn",
        ("visit_recorded", Lang::Zh) => "已到窗口办理，到场登记完成",
        ("visit_recorded", Lang::En) => "Seen at the window; visit recorded",
        ("confirmed", Lang::Zh) => "当事人已确认申请内容",
        ("confirmed", Lang::En) => "A party confirmed the application",
        ("objected", Lang::Zh) => "当事人提出异议，案件停止办理",
        ("objected", Lang::En) => "A party objected; the case is stopped",
        ("paused", Lang::Zh) => "暂停计时：等待您补充（见说明）",
        ("paused", Lang::En) => "Clock stopped: waiting for you (see the note)",
        ("resumed", Lang::Zh) => "已收到补充，恢复计时",
        ("resumed", Lang::En) => "Received; the clock runs again",
        (_, Lang::Zh) => "办理进展",
        (_, Lang::En) => "Progress",
    }
}

pub fn role_label(code: &str, lang: Lang) -> String {
    PartyRole::from_code(code)
        .map(|r| r.name(lang).to_string())
        .unwrap_or_default()
}

/// Shown in place of a page that needs a signed-in citizen.
#[component]
pub fn SignInPrompt() -> impl IntoView {
    let location = use_location();
    let href = move || {
        let search = location.search.get();
        let search = if search.is_empty() || search.starts_with('?') {
            search
        } else {
            format!("?{search}")
        };
        format!(
            "/signin?next={}",
            urlencode(&format!("{}{}", location.pathname.get(), search))
        )
    };
    view! {
        <section class="notice" role="status">
            <p>
                {bi(
                    "请先登录。登录后会回到这里。",
                    "Please sign in first; you will come back here.",
                )}
            </p>
            <a href=href class="button">
                {bi("登录", "Sign in")}
            </a>
        </section>
    }
}

#[component]
pub fn Timeline(events: Vec<EventView>) -> impl IntoView {
    view! {
        <ol class="timeline">
            {events
                .into_iter()
                .map(|e| {
                    let kind = e.kind.clone();
                    view! {
                        <li>
                            <span class="timeline__at">{e.at}</span>
                            <span class="timeline__what">
                                {move || event_label(&kind, current_lang())}
                            </span>
                            {(!e.note.is_empty())
                                .then(|| {
                                    view! { <span class="timeline__note">{e.note.clone()}</span> }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

#[component]
pub fn MePage() -> impl IntoView {
    // Both resources belong to the page itself, not to a suspended child that
    // may be re-created while they load (their server calls need the
    // request's context).
    let me = Resource::new(|| (), |_| whoami());
    let list = Resource::new(|| (), |_| my_applications());
    let query = use_query_map();
    let flash = move || {
        query.with(|q| {
            if q.get("saved").is_some() {
                Some(bi(
                    "已保存。您可以随时回来继续填写。",
                    "Saved. You can come back and continue at any time.",
                ))
            } else if q.get("discarded").is_some() {
                Some(bi("草稿已删除。", "The draft has been deleted."))
            } else {
                None
            }
        })
    };
    let error = move || query.with(|q| q.get("error"));
    view! {
        <crate::components::layout::PageTitle zh="我的办件" en="My applications" />
        <h1>{bi("我的办件", "My applications")}</h1>
        {move || {
            flash()
                .map(|f| {
                    view! {
                        <p class="notice" role="status">
                            {f}
                        </p>
                    }
                })
        }}
        {move || {
            error()
                .and_then(|c| signin_message(&c, current_lang()))
                .map(|m| {
                    view! {
                        <p class="notice notice--error" role="alert">
                            {m}
                        </p>
                    }
                })
        }}
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <MyApplications me list /> }.into_any(),
                    Ok(None) => view! { <SignInPrompt /> }.into_any(),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LoadError() -> impl IntoView {
    view! {
        <p class="notice notice--error" role="alert">
            {bi(
                "暂时无法加载，请稍后刷新页面。",
                "This could not be loaded; please reload the page in a moment.",
            )}
        </p>
    }
}

#[component]
fn MyApplications(
    me: Me,
    list: Resource<Result<Vec<crate::api::applications::ApplicationSummary>, AppError>>,
) -> impl IntoView {
    let csrf = me.csrf.clone();
    let csrf2 = me.csrf.clone();
    view! {
        <p class="muted">
            {bi("已登录：", "Signed in as ")}
            <span data-testid="me-mobile">{me.mobile_masked}</span>
        </p>
        <p>
            <A href="/matters" attr:class="button">
                {bi("开始新的预申请", "Start a new pre-application")}
            </A>
        </p>
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => {
                        view! {
                            <p class="notice">
                                {bi(
                                    "您还没有办件。先在“办事指南”中找到要办的事项。",
                                    "You have no applications yet. Start by finding your matter in the service guide.",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                    Ok(items) => {
                        view! {
                            <ul class="app-list">
                                {items
                                    .into_iter()
                                    .map(|a| {
                                        let href = if a.status == Status::Draft {
                                            format!("/apply/{}/{}", a.id, a.resume)
                                        } else {
                                            format!("/applications/{}", a.id)
                                        };
                                        let status = a.status;
                                        let stage = crate::domain::case::Stage::from_code(&a.stage)
                                            .filter(|_| status == Status::Submitted);
                                        let (zh, en) = (a.matter_zh.clone(), a.matter_en.clone());
                                        view! {
                                            <li>
                                                <a href=href class="app-link">
                                                    <span class="app-link__name">
                                                        {move || {
                                                            if current_lang() == Lang::Zh {
                                                                zh.clone()
                                                            } else {
                                                                en.clone()
                                                            }
                                                        }}
                                                    </span>
                                                    <span class=format!(
                                                        "status status--{}",
                                                        serde_json::to_string(&status)
                                                            .unwrap_or_default()
                                                            .trim_matches('"'),
                                                    )>
                                                        {move || match stage {
                                                            Some(st) => st.label(current_lang()),
                                                            None => status_label(status, current_lang()),
                                                        }}
                                                    </span>
                                                    <span class="app-link__meta">
                                                        {a.receipt_no.clone().unwrap_or_default()} " · "
                                                        {a.updated_at.clone()}
                                                        {(!a.is_filer)
                                                            .then(|| {
                                                                view! {
                                                                    " · "
                                                                    {bi("您是申请人之一", "you are named on it")}
                                                                }
                                                            })}
                                                    </span>
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="account">
            <h2>{bi("账户安全", "Account security")}</h2>
            <div class="actions">
                <form method="post" action="/api/auth/sign_out">
                    <input type="hidden" name="csrf" value=csrf />
                    <button type="submit" class="button button--secondary">
                        {bi("退出登录", "Sign out")}
                    </button>
                </form>
                <form method="post" action="/api/auth/sign_out">
                    <input type="hidden" name="csrf" value=csrf2 />
                    <input type="hidden" name="everywhere" value="1" />
                    <button type="submit" class="button button--secondary">
                        {bi("在所有设备上退出", "Sign out on every device")}
                    </button>
                </form>
            </div>
        </section>
    }
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let app = Resource::new(id, get_application);
    view! {
        <crate::components::layout::PageTitle zh="办件详情" en="Application" />
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match app.await {
                    Ok(a) => view! { <ApplicationDetail a /> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt /> }.into_any(),
                    Err(AppError::NotFound) => {
                        crate::pages::not_found::respond_not_found();
                        view! { <crate::pages::NotFound /> }.into_any()
                    }
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ApplicationDetail(a: ApplicationView) -> impl IntoView {
    let m = StoredValue::new(a.matter.clone());
    let status = a.status;
    let stage = a.stage.clone();
    let can_withdraw = a.is_filer
        && status == Status::Submitted
        && matches!(a.stage.as_str(), "pre_review" | "returned" | "pre_accepted");
    let correction = (a.is_filer && a.stage == "returned" && a.notice.is_some())
        .then(|| view! { <Correction a=a.clone() /> });
    let track_href = a
        .receipt_no
        .clone()
        .map(|r| format!("/track?no={r}"))
        .unwrap_or_default();
    view! {
        <p class="breadcrumb">
            <A href="/me">{bi("← 我的办件", "← My applications")}</A>
        </p>
        <h1>{move || m.with_value(|m| m.name(current_lang()).to_string())}</h1>
        <dl class="facts">
            <dt>{bi("回执号", "Receipt number")}</dt>
            <dd class="receipt" data-testid="receipt">
                {a.receipt_no.clone().unwrap_or_default()}
            </dd>
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
            <dt>{bi("提交时间", "Submitted")}</dt>
            <dd>{a.submitted_at.clone().unwrap_or_default()}</dd>
            {a
                .case_no
                .clone()
                .map(|n| {
                    view! {
                        <dt>{bi("受理编号", "Case number")}</dt>
                        <dd>{n}</dd>
                    }
                })}
            <DuePromise due=a.due.clone() paused=a.paused />
        </dl>
        {a
            .people
            .iter()
            .any(|p| p.standing == crate::domain::people::Standing::Objected)
            .then(|| {
                view! {
                    <p class="notice notice--error" role="alert" data-testid="objected">
                        {bi(
                            "已停止：有当事人对这份申请提出了异议，登记中心将与各方联系。",
                            "Stopped: a party named on this application has objected; the centre will contact everyone.",
                        )}
                    </p>
                }
            })}
        {a
            .my_part
            .clone()
            .filter(|p| p.open)
            .map(|_| {
                view! {
                    <p class="notice" data-testid="confirm-first">
                        {bi(
                            "您是这份申请的当事人。请先阅读本页全部内容，再在页面底部确认或提出异议。",
                            "You are named on this application. Read the whole page, then confirm or object at the bottom.",
                        )}
                        " "
                        <a href="#confirm">{bi("去确认", "Go to confirm")}</a>
                    </p>
                }
            })}
        <crate::pages::booking::BookingCard
            application_id=a.id.clone()
            booking=a.booking.clone()
            bookable=a.bookable && a.is_filer
            csrf=a.csrf.clone()
            home_visit=a.home_visit.clone()
        />
        <LetterLinks application_id=a.id.clone() kinds=a.letters.clone() />
        {(!a.owed.is_empty())
            .then(|| {
                view! {
                    <section class="owed" data-testid="owed">
                        <h2>
                            {bi(
                                "承诺补交的材料（容缺受理）",
                                "Materials you promised to bring",
                            )}
                        </h2>
                        <p class="muted">
                            {bi(
                                "您的申请已先行受理。请在领证前将以下材料交到窗口，补齐后方可发证。",
                                "Your case was accepted first. Bring these to the window before collection: the certificate is issued once they are in.",
                            )}
                        </p>
                        <ul class="owed-list">
                            {a
                                .owed
                                .iter()
                                .map(|o| {
                                    view! {
                                        <li>
                                            <OwedStatus o=o.clone() />
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        {(!a.visits.is_empty())
            .then(|| {
                view! {
                    <section class="visits" data-testid="visits">
                        <h2>{bi("到场记录", "Visits")}</h2>
                        <ul class="plain-list">
                            {a
                                .visits
                                .iter()
                                .map(|v| {
                                    view! {
                                        <li>
                                            {v.at.clone()} " · " {bi("到场：", "present: ")}
                                            {v.present.join("、")}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        <h2>{bi("申请人", "Parties")}</h2>
        <ul class="party-list" data-testid="parties">
            {a
                .parties
                .clone()
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    let role = p.role.clone();
                    let st = a.people.iter().find(|s| s.idx == i as i64).map(|s| s.standing);
                    view! {
                        <li>
                            <strong>{p.name}</strong>
                            " · "
                            {move || role_label(&role, current_lang())}
                            " · "
                            {p.id_masked}
                            {(!p.share.is_empty())
                                .then(|| format!(" · {}%", p.share.trim_end_matches('%')))}
                            {st
                                .map(|st| {
                                    view! {
                                        " "
                                        <span class=if st.agrees() {
                                            "tag tag--ok"
                                        } else {
                                            "tag tag--warn"
                                        }>{move || st.label(current_lang())}</span>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {correction}
        <section class="fees" data-testid="fees">
            <h2>{bi("费用", "Fees")}</h2>
            <p class="muted">
                {bi(
                    "按件收取，受理后在窗口或网上缴纳；缴费后会短信告诉您所缴金额。",
                    "Charged per case, paid after acceptance; you are texted what was paid.",
                )}
            </p>
            <crate::pages::fees::FeeTable fees=m.with_value(|m| m.fees.clone()) />
        </section>
        <h2>{bi("申请材料", "Documents")}</h2>
        <DocumentList matter=m.get_value() docs=a.documents.clone() />
        {a.my_part.clone().map(|part| view! { <ConfirmPanel a=a.clone() part /> })}
        <h2>{bi("办理进度", "Progress")}</h2>
        <Timeline events=a.events />
        <p>
            <a href=track_href>
                {bi(
                    "公开查询页（可分享给其他申请人）",
                    "Public progress page (share it with the other parties)",
                )}
            </a>
        </p>
        {can_withdraw
            .then(|| {
                view! {
                    <section class="withdraw">
                        <h2>{bi("撤回申请", "Withdraw")}</h2>
                        <p>
                            {bi(
                                "受理前可以撤回。撤回后如需办理，需要重新提交。",
                                "You can withdraw until the application is accepted. To go on afterwards you would file again.",
                            )}
                        </p>
                        <form method="post" action="/api/applications/withdraw">
                            <input type="hidden" name="id" value=a.id.clone() />
                            <input type="hidden" name="csrf" value=a.csrf.clone() />
                            <button type="submit" class="button button--danger">
                                {bi("撤回这份申请", "Withdraw this application")}
                            </button>
                        </form>
                    </section>
                }
            })}
    }
}

/// For a person named on someone else's application: read it all, then
/// confirm it or object (which stops the case).
#[component]
fn ConfirmPanel(a: ApplicationView, part: crate::api::people::MyPart) -> impl IntoView {
    use crate::domain::people::Standing;
    let query = leptos_router::hooks::use_query_map();
    let error = query.with_untracked(|q| q.get("error"));
    let ok = query.with_untracked(|q| q.get("ok"));
    let msg = move |code: &str, lang: Lang| -> String {
        let (zh, en) = match code {
            "confirmed" => (
                "您已确认。其他当事人全部确认后，登记中心将继续预审。",
                "Confirmed. Once every party has confirmed, the centre goes on with the pre-review.",
            ),
            "objected" => (
                "您的异议已送达登记中心，案件已停止办理，工作人员将与您联系。",
                "Your objection has reached the centre; the case is stopped and staff will contact you.",
            ),
            "changed" => (
                "申请内容刚刚有变更，请重新阅读后再确认。",
                "The application has just changed; read it again before confirming.",
            ),
            "objection_reason" => (
                "异议原因：请写明您不同意的原因（不超过 500 字）。",
                "Reason for objecting: write why you do not agree (at most 500 characters).",
            ),
            "already" => ("您已经确认过这份申请。", "You have already confirmed this application."),
            "already_objected" => (
                "您已提出异议，登记中心处理前不能再确认。",
                "You have objected; you cannot confirm until the centre has dealt with it.",
            ),
            "closed" => (
                "案件已不在确认阶段；如有异议请联系登记中心。",
                "The case no longer takes confirmations; call the centre with any objection.",
            ),
            _ => ("操作未完成，请重试。", "That did not go through; try again."),
        };
        zh_en(lang, zh, en)
    };
    let st = part.standing;
    let can_answer = part.open && !matches!(st, Standing::Confirmed | Standing::Objected);
    let can_object = part.open && st != Standing::Objected;
    let prop = a.draft.property.clone();
    view! {
        <section id="confirm" class="confirm-panel" data-testid="confirm-panel">
            <h2>{bi("请您确认这份申请", "Please confirm this application")}</h2>
            {error
                .map(|c| {
                    view! {
                        <p class="notice notice--error" role="alert">
                            {move || msg(&c, current_lang())}
                        </p>
                    }
                })}
            {ok
                .map(|c| {
                    view! {
                        <p class="notice" role="status">
                            {move || msg(&c, current_lang())}
                        </p>
                    }
                })}
            <p data-testid="my-standing">
                {bi("您的确认状态：", "Your confirmation: ")}
                <strong>{move || st.label(current_lang())}</strong>
            </p>
            <p>
                {bi(
                    "您被列为这份申请的当事人，上面是申请的全部内容（当事人、费用、材料），不动产信息再列在下面。内容属实、您同意办理，请点“确认”；如不同意，请写明原因并提出异议，案件将停止办理。确认后在受理前发现问题，仍可提出异议。",
                    "You are named as a party on this application. You have read it above (parties, fees, documents); the property is repeated here. If it is right and you agree, press Confirm; if not, write why and object, and the case stops. Until acceptance you may still object after confirming.",
                )}
            </p>
            <dl class="facts">
                <dt>{bi("不动产单元号", "Property unit number")}</dt>
                <dd class="wrap-anywhere">{prop.unit_number.clone()}</dd>
                <dt>{bi("不动产权证书号", "Certificate number")}</dt>
                <dd class="wrap-anywhere">{prop.certificate_number.clone()}</dd>
                <dt>{bi("坐落", "Address")}</dt>
                <dd>{prop.address.clone()}</dd>
            </dl>
            {can_answer
                .then(|| {
                    view! {
                        <form method="post" action="/api/applications/confirm" class="form">
                            <input type="hidden" name="id" value=a.id.clone() />
                            <input type="hidden" name="csrf" value=a.csrf.clone() />
                            <input type="hidden" name="hash" value=part.hash.clone() />
                            <input type="hidden" name="decision" value="confirm" />
                            <button type="submit" class="button" data-testid="confirm">
                                {bi(
                                    "我已阅读全部内容，确认无误",
                                    "I have read all of it: confirm",
                                )}
                            </button>
                        </form>
                    }
                })}
            {can_object
                .then(|| {
                    view! {
                        <form
                            method="post"
                            action="/api/applications/confirm"
                            class="form"
                            id="objection"
                        >
                            <input type="hidden" name="id" value=a.id.clone() />
                            <input type="hidden" name="csrf" value=a.csrf.clone() />
                            <input type="hidden" name="hash" value=part.hash.clone() />
                            <input type="hidden" name="decision" value="object" />
                            <div class="field">
                                <label for="objection-reason">
                                    {bi("不同意？请写明原因", "Do not agree? Say why")}
                                </label>
                                <textarea
                                    id="objection-reason"
                                    name="reason"
                                    rows="3"
                                    maxlength="500"
                                ></textarea>
                            </div>
                            <button type="submit" class="button button--danger">
                                {bi(
                                    "提出异议（案件将停止办理）",
                                    "Object (the case stops)",
                                )}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}

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
                    None => ().into_any(),
                    Some(Ok(t)) => view! { <TrackResult t /> }.into_any(),
                    Some(Err(e @ AppError::Unavailable { .. })) => {
                        crate::pages::not_found::respond_error(&e);
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
                        crate::pages::not_found::respond_error(
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

/// The promised deadline of an accepted case, in a facts list.
#[component]
fn DuePromise(due: Option<String>, paused: bool) -> impl IntoView {
    due.map(|d| {
        view! {
            <dt>{bi("承诺办结", "Promised by")}</dt>
            <dd data-testid="due">
                {d}
                {paused
                    .then(|| {
                        view! {
                            <span class="muted">
                                {bi(
                                    "（暂停计时：待您补充后继续，期限相应顺延）",
                                    " (clock stopped until you supply what was asked; the deadline moves on)",
                                )}
                            </span>
                        }
                    })}
            </dd>
        }
    })
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

/// After a return for correction: the notice item by item, each with its
/// files and an upload form (plain multipart forms: they work with or
/// without JavaScript), then "resubmit".
#[component]
fn Correction(a: ApplicationView) -> impl IntoView {
    use crate::components::documents::{viewer_href, DocThumb};
    use crate::domain::case::reason_label;
    use crate::domain::document::{error_from_code, human_size};
    let query = use_query_map();
    let upload_error = query.with_untracked(|q| {
        let m = q.get("m").unwrap_or_default();
        q.get("upload_error")
            .and_then(|c| error_from_code(&c, a.max_file_mb as u64))
            .map(|e| (m, e))
    });
    let not_fixed = query.with_untracked(|q| q.get("error").as_deref() == Some("not_fixed"));
    let notice = a
        .notice
        .clone()
        .unwrap_or_else(|| crate::api::cases::NoticeView {
            created_at: String::new(),
            answered_at: None,
            items: vec![],
        });
    let csrf = a.csrf.clone();
    let id = a.id.clone();
    view! {
        <section class="correction" id="correction" aria-labelledby="correction-title">
            <h2 id="correction-title">{bi("需要补正", "Corrections needed")}</h2>
            <p>
                {bi(
                    "预审人员一次性列出了需要修改的全部材料。请逐项重新上传，完成后点击“补正完毕，重新提交”。其他材料无需改动。",
                    "The pre-review lists everything to fix, at once. Upload a new file for each item below, then press “Resubmit”. Nothing else needs to change.",
                )}
            </p>
            {not_fixed
                .then(|| {
                    view! {
                        <p class="notice notice--error" role="alert">
                            {bi(
                                "还有事项没有上传新的文件，请逐项完成后再提交。",
                                "Some items have no new file yet; finish each one, then resubmit.",
                            )}
                        </p>
                    }
                })}
            <ol class="notice-items">
                {notice
                    .items
                    .into_iter()
                    .map(|item| {
                        let material = item.material.clone();
                        let docs: Vec<_> = a
                            .documents
                            .iter()
                            .filter(|d| d.material == material)
                            .cloned()
                            .collect();
                        let reason = item.reason.clone();
                        let names = StoredValue::new((
                            item.material_zh.clone(),
                            item.material_en.clone(),
                        ));
                        let fixed = !item.added.is_empty();
                        let error = upload_error
                            .clone()
                            .filter(|(m, _)| *m == material)
                            .map(|(_, e)| e);
                        let file_id = format!("fix-{material}");
                        view! {
                            <li class="notice-item" id=format!("material_{material}")>
                                <h3>
                                    {move || {
                                        names
                                            .with_value(|(zh, en)| {
                                                if current_lang() == Lang::En {
                                                    en.clone()
                                                } else {
                                                    zh.clone()
                                                }
                                            })
                                    }}
                                </h3>
                                <p class="notice-reason">
                                    {move || reason_label(&reason, current_lang())}
                                    {(!item.note.is_empty()).then(|| format!("：{}", item.note))}
                                </p>
                                {fixed
                                    .then(|| {
                                        view! {
                                            <p class="tag tag--ok">
                                                {bi("✓ 已上传新文件", "✓ New file uploaded")}
                                            </p>
                                        }
                                    })}
                                <ul class="doc-list">
                                    {docs
                                        .into_iter()
                                        .map(|d| {
                                            view! {
                                                <li class="doc">
                                                    <DocThumb doc=d.clone() />
                                                    <span class="doc-body">
                                                        <a href=viewer_href(&d.id)>{d.name.clone()}</a>
                                                        <span class="muted">{human_size(d.size)}</span>
                                                    </span>
                                                    <form
                                                        method="post"
                                                        action=format!("/documents/{}/delete", d.id)
                                                    >
                                                        <input type="hidden" name="csrf" value=csrf.clone() />
                                                        <input type="hidden" name="back" value="application" />
                                                        <button
                                                            type="submit"
                                                            class="button button--link"
                                                            aria-label=format!("删除 {}", d.name)
                                                        >
                                                            {bi("删除", "Delete")}
                                                        </button>
                                                    </form>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                <form
                                    method="post"
                                    action="/uploads/form"
                                    enctype="multipart/form-data"
                                    class="upload"
                                >
                                    <input type="hidden" name="csrf" value=csrf.clone() />
                                    <input type="hidden" name="application" value=id.clone() />
                                    <input type="hidden" name="material" value=material.clone() />
                                    <input type="hidden" name="back" value="application" />
                                    {error
                                        .map(|e| {
                                            view! {
                                                <p class="field-error" role="alert">
                                                    {move || e.message(current_lang())}
                                                </p>
                                            }
                                        })}
                                    <label for=file_id.clone() class="upload__label">
                                        {bi(
                                            "选择新的照片或 PDF",
                                            "Choose a new photo or PDF",
                                        )}
                                    </label>
                                    <input
                                        id=file_id
                                        type="file"
                                        name="file"
                                        accept="image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,application/pdf"
                                    />
                                    <button type="submit" class="button button--secondary">
                                        {bi("上传", "Upload")}
                                    </button>
                                </form>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <form method="post" action="/api/applications/resubmit">
                <input type="hidden" name="id" value=a.id.clone() />
                <input type="hidden" name="csrf" value=a.csrf.clone() />
                <button type="submit" class="button">
                    {bi("补正完毕，重新提交", "Resubmit")}
                </button>
            </form>
        </section>
    }
}

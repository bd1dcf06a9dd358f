//! The clerks' pages: sign-in, the queues, one case, and account
//! administration. Plain forms posting to the server functions (each answers
//! a browser's form post with a redirect), so everything works with or
//! without JavaScript; the server checks role and site on every call.

use crate::api::cases::{
    case_queue, get_case, review_audit, CaseLine, CaseView, QueueFilter, QUEUES,
};
use crate::api::staff::{current_staff_member, list_staff, staff_message, StaffMe};
use crate::components::documents::{viewer_href, DocThumb, LetterLinks, OwedStatus};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::domain::calendar::Urgency;
use crate::domain::case::{reason_label, Role, Stage, REASONS};
use crate::domain::Lang;
use crate::error::AppError;
use crate::pages::citizen::{role_label, Timeline};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Error or status message from the query string (`?error=…`, `?ok=…`).
#[component]
fn QueryMessage() -> impl IntoView {
    let query = use_query_map();
    let error = query.with_untracked(|q| q.get("error"));
    let ok = query.with_untracked(|q| q.get("ok"));
    let case_msg = |code: &str, lang: Lang| -> Option<String> {
        let (zh, en) = match code {
            "stale" => (
                "案件已被其他人更新，页面已刷新，请核对后再操作。",
                "The case changed since this page was loaded; check it again, then act.",
            ),
            "taken" => ("案件已被其他人领取。", "Someone else has taken this case."),
            "not_yours" => ("请先领取案件再办理。", "Take the case before acting on it."),
            "illegal" => (
                "当前环节不能进行这个操作。",
                "That move is not possible at this stage.",
            ),
            "items_required" => (
                "请至少选择一项需要补正的材料，并为每项选择原因。",
                "Choose at least one item, with a reason for each.",
            ),
            "note_required" => (
                "选择“其他”原因时请写明说明。",
                "With “Other”, write a note.",
            ),
            "reason_unknown" => ("请为每项选择原因。", "Choose a reason for each item."),
            "reason_required" => ("请写明原因。", "Please write the reason."),
            "paused" => (
                "案件正在暂停计时（等待申请人），请先恢复计时。",
                "The clock is stopped (waiting on the applicant); resume it first.",
            ),
            "not_paused" => ("案件没有暂停计时。", "The clock is not stopped."),
            "pause" => (
                "已暂停计时，申请人已收到通知。",
                "Clock stopped; the applicant has been told.",
            ),
            "resume" => (
                "已恢复计时，办结期限已按暂停的工作时间顺延。",
                "Clock restarted; the deadline moved on by the working time paused.",
            ),
            "owed" => (
                "还有容缺材料未补交，补齐并登记收到后才能发证。",
                "Owed materials have not all been received; record them before issuing.",
            ),
            "not_tolerable" => (
                "所选材料不可容缺受理。",
                "A chosen material cannot be owed.",
            ),
            "owed_received" => (
                "已登记收到容缺材料。",
                "Owed material recorded as received.",
            ),
            "fee_use_required" | "fee_certs_invalid" | "fee_method_required" => (
                "收费：请选择房屋用途、缴费方式，并填写证书本数。",
                "Fees: choose the use and how it was paid, and give the number of certificates.",
            ),
            "fee_amount_mismatch" => (
                "实收金额与按收费标准计算的应收金额不符，请核对。",
                "The amount received differs from what the fee items come to; check it.",
            ),
            "objected" => (
                "有当事人提出异议，案件已停止：不能预审通过或受理。请与各方联系，必要时不予受理。",
                "A party has objected and the case is stopped: it cannot be pre-accepted or accepted. Contact the parties; reject it if need be.",
            ),
            "unconfirmed" => (
                "还有当事人未确认申请内容，全部确认后才能预审通过（可在“当事人确认”中登记窗口当面确认）。",
                "Not every party has confirmed the application yet; pre-accept once all have (a confirmation given at the window can be recorded under Parties).",
            ),
            "no_visit" => (
                "尚未登记全部当事人到场，不能正式受理。请在“到场登记”中勾选到场并已核验身份的当事人。",
                "Not every party has been recorded present at a visit; record the visit (Visit) before accepting.",
            ),
            "id_unchecked" => (
                "请先核验当事人身份证件原件，并勾选“已核验身份证件”。",
                "Check the party's identity document first and tick “ID checked”.",
            ),
            "already" => ("已经确认过，无需重复。", "Already confirmed."),
            "already_objected" => (
                "该当事人已提出异议，异议处理前不能代为确认。",
                "That party has objected; no confirmation can be recorded until the objection is dealt with.",
            ),
            "filer" => (
                "这是申请人本人的信息，提交申请即已确认。",
                "That is the filer's own entry: filing it was the confirmation.",
            ),
            "closed" => (
                "案件已不在待确认的环节。",
                "The case no longer takes confirmations.",
            ),
            "confirmed" => ("已登记当事人确认。", "Confirmation recorded."),
            "present_required" => (
                "请勾选到场并已核验身份的当事人。",
                "Tick the parties who came and whose ID you checked.",
            ),
            "not_waiting" => (
                "案件不在“预审通过待到场”环节，不能登记到场。",
                "The case is not waiting for its visit.",
            ),
            "visit" => (
                "已登记到场，预约已完成。全部当事人到场后可正式受理。",
                "Visit recorded and the booking completed. Accept once every party has been seen.",
            ),
            _ => return staff_message(code, lang).map(str::to_string),
        };
        Some(zh_en(lang, zh, en))
    };
    view! {
        {error
            .map(|c| {
                view! {
                    <p class="notice notice--error" role="alert">
                        {move || case_msg(&c, current_lang()).unwrap_or_default()}
                    </p>
                }
            })}
        {ok
            .map(|c| {
                view! {
                    <p class="notice" role="status">
                        {move || {
                            case_msg(&c, current_lang())
                                .unwrap_or_else(|| zh_en(current_lang(), "已完成。", "Done."))
                        }}
                    </p>
                }
            })}
    }
}

#[component]
pub fn StaffSignInPage() -> impl IntoView {
    view! {
        <crate::components::layout::PageTitle zh="工作人员登录" en="Staff sign-in" />
        <h1>{bi("工作人员登录", "Staff sign-in")}</h1>
        <QueryMessage />
        <form method="post" action="/api/staff/sign_in" class="form">
            <div class="field">
                <label for="username">{bi("用户名", "Username")}</label>
                <input id="username" name="username" autocomplete="username" required=true />
            </div>
            <div class="field">
                <label for="password">{bi("密码", "Password")}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required=true
                />
            </div>
            <button type="submit" class="button">
                {bi("登录", "Sign in")}
            </button>
        </form>
    }
}

/// Asks staff to sign in.
#[component]
pub fn StaffSignInPrompt() -> impl IntoView {
    view! {
        <section class="notice" role="status">
            <p>
                {bi("请先登录工作人员账户。", "Please sign in with your staff account.")}
            </p>
            <a class="button" href="/staff/signin">
                {bi("工作人员登录", "Staff sign-in")}
            </a>
        </section>
    }
}

#[component]
fn StaffBar(me: StaffMe) -> impl IntoView {
    let role = Role::from_code(&me.role);
    view! {
        <div class="staff-bar">
            <span>
                <strong>{me.name.clone()}</strong>
                " · "
                {move || role.map(|r| r.label(current_lang())).unwrap_or_default()}
                " · "
                {me.sites.join(", ")}
                " · "
                <a href="/staff/bookings">{bi("预约日程", "Visits")}</a>
                " · "
                <a href="/staff/batches">{bi("批量申报", "Batches")}</a>
            </span>
            <form method="post" action="/api/staff/sign_out">
                <input type="hidden" name="csrf" value=me.csrf.clone() />
                <button type="submit" class="button button--link">
                    {bi("退出", "Sign out")}
                </button>
            </form>
        </div>
    }
}

fn urgency_tag(u: Option<Urgency>) -> impl IntoView {
    u.and_then(|u| match u {
        Urgency::OnTime => None,
        Urgency::DueSoon => Some(
            view! { <span class="tag tag--warn">{bi("即将超时", "Due soon")}</span> }.into_any(),
        ),
        Urgency::Overdue => Some(
            view! { <span class="tag tag--danger">{bi("已超时", "Overdue")}</span> }.into_any(),
        ),
    })
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
    let me = Resource::new(|| (), |_| current_staff_member());
    let lines = Resource::new(move || (queue(), filter()), |(q, f)| case_queue(q, Some(f)));
    let matters = Resource::new(|| (), |_| crate::api::catalogue::list_matters());
    let sites = Resource::new(|| (), |_| crate::api::sites::list_sites());
    let alerts = Resource::new(|| (), |_| crate::api::cases::my_alerts());
    view! {
        <crate::components::layout::PageTitle zh="工作台" en="Workbench" />
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) if me.role == "admin" => {
                        view! {
                            <StaffBar me />
                            <p>
                                <a href="/staff/admin">{bi("账户管理", "Accounts")}</a>
                            </p>
                        }
                            .into_any()
                    }
                    Ok(Some(me)) => {
                        let lines = lines.await;
                        let matters = matters.await.unwrap_or_default();
                        let sites = sites.await.unwrap_or_default();
                        let alerts = alerts.await.unwrap_or_default();
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
                    _ => view! { <StaffSignInPrompt /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Deadline alerts from the background job, each dismissed once read.
#[component]
fn Alerts(alerts: Vec<crate::api::cases::AlertView>, csrf: String) -> impl IntoView {
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

/// `/staff/cases/:id`: one case with its checks, documents, notice and moves.
#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let case = Resource::new(id, get_case);
    view! {
        <crate::components::layout::PageTitle zh="案件" en="Case" />
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(c) => view! { <CaseDetail c /> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <StaffSignInPrompt /> }.into_any(),
                    Err(AppError::NotFound) | Err(AppError::Forbidden) => {
                        crate::pages::not_found::respond_not_found();
                        view! { <crate::pages::NotFound /> }.into_any()
                    }
                    Err(_) => {
                        view! {
                            <p class="field-error">
                                {bi("案件暂时无法读取。", "The case cannot be read now.")}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn standing_class(s: crate::domain::people::Standing) -> &'static str {
    use crate::domain::people::Standing::*;
    match s {
        Filer | Confirmed => "tag tag--ok",
        Objected => "tag tag--danger",
        Outdated | Waiting => "tag tag--warn",
    }
}

/// Fees paid: the property's use, the certificates, how it was paid and
/// the amount received (checked against the catalogue's fee items).
#[component]
fn FeeForm(c: CaseView) -> impl IntoView {
    use crate::domain::fees::METHODS;
    view! {
        <section id="fees" class="fees" data-testid="fee-form">
            <h2>{bi("收费", "Fees")}</h2>
            <crate::pages::fees::FeeTable fees=c.matter.fees.clone() />
            <form method="post" action="/api/cases/act" class="form">
                <input type="hidden" name="id" value=c.id.clone() />
                <input type="hidden" name="csrf" value=c.csrf.clone() />
                <input type="hidden" name="version" value=c.version.to_string() />
                <input type="hidden" name="action" value="advance" />
                <div class="field">
                    <label for="fee_use">{bi("房屋用途", "Use of the property")}</label>
                    <select id="fee_use" name="f[fee_use]">
                        <option value="residential">{bi("住宅", "Residential")}</option>
                        <option value="non_residential">
                            {bi("非住宅", "Non-residential")}
                        </option>
                    </select>
                </div>
                <div class="field">
                    <label for="fee_certs">{bi("证书本数", "Certificates")}</label>
                    <input
                        id="fee_certs"
                        name="f[fee_certs]"
                        type="number"
                        inputmode="numeric"
                        min="1"
                        max="20"
                        value="1"
                    />
                </div>
                <div class="field">
                    <label for="fee_method">{bi("缴费方式", "How it was paid")}</label>
                    <select id="fee_method" name="f[fee_method]">
                        {METHODS
                            .iter()
                            .map(|(code, zh, en)| {
                                view! {
                                    <option value=*code>
                                        {move || zh_en(current_lang(), zh, en)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="fee_paid">
                        {bi("实收金额（元）", "Amount received (yuan)")}
                    </label>
                    <input
                        id="fee_paid"
                        name="f[fee_paid]"
                        type="text"
                        inputmode="decimal"
                        maxlength="12"
                    />
                </div>
                <button type="submit" class="button">
                    {bi("已缴费", "Fees paid")}
                </button>
            </form>
        </section>
    }
}

/// Every named party and whether they confirmed; a clerk records a
/// confirmation given in person, with the ID document checked.
#[component]
fn PeoplePanel(c: CaseView) -> impl IntoView {
    let open = matches!(c.stage.as_str(), "pre_review" | "returned" | "pre_accepted");
    let can_record = open && c.role != "reviewer";
    let (id, csrf) = (c.id.clone(), c.csrf.clone());
    view! {
        <section id="people" class="people" data-testid="people">
            <h2>{bi("当事人确认", "Parties' confirmations")}</h2>
            <ul class="plain-list">
                {c
                    .people
                    .iter()
                    .map(|p| {
                        let st = p.standing;
                        let role = p.role.clone();
                        let waiting = !st.agrees()
                            && st != crate::domain::people::Standing::Objected;
                        let (id, csrf) = (id.clone(), csrf.clone());
                        let box_id = format!("checked-{}", p.idx);
                        let box_for = box_id.clone();
                        view! {
                            <li data-testid=format!("party-{}", p.idx)>
                                <strong>{p.name.clone()}</strong>
                                " · "
                                {move || role_label(&role, current_lang())}
                                " "
                                <span class=standing_class(
                                    st,
                                )>{move || st.label(current_lang())}</span>
                                {p
                                    .at
                                    .clone()
                                    .map(|at| {
                                        let ch = p.channel.clone();
                                        view! {
                                            <span class="muted">
                                                " " {at} " "
                                                {move || match ch.as_str() {
                                                    "window" => {
                                                        zh_en(current_lang(), "窗口当面", "at the window")
                                                    }
                                                    "online" => zh_en(current_lang(), "网上", "online"),
                                                    "org" => {
                                                        zh_en(
                                                            current_lang(),
                                                            "单位账户",
                                                            "through the organisation's account",
                                                        )
                                                    }
                                                    _ => String::new(),
                                                }}
                                            </span>
                                        }
                                    })}
                                {(!p.note.is_empty())
                                    .then(|| {
                                        view! {
                                            <p class="field-error">
                                                {bi("异议：", "Objection: ")} {p.note.clone()}
                                            </p>
                                        }
                                    })}
                                {(waiting && can_record)
                                    .then(|| {
                                        view! {
                                            <form
                                                method="post"
                                                action="/api/cases/confirm_at_window"
                                                class="inline-form"
                                            >
                                                <input type="hidden" name="id" value=id />
                                                <input type="hidden" name="csrf" value=csrf />
                                                <input type="hidden" name="party" value=p.idx.to_string() />
                                                <label class="check" for=box_for>
                                                    <input
                                                        type="checkbox"
                                                        id=box_id
                                                        name="id_checked"
                                                        value="1"
                                                    />
                                                    {bi("已核验身份证件原件", "ID document checked")}
                                                </label>
                                                <button type="submit" class="button button--secondary">
                                                    {bi(
                                                        "登记窗口当面确认",
                                                        "Record confirmation at the window",
                                                    )}
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
}

/// The visit: the booking, the visits recorded, and the form that records
/// one with the parties present (which completes the booking).
#[component]
fn VisitPanel(c: CaseView) -> impl IntoView {
    let can_record = c.role != "reviewer";
    view! {
        <section id="visit" class="visit" data-testid="visit">
            <h2>{bi("到场登记", "Visit")}</h2>
            {match c.booking.clone() {
                Some(b) => {
                    view! {
                        <p data-testid="visit-booking">
                            {bi("预约：", "Booked: ")} {b.when} " · " {b.code}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class="muted">
                            {bi(
                                "没有待到场的预约（可按窗口来访登记）。",
                                "No open booking (record a walk-in visit).",
                            )}
                        </p>
                    }
                        .into_any()
                }
            }}
            <ul class="plain-list" data-testid="visits">
                {c
                    .visits
                    .iter()
                    .map(|v| {
                        view! {
                            <li>
                                {v.at.clone()} " · " {v.present.join("、")} " · "
                                {v.staff.clone()}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(!c.not_seen.is_empty())
                .then(|| {
                    view! {
                        <p class="notice" data-testid="not-seen">
                            {bi("尚未到场：", "Not yet seen: ")}
                            {c.not_seen.join("、")}
                        </p>
                    }
                })}
            {can_record
                .then(|| {
                    view! {
                        <form method="post" action="/api/cases/record_visit" class="form">
                            <input type="hidden" name="id" value=c.id.clone() />
                            <input type="hidden" name="csrf" value=c.csrf.clone() />
                            <fieldset>
                                <legend>
                                    {bi(
                                        "到场并已核验身份的当事人",
                                        "Parties present, ID checked",
                                    )}
                                </legend>
                                {c
                                    .people
                                    .iter()
                                    .map(|p| {
                                        let box_id = format!("present-{}", p.idx);
                                        let role = p.role.clone();
                                        view! {
                                            <label class="check" for=box_id.clone()>
                                                <input
                                                    type="checkbox"
                                                    id=box_id.clone()
                                                    name=format!("f[{box_id}]")
                                                    value="1"
                                                />
                                                {p.name.clone()}
                                                " · "
                                                {move || role_label(&role, current_lang())}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                            <button type="submit" class="button">
                                {bi("登记到场", "Record the visit")}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}

fn action_label(code: &str, stage: Stage, lang: Lang) -> String {
    let (zh, en) = match code {
        "pre_accept" => ("预审通过", "Pre-accept"),
        "accept" => ("正式受理", "Accept"),
        "resume" => (
            "恢复计时（申请人已补充）",
            "Restart the clock (the applicant has supplied it)",
        ),
        "advance" => match stage {
            Stage::Accepted => ("提交审核", "Send to review"),
            Stage::Review => ("审核通过", "Approve the review"),
            Stage::Register => ("登簿完成", "Entered in the register"),
            Stage::Certificate => ("已缴费", "Fees paid"),
            Stage::FeePaid => ("发证", "Issue"),
            Stage::Issued => ("归档", "Archive"),
            _ => ("下一环节", "Next stage"),
        },
        _ => ("", ""),
    };
    zh_en(lang, zh, en)
}

#[component]
fn CaseDetail(c: CaseView) -> impl IntoView {
    let stage = Stage::from_code(&c.stage).unwrap_or(Stage::None);
    let m = StoredValue::new(c.matter.clone());
    let action_form = |action: String, c: &CaseView| {
        let label_action = action.clone();
        view! {
            <form method="post" action="/api/cases/act" class="inline-form">
                <input type="hidden" name="id" value=c.id.clone() />
                <input type="hidden" name="csrf" value=c.csrf.clone() />
                <input type="hidden" name="version" value=c.version.to_string() />
                <input type="hidden" name="action" value=action />
                <button type="submit" class="button">
                    {move || action_label(&label_action, stage, current_lang())}
                </button>
            </form>
        }
    };
    let simple: Vec<String> = c
        .actions
        .iter()
        .filter(|a| matches!(a.as_str(), "pre_accept" | "advance" | "resume"))
        // Fees paid takes the amounts: its own form below.
        .filter(|a| !(a.as_str() == "advance" && stage == Stage::Certificate))
        .cloned()
        .collect();
    let can_take_fee = stage == Stage::Certificate && c.actions.iter().any(|a| a == "advance");
    let can = |a: &str| c.actions.iter().any(|x| x == a);
    let (can_return, can_reject, can_send_back) = (can("return"), can("reject"), can("send_back"));
    let can_pause = can("pause");
    let can_accept = can("accept");
    view! {
        <p class="breadcrumb">
            <a href="/staff">{bi("← 队列", "← Queues")}</a>
        </p>
        <QueryMessage />
        <h1>{move || m.with_value(|m| m.name(current_lang()).to_string())}</h1>
        <dl class="facts">
            <dt>{bi("回执号", "Receipt")}</dt>
            <dd class="receipt">{c.receipt_no.clone()}</dd>
            {c
                .case_no
                .clone()
                .map(|n| {
                    view! {
                        <dt>{bi("案件号", "Case number")}</dt>
                        <dd data-testid="case-no">{n}</dd>
                    }
                })}
            <dt>{bi("环节", "Stage")}</dt>
            <dd data-testid="stage">{move || stage.label(current_lang())}</dd>
            <dt>{bi("提交时间", "Submitted")}</dt>
            <dd>{c.submitted_at.clone()}</dd>
            {c
                .due
                .clone()
                .map(|d| {
                    view! {
                        <dt>{bi("办结期限", "Due")}</dt>
                        <dd data-testid="due">{d} " " {urgency_tag(c.urgency)}</dd>
                    }
                })}
            {c
                .paused_since
                .clone()
                .map(|since| {
                    view! {
                        <dt>{bi("暂停计时", "Clock stopped")}</dt>
                        <dd data-testid="paused">
                            <span class="tag">
                                {bi("等待申请人", "Waiting on the applicant")}
                            </span>
                            " "
                            {bi("自 ", "since ")}
                            {since}
                        </dd>
                    }
                })}
            <dt>{bi("经办人", "Clerk")}</dt>
            <dd data-testid="assignee">{c.assignee.clone().unwrap_or_else(|| "—".into())}</dd>
            {c
                .priority
                .then(|| {
                    view! {
                        <dt>{bi("通道", "Lane")}</dt>
                        <dd data-testid="priority">
                            <span class="tag tag--warn">{bi("绿色通道", "Priority lane")}</span>
                        </dd>
                    }
                })}
        </dl>
        <section class="case-actions">
            {if c.assignee.is_none() {
                view! {
                    <form method="post" action="/api/cases/assign" class="inline-form">
                        <input type="hidden" name="id" value=c.id.clone() />
                        <input type="hidden" name="csrf" value=c.csrf.clone() />
                        <input type="hidden" name="op" value="take" />
                        <button type="submit" class="button">
                            {bi("领取案件", "Take this case")}
                        </button>
                    </form>
                }
                    .into_any()
            } else if c.mine || c.role == "supervisor" {
                view! {
                    <form method="post" action="/api/cases/assign" class="inline-form">
                        <input type="hidden" name="id" value=c.id.clone() />
                        <input type="hidden" name="csrf" value=c.csrf.clone() />
                        <input type="hidden" name="op" value="release" />
                        <button type="submit" class="button button--secondary">
                            {bi("释放案件", "Release")}
                        </button>
                    </form>
                }
                    .into_any()
            } else {
                ().into_any()
            }} {simple.into_iter().map(|a| action_form(a, &c)).collect_view()}
        </section>
        {can_take_fee.then(|| view! { <FeeForm c=c.clone() /> })}
        {c
            .people
            .iter()
            .any(|p| p.standing == crate::domain::people::Standing::Objected)
            .then(|| {
                view! {
                    <p class="notice notice--error" role="alert" data-testid="objected">
                        {bi(
                            "已停止：有当事人提出异议（见下方“当事人确认”）。案件不能预审通过或受理；请与各方联系，必要时不予受理。",
                            "Stopped: a party has objected (see Parties below). The case cannot be pre-accepted or accepted; contact the parties and reject it if need be.",
                        )}
                    </p>
                }
            })}
        <PeoplePanel c=c.clone() />
        {(stage == Stage::PreAccepted && c.matter.visit_required)
            .then(|| view! { <VisitPanel c=c.clone() /> })}
        {can_accept.then(|| view! { <AcceptForm c=c.clone() /> })}
        {(c.role == "supervisor").then(|| view! { <PriorityForm c=c.clone() /> })}
        <OwedList c=c.clone() />

        <h2>{bi("智能辅助审核", "Automatic checks")}</h2>
        <ul class="checks">
            {c
                .checks
                .iter()
                .map(|k| {
                    let (zh, en) = (k.zh.clone(), k.en.clone());
                    view! {
                        <li
                            class:pass=k.pass
                            class:fail=!k.pass
                            data-testid=format!("check-{}", k.code)
                        >
                            <span class="check-mark" aria-hidden="true">
                                {if k.pass { "✓" } else { "✗" }}
                            </span>
                            {if k.pass {
                                bi("通过：", "Pass: ")()
                            } else {
                                bi("不通过：", "Fail: ")()
                            }}
                            {move || zh_en(current_lang(), &zh, &en)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>

        <h2>{bi("不动产", "Property")}</h2>
        <dl class="facts">
            <dt>{bi("不动产单元号", "Unit number")}</dt>
            <dd>{c.draft.property.unit_number.clone()}</dd>
            <dt>{bi("坐落", "Address")}</dt>
            <dd>{c.draft.property.address.clone()}</dd>
        </dl>

        <h2>{bi("申请人", "Parties")}</h2>
        <ul class="party-list">
            {c
                .parties
                .iter()
                .map(|p| {
                    let role = p.role.clone();
                    view! {
                        <li>
                            <strong>{p.name.clone()}</strong>
                            " · "
                            {move || role_label(&role, current_lang())}
                            " · "
                            {p.id_masked.clone()}
                        </li>
                    }
                })
                .collect_view()}
        </ul>

        {c.notice.clone().map(|n| view! { <NoticeSummary n /> })}
        <LetterLinks application_id=c.id.clone() kinds=c.letters.clone() />

        <h2>{bi("材料", "Documents")}</h2>
        <ul class="doc-list">
            {c
                .documents
                .iter()
                .map(|d| {
                    let item = c
                        .matter
                        .checklist
                        .iter()
                        .find(|i| i.material == d.material)
                        .cloned();
                    view! {
                        <li class="doc">
                            <DocThumb doc=d.clone() />
                            <span class="doc-body">
                                <a href=viewer_href(&d.id)>{d.name.clone()}</a>
                                <span class="muted">
                                    {move || {
                                        item.as_ref()
                                            .map(|i| zh_en(current_lang(), &i.name_zh, &i.name_en))
                                            .unwrap_or_default()
                                    }}
                                </span>
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>

        {can_return.then(|| view! { <ReturnForm c=c.clone() /> })}
        {can_reject
            .then(|| {
                view! {
                    <ReasonForm
                        c=c.clone()
                        action="reject"
                        title=bi("不予受理", "Do not accept")
                        button=bi("不予受理", "Do not accept")
                    />
                }
            })}
        {can_pause
            .then(|| {
                view! {
                    <ReasonForm
                        c=c.clone()
                        action="pause"
                        title=bi(
                            "暂停计时（等待申请人补充）",
                            "Stop the clock (waiting on the applicant)",
                        )
                        button=bi("暂停计时", "Stop the clock")
                    />
                }
            })}
        {can_send_back
            .then(|| {
                view! {
                    <ReasonForm
                        c=c.clone()
                        action="send_back"
                        title=bi("退回上一环节", "Send back a stage")
                        button=bi("退回", "Send back")
                    />
                }
            })}

        <h2>{bi("办理进度", "Timeline")}</h2>
        <Timeline events=c.events.clone() />
    }
}

#[component]
fn NoticeSummary(n: crate::api::cases::NoticeView) -> impl IntoView {
    view! {
        <section class="notice-summary" data-testid="notice">
            <h2>{bi("补正通知", "Correction notice")}</h2>
            <p class="muted">
                {n.created_at.clone()} {n.answered_at.clone().map(|a| format!(" → {a}"))}
            </p>
            <ul>
                {n
                    .items
                    .into_iter()
                    .map(|i| {
                        let reason = i.reason.clone();
                        let (zh, en) = (i.material_zh.clone(), i.material_en.clone());
                        let added = i.added.join("、");
                        let changed = !i.added.is_empty() || i.removed > 0;
                        view! {
                            <li data-testid=format!("notice-{}", i.material)>
                                <strong>{move || zh_en(current_lang(), &zh, &en)}</strong>
                                "："
                                {move || reason_label(&reason, current_lang())}
                                {(!i.note.is_empty()).then(|| format!("（{}）", i.note))}
                                <div class="notice-diff">
                                    {if changed {
                                        view! {
                                            <span class="tag tag--ok">
                                                {move || {
                                                    if current_lang() == Lang::Zh {
                                                        format!("新增：{added}；删除 {} 份", i.removed)
                                                    } else {
                                                        format!("added: {added}; removed {}", i.removed)
                                                    }
                                                }}
                                            </span>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <span class="tag">{bi("未改动", "Unchanged")}</span>
                                        }
                                            .into_any()
                                    }}
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// The one-time correction notice: tick every item to fix, each with a
/// standard reason or a note.
#[component]
fn ReturnForm(c: CaseView) -> impl IntoView {
    view! {
        <section class="return-form">
            <h2>{bi("退回补正（一次性告知）", "Return for correction (one notice)")}</h2>
            <form method="post" action="/api/cases/act" class="form">
                <input type="hidden" name="id" value=c.id.clone() />
                <input type="hidden" name="csrf" value=c.csrf.clone() />
                <input type="hidden" name="version" value=c.version.to_string() />
                <input type="hidden" name="action" value="return" />
                {c
                    .matter
                    .checklist
                    .iter()
                    .map(|i| {
                        let m = i.material.clone();
                        let (zh, en) = (i.name_zh.clone(), i.name_en.clone());
                        let pick = format!("pick-{m}");
                        view! {
                            <fieldset class="return-item">
                                <legend>
                                    <label>
                                        <input
                                            type="checkbox"
                                            name=format!("f[{pick}]")
                                            value="1"
                                        />
                                        " "
                                        {move || zh_en(current_lang(), &zh, &en)}
                                    </label>
                                </legend>
                                <label for=format!("reason-{m}")>{bi("原因", "Reason")}</label>
                                <select id=format!("reason-{m}") name=format!("f[reason-{m}]")>
                                    {REASONS
                                        .iter()
                                        .map(|(code, zh, en)| {
                                            view! {
                                                <option value=*code>
                                                    {move || zh_en(current_lang(), zh, en)}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                                <label for=format!(
                                    "note-{m}",
                                )>{bi("说明（可选）", "Note (optional)")}</label>
                                <input
                                    id=format!("note-{m}")
                                    name=format!("f[note-{m}]")
                                    maxlength="500"
                                />
                            </fieldset>
                        }
                    })
                    .collect_view()}
                <button type="submit" class="button button--danger">
                    {bi("发送补正通知", "Send the notice")}
                </button>
            </form>
        </section>
    }
}

/// Formal acceptance, optionally with tolerated deficiencies (容缺): the
/// catalogue's tolerable materials the applicant promises to bring.
#[component]
fn AcceptForm(c: CaseView) -> impl IntoView {
    use crate::domain::catalogue::Requirement;
    let tolerable: Vec<_> = c
        .matter
        .checklist
        .iter()
        .filter(|i| i.requirement == Requirement::Tolerable)
        .cloned()
        .collect();
    view! {
        <form method="post" action="/api/cases/act" class="form accept-form">
            <input type="hidden" name="id" value=c.id.clone() />
            <input type="hidden" name="csrf" value=c.csrf.clone() />
            <input type="hidden" name="version" value=c.version.to_string() />
            <input type="hidden" name="action" value="accept" />
            {(!tolerable.is_empty())
                .then(|| {
                    view! {
                        <fieldset class="owe-items">
                            <legend>
                                {bi(
                                    "容缺受理（可选）：申请人承诺在领证前补交的材料",
                                    "Tolerated deficiency (optional): materials the applicant promises to bring before issue",
                                )}
                            </legend>
                            {tolerable
                                .into_iter()
                                .map(|i| {
                                    let (zh, en) = (i.name_zh.clone(), i.name_en.clone());
                                    let id = format!("owe-{}", i.material);
                                    view! {
                                        <div class="check-row">
                                            <input
                                                type="checkbox"
                                                id=id.clone()
                                                name=format!("f[{id}]")
                                                value="1"
                                            />
                                            <label for=id>
                                                {move || zh_en(current_lang(), &zh, &en)}
                                            </label>
                                        </div>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })}
            <button type="submit" class="button">
                {bi("正式受理", "Accept")}
            </button>
        </form>
    }
}

/// A supervisor moves a case into the priority lane or out of it.
#[component]
fn PriorityForm(c: CaseView) -> impl IntoView {
    let (lane, title, button) = if c.priority {
        (
            "0",
            bi("移出绿色通道", "Take out of the priority lane"),
            bi("移出", "Take out"),
        )
    } else {
        (
            "1",
            bi("列入绿色通道", "Put in the priority lane"),
            bi("列入", "Put in"),
        )
    };
    view! {
        <details class="reason-form">
            <summary>{title}</summary>
            <form method="post" action="/api/cases/priority" class="form">
                <input type="hidden" name="id" value=c.id.clone() />
                <input type="hidden" name="csrf" value=c.csrf.clone() />
                <input type="hidden" name="lane" value=lane />
                <label for="priority-reason">
                    {bi("原因（记入审计）", "Reason (audited)")}
                </label>
                <textarea
                    id="priority-reason"
                    name="reason"
                    rows="2"
                    maxlength="500"
                    required=true
                ></textarea>
                <button type="submit" class="button button--secondary">
                    {button}
                </button>
            </form>
        </details>
    }
}

/// Owed materials (容缺) with their state; staff record each one received.
#[component]
fn OwedList(c: CaseView) -> impl IntoView {
    (!c.owed.is_empty())
        .then(|| {
            view! {
                <section class="owed" data-testid="owed">
                    <h2>{bi("容缺材料", "Owed materials")}</h2>
                    <ul class="owed-list">
                        {c
                            .owed
                            .iter()
                            .map(|o| {
                                let owed = o.received_at.is_none();
                                view! {
                                    <li>
                                        <OwedStatus o=o.clone() />
                                        {owed
                                            .then(|| {
                                                view! {
                                                    <form
                                                        method="post"
                                                        action="/api/cases/receive_owed"
                                                        class="inline-form"
                                                    >
                                                        <input type="hidden" name="id" value=c.id.clone() />
                                                        <input type="hidden" name="csrf" value=c.csrf.clone() />
                                                        <input
                                                            type="hidden"
                                                            name="material"
                                                            value=o.material.clone()
                                                        />
                                                        <button type="submit" class="button button--secondary">
                                                            {bi("登记已收到", "Record as received")}
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
        })
}

#[component]
fn ReasonForm(
    c: CaseView,
    action: &'static str,
    title: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    button: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let field = format!("reason-{action}");
    view! {
        <section class="reason-form">
            <h2>{title}</h2>
            <form method="post" action="/api/cases/act" class="form">
                <input type="hidden" name="id" value=c.id.clone() />
                <input type="hidden" name="csrf" value=c.csrf.clone() />
                <input type="hidden" name="version" value=c.version.to_string() />
                <input type="hidden" name="action" value=action />
                <label for=field
                    .clone()>
                    {bi("原因（申请人可见）", "Reason (the applicant sees it)")}
                </label>
                <textarea id=field name="reason" rows="3" maxlength="500" required=true></textarea>
                <button type="submit" class="button button--danger">
                    {button}
                </button>
            </form>
        </section>
    }
}

/// `/staff/calendar?year=`: the working-day calendar (administrators):
/// declared holidays and working weekend days of a year, and a form to
/// change a day.
#[component]
pub fn CalendarPage() -> impl IntoView {
    use crate::api::staff::calendar_year;
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
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => {
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
                    }
                    Err(AppError::Forbidden) => {
                        crate::pages::not_found::respond_not_found();
                        view! { <crate::pages::NotFound /> }.into_any()
                    }
                    Err(_) => view! { <StaffSignInPrompt /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/staff/admin`: accounts (administrators only).
#[component]
pub fn AdminPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_staff_member());
    let staff = Resource::new(|| (), |_| list_staff());
    let sites = Resource::new(|| (), |_| crate::api::sites::list_sites());
    view! {
        <crate::components::layout::PageTitle zh="账户管理" en="Accounts" />
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                let me = match me.await {
                    Ok(Some(me)) => me,
                    _ => return view! { <StaffSignInPrompt /> }.into_any(),
                };
                let Ok(staff) = staff.await else {
                    crate::pages::not_found::respond_not_found();
                    return view! { <crate::pages::NotFound /> }.into_any();
                };
                let sites = sites.await.unwrap_or_default();
                let csrf = me.csrf.clone();
                view! {
                    <StaffBar me />
                    <h1>{bi("账户管理", "Accounts")}</h1>
                    <p>
                        <a href="/staff/calendar">
                            {bi("工作日历（节假日与调休）", "Working-day calendar")}
                        </a>
                    </p>
                    <p>
                        <a href="/staff/orgs">
                            {bi(
                                "单位审核（开发企业、银行）",
                                "Organisations (developers, banks)",
                            )}
                        </a>
                    </p>
                    <p>
                        <a href="/staff/fees">{bi("收费标准", "Fees")}</a>
                    </p>
                    <details data-testid="site-links">
                        <summary>
                            {bi(
                                "办理点设置（地址、办公时段、预约窗口）",
                                "Sites (address, hours, booking windows)",
                            )}
                        </summary>
                        <ul>
                            {sites
                                .iter()
                                .map(|s| {
                                    let (zh, en) = (s.name_zh.clone(), s.name_en.clone());
                                    view! {
                                        <li>
                                            <a href=format!(
                                                "/staff/sites/{}",
                                                s.code,
                                            )>{move || zh_en(current_lang(), &zh, &en)}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </details>
                    <QueryMessage />
                    <table class="cases">
                        <thead>
                            <tr>
                                <th>{bi("用户名", "Username")}</th>
                                <th>{bi("姓名", "Name")}</th>
                                <th>{bi("角色", "Role")}</th>
                                <th>{bi("网点", "Sites")}</th>
                                <th>{bi("状态", "Status")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {staff
                                .into_iter()
                                .map(|s| {
                                    let role = Role::from_code(&s.role);
                                    let csrf = csrf.clone();
                                    view! {
                                        <tr>
                                            <td>{s.username.clone()}</td>
                                            <td>{s.name.clone()}</td>
                                            <td>
                                                {move || {
                                                    role.map(|r| r.label(current_lang())).unwrap_or_default()
                                                }}
                                            </td>
                                            <td>{s.sites.join(", ")}</td>
                                            <td>
                                                {if s.active {
                                                    bi("启用", "Active")()
                                                } else {
                                                    bi("已停用", "Disabled")()
                                                }} {s.locked.then(|| bi("（锁定中）", " (locked)")())}
                                                <form
                                                    method="post"
                                                    action="/api/staff/set_active"
                                                    class="inline-form"
                                                >
                                                    <input type="hidden" name="csrf" value=csrf />
                                                    <input type="hidden" name="id" value=s.id.clone() />
                                                    <input
                                                        type="hidden"
                                                        name="active"
                                                        value=if s.active { "0" } else { "1" }
                                                    />
                                                    <button type="submit" class="button button--link">
                                                        {if s.active {
                                                            bi("停用", "Disable")()
                                                        } else {
                                                            bi("启用", "Enable")()
                                                        }}
                                                    </button>
                                                </form>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <h2>{bi("新建账户", "New account")}</h2>
                    <form method="post" action="/api/staff/create" class="form">
                        <input type="hidden" name="csrf" value=csrf.clone() />
                        <div class="field">
                            <label for="new-username">{bi("用户名", "Username")}</label>
                            <input id="new-username" name="username" required=true />
                        </div>
                        <div class="field">
                            <label for="new-name">{bi("姓名", "Name")}</label>
                            <input id="new-name" name="name" required=true />
                        </div>
                        <div class="field">
                            <label for="new-role">{bi("角色", "Role")}</label>
                            <select id="new-role" name="role">
                                {[Role::Clerk, Role::Reviewer, Role::Supervisor, Role::Admin]
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <option value=r
                                                .code()>{move || r.label(current_lang())}</option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="new-password">
                                {bi(
                                    "初始密码（至少 10 位）",
                                    "Initial password (10+ characters)",
                                )}
                            </label>
                            <input
                                id="new-password"
                                name="password"
                                type="password"
                                autocomplete="new-password"
                                required=true
                            />
                        </div>
                        <fieldset class="field">
                            <legend>{bi("服务网点", "Sites")}</legend>
                            {sites
                                .into_iter()
                                .map(|s| {
                                    let (zh, en) = (s.name_zh.clone(), s.name_en.clone());
                                    view! {
                                        <label class="check">
                                            <input
                                                type="checkbox"
                                                name=format!("f[site-{}]", s.code)
                                                value="1"
                                            />
                                            " "
                                            {move || zh_en(current_lang(), &zh, &en)}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                        <button type="submit" class="button">
                            {bi("创建账户", "Create the account")}
                        </button>
                    </form>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

/// `/staff/audit`: a supervisor's review of case views made outside working
/// hours, and the state of the audit chain.
#[component]
pub fn AuditPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_staff_member());
    let review = Resource::new(|| (), |_| review_audit());
    view! {
        <crate::components::layout::PageTitle zh="审计" en="Audit" />
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                let me = match me.await {
                    Ok(Some(me)) => me,
                    _ => return view! { <StaffSignInPrompt /> }.into_any(),
                };
                let Ok(r) = review.await else {
                    crate::pages::not_found::respond_not_found();
                    return view! { <crate::pages::NotFound /> }.into_any();
                };
                view! {
                    <StaffBar me />
                    <p class="breadcrumb">
                        <a href="/staff">{bi("← 队列", "← Queues")}</a>
                    </p>
                    <h1>{bi("非工作时间查询审查", "Off-hours views")}</h1>
                    {match r.broken_at {
                        None => {
                            view! {
                                <p class="notice" role="status" data-testid="chain">
                                    {bi(
                                        "审计记录链完整，未发现改动。",
                                        "The audit chain is intact.",
                                    )}
                                </p>
                            }
                                .into_any()
                        }
                        Some(seq) => {
                            view! {
                                <p class="notice notice--error" role="alert" data-testid="chain">
                                    {move || {
                                        if current_lang() == Lang::Zh {
                                            format!(
                                                "审计记录第 {seq} 条之后的链接不成立：记录可能被改动。",
                                            )
                                        } else {
                                            format!(
                                                "The audit chain breaks at record {seq}: records may have been edited.",
                                            )
                                        }
                                    }}
                                </p>
                            }
                                .into_any()
                        }
                    }}
                    <p class="muted">
                        {bi(
                            "近 30 天内，在非工作日或 8:00 前、18:00 后查看本网点案件的记录。",
                            "Views of this site's cases in the last 30 days on days off, before 08:00 or from 18:00.",
                        )}
                    </p>
                    {if r.off_hours.is_empty() {
                        view! {
                            <p>{bi("没有非工作时间的查询。", "No off-hours views.")}</p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <table class="cases">
                                <thead>
                                    <tr>
                                        <th>{bi("时间", "Time")}</th>
                                        <th>{bi("人员", "Who")}</th>
                                        <th>{bi("回执号", "Receipt")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {r
                                        .off_hours
                                        .into_iter()
                                        .map(|v| {
                                            view! {
                                                <tr>
                                                    <td>{v.at}</td>
                                                    <td>{v.who}</td>
                                                    <td>{v.receipt_no}</td>
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
            })}
        </Suspense>
    }
}

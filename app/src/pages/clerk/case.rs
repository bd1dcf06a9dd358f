//! The clerks' pages: sign-in, the queues, one case, and account
//! administration. Plain forms posting to the server functions (each answers
//! a browser's form post with a redirect), so everything works with or
//! without JavaScript; the server checks role and site on every call.

use crate::api::clerk::case::{get_case, CaseView};
use crate::components::documents::{viewer_href, DocThumb, LetterLinks, OwedStatus};
use crate::components::forms::{bi, zh_en};
use crate::components::labels::role_label;
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, SignIn};
use crate::components::staff::*;
use crate::components::timeline::Timeline;
use crate::domain::case::{reason_label, Stage, REASONS};
use crate::domain::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/staff/cases/:id`: one case with its checks, documents, notice and moves.
#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let case = Resource::new(id, get_case);
    view! {
        <crate::components::layout::PageTitle zh="案件" en="Case" />
        <PageData
            data=case
            sign_in=SignIn::Staff
            failed=("案件暂时无法读取。", "The case cannot be read now.")
            let:c
        >
            <CaseDetail c />
        </PageData>
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
            <crate::components::fees::FeeTable fees=c.matter.fees.clone() />
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

/// Open the case's payment order: the applicant is texted a link and pays
/// online; the fee stage follows the payment channel's confirmation.
#[component]
fn OrderForm(c: CaseView) -> impl IntoView {
    view! {
        <section id="order" class="fees" data-testid="order-form">
            <h2>{bi("线上缴费", "Online payment")}</h2>
            <p class="muted">
                {bi(
                    "按收费标准开具缴费单，申请人收到短信后在手机上缴费；支付平台确认到账后，案件到“缮证”时自动进入“已缴费”。",
                    "Issue a payment order from the fee items: the applicant is texted a link and pays on the phone; once the payment channel confirms, the case moves to Fees paid by itself when it reaches the certificate stage.",
                )}
            </p>
            <form method="post" action="/api/cases/payment_order" class="form">
                <input type="hidden" name="id" value=c.id.clone() />
                <input type="hidden" name="csrf" value=c.csrf.clone() />
                <div class="field">
                    <label for="order_use">{bi("房屋用途", "Use of the property")}</label>
                    <select id="order_use" name="f[fee_use]">
                        <option value="residential">{bi("住宅", "Residential")}</option>
                        <option value="non_residential">
                            {bi("非住宅", "Non-residential")}
                        </option>
                    </select>
                </div>
                <div class="field">
                    <label for="order_certs">{bi("证书本数", "Certificates")}</label>
                    <input
                        id="order_certs"
                        name="f[fee_certs]"
                        type="number"
                        inputmode="numeric"
                        min="1"
                        max="20"
                        value="1"
                    />
                </div>
                <button type="submit" class="button">
                    {bi("开具缴费单并通知申请人", "Issue the payment order")}
                </button>
            </form>
        </section>
    }
}

/// The case's payment order as staff see it; its clerk may cancel an
/// unpaid one (to take the fee at the window).
#[component]
fn StaffPaymentPanel(p: crate::views::PaymentView, c: CaseView) -> impl IntoView {
    let can_cancel = p.status == "open" && c.mine;
    let order = p.id.clone();
    view! {
        <crate::components::fees::PaymentPanel p />
        {can_cancel
            .then(|| {
                view! {
                    <form method="post" action="/api/cases/payment_cancel" class="inline-form">
                        <input type="hidden" name="id" value=c.id.clone() />
                        <input type="hidden" name="csrf" value=c.csrf.clone() />
                        <input type="hidden" name="order" value=order />
                        <button type="submit" class="button button--secondary">
                            {bi(
                                "作废缴费单，改为窗口缴费",
                                "Cancel it; take the fee at the window",
                            )}
                        </button>
                    </form>
                }
            })}
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
            <p>
                <a
                    href=format!("/applications/{}/signed-form", c.id)
                    rel="external"
                    data-testid="signed-form"
                >
                    {bi("电子签名申请书（PDF）", "Signed application form (PDF)")}
                </a>
            </p>
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
    let prop = c.draft.property.for_matter(&c.matter);
    let m = StoredValue::new(c.matter.clone());
    // Paid online: fees paid is the channel's word, one button records it.
    let live = c
        .payment
        .as_ref()
        .filter(|p| matches!(p.status.as_str(), "open" | "paid" | "refunding"));
    let paid = live.is_some_and(|p| p.status == "paid");
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
        .filter(|a| !(a.as_str() == "advance" && stage == Stage::Certificate && !paid))
        .cloned()
        .collect();
    let can_take_fee =
        stage == Stage::Certificate && live.is_none() && c.actions.iter().any(|a| a == "advance");
    let can_order = c.online_payment
        && c.mine
        && live.is_none()
        && matches!(stage, Stage::Accepted | Stage::Certificate)
        && c.paused_since.is_none();
    let can = |a: &str| c.actions.iter().any(|x| x == a);
    let (can_return, can_reject, can_send_back) = (can("return"), can("reject"), can("send_back"));
    let can_pause = can("pause");
    let can_accept = can("accept");
    let register_blocked = (can_return || can_accept)
        && matches!(stage, Stage::PreReview | Stage::PreAccepted)
        && c.checks
            .iter()
            .any(|k| k.code.starts_with("reg_") && !k.pass);
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
        {register_blocked
            .then(|| {
                view! {
                    <p class="notice notice--error" role="status" data-testid="register-blocked">
                        {bi(
                            "登记簿核验不通过（见下方“智能辅助审核”）：不能预审通过或受理。请退回补正（可不勾选材料；系统会把核验结果和撤回重报的办法告知申请人，但不透露登记的权利人）或不予受理。",
                            "The checks against the register fail (see Automatic checks below): the case cannot be pre-accepted or accepted. Return it (no material need be ticked; the applicant is told what the register check found and how to withdraw and file again, never who is registered) or reject it.",
                        )}
                    </p>
                }
            })}
        {c
            .payment
            .clone()
            .map(|p| {
                view! { <StaffPaymentPanel p c=c.clone() /> }
            })}
        {can_order.then(|| view! { <OrderForm c=c.clone() /> })}
        {c
            .delivery
            .clone()
            .map(|d| {
                let can_act = c.role != "reviewer"
                    && matches!(stage, Stage::Issued | Stage::Archived);
                view! {
                    <crate::components::aftercare::StaffDeliveryPanel
                        id=c.id.clone()
                        csrf=c.csrf.clone()
                        d
                        can_act
                    />
                }
            })}
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

        {(!c.register_preview.is_empty())
            .then(|| {
                view! {
                    <section class="register-preview" data-testid="register-preview">
                        <h2>
                            {bi(
                                "登簿预览：将写入登记簿",
                                "Entry preview: what the register will change",
                            )}
                        </h2>
                        <ul>
                            {c
                                .register_preview
                                .iter()
                                .map(|(zh, en)| {
                                    let (zh, en) = (zh.clone(), en.clone());
                                    view! { <li>{move || zh_en(current_lang(), &zh, &en)}</li> }
                                })
                                .collect_view()}
                        </ul>
                        <p class="hint">
                            {bi(
                                "确认“登簿”后以上变更与案件推进在同一事务中写入；登记簿中的原记录转为历史，不会删除。",
                                "Confirming the entry writes these changes in the same transaction as the move; earlier entries become history and are never erased.",
                            )}
                        </p>
                    </section>
                }
            })}
        <h2>{bi("智能辅助审核", "Automatic checks")}</h2>
        {c
            .register_unit
            .clone()
            .map(|u| {
                view! {
                    <p>
                        <a href=format!(
                            "/staff/register?unit={u}",
                        )>
                            {bi(
                                "查看该单元的登记簿（含历史）",
                                "See this unit in the register (with its history)",
                            )}
                        </a>
                    </p>
                }
            })}
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
            <dd class="wrap-anywhere">{prop.unit_number.clone()}</dd>
            <dt>{bi("不动产权证书号", "Certificate number")}</dt>
            <dd class="wrap-anywhere">{prop.certificate_number.clone()}</dd>
            <dt>{bi("坐落", "Address")}</dt>
            <dd>{prop.address.clone()}</dd>
            {(!prop.secured_amount.is_empty())
                .then(|| {
                    view! {
                        <dt>{bi("被担保主债权数额", "Secured amount")}</dt>
                        <dd>{format!("{} 元", prop.secured_amount)}</dd>
                    }
                })}
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
        {(can_reject && stage != Stage::Review)
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
        {(can_reject && stage == Stage::Review)
            .then(|| {
                view! {
                    <ReasonForm
                        c=c.clone()
                        action="reject"
                        title=bi("不予登记", "Refuse registration")
                        button=bi(
                            "不予登记（已缴费用原路退回）",
                            "Refuse (any fee paid is refunded)",
                        )
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
fn NoticeSummary(n: crate::views::NoticeView) -> impl IntoView {
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

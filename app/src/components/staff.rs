//! What every clerk page shows: the staff bar, the sign-in prompt, messages from a form's redirect, urgency tags.

use crate::api::clerk::signin::{staff_message, StaffMe};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::domain::calendar::Urgency;
use crate::domain::case::Role;
use crate::domain::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Error or status message from the query string (`?error=…`, `?ok=…`).
#[component]
pub fn QueryMessage() -> impl IntoView {
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
            "tracking_invalid" => (
                "EMS 运单号不对：应为 13 位，如 EA123456789CN 或 13 位数字。",
                "That is not an EMS tracking number: 13 characters, like EA123456789CN or 13 digits.",
            ),
            "delivery_state" => (
                "寄递状态已变化（可能已登记过），请刷新查看。",
                "The posting changed (perhaps recorded already); reload.",
            ),
            "post_recorded" => (
                "已登记运单号，申请人已收到短信。",
                "Tracking number recorded; the applicant has been texted.",
            ),
            "delivered_recorded" => (
                "已登记妥投，申请人已收到短信。",
                "Delivery recorded; the applicant has been texted.",
            ),
            "unpaid" => (
                "缴费单尚未支付：支付平台确认到账后案件自动进入“已缴费”。如申请人改为窗口缴费，请先作废缴费单。",
                "The payment order is unpaid: the case moves on by itself once the channel confirms. To take the fee at the window, cancel the order first.",
            ),
            "no_gateway" => (
                "未配置支付平台，不能开具线上缴费单。",
                "No payment channel is configured.",
            ),
            "nothing_due" => (
                "按收费标准本案无需缴费。",
                "Nothing is due under the fee items.",
            ),
            "payment_exists" => (
                "本案已有缴费单。",
                "The case already has a payment order.",
            ),
            "payment_order" => (
                "已开具缴费单，申请人已收到缴费短信。",
                "Payment order issued; the applicant has been texted.",
            ),
            "payment_cancelled" => (
                "缴费单已作废，可在窗口收费。",
                "Payment order cancelled; take the fee at the window.",
            ),
            "not_open" => (
                "缴费单已不是待缴费状态（可能刚刚支付），请刷新查看。",
                "The order is no longer unpaid (it may just have been paid); reload.",
            ),
            "register_check" => (
                "登记簿核验不通过（见智能辅助审核）：不能预审通过或受理。请退回补正（系统会把核验结果告知申请人）或不予受理。",
                "The checks against the register fail (see Automatic checks): the case cannot be pre-accepted or accepted. Return it (the applicant is told what the register check found) or reject it.",
            ),
            "register" => (
                "未能登簿：登记簿已与预审时不同（见智能辅助审核），本次未作任何变更。",
                "Not entered: the register no longer agrees with the case (see Automatic checks); nothing was changed.",
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
pub fn StaffBar(me: StaffMe) -> impl IntoView {
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
                " · "
                <a href="/staff/register">{bi("登记簿", "Register")}</a>
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

pub fn urgency_tag(u: Option<Urgency>) -> impl IntoView {
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

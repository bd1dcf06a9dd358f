//! After issue, on the case pages: how the paper certificate is collected
//! (window or EMS post, with its tracking), and the utilities moved to the
//! new owner (登记+X).

use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::domain::aftercare::{utility_label, utility_status_label, UTILITIES};
use crate::domain::Lang;
use crate::views::{DeliveryView, UtilityView};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn delivery_status(d: &DeliveryView, lang: Lang) -> String {
    match (d.method.as_str(), d.status.as_str(), lang) {
        ("window", _, Lang::Zh) => "到窗口领取".into(),
        ("window", _, Lang::En) => "Collect at the window".into(),
        (_, "chosen", Lang::Zh) => "邮寄（EMS），发证后寄出".into(),
        (_, "chosen", Lang::En) => "By post (EMS), sent once issued".into(),
        (_, "posted", Lang::Zh) => "已寄出".into(),
        (_, "posted", Lang::En) => "Posted".into(),
        (_, _, Lang::Zh) => "已妥投".into(),
        (_, _, Lang::En) => "Delivered".into(),
    }
}

/// The messages of the delivery and utility forms (`?error=`, `?ok=`).
fn message(code: &str, lang: Lang) -> Option<&'static str> {
    Some(match (code, lang) {
        ("delivery", Lang::Zh) => "已保存领证方式。",
        ("delivery", Lang::En) => "Saved.",
        ("delivery_recipient", Lang::Zh) => "收件人：请填写姓名（2 到 30 个字）。",
        ("delivery_recipient", Lang::En) => "Recipient: write the name (2 to 30 characters).",
        ("delivery_mobile", Lang::Zh) => "收件人手机号：请填写 11 位手机号。",
        ("delivery_mobile", Lang::En) => "Recipient's mobile: an 11-digit mobile number.",
        ("delivery_address", Lang::Zh) => "邮寄地址：请写到门牌号（8 到 120 个字）。",
        ("delivery_address", Lang::En) => "Address: down to the door number (8 to 120 characters).",
        ("delivery_closed", Lang::Zh) => "现在不能更改领证方式。",
        ("delivery_closed", Lang::En) => "The collection can no longer be changed.",
        ("delivery_posted", Lang::Zh) => "证书已寄出，不能再更改。",
        ("delivery_posted", Lang::En) => "The certificate has been posted; it cannot change now.",
        ("utilities", Lang::Zh) => "已提交过户申请，各单位办理后会短信告诉您。",
        ("utilities", Lang::En) => "Sent; each utility texts you once done.",
        ("utilities_required", Lang::Zh) => "请至少选择一项需要过户的业务。",
        ("utilities_required", Lang::En) => "Choose at least one account to move.",
        ("utility_account", Lang::Zh) => "户号：只能有字母、数字和短横线，不超过 32 位。",
        ("utility_account", Lang::En) => "Account number: letters, digits and dashes, at most 32.",
        ("utilities_closed", Lang::Zh) => "办结的转移登记才能申请水电气网过户。",
        ("utilities_closed", Lang::En) => "Only an issued transfer can move the utilities.",
        _ => return None,
    })
}

#[component]
fn FormMessage(prefixes: &'static [&'static str]) -> impl IntoView {
    let query = use_query_map();
    let pick = move |k: &str| {
        query
            .with_untracked(|q| q.get(k))
            .filter(|c| prefixes.iter().any(|p| c.starts_with(p)))
            .filter(|c| message(c, Lang::Zh).is_some())
    };
    let error = pick("error");
    let ok = pick("ok");
    view! {
        {error
            .map(|c| {
                view! {
                    <p class="notice notice--error" role="alert">
                        {move || message(&c, current_lang()).unwrap_or_default()}
                    </p>
                }
            })}
        {ok
            .map(|c| {
                view! {
                    <p class="notice" role="status">
                        {move || message(&c, current_lang()).unwrap_or_default()}
                    </p>
                }
            })}
    }
}

/// The applicant chooses window or post (EMS) and follows the posting.
#[component]
pub fn DeliveryPanel(
    id: String,
    csrf: String,
    delivery: Option<DeliveryView>,
    can_choose: bool,
) -> impl IntoView {
    let posted = delivery.as_ref().and_then(|d| d.tracking_no.clone());
    let current = delivery.clone();
    let post_chosen = delivery.as_ref().is_some_and(|d| d.method == "post");
    let d = delivery.clone().unwrap_or(DeliveryView {
        method: "window".into(),
        recipient: String::new(),
        mobile: String::new(),
        address: String::new(),
        tracking_no: None,
        tracking_url: None,
        status: "chosen".into(),
        posted_at: None,
        delivered_at: None,
    });
    view! {
        <section class="delivery" id="delivery" data-testid="delivery">
            <h2>{bi("纸质证书怎么拿", "The paper certificate")}</h2>
            <FormMessage prefixes=&["delivery"] />
            {current
                .clone()
                .map(|c| {
                    view! {
                        <p data-testid="delivery-status">
                            <span class="tag">{move || delivery_status(&c, current_lang())}</span>
                        </p>
                    }
                })}
            {(post_chosen && !d.address.is_empty())
                .then(|| {
                    view! {
                        <p data-testid="delivery-address">
                            {bi("寄往：", "To: ")} {d.recipient.clone()} " " {d.address.clone()}
                        </p>
                    }
                })}
            {posted
                .map(|no| {
                    let url = crate::domain::aftercare::tracking_url(&no);
                    view! {
                        <p>
                            {bi("EMS 运单号：", "EMS tracking number: ")}
                            <strong data-testid="tracking-no">{no.clone()}</strong> " "
                            <a href=url rel="external noopener" target="_blank">
                                {bi("查看物流", "Track it")}
                            </a>
                        </p>
                    }
                })}
            {can_choose
                .then(|| {
                    view! {
                        <form method="post" action="/api/applications/delivery" class="form">
                            <input type="hidden" name="id" value=id.clone() />
                            <input type="hidden" name="csrf" value=csrf.clone() />
                            <fieldset class="choices">
                                <legend>{bi("领证方式", "How to receive it")}</legend>
                                <label class="choice" for="delivery-window">
                                    <input
                                        type="radio"
                                        id="delivery-window"
                                        name="method"
                                        value="window"
                                        checked=!post_chosen
                                    />
                                    {bi(
                                        "到窗口领取（带身份证件原件）",
                                        "Collect at the window (bring your ID)",
                                    )}
                                </label>
                                <label class="choice" for="delivery-post">
                                    <input
                                        type="radio"
                                        id="delivery-post"
                                        name="method"
                                        value="post"
                                        checked=post_chosen
                                    />
                                    {bi(
                                        "邮寄到家（EMS，免费）",
                                        "Post it to me (EMS, free)",
                                    )}
                                </label>
                            </fieldset>
                            <p class="muted">
                                {bi("选择邮寄时请填写：", "For post, fill in:")}
                            </p>
                            <div class="field">
                                <label for="delivery-recipient">
                                    {bi("收件人", "Recipient")}
                                </label>
                                <input
                                    id="delivery-recipient"
                                    name="recipient"
                                    autocomplete="name"
                                    maxlength="30"
                                    value=d.recipient.clone()
                                />
                            </div>
                            <div class="field">
                                <label for="delivery-mobile">
                                    {bi("收件人手机号", "Recipient's mobile")}
                                </label>
                                <input
                                    id="delivery-mobile"
                                    name="mobile"
                                    type="tel"
                                    inputmode="numeric"
                                    autocomplete="tel"
                                    maxlength="20"
                                    value=d.mobile.clone()
                                />
                            </div>
                            <div class="field">
                                <label for="delivery-address">
                                    {bi(
                                        "邮寄地址（写到门牌号）",
                                        "Address (down to the door number)",
                                    )}
                                </label>
                                <textarea
                                    id="delivery-address"
                                    name="address"
                                    rows="2"
                                    maxlength="120"
                                    autocomplete="street-address"
                                ></textarea>
                            </div>
                            <button type="submit" class="button" data-testid="delivery-save">
                                {bi("保存领证方式", "Save")}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}

/// The new owner asks the utilities to move their accounts, and follows
/// each request.
#[component]
pub fn UtilitiesPanel(
    id: String,
    csrf: String,
    requests: Vec<UtilityView>,
    offered: Vec<String>,
    can_request: bool,
) -> impl IntoView {
    let asked: Vec<String> = requests.iter().map(|r| r.utility.clone()).collect();
    let open: Vec<&'static (&'static str, &'static str, &'static str)> = UTILITIES
        .iter()
        .filter(|(c, _, _)| offered.iter().any(|o| o == c) && !asked.iter().any(|a| a == c))
        .collect();
    view! {
        <section class="utilities" id="utilities" data-testid="utilities">
            <h2>
                {bi(
                    "水电气网同步过户（登记+X）",
                    "Move water, power, gas and broadband",
                )}
            </h2>
            <FormMessage prefixes=&["utilit"] />
            {(!requests.is_empty())
                .then(|| {
                    view! {
                        <ul class="plain-list">
                            {requests
                                .into_iter()
                                .map(|r| {
                                    let code = r.utility.clone();
                                    let testid = format!("utility-{code}");
                                    let status = r.status.clone();
                                    let tag = if status == "done" { "tag tag--ok" } else { "tag" };
                                    view! {
                                        <li data-testid=testid>
                                            <strong>
                                                {move || utility_label(&code, current_lang())}
                                            </strong>
                                            " "
                                            <span class=tag>
                                                {move || utility_status_label(&status, current_lang())}
                                            </span>
                                            {(!r.reference.is_empty())
                                                .then(|| {
                                                    view! {
                                                        " "
                                                        {bi("受理号 ", "Ref. ")}
                                                        {r.reference.clone()}
                                                    }
                                                })}
                                            {(!r.note.is_empty())
                                                .then(|| {
                                                    view! {
                                                        " · "
                                                        {r.note.clone()}
                                                    }
                                                })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            {(can_request && !open.is_empty())
                .then(|| {
                    view! {
                        <form method="post" action="/api/applications/utilities" class="form">
                            <input type="hidden" name="id" value=id.clone() />
                            <input type="hidden" name="csrf" value=csrf.clone() />
                            <p class="muted">
                                {bi(
                                    "勾选需要过户到您名下的业务，一次提交，登记中心转给各单位办理；户号不知道可以不填。",
                                    "Tick the accounts to move to your name; one step, the centre passes them on. The account number may be left empty.",
                                )}
                            </p>
                            {open
                                .into_iter()
                                .map(|(c, zh, en)| {
                                    let boxid = format!("util-{c}");
                                    let box_for = boxid.clone();
                                    let acct = format!("account-{c}");
                                    let acct_for = acct.clone();
                                    view! {
                                        <div class="field">
                                            <label class="choice" for=box_for>
                                                <input
                                                    type="checkbox"
                                                    id=boxid
                                                    name=format!("f[util-{c}]")
                                                    value="1"
                                                />
                                                {move || zh_en(current_lang(), zh, en)}
                                            </label>
                                            <label for=acct_for>
                                                {move || {
                                                    format!(
                                                        "{}{}",
                                                        zh_en(current_lang(), zh, en),
                                                        zh_en(
                                                            current_lang(),
                                                            " 户号（可不填）",
                                                            " account number (optional)",
                                                        ),
                                                    )
                                                }}
                                            </label>
                                            <input
                                                id=acct
                                                name=format!("f[account-{c}]")
                                                maxlength="32"
                                                autocomplete="off"
                                            />
                                        </div>
                                    }
                                })
                                .collect_view()}
                            <button type="submit" class="button" data-testid="utilities-send">
                                {bi("一键申请过户", "Send in one step")}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}

/// The clerk records the EMS tracking number, then the delivery.
#[component]
pub fn StaffDeliveryPanel(
    id: String,
    csrf: String,
    d: DeliveryView,
    can_act: bool,
) -> impl IntoView {
    let status = d.status.clone();
    let show = d.clone();
    view! {
        <section class="delivery" id="delivery" data-testid="staff-delivery">
            <h2>{bi("纸质证书领取", "Paper certificate")}</h2>
            <p>
                <span class="tag" data-testid="delivery-status">
                    {move || delivery_status(&show, current_lang())}
                </span>
            </p>
            {(d.method == "post")
                .then(|| {
                    view! {
                        <dl class="facts">
                            <dt>{bi("收件人", "Recipient")}</dt>
                            <dd>{d.recipient.clone()} " " {d.mobile.clone()}</dd>
                            <dt>{bi("地址", "Address")}</dt>
                            <dd>{d.address.clone()}</dd>
                            {d
                                .tracking_no
                                .clone()
                                .map(|t| {
                                    view! {
                                        <dt>{bi("运单号", "Tracking")}</dt>
                                        <dd>{t}</dd>
                                    }
                                })}
                        </dl>
                    }
                })}
            {(can_act && d.method == "post" && status == "chosen")
                .then(|| {
                    view! {
                        <form method="post" action="/api/cases/delivery" class="form">
                            <input type="hidden" name="id" value=id.clone() />
                            <input type="hidden" name="csrf" value=csrf.clone() />
                            <input type="hidden" name="op" value="post" />
                            <div class="field">
                                <label for="tracking_no">
                                    {bi("EMS 运单号", "EMS tracking number")}
                                </label>
                                <input
                                    id="tracking_no"
                                    name="tracking_no"
                                    maxlength="20"
                                    autocomplete="off"
                                />
                            </div>
                            <button type="submit" class="button">
                                {bi("已寄出，通知申请人", "Posted; tell the applicant")}
                            </button>
                        </form>
                    }
                })}
            {(can_act && status == "posted")
                .then(|| {
                    view! {
                        <form method="post" action="/api/cases/delivery" class="inline-form">
                            <input type="hidden" name="id" value=id.clone() />
                            <input type="hidden" name="csrf" value=csrf.clone() />
                            <input type="hidden" name="op" value="delivered" />
                            <button type="submit" class="button button--secondary">
                                {bi("已妥投", "Delivered")}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}

//! A matter's fee table (guide, application, clerk).

use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::domain::fees::{yuan, FeeItem};
use crate::domain::Lang;
use leptos::prelude::*;

/// The fee items of a matter as the applicant reads them, part by part.
#[component]
pub fn FeeTable(fees: Vec<crate::domain::fees::FeeLine>) -> impl IntoView {
    let combined = {
        let mut parts: Vec<&str> = fees.iter().map(|l| l.part_zh.as_str()).collect();
        parts.dedup();
        parts.len() > 1
    };
    let sum = |item: FeeItem| -> i64 {
        fees.iter()
            .filter(|l| l.item == item)
            .map(|l| l.amount_fen)
            .sum()
    };
    let (r, n) = (sum(FeeItem::Residential), sum(FeeItem::NonResidential));
    let extra = fees
        .iter()
        .filter(|l| l.item == FeeItem::ExtraCertificate)
        .map(|l| l.amount_fen)
        .max()
        .unwrap_or(0);
    let lines: Vec<_> = fees
        .iter()
        .filter(|l| l.item != FeeItem::ExtraCertificate)
        .cloned()
        .collect();
    view! {
        <table class="fee-table" data-testid="fee-table">
            <tbody>
                {combined
                    .then(|| {
                        lines
                            .into_iter()
                            .map(|l| {
                                let (zh, en) = (l.part_zh.clone(), l.part_en.clone());
                                view! {
                                    <tr>
                                        <th scope="row">
                                            {move || zh_en(current_lang(), &zh, &en)} " · "
                                            {move || l.item.label(current_lang())}
                                        </th>
                                        <td>{yuan(l.amount_fen)} {bi(" 元", " yuan")}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    })} <tr>
                    <th scope="row">
                        {move || {
                            if current_lang() == Lang::Zh {
                                if combined {
                                    "合计（住宅）"
                                } else {
                                    "登记费（住宅）"
                                }
                            } else if combined {
                                "Total (residential)"
                            } else {
                                "Registration fee (residential)"
                            }
                        }}
                    </th>
                    <td data-testid="fee-residential">{yuan(r)} {bi(" 元", " yuan")}</td>
                </tr> <tr>
                    <th scope="row">
                        {move || {
                            if current_lang() == Lang::Zh {
                                if combined {
                                    "合计（非住宅）"
                                } else {
                                    "登记费（非住宅）"
                                }
                            } else if combined {
                                "Total (non-residential)"
                            } else {
                                "Registration fee (non-residential)"
                            }
                        }}
                    </th>
                    <td>{yuan(n)} {bi(" 元", " yuan")}</td>
                </tr> <tr>
                    <th scope="row">{move || FeeItem::ExtraCertificate.label(current_lang())}</th>
                    <td>{yuan(extra)} {bi(" 元", " yuan")}</td>
                </tr>
            </tbody>
        </table>
    }
}

/// What a payment order's status says, in both languages.
pub fn payment_status_label(status: &str, lang: Lang) -> &'static str {
    match (status, lang) {
        ("open", Lang::Zh) => "待缴费",
        ("open", Lang::En) => "To pay",
        ("paid", Lang::Zh) => "已缴费",
        ("paid", Lang::En) => "Paid",
        ("refunding", Lang::Zh) => "退款处理中",
        ("refunding", Lang::En) => "Being refunded",
        ("refunded", Lang::Zh) => "已退款",
        ("refunded", Lang::En) => "Refunded",
        (_, Lang::Zh) => "已作废",
        (_, Lang::En) => "Cancelled",
    }
}

/// A case's payment order: what is due and, while open, where to pay (a
/// button and the same link as a QR code to scan from another phone);
/// once paid, the payment's receipt (电子缴费凭证); a refund's progress.
#[component]
pub fn PaymentPanel(p: crate::views::PaymentView) -> impl IntoView {
    let status = p.status.clone();
    let tag = match status.as_str() {
        "paid" | "refunded" => "tag tag--ok",
        "open" | "refunding" => "tag tag--warn",
        _ => "tag",
    };
    let st = status.clone();
    let lines = p
        .lines
        .iter()
        .map(|l| {
            let (zh, en) = (l.part_zh.clone(), l.part_en.clone());
            let item = l.item;
            let count = l.count;
            view! {
                <tr>
                    <th scope="row">
                        {move || {
                            let lang = current_lang();
                            let part = zh_en(lang, &zh, &en);
                            let item = item.label(lang);
                            let n = if count > 1 { format!(" × {count}") } else { String::new() };
                            if part.is_empty() {
                                format!("{item}{n}")
                            } else {
                                format!("{part} · {item}{n}")
                            }
                        }}
                    </th>
                    <td>{yuan(l.amount_fen)} {bi(" 元", " yuan")}</td>
                </tr>
            }
        })
        .collect_view();
    let channel = p.channel.clone();
    view! {
        <section class="payment" id="payment" data-testid="payment">
            <h2>{bi("在线缴费", "Pay online")}</h2>
            <p>
                <span class=tag data-testid="payment-status">
                    {move || payment_status_label(&st, current_lang())}
                </span>
                " "
                <strong data-testid="payment-total">"¥" {p.total.clone()}</strong>
            </p>
            <table class="fee-table">
                <tbody>{lines}</tbody>
            </table>
            {(status == "open")
                .then(|| {
                    view! {
                        <p>
                            <a
                                class="button button--wide"
                                rel="external"
                                href=p.pay_href.clone()
                                data-testid="pay-link"
                            >
                                {bi(
                                    "去缴费（微信、支付宝、云闪付）",
                                    "Pay (WeChat, Alipay, UnionPay)",
                                )}
                            </a>
                        </p>
                        <figure class="pay-qr">
                            <div
                                class="pay-qr__code"
                                role="img"
                                aria-label="缴费二维码 Payment QR code"
                                inner_html=p.qr_svg.clone()
                            ></div>
                            <figcaption class="muted">
                                {bi(
                                    "也可用另一部手机扫码缴费。缴费成功以支付平台的通知为准，无需上传截图。",
                                    "Or scan it with another phone. A payment counts once the payment channel confirms it; no screenshot needed.",
                                )}
                            </figcaption>
                        </figure>
                    }
                })}
            {p
                .paid_at
                .clone()
                .map(|at| {
                    view! {
                        <dl class="facts" data-testid="payment-receipt">
                            <dt>{bi("电子缴费凭证", "Payment receipt")}</dt>
                            <dd>{p.id.clone()}</dd>
                            <dt>{bi("支付方式", "Paid by")}</dt>
                            <dd>
                                {move || crate::domain::fees::method_label(
                                    &channel,
                                    current_lang(),
                                )}
                            </dd>
                            <dt>{bi("交易号", "Transaction")}</dt>
                            <dd>{p.txn_id.clone()}</dd>
                            <dt>{bi("缴费时间", "Paid at")}</dt>
                            <dd>{at}</dd>
                        </dl>
                    }
                })}
            {(status == "refunding" || status == "refunded")
                .then(|| {
                    view! {
                        <p class="notice" role="status" data-testid="refund">
                            {p.refund_reason.clone()}
                            {p
                                .refunded_at
                                .clone()
                                .map(|at| {
                                    view! {
                                        " "
                                        {bi("退款时间：", "Refunded at: ")}
                                        {at}
                                    }
                                })}
                        </p>
                    }
                })}
        </section>
    }
}

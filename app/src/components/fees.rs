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

//! The clerks' side of developers' batches: the list of submitted batches
//! of their sites, and one batch as a single case with a line per unit —
//! pass every clean line at once, return single lines with a reason.

use crate::api::clerk::batches::{staff_batch, staff_batches, BatchReview};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, Refused, SignIn};
use crate::components::pager::{LineFilter, LinePages};
use crate::domain::Lang;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn line_status(status: &str, lang: Lang) -> &'static str {
    match (status, lang) {
        ("pending", Lang::Zh) => "待预审",
        ("pending", Lang::En) => "Waiting",
        ("passed", Lang::Zh) => "已通过，已受理",
        ("passed", Lang::En) => "Passed, accepted",
        ("returned", Lang::Zh) => "已退回",
        ("returned", Lang::En) => "Returned",
        _ => "",
    }
}

fn reviewers_only(e: &AppError) -> Option<AnyView> {
    matches!(e, AppError::Forbidden).then(|| {
        view! {
            <p class="notice notice--error" role="alert">
                {bi(
                    "仅窗口人员和科长处理批量申报。",
                    "Only clerks and supervisors review batches.",
                )}
            </p>
        }
        .into_any()
    })
}

#[component]
pub fn StaffBatchesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| staff_batches());
    view! {
        <crate::components::layout::PageTitle zh="开发企业批次" en="Developer batches" />
        <p class="breadcrumb">
            <a href="/staff">{bi("← 工作台", "← Workbench")}</a>
        </p>
        <h1>{bi("批量申报预审", "Developers' batches")}</h1>
        <PageData data=data sign_in=SignIn::Staff refused=reviewers_only as Refused let:value>
            {match value {
                list if list.is_empty() => {
                    view! {
                        <p class="muted">
                            {bi("没有待处理的批次。", "No batch is waiting.")}
                        </p>
                    }
                        .into_any()
                }
                list => {
                    view! {
                        <table class="cases" data-testid="staff-batches">
                            <thead>
                                <tr>
                                    <th>{bi("批次", "Batch")}</th>
                                    <th>{bi("企业 / 项目", "Developer / project")}</th>
                                    <th>{bi("待预审 / 户数", "Waiting / units")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|b| {
                                        let kind = b.kind;
                                        view! {
                                            <tr data-testid="staff-batch">
                                                <td>
                                                    <a href=format!(
                                                        "/staff/batches/{}",
                                                        b.id,
                                                    )>{b.batch_no.clone()}</a>
                                                    <br />
                                                    <span class="muted">
                                                        {move || kind.name(current_lang())}
                                                    </span>
                                                </td>
                                                <td>
                                                    {b.org_name.clone()} <br />
                                                    <span class="muted">{b.project_name.clone()}</span>
                                                </td>
                                                <td>{b.pending} " / " {b.lines}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }
            }}
        </PageData>
    }
}

#[component]
pub fn StaffBatchPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        let (page, show) = query.with(|q| (q.get("page"), q.get("show")));
        (id, page.and_then(|p| p.parse::<usize>().ok()), show)
    };
    let data = Resource::new(key, |(id, page, show)| staff_batch(id, page, show));
    view! {
        <crate::components::layout::PageTitle zh="批次预审" en="Batch review" />
        <p class="breadcrumb">
            <a href="/staff/batches">{bi("← 批量申报", "← Batches")}</a>
        </p>
        <PageData data=data sign_in=SignIn::Staff refused=reviewers_only as Refused let:b>
            <BatchCase b />
        </PageData>
    }
}

#[component]
fn BatchCase(b: BatchReview) -> impl IntoView {
    let query = use_query_map();
    let (ok, n, error) = query.with_untracked(|q| (q.get("ok"), q.get("n"), q.get("error")));
    let kind = b.batch.kind;
    let csrf = b.csrf.clone();
    let id = b.batch.id.clone();
    let clean = b.clean_pending;
    let base = format!("/staff/batches/{}", b.batch.id);
    view! {
        <h1>{bi("批次 ", "Batch ")} {b.batch.batch_no.clone()}</h1>
        <p class="muted">
            {b.batch.org_name.clone()} " （" {b.batch.credit_code.clone()} "） · "
            {b.batch.project_name.clone()} " · " {move || kind.name(current_lang())}
        </p>
        {ok
            .map(|ok| {
                let n = n.clone().unwrap_or_default();
                view! {
                    <p class="notice" role="status" data-testid="review-ok">
                        {move || match (ok.as_str(), current_lang()) {
                            ("passed", Lang::Zh) => {
                                format!("已通过 {n} 户，均已转为正式受理。")
                            }
                            ("passed", Lang::En) => {
                                format!("{n} units passed and formally accepted.")
                            }
                            (_, Lang::Zh) => "已退回。".to_string(),
                            (_, Lang::En) => "Returned.".to_string(),
                        }}
                    </p>
                }
            })}
        {error
            .map(|_| {
                view! {
                    <p class="notice notice--error" role="alert">
                        {bi("退回时请写明理由。", "Give a reason when returning.")}
                    </p>
                }
            })}
        <p data-testid="review-summary">
            {move || {
                zh_en(
                    current_lang(),
                    &format!(
                        "共 {} 户，待预审 {} 户，其中自动检查无问题 {clean} 户。",
                        b.batch.lines,
                        b.batch.pending,
                    ),
                    &format!(
                        "{} units, {} waiting, {clean} of them clean by the automatic checks.",
                        b.batch.lines,
                        b.batch.pending,
                    ),
                )
            }}
        </p>
        {(clean > 0)
            .then(|| {
                let csrf = csrf.clone();
                let id = id.clone();
                view! {
                    <form method="post" action="/api/staff/batch_pass" class="form">
                        <input type="hidden" name="csrf" value=csrf />
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="button" data-testid="pass-clean">
                            {move || {
                                zh_en(
                                    current_lang(),
                                    &format!(
                                        "通过全部 {clean} 户无问题的单元并正式受理",
                                    ),
                                    &format!("Pass all {clean} clean units and accept them"),
                                )
                            }}
                        </button>
                    </form>
                }
            })}
        <LineFilter page=b.page.clone() base=base.clone() name=line_status />
        <table class="cases cases--stack" data-testid="review-lines">
            <thead>
                <tr>
                    <th>{bi("单元 / 回执号", "Unit / receipt")}</th>
                    <th>{bi("买受人 / 合同", "Buyer / contract")}</th>
                    <th>{bi("成交价 / 贷款", "Price / loan")}</th>
                    <th>{bi("预审", "Pre-review")}</th>
                </tr>
            </thead>
            <tbody>
                {b
                    .lines
                    .into_iter()
                    .map(|l| {
                        let status = l.status.clone();
                        let pending = l.status == "pending";
                        let csrf = csrf.clone();
                        let id = id.clone();
                        let reason_id = format!("reason-{}", l.id);
                        view! {
                            <tr data-testid="review-line">
                                <td data-label=bi(
                                    "单元 / 回执号",
                                    "Unit / receipt",
                                )>
                                    {l.unit_no.clone()} <br />
                                    <a href=format!(
                                        "/staff/cases/{}",
                                        l.application_id,
                                    )>{l.receipt_no.clone()}</a> <br />
                                    <span class="muted">{l.case_no.clone()}</span>
                                </td>
                                <td data-label=bi(
                                    "买受人 / 合同",
                                    "Buyer / contract",
                                )>{l.buyer.clone()} <br /> {l.contract_no.clone()}</td>
                                <td data-label=bi(
                                    "成交价 / 贷款",
                                    "Price / loan",
                                )>{l.price.clone()} <br /> {l.loan.clone()}</td>
                                <td data-label=bi("预审", "Pre-review")>
                                    <span class="tag">
                                        {move || line_status(&status, current_lang())}
                                    </span>
                                    {l
                                        .flags
                                        .iter()
                                        .map(|f| {
                                            view! {
                                                <br />
                                                <span class="tag tag--warn">{f.clone()}</span>
                                            }
                                        })
                                        .collect_view()}
                                    {(!l.review_note.is_empty())
                                        .then(|| {
                                            view! {
                                                <br />
                                                {l.review_note.clone()}
                                            }
                                        })}
                                    {pending
                                        .then(|| {
                                            view! {
                                                <form
                                                    method="post"
                                                    action="/api/staff/batch_return"
                                                    class="reason-form"
                                                >
                                                    <input type="hidden" name="csrf" value=csrf />
                                                    <input type="hidden" name="id" value=id />
                                                    <input type="hidden" name="line" value=l.id.clone() />
                                                    <label for=reason_id
                                                        .clone()>{bi("退回理由", "Reason")}</label>
                                                    <input id=reason_id name="reason" />
                                                    <button type="submit" class="button button--secondary">
                                                        {bi("退回此户", "Return this unit")}
                                                    </button>
                                                </form>
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <LinePages page=b.page.clone() base=base.clone() />
    }
}

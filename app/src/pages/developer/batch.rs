//! /developer/batches/:id: one batch — spreadsheet uploads, checking progress, lines, submit.

use crate::api::developer::batches::{batch_message, get_batch, BatchView};
use crate::components::forms::{bi, zh_en, ErrorSummary};
use crate::components::language::current_lang;
use crate::components::org::*;
use crate::components::page_data::{PageData, SignIn};
use crate::components::pager::{LineFilter, LinePages};
use crate::error::FieldError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn DevBatchPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        let (page, show) = query.with(|q| (q.get("page"), q.get("show")));
        (id, page.and_then(|p| p.parse::<usize>().ok()), show)
    };
    let data = Resource::new(key, |(id, page, show)| get_batch(id, page, show));
    view! {
        <crate::components::layout::PageTitle zh="申报批次" en="Filing batch" />
        <p class="breadcrumb">
            <a href="/developer">{bi("← 企业首页", "← Organisation")}</a>
        </p>
        <PageData data=data sign_in=SignIn::Org let:b>
            <BatchBody b />
        </PageData>
    }
}

#[component]
fn BatchBody(b: BatchView) -> impl IntoView {
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(batch_message));
    let kind = b.kind;
    let draft = b.status == "draft";
    let status = b.status.clone();
    let csrf = b.csrf.clone();
    let batch_id = b.id.clone();
    let lines = b.page.total;
    let base = format!("/developer/batches/{}", b.id);
    view! {
        <h1>{bi("批次 ", "Batch ")} {b.batch_no.clone()}</h1>
        <p class="muted">
            <a href=format!("/developer/projects/{}", b.project_id)>{b.project_name.clone()}</a>
            " · "
            {move || kind.name(current_lang())}
        </p>
        <p data-testid="batch-status">
            <span class="tag">{move || status_name(&status, current_lang())}</span>
        </p>
        <OkNotice />
        <ErrorSummary errors=errs />
        {draft
            .then(|| {
                view! {
                    <h2>{bi("上传表格", "Upload a sheet")}</h2>
                    <p>
                        {bi("模板：", "Template: ")}
                        <a href=format!("/developer/templates/{}.xlsx", kind.code())>"XLSX"</a>
                        " · " <a href=format!("/developer/templates/{}.csv", kind.code())>"CSV"</a>
                    </p>
                    <FileRefusal />
                    <UploadForm
                        action=format!("/developer/batches/{}/upload", batch_id)
                        csrf=csrf.clone()
                        max_rows=b.max_rows
                    />
                }
            })}
        <Uploads uploads=b.uploads.clone() />
        <h2>{bi("本批次的单元", "Units in this batch")}</h2>
        <p data-testid="line-count">
            {move || {
                zh_en(current_lang(), &format!("共 {lines} 户"), &format!("{lines} units"))
            }}
        </p>
        {draft
            .then(|| {
                let csrf = csrf.clone();
                let batch = b.id.clone();
                view! {
                    <form method="post" action="/api/org/batch_submit" class="form">
                        <input type="hidden" name="csrf" value=csrf />
                        <input type="hidden" name="batch" value=batch />
                        <p class="hint">
                            {bi(
                                "提交后不能再修改本批次；登记中心逐户预审，意见显示在本页。",
                                "Once submitted the batch cannot change; the centre pre-reviews each unit and the opinions show here.",
                            )}
                        </p>
                        <button type="submit" class="button" data-testid="submit-batch">
                            {bi("提交预审", "Submit for pre-review")}
                        </button>
                    </form>
                }
            })}
        <LineFilter page=b.page.clone() base=base.clone() name=status_name />
        <table class="cases cases--stack" data-testid="lines">
            <thead>
                <tr>
                    <th>{bi("不动产单元号", "Unit number")}</th>
                    <th>{bi("买受人", "Buyer")}</th>
                    <th>{bi("合同号 / 回执号", "Contract / receipt")}</th>
                    <th>{bi("预审", "Pre-review")}</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {b
                    .lines
                    .iter()
                    .map(|l| {
                        let status = l.status.clone();
                        let note = l.review_note.clone();
                        let csrf = csrf.clone();
                        let batch = b.id.clone();
                        let line = l.id.clone();
                        view! {
                            <tr data-testid="line">
                                <td data-label=bi(
                                    "不动产单元号",
                                    "Unit number",
                                )>{l.unit_no.clone()}</td>
                                <td data-label=bi("买受人", "Buyer")>{l.buyer_name.clone()}</td>
                                <td data-label=bi(
                                    "合同号 / 回执号",
                                    "Contract / receipt",
                                )>
                                    {l.contract_no.clone()} <br />
                                    <span class="muted" data-testid="receipt">
                                        {l.receipt_no.clone()}
                                    </span>
                                </td>
                                <td data-label=bi(
                                    "预审",
                                    "Pre-review",
                                )>
                                    {move || status_name(&status, current_lang())}
                                    {(!note.is_empty())
                                        .then(|| {
                                            view! {
                                                <br />
                                                {note.clone()}
                                            }
                                        })}
                                </td>
                                <td>
                                    {draft
                                        .then(|| {
                                            view! {
                                                <form
                                                    method="post"
                                                    action="/api/org/batch_remove_line"
                                                    class="inline-form"
                                                >
                                                    <input type="hidden" name="csrf" value=csrf />
                                                    <input type="hidden" name="batch" value=batch />
                                                    <input type="hidden" name="line" value=line />
                                                    <button type="submit" class="button button--secondary">
                                                        {bi("移出", "Remove")}
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

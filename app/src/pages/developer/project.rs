//! /developer/projects/:id: a project's units and batches.

use crate::api::developer::batches::{get_project, ProjectView};
use crate::api::developer::messages::org_message;
use crate::components::forms::{bi, zh_en, ErrorSummary};
use crate::components::language::current_lang;
use crate::components::org::*;
use crate::components::page_data::{PageData, SignIn};
use crate::domain::filing::FilingKind;
use crate::error::FieldError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn DevProjectPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let data = Resource::new(id, get_project);
    view! {
        <crate::components::layout::PageTitle zh="项目" en="Project" />
        <p class="breadcrumb">
            <a href="/developer">{bi("← 企业首页", "← Organisation")}</a>
        </p>
        <PageData data=data sign_in=SignIn::Org let:p>
            <ProjectBody p />
        </PageData>
    }
}

#[component]
fn ProjectBody(p: ProjectView) -> impl IntoView {
    let errs: Signal<Vec<FieldError>> = Signal::stored(query_errors(org_message));
    let units = p.units.len();
    view! {
        <h1>{p.name.clone()}</h1>
        <p class="muted">{p.address.clone()}</p>
        <ErrorSummary errors=errs />
        <h2>{bi("新建申报批次", "Start a batch")}</h2>
        {(units == 0)
            .then(|| {
                view! {
                    <p class="notice" role="status">
                        {bi(
                            "请先上传本项目的楼盘表：申报时会核对每一户是否属于本项目。",
                            "Upload the project's unit list first: every filed unit is checked against it.",
                        )}
                    </p>
                }
            })}
        <form method="post" action="/api/org/batch_create" class="form">
            <input type="hidden" name="csrf" value=p.csrf.clone() />
            <input type="hidden" name="project" value=p.id.clone() />
            <div class="field">
                <label for="kind">{bi("申报事项", "Matter")}</label>
                <select id="kind" name="kind">
                    {FilingKind::ALL
                        .into_iter()
                        .map(|k| {
                            view! {
                                <option value=k.code()>{move || k.name(current_lang())}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button">
                {bi("新建批次", "Start batch")}
            </button>
        </form>
        <BatchList batches=p.batches.clone() />
        <h2>{bi("楼盘表", "Unit list")}</h2>
        <FileRefusal />
        <UploadForm
            action=format!("/developer/projects/{}/units", p.id)
            csrf=p.csrf.clone()
            max_rows=p.max_rows
        />
        <Uploads uploads=p.uploads.clone() />
        <p data-testid="unit-count">
            {move || {
                zh_en(current_lang(), &format!("共 {units} 户"), &format!("{units} units"))
            }}
        </p>
        {(units > 0)
            .then(|| {
                view! {
                    <details>
                        <summary>{bi("查看单元", "See the units")}</summary>
                        <table class="cases cases--stack">
                            <thead>
                                <tr>
                                    <th>{bi("楼栋", "Building")}</th>
                                    <th>{bi("不动产单元号", "Unit number")}</th>
                                    <th>{bi("层", "Floor")}</th>
                                    <th>{bi("面积（㎡）", "Area (m²)")}</th>
                                    <th>{bi("用途", "Use")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {p
                                    .units
                                    .iter()
                                    .take(1000)
                                    .map(|u| {
                                        view! {
                                            <tr>
                                                <td data-label=bi(
                                                    "楼栋",
                                                    "Building",
                                                )>{u.building.clone()}</td>
                                                <td data-label=bi(
                                                    "不动产单元号",
                                                    "Unit number",
                                                )>{u.unit_no.clone()}</td>
                                                <td data-label=bi("层", "Floor")>{u.floor}</td>
                                                <td data-label=bi(
                                                    "面积（㎡）",
                                                    "Area (m²)",
                                                )>{u.area.clone()}</td>
                                                <td data-label=bi("用途", "Use")>{u.use_kind.clone()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </details>
                }
            })}
    }
}

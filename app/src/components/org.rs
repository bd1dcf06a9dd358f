//! What developer pages share: form fields, messages from a redirect, batch status names.

use crate::api::developer::messages::org_field;
use crate::components::forms::{bi, invalid, zh_en, FieldMsg};
use crate::components::islands::{Bundle, IslandScripts};
use crate::components::language::current_lang;
use crate::domain::filing::FileError;
use crate::domain::Lang;
use crate::error::FieldError;
use crate::views::{BatchItem, UploadItem};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Field errors from a page's `error=a,b` query.
pub fn query_errors(message: fn(&str, Lang) -> Option<String>) -> Vec<FieldError> {
    let query = use_query_map();
    query
        .with_untracked(|q| q.get("error"))
        .map(|e| {
            e.split(',')
                .filter_map(|c| {
                    Some(FieldError::new(
                        org_field(c),
                        c,
                        message(c, Lang::Zh)?,
                        message(c, Lang::En)?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn status_name(status: &str, lang: Lang) -> &'static str {
    let zh = lang == Lang::Zh;
    match status {
        "draft" if zh => "草稿（可修改）",
        "draft" => "Draft (can change)",
        "submitted" if zh => "已提交，待预审",
        "submitted" => "Submitted for pre-review",
        "reviewed" if zh => "已预审",
        "reviewed" => "Pre-reviewed",
        "pending" if zh => "待预审",
        "pending" => "Awaiting pre-review",
        "passed" if zh => "预审通过",
        "passed" => "Passed",
        "returned" if zh => "退回",
        "returned" => "Returned",
        _ => "",
    }
}

/// The labelled text input used by the developer forms.
#[component]
pub fn TextField(
    errors: Signal<Vec<FieldError>>,
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    #[prop(optional)] kind: &'static str,
    #[prop(optional)] value: String,
    #[prop(optional)] autocomplete: &'static str,
) -> impl IntoView {
    let kind = if kind.is_empty() { "text" } else { kind };
    view! {
        <div class="field">
            <label for=name>{bi(zh, en)}</label>
            <FieldMsg errors field=name.into() />
            <input
                id=name
                name=name
                type=kind
                value=value
                autocomplete=if autocomplete.is_empty() { "off" } else { autocomplete }
                aria-describedby=format!("{name}-error")
                aria-invalid=invalid(errors, name)
            />
        </div>
    }
}

pub fn ok_message(code: &str, lang: Lang) -> Option<String> {
    let zh = lang == Lang::Zh;
    Some(
        match code {
            "registered" if zh => "注册已提交。现在可以登录；登记中心审核通过后会短信通知您，届时开发企业即可建项目、申报，银行即可在线确认列明本行的申请。",
            "registered" => "Registered. You can sign in now; the centre will text you once it has verified the organisation: developers can then file, banks confirm the applications naming them.",
            "invite_accepted" if zh => "密码已设置，请登录。",
            "invite_accepted" => "Your password is set; please sign in.",
            "signed_out" if zh => "您已退出登录。",
            "signed_out" => "You have signed out.",
            "token" if zh => "令牌已生成，见下方“接口令牌”。",
            "token" => "Token made: see API tokens below.",
            "invited" if zh => "邀请短信已发送，对方 7 天内打开链接设置密码即可登录。",
            "invited" => "Invitation texted: they have 7 days to open the link and set a password.",
            "submitted" if zh => "批次已提交预审。预审意见会逐户显示在本页。",
            "submitted" => "The batch is submitted for pre-review. Opinions will show here, unit by unit.",
            _ => return None,
        }
        .to_string(),
    )
}

#[component]
pub fn OkNotice() -> impl IntoView {
    let ok = use_query_map().with_untracked(|q| q.get("ok"));
    ok.and_then(|c| {
        ok_message(&c, Lang::Zh).map(|_| {
            view! {
                <p class="notice" role="status" data-testid="ok">
                    {move || ok_message(&c, current_lang()).unwrap_or_default()}
                </p>
            }
        })
    })
}

/// A stage code as the organisation reads it (a withdrawn application too).
pub fn stage_label(code: &str, lang: Lang) -> String {
    if code == "withdrawn" {
        return zh_en(lang, "已撤回", "Withdrawn");
    }
    crate::domain::case::Stage::from_code(code)
        .map(|s| s.label(lang).to_string())
        .unwrap_or_default()
}

#[component]
pub fn BatchList(batches: Vec<BatchItem>) -> impl IntoView {
    if batches.is_empty() {
        return view! { <p class="muted">{bi("还没有批次。", "No batch yet.")}</p> }.into_any();
    }
    view! {
        <table class="cases cases--stack" data-testid="batches">
            <thead>
                <tr>
                    <th>{bi("批次号", "Batch")}</th>
                    <th>{bi("事项", "Matter")}</th>
                    <th>{bi("状态", "Status")}</th>
                    <th>{bi("户数", "Units")}</th>
                </tr>
            </thead>
            <tbody>
                {batches
                    .into_iter()
                    .map(|b| {
                        let kind = b.kind;
                        let status = b.status.clone();
                        view! {
                            <tr>
                                <td>
                                    <a href=format!(
                                        "/developer/batches/{}",
                                        b.id,
                                    )>{b.batch_no.clone()}</a>
                                    <br />
                                    <span class="muted">{b.project_name.clone()}</span>
                                </td>
                                <td data-label=bi(
                                    "事项",
                                    "Matter",
                                )>{move || kind.name(current_lang())}</td>
                                <td data-label=bi(
                                    "状态",
                                    "Status",
                                )>{move || status_name(&status, current_lang())}</td>
                                <td data-label=bi("户数", "Units")>{b.lines}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A whole-file refusal passed back in the query (`file_error`, `p`).
#[component]
pub fn FileRefusal() -> impl IntoView {
    let query = use_query_map();
    let refusal = query.with_untracked(|q| {
        FileError::from_parts(&q.get("file_error")?, &q.get("p").unwrap_or_default())
    });
    refusal.map(|e| {
        view! {
            <p class="notice notice--error" role="alert" data-testid="file-error">
                {move || e.message(current_lang())}
            </p>
        }
    })
}

/// The upload form of a batch or a project's unit list.
#[component]
pub fn UploadForm(action: String, csrf: String, max_rows: usize) -> impl IntoView {
    view! {
        <form method="post" action=action enctype="multipart/form-data" class="form upload">
            <input type="hidden" name="csrf" value=csrf />
            <div class="field">
                <label for="file">
                    {bi("选择填好的表格", "Choose the filled-in sheet")}
                </label>
                <p class="hint" id="file-hint">
                    {move || {
                        zh_en(
                            current_lang(),
                            &format!(
                                "Excel（.xlsx）或 CSV（UTF-8 或 GBK 均可），每个文件最多 {max_rows} 行。同一单元、同一合同重复上传会覆盖原行，不会重复。",
                            ),
                            &format!(
                                "Excel (.xlsx) or CSV (UTF-8 or GBK), at most {max_rows} rows per file. Uploading the same unit and contract again replaces that row; nothing is doubled.",
                            ),
                        )
                    }}
                </p>
                <input
                    id="file"
                    name="file"
                    type="file"
                    accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    aria-describedby="file-hint"
                    required=true
                />
            </div>
            <button type="submit" class="button">
                {bi("上传并检查", "Upload and check")}
            </button>
        </form>
    }
}

/// Uploads with progress while checking, then their counts, per-row
/// errors and the error report.
#[component]
pub fn Uploads(uploads: Vec<UploadItem>) -> impl IntoView {
    let any_checking = uploads.iter().any(|u| u.checking);
    view! {
        {any_checking
            .then(|| {
                view! {
                    <noscript>
                        <meta http-equiv="refresh" content="2" />
                    </noscript>
                    <IslandScripts bundle=Bundle::Org />
                }
            })}
        {uploads
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                let report = format!("/developer/uploads/{}/report.xlsx", u.id);
                let failed_class = if u.failed > 0 { "tag tag--danger" } else { "tag" };
                let errors = u.errors.clone();
                view! {
                    <section class="card filing-upload" data-testid="upload">
                        <h3>{u.file_name.clone()}</h3>
                        {if u.checking {
                            view! {
                                <CheckingProgress
                                    id=u.id.clone()
                                    checked=u.checked
                                    total=u.total
                                    lang=current_lang()
                                />
                            }
                                .into_any()
                        } else {
                            view! {
                                <p data-testid="upload-result">
                                    {bi("共 ", "")} {u.total} {bi(" 行：", " rows: ")}
                                    <span class="tag tag--ok" data-testid="accepted">
                                        {u.accepted}
                                        {bi(" 行通过", " accepted")}
                                    </span> " " <span class=failed_class data-testid="failed">
                                        {u.failed}
                                        {bi(" 行有误", " with errors")}
                                    </span>
                                </p>
                            }
                                .into_any()
                        }}
                        {(!errors.is_empty())
                            .then(|| {
                                view! {
                                    <p>
                                        <a class="button button--secondary" href=report download="">
                                            {bi(
                                                "下载错误报告（XLSX，改好后直接重新上传）",
                                                "Download the error report (XLSX; fix it and upload it again)",
                                            )}
                                        </a>
                                    </p>
                                    <details open=i == 0>
                                        <summary>{bi("有误的行", "Rows with errors")}</summary>
                                        <table class="cases cases--stack" data-testid="row-errors">
                                            <tbody>
                                                {errors
                                                    .into_iter()
                                                    .map(|(line, errs)| {
                                                        view! {
                                                            <tr>
                                                                <td>
                                                                    {move || {
                                                                        zh_en(
                                                                            current_lang(),
                                                                            &format!("第 {line} 行"),
                                                                            &format!("Line {line}"),
                                                                        )
                                                                    }}
                                                                </td>
                                                                <td>
                                                                    <ul>
                                                                        {errs
                                                                            .into_iter()
                                                                            .map(|e| {
                                                                                view! {
                                                                                    <li>
                                                                                        {move || {
                                                                                            let lang = current_lang();
                                                                                            let col = e.col.map(|c| c.header()).unwrap_or("");
                                                                                            let msg = zh_en(lang, &e.zh, &e.en);
                                                                                            if col.is_empty() { msg } else { format!("{col}：{msg}") }
                                                                                        }}
                                                                                    </li>
                                                                                }
                                                                            })
                                                                            .collect_view()}
                                                                    </ul>
                                                                </td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </details>
                                }
                            })}
                    </section>
                }
            })
            .collect_view()}
    }
}

/// While a file is being checked: its progress, which asks the server how
/// far the check has come every 1.5 s and loads the page again when it is
/// done, so the counts and the row errors appear (without JavaScript the
/// page refreshes itself every 2 s instead).
#[cfg_attr(any(feature = "ssr", feature = "islands-org"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-org")), component)]
pub fn CheckingProgress(id: String, checked: i64, total: i64, lang: Lang) -> impl IntoView {
    let checked = RwSignal::new(checked);
    let total = RwSignal::new(total);
    #[cfg(feature = "hydrate")]
    poll_progress(id, checked, total);
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
    view! {
        <p role="status" data-testid="upload-progress">
            {match lang {
                Lang::Zh => "正在检查：",
                Lang::En => "Checking: ",
            }}
            {checked}
            " / "
            {total}
        </p>
        <progress max=total value=checked></progress>
    }
}

#[cfg(feature = "hydrate")]
pub fn poll_progress(id: String, checked: RwSignal<i64>, total: RwSignal<i64>) {
    /// The part of the server's answer the bar needs.
    #[derive(serde::Deserialize)]
    struct Progress {
        checking: bool,
        checked: i64,
        total: i64,
    }
    set_timeout(
        move || {
            leptos::task::spawn_local(async move {
                let body = [("id".to_string(), id.clone())];
                let reply = crate::components::browser::post_form("/api/org/upload_status", &body)
                    .await
                    .ok()
                    .filter(|r| r.status == 200)
                    .and_then(|r| serde_json::from_str::<Progress>(&r.body).ok());
                match reply {
                    Some(p) if !p.checking => {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    }
                    Some(p) => {
                        checked.set(p.checked);
                        total.set(p.total);
                        poll_progress(id, checked, total);
                    }
                    // A passing fault (network, a busy server): ask again.
                    None => poll_progress(id, checked, total),
                }
            });
        },
        std::time::Duration::from_millis(1500),
    );
}

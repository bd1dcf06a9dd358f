//! `/staff/help`: administrators write the help articles (常见问题): the list
//! with publish/unpublish, and one form (new, `?edit=<id>`, or a refused
//! form shown again with `?draft=1`).

use crate::api::clerk::help::{help_admin, HelpAdminView};
use crate::api::clerk::signin::current_staff_member;
use crate::components::forms::{bi, textarea_text, ErrorSummary, FieldMsg};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, SignIn};
use crate::domain::help::{HelpForm, QUESTION_MAX};
use crate::error::{AppError, FieldError};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn StaffHelpPage() -> impl IntoView {
    let query = use_query_map();
    let draft = query.with_untracked(|q| q.get("draft")).unwrap_or_default();
    let edit = query.with_untracked(|q| q.get("edit")).unwrap_or_default();
    let ok = query.with_untracked(|q| q.get("ok"));
    let data = Resource::new(
        move || draft.clone(),
        |draft| async move {
            let me = current_staff_member()
                .await?
                .ok_or(AppError::Unauthorized)?;
            if me.role != "admin" {
                return Err(AppError::Forbidden);
            }
            Ok::<_, AppError>((me, help_admin(draft).await?))
        },
    );
    view! {
        <crate::components::layout::PageTitle zh="常见问题管理" en="Help articles" />
        <p class="breadcrumb">
            <a href="/staff/admin">{bi("← 账户管理", "← Accounts")}</a>
        </p>
        <h1>{bi("常见问题管理", "Help articles")}</h1>
        {ok
            .map(|ok| {
                let (zh, en) = match ok.as_str() {
                    "created" => ("已新增。", "Added."),
                    "published" => ("已发布。", "Published."),
                    "unpublished" => {
                        (
                            "已下架，群众不再看到。",
                            "Unpublished: the public no longer sees it.",
                        )
                    }
                    _ => ("已保存。", "Saved."),
                };
                view! {
                    <p class="notice" role="status" data-testid="help-admin-ok">
                        {bi(zh, en)}
                    </p>
                }
            })}
        <p class="muted">
            {bi(
                "问题和回答显示在“常见问题”（/help），按中文、英文和拼音首字母（保存时自动生成）搜索；填写事项编号的，显示在该事项的办事指南里；填写步骤的，显示在填写申请的那一步。回答里空一行分段，以“- ”开头的行成为列表。",
                "Questions and answers show on Help (/help), found by Chinese, English and pinyin initials (worked out when saved); with matter codes they show on those matters' guides, with steps on those wizard steps. In an answer a blank line starts a paragraph and lines starting with '- ' make a list.",
            )}
        </p>
        <PageData data sign_in=SignIn::Staff let:loaded>
            {
                let (me, admin) = loaded;
                view! { <Editor csrf=me.csrf edit=edit.clone() admin /> }
            }
        </PageData>
    }
}

#[component]
fn Editor(csrf: String, edit: String, admin: HelpAdminView) -> impl IntoView {
    let lang = current_lang();
    // The form: a refused one with its messages, an article to change, or new.
    let (original, form, errors) = match (&admin.draft, edit.as_str()) {
        (Some(d), _) => (d.original.clone(), d.form.clone(), d.errors.clone()),
        (None, "") => (String::new(), HelpForm::default(), Vec::new()),
        (None, id) => match admin.articles.iter().find(|a| a.id == id) {
            Some(a) => (
                a.id.clone(),
                HelpForm {
                    id: a.id.clone(),
                    position: a.position.to_string(),
                    question_zh: a.question_zh.clone(),
                    answer_zh: a.answer_zh.clone(),
                    question_en: a.question_en.clone(),
                    answer_en: a.answer_en.clone(),
                    keywords: a.keywords.clone(),
                    matters: a.matters.join(" "),
                    steps: a.steps.join(" "),
                },
                Vec::new(),
            ),
            None => (String::new(), HelpForm::default(), Vec::new()),
        },
    };
    let errs: Signal<Vec<FieldError>> = RwSignal::new(errors).into();
    let editing = !original.is_empty();
    view! {
        <section id="help-form" class="card">
            <h2>
                {if editing {
                    bi("修改问题", "Change an article")().to_string()
                } else {
                    bi("新增问题", "New article")().to_string()
                }}
            </h2>
            <ErrorSummary errors=errs />
            <form method="post" action="/api/help/save" class="form" data-testid="help-form">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="original" value=original.clone() />
                <Field
                    field="id"
                    label=(
                        "地址名（/help/…，小写字母、数字、连字符）",
                        "Address (/help/…: lower-case letters, digits, hyphens)",
                    )
                    value=form.id.clone()
                    errs
                    readonly=editing
                />
                <Field
                    field="position"
                    label=("排序（小的在前）", "Order (smaller first)")
                    value=form.position.clone()
                    errs
                />
                <Field
                    field="question_zh"
                    label=("问题（中文）", "Question (Chinese)")
                    value=form.question_zh.clone()
                    errs
                    max=QUESTION_MAX
                />
                <Area
                    field="answer_zh"
                    label=(
                        "回答（中文，最多 4000 字）",
                        "Answer (Chinese, at most 4,000 characters)",
                    )
                    value=form.answer_zh.clone()
                    errs
                />
                <Field
                    field="question_en"
                    label=("问题（英文，可不填）", "Question (English, optional)")
                    value=form.question_en.clone()
                    errs
                    max=QUESTION_MAX
                />
                <Area
                    field="answer_en"
                    label=(
                        "回答（英文，可不填，最多 4000 字）",
                        "Answer (English, optional, at most 4,000 characters)",
                    )
                    value=form.answer_en.clone()
                    errs
                />
                <Field
                    field="keywords"
                    label=(
                        "关键词（群众的说法，空格分开）",
                        "Keywords (people's own words, space separated)",
                    )
                    value=form.keywords.clone()
                    errs
                />
                <Field
                    field="matters"
                    label=(
                        "相关事项编号（空格分开，如 MORTGAGE-CANCEL）",
                        "Matter codes (space separated, e.g. MORTGAGE-CANCEL)",
                    )
                    value=form.matters.clone()
                    errs
                />
                <Field
                    field="steps"
                    label=(
                        "显示在这些填写步骤（property parties agent materials declarations review）",
                        "Show on these wizard steps (property parties agent materials declarations review)",
                    )
                    value=form.steps.clone()
                    errs
                />
                <button type="submit" class="button">
                    {bi("保存", "Save")}
                </button>
                {editing
                    .then(|| {
                        view! {
                            " "
                            <a class="button button--secondary" href="/staff/help">
                                {bi("新增另一篇", "Write a new one")}
                            </a>
                        }
                    })}
            </form>
        </section>
        <h2>{bi("全部问题", "All articles")}</h2>
        <ul class="plain-list" data-testid="help-admin-list">
            {admin
                .articles
                .into_iter()
                .map(|a| {
                    let edit = format!("/staff/help?edit={}#help-form", a.id);
                    let view_href = format!("/help/{}", a.id);
                    let published = a.published;
                    let question = a.question(lang).to_string();
                    view! {
                        <li id=format!("help-{}", a.id) class="card" data-testid="help-admin-row">
                            <p>
                                <strong>{question}</strong>
                                " "
                                {(!published)
                                    .then(|| {
                                        view! {
                                            <span class="tag tag--warn">
                                                {bi("已下架", "Unpublished")}
                                            </span>
                                        }
                                    })}
                            </p>
                            <p class="muted">
                                {format!(
                                    "/help/{} · {} · {}",
                                    a.id,
                                    if a.matters.is_empty() {
                                        "—".to_string()
                                    } else {
                                        a.matters.join(" ")
                                    },
                                    if a.steps.is_empty() {
                                        "—".to_string()
                                    } else {
                                        a.steps.join(" ")
                                    },
                                )}
                            </p>
                            <p class="muted">
                                {bi("拼音首字母：", "Pinyin initials: ")} {a.initials.clone()}
                            </p>
                            <p class="actions">
                                <a class="button button--secondary" href=edit>
                                    {bi("修改", "Change")}
                                </a>
                                {published
                                    .then(|| {
                                        view! {
                                            " "
                                            <a class="button button--secondary" href=view_href>
                                                {bi("查看", "View")}
                                            </a>
                                        }
                                    })}
                            </p>
                            <form method="post" action="/api/help/publish" class="form">
                                <input type="hidden" name="csrf" value=csrf.clone() />
                                <input type="hidden" name="id" value=a.id.clone() />
                                <input
                                    type="hidden"
                                    name="published"
                                    value=if published { "0" } else { "1" }
                                />
                                <button type="submit" class="button button--secondary">
                                    {if published {
                                        bi("下架", "Unpublish")().to_string()
                                    } else {
                                        bi("发布", "Publish")().to_string()
                                    }}
                                </button>
                            </form>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn Field(
    field: &'static str,
    label: (&'static str, &'static str),
    value: String,
    errs: Signal<Vec<FieldError>>,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] max: Option<usize>,
) -> impl IntoView {
    let bad = move || errs.with(|e| e.iter().any(|x| x.field == field));
    view! {
        <div class="field" class:field--error=bad>
            <label for=field>{bi(label.0, label.1)}</label>
            <FieldMsg errors=errs field=field.to_string() />
            <input
                id=field
                name=field
                type="text"
                value=value
                readonly=readonly
                maxlength=max.map(|m| m.to_string())
                aria-invalid=move || bad().then_some("true")
                aria-describedby=move || bad().then(|| format!("{field}-error"))
            />
        </div>
    }
}

/// A long answer, with what was typed (escaped: see [`textarea_text`]).
#[component]
fn Area(
    field: &'static str,
    label: (&'static str, &'static str),
    value: String,
    errs: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let bad = move || errs.with(|e| e.iter().any(|x| x.field == field));
    view! {
        <div class="field" class:field--error=bad>
            <label for=field>{bi(label.0, label.1)}</label>
            <FieldMsg errors=errs field=field.to_string() />
            <textarea
                id=field
                name=field
                rows="8"
                aria-invalid=move || bad().then_some("true")
                aria-describedby=move || bad().then(|| format!("{field}-error"))
            >
                {textarea_text(&value)}
            </textarea>
        </div>
    }
}

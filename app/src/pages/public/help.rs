//! /help: the searchable questions and answers (常见问题), and one answer
//! per page with the current checklists of the matters it is about. Plain
//! GET forms and links: no JavaScript needed.

use crate::api::public::help::{get_help_article, help_search, HelpArticleView};
use crate::components::forms::bi;
use crate::components::language::current_lang;
use crate::domain::catalogue::Requirement;
use crate::domain::help::{blocks, Block, HelpArticle};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// An answer's text: paragraphs (line breaks kept) and lists.
#[component]
pub fn AnswerText(text: String) -> impl IntoView {
    blocks(&text)
        .into_iter()
        .map(|b| match b {
            Block::Para(p) => view! { <p class="help__para">{p}</p> }.into_any(),
            Block::List(items) => view! { <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }
            .into_any(),
        })
        .collect_view()
}

/// Links to articles, as a list (the notice's and the article's "related").
#[component]
pub fn HelpLinks(articles: Vec<HelpArticle>, testid: &'static str) -> impl IntoView {
    let lang = current_lang();
    view! {
        <ul class="plain-list help-links" data-testid=testid>
            {articles
                .into_iter()
                .map(|a| {
                    let href = format!("/help/{}", a.id);
                    view! {
                        <li>
                            <a href=href>{a.question(lang).to_string()}</a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
pub fn HelpPage() -> impl IntoView {
    let query = use_query_map();
    let q = Signal::derive(move || query.with(|m| m.get("q").unwrap_or_default()));
    let results = Resource::new(move || q.get(), help_search);
    let lang = current_lang();
    view! {
        <crate::components::layout::PageTitle zh="常见问题" en="Help" />
        <h1>{bi("常见问题", "Help")}</h1>
        <p class="lead">
            {bi(
                "办登记前常问的问题。找不到答案，可以看办事指南，或预约到窗口咨询。",
                "The questions people ask before registering. If yours is not here, see the service guide or book a visit to ask at a window.",
            )}
        </p>
        <form method="get" action="/help" class="search" role="search">
            <label for="help-q">{bi("搜索问题", "Search the questions")}</label>
            <p class="hint" id="help-q-hint">
                {bi(
                    "可输入中文、英文或拼音首字母，例如：注销抵押、mortgage、zxdy",
                    "Chinese, English or pinyin initials, e.g. 注销抵押, mortgage, zxdy",
                )}
            </p>
            <div class="search__row">
                <input
                    id="help-q"
                    name="q"
                    type="search"
                    maxlength="100"
                    aria-describedby="help-q-hint"
                    prop:value=q
                    value=q
                />
                <button type="submit" class="button">
                    {bi("搜索", "Search")}
                </button>
            </div>
        </form>
        <Suspense fallback=move || {
            view! { <p class="muted">{bi("正在加载…", "Loading…")}</p> }
        }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(r) => {
                        let searched = !r.query.trim().is_empty();
                        let n = r.hits.len();
                        view! {
                            {searched
                                .then(|| {
                                    view! {
                                        <p role="status" data-testid="help-count">
                                            {if lang == crate::domain::Lang::Zh {
                                                format!("找到 {n} 个问题")
                                            } else {
                                                format!("{n} question(s) found")
                                            }}
                                        </p>
                                    }
                                })}
                            {(n == 0)
                                .then(|| {
                                    view! {
                                        <p class="notice" data-testid="help-none">
                                            {bi(
                                                "没有找到。换个说法试试，或者看",
                                                "Nothing found. Try other words, or see the ",
                                            )}
                                            <a href="/matters">{bi("办事指南", "service guide")}</a>
                                            {bi("。", ".")}
                                        </p>
                                    }
                                })}
                            <ul class="plain-list help-results" data-testid="help-results">
                                {r
                                    .hits
                                    .into_iter()
                                    .map(|a| {
                                        let href = format!("/help/{}", a.id);
                                        let question = a.question(lang).to_string();
                                        let first = blocks(a.answer(lang))
                                            .into_iter()
                                            .next()
                                            .map(|b| match b {
                                                Block::Para(p) => p,
                                                Block::List(items) => items.join("；"),
                                            })
                                            .unwrap_or_default();
                                        let snippet: String = first.chars().take(60).collect();
                                        let more = first.chars().count() > 60;
                                        view! {
                                            <li class="card">
                                                <a class="help-results__q" href=href>
                                                    {question}
                                                </a>
                                                <p class="muted">{snippet} {more.then_some("…")}</p>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(e) => {
                        crate::components::respond::respond_error(&e);
                        view! {
                            <p class="notice notice--error" role="alert">
                                {bi(
                                    "暂时无法查询，请稍后再试。",
                                    "Help cannot be searched just now; please try again shortly.",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn HelpArticlePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let page = Resource::new(id, get_help_article);
    view! {
        <Suspense fallback=move || {
            view! { <p class="muted">{bi("正在加载…", "Loading…")}</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Article p /> }.into_any(),
                    Err(AppError::NotFound) => {
                        crate::components::respond::respond_not_found();
                        view! {
                            <crate::components::layout::PageTitle
                                zh="页面不存在"
                                en="Page not found"
                            />
                            <h1>{bi("页面不存在", "Page not found")}</h1>
                            <p>
                                {bi(
                                    "没有这个问题，可能已调整。请在常见问题里重新搜索。",
                                    "There is no such question; it may have changed. Please search the help again.",
                                )}
                            </p>
                            <p class="actions">
                                <a href="/help" class="button">
                                    {bi("返回常见问题", "Back to help")}
                                </a>
                            </p>
                        }
                            .into_any()
                    }
                    Err(e) => {
                        crate::components::respond::respond_error(&e);
                        view! {
                            <crate::components::layout::PageTitle zh="常见问题" en="Help" />
                            <p class="notice notice--error" role="alert">
                                {bi(
                                    "暂时无法打开，请稍后再试。",
                                    "This cannot be shown just now; please try again shortly.",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Article(p: HelpArticleView) -> impl IntoView {
    let lang = current_lang();
    let a = p.article;
    let question = a.question(lang).to_string();
    let answer = a.answer(lang).to_string();
    let title = question.clone();
    view! {
        <crate::components::layout::PageTitleText text=title />
        <p class="breadcrumb">
            <a href="/help">{bi("← 常见问题", "← Help")}</a>
        </p>
        <h1 data-testid="help-question">{question}</h1>
        <div class="help__answer" data-testid="help-answer">
            <AnswerText text=answer />
        </div>
        {p
            .matters
            .into_iter()
            .map(|m| {
                let href = format!("/matters/{}", m.code);
                let name = m.name(lang).to_string();
                let items = m.checklist.clone();
                view! {
                    <section class="card" data-testid="help-matter">
                        <h2>{name.clone()}</h2>
                        <p class="muted">
                            {bi(
                                "办事指南里的材料（以办事指南为准）：",
                                "The materials in the service guide (the guide is what counts):",
                            )}
                        </p>
                        <ul>
                            {items
                                .into_iter()
                                .map(|i| {
                                    let optional = i.requirement != Requirement::Required;
                                    let label = if lang == crate::domain::Lang::Zh {
                                        i.name_zh
                                    } else {
                                        i.name_en
                                    };
                                    view! {
                                        <li>
                                            {label}
                                            {optional
                                                .then(|| {
                                                    view! {
                                                        " "
                                                        <span class="muted">
                                                            {bi("（视情况）", "(if it applies)")}
                                                        </span>
                                                    }
                                                })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        <p>
                            <a class="button button--secondary" href=href>
                                {bi("查看办事指南并开始办理", "See the guide and start")}
                            </a>
                        </p>
                    </section>
                }
            })
            .collect_view()}
        {(!p.related.is_empty())
            .then(|| {
                view! {
                    <h2>{bi("相关问题", "Related questions")}</h2>
                    <HelpLinks articles=p.related testid="help-related" />
                }
            })}
    }
}

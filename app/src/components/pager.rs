//! A page of a batch's lines: links to show all lines or those in one state
//! (each with its count), and to the previous and next page. Plain links,
//! so they work without JavaScript; the page is in the address, so a
//! reload or a shared link shows the same lines.

use crate::components::forms::zh_en;
use crate::components::language::current_lang;
use crate::domain::filing::LinePage;
use crate::domain::Lang;
use leptos::prelude::*;

fn href(base: &str, show: &str, page: usize) -> String {
    let mut q = Vec::new();
    if !show.is_empty() {
        q.push(format!("show={show}"));
    }
    if page > 1 {
        q.push(format!("page={page}"));
    }
    if q.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", q.join("&"))
    }
}

/// The filter links above a page of lines.
#[component]
pub fn LineFilter(
    page: LinePage,
    base: String,
    name: fn(&str, Lang) -> &'static str,
) -> impl IntoView {
    let all = page.total;
    let current = page.show.clone();
    let links = page
        .counts
        .iter()
        .map(|(status, n)| {
            let status = status.clone();
            let n = *n;
            let here = current == status;
            let link = href(&base, &status, 1);
            let testid = format!("show-{status}");
            view! {
                <a href=link class="chip" aria-current=here.then_some("page") data-testid=testid>
                    {move || format!("{} {n}", name(&status, current_lang()))}
                </a>
            }
        })
        .collect_view();
    let everything = current.is_empty();
    view! {
        <nav class="chips" aria-label="筛选 / Filter" data-testid="line-filter">
            <a
                href=base.clone()
                class="chip"
                aria-current=everything.then_some("page")
                data-testid="show-all"
            >
                {move || zh_en(current_lang(), &format!("全部 {all}"), &format!("All {all}"))}
            </a>
            {links}
        </nav>
    }
}

/// Previous and next page, and where this page is.
#[component]
pub fn LinePages(page: LinePage, base: String) -> impl IntoView {
    let LinePage {
        show,
        shown,
        page: at,
        pages,
        ..
    } = page;
    let first = (at - 1) * crate::domain::filing::LINES_PER_PAGE + 1;
    let last = (at * crate::domain::filing::LINES_PER_PAGE).min(shown);
    let prev = (at > 1).then(|| href(&base, &show, at - 1));
    let next = (at < pages).then(|| href(&base, &show, at + 1));
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="分页 / Pages" data-testid="line-pages">
                {prev
                    .map(|h| {
                        view! {
                            <a class="button button--secondary" href=h rel="prev">
                                {move || zh_en(current_lang(), "← 上一页", "← Previous")}
                            </a>
                        }
                    })}
                <span class="muted">
                    {move || {
                        zh_en(
                            current_lang(),
                            &format!(
                                "第 {first}–{last} 户，共 {shown} 户（第 {at}/{pages} 页）",
                            ),
                            &format!("Units {first}–{last} of {shown} (page {at} of {pages})"),
                        )
                    }}
                </span>
                {next
                    .map(|h| {
                        view! {
                            <a class="button button--secondary" href=h rel="next">
                                {move || zh_en(current_lang(), "下一页 →", "Next →")}
                            </a>
                        }
                    })}
            </nav>
        }
    })
}

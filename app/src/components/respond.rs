//! Setting a page's HTTP status from inside the render (404, 5xx).

use crate::components::forms::bi;
use leptos::prelude::*;
use leptos_router::components::A;

/// Make the server answer this page with HTTP 404; does nothing in the browser.
pub fn respond_not_found() {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
}

/// Make the server answer this page with an error's status (429 or 503
/// with `Retry-After`), so that a refusal never looks like success.
pub fn respond_error(e: &crate::error::AppError) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(e.status()) {
            res.set_status(status);
        }
        if let Some(secs) = e.retry_after() {
            res.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = e;
}

/// Shown for any unknown path; answers HTTP 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    respond_not_found();
    view! {
        <h1>{bi("页面不存在", "Page not found")}</h1>
        <p>
            {bi(
                "您访问的页面不存在或已移动。请检查网址，或从首页重新进入。",
                "The page you asked for does not exist or has moved. Check the address, or start again from the home page.",
            )}
        </p>
        <p class="actions">
            <A href="/" attr:class="button">
                {bi("返回首页", "Back to home")}
            </A>
            <A href="/sites" attr:class="button button--secondary">
                {bi("查看服务网点", "See service sites")}
            </A>
        </p>
    }
}

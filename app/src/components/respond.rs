//! Setting a page's HTTP status from inside the render (404, 5xx).

use crate::i18n::*;
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
    let i18n = use_i18n();
    view! {
        <h1>{t!(i18n, not_found_title)}</h1>
        <p>{t!(i18n, not_found_body)}</p>
        <p class="actions">
            <A href="/" attr:class="button">
                {t!(i18n, back_home)}
            </A>
            <A href="/sites" attr:class="button button--secondary">
                {t!(i18n, see_sites)}
            </A>
        </p>
    }
}

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

//! Shown when a page needs a signed-in citizen, and loading failures.

use crate::components::forms::bi;
use crate::components::language::urlencode;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Shown in place of a page that needs a member of an organisation signed
/// in; back to this page afterwards.
#[component]
pub fn OrgSignInPrompt() -> impl IntoView {
    let location = use_location();
    let href = move || {
        format!(
            "/developer/signin?next={}",
            urlencode(&location.pathname.get()),
        )
    };
    view! {
        <section class="notice" role="status">
            <p>
                {bi(
                    "请先登录单位账户（开发企业、银行）。",
                    "Please sign in with your organisation's account.",
                )}
            </p>
            <a class="button" href=href>
                {bi("登录", "Sign in")}
            </a>
        </section>
    }
}

/// Shown in place of a page that needs a signed-in citizen.
#[component]
pub fn SignInPrompt() -> impl IntoView {
    let location = use_location();
    let href = move || {
        let search = location.search.get();
        let search = if search.is_empty() || search.starts_with('?') {
            search
        } else {
            format!("?{search}")
        };
        format!(
            "/signin?next={}",
            urlencode(&format!("{}{}", location.pathname.get(), search))
        )
    };
    view! {
        <section class="notice" role="status">
            <p>
                {bi(
                    "请先登录。登录后会回到这里。",
                    "Please sign in first; you will come back here.",
                )}
            </p>
            <a href=href class="button">
                {bi("登录", "Sign in")}
            </a>
        </section>
    }
}

#[component]
pub fn LoadError() -> impl IntoView {
    view! {
        <p class="notice notice--error" role="alert">
            {bi(
                "暂时无法加载，请稍后刷新页面。",
                "This could not be loaded; please reload the page in a moment.",
            )}
        </p>
    }
}

//! The one shell of a page whose content a server function loads: a
//! placeholder while it loads, the page's view of the value, and one answer
//! per failure, the same on every page — not signed in (the audience's
//! sign-in prompt), not found or not yours (the 404 page, with its status),
//! anything else (the page's own "cannot be read now" line, with the error's
//! status; a member of staff whose role does not use the page is told so).
//! A page with an answer of its own to some failure (a supervisor
//! only page refusing a clerk, a malformed date) passes `refused`.

use crate::components::forms::bi;
use crate::components::prompts::{OrgSignInPrompt, SignInPrompt};
use crate::components::respond::{respond_error, NotFound};
use crate::components::staff::StaffSignInPrompt;
use crate::error::AppError;
use leptos::prelude::*;

/// Who signs in when the loader answers "not signed in".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignIn {
    /// A citizen, by SMS code; back to this page afterwards.
    #[default]
    Citizen,
    /// The centre's staff, by password.
    Staff,
    /// A member of an organisation; back to this page afterwards.
    Org,
}

/// A page's own answer to some failures; `None` leaves it to the shell.
pub type Refused = fn(&AppError) -> Option<AnyView>;

/// What a failed load shows (see the module's comment).
pub fn failure_view(
    e: AppError,
    sign_in: SignIn,
    failed: Option<(&'static str, &'static str)>,
    refused: Option<Refused>,
) -> AnyView {
    if let Some(v) = refused.and_then(|r| r(&e)) {
        return v;
    }
    match (&e, failed) {
        (AppError::Unauthorized, _) => match sign_in {
            SignIn::Citizen => view! { <SignInPrompt /> }.into_any(),
            SignIn::Staff => view! { <StaffSignInPrompt /> }.into_any(),
            SignIn::Org => view! { <OrgSignInPrompt /> }.into_any(),
        },
        // A member of staff whose role does not use this page is told so
        // (403), with the way back to their own work.
        (AppError::Forbidden, _) if sign_in == SignIn::Staff => {
            respond_error(&e);
            view! {
                <section class="notice notice--error" role="alert">
                    <p>
                        {bi(
                            "此页面仅对其他岗位开放（如管理员或科长），您的账户不能使用。",
                            "This page is for another role (such as administrators or supervisors); your account cannot use it.",
                        )}
                    </p>
                    <a class="button" href="/staff">
                        {bi("返回工作台", "Back to the workbench")}
                    </a>
                </section>
            }
            .into_any()
        }
        (AppError::NotFound | AppError::Forbidden, _) | (_, None) => {
            view! { <NotFound /> }.into_any()
        }
        (_, Some((zh, en))) => {
            respond_error(&e);
            view! {
                <p class="notice notice--error" role="alert">
                    {bi(zh, en)}
                </p>
            }
            .into_any()
        }
    }
}

/// The shell itself: `data` loaded, `children` given the value.
#[component]
pub fn PageData<T, F, V>(
    data: Resource<Result<T, AppError>>,
    children: F,
    #[prop(optional)] sign_in: SignIn,
    /// The line shown when the load fails for another reason; without it,
    /// the 404 page.
    #[prop(optional)]
    failed: Option<(&'static str, &'static str)>,
    #[prop(optional)] refused: Option<Refused>,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => children(v).into_any(),
                        Err(e) => failure_view(e, sign_in, failed, refused),
                    }
                })
            }}
        </Suspense>
    }
}

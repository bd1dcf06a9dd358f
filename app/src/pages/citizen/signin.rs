//! Sign-in by mobile number and SMS code: two plain forms that post to the
//! server functions, so they work without JavaScript; with it, the number and
//! code are checked in the browser first with the same rules and messages.

use crate::api::citizen::signin::signin_message;
use crate::components::forms::{bi, invalid, ErrorSummary, FieldMsg};
use crate::components::islands::{lang_code, Bundle, IslandScripts, SignInCheck, SignInField};
use crate::components::language::current_lang;
use crate::domain::Lang;
use crate::error::FieldError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn query_error(field: &str, code: Option<String>) -> Vec<FieldError> {
    code.and_then(|c| {
        let zh = signin_message(&c, Lang::Zh)?;
        let en = signin_message(&c, Lang::En)?;
        Some(vec![FieldError::new(field, &c, zh, en)])
    })
    .unwrap_or_default()
}

/// A status (not error) message passed in the query, e.g. after signing out.
fn is_status(code: &str) -> bool {
    matches!(code, "signed_out" | "signed_out_all")
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let (next, code, retry) = query.with_untracked(|q| {
        (
            q.get("next").unwrap_or_else(|| "/me".into()),
            q.get("error"),
            q.get("retry").and_then(|r| r.parse::<u64>().ok()),
        )
    });
    // The heading and the lead are the page's, not the island's: what is
    // rendered on the server is painted once and stays (Lighthouse took the
    // lead, repainted at hydration, as the largest paint: 2.7 s, not 0.9 s).
    view! {
        <crate::components::layout::PageTitle zh="登录" en="Sign in" />
        <h1>{bi("登录", "Sign in")}</h1>
        <p class="lead">
            {bi(
                "用手机号和短信验证码登录，无需注册。代理人也用自己的手机号登录，再为他人申请。",
                "Sign in with your mobile number and a text-message code; no registration. Agents sign in with their own number and file for others.",
            )}
        </p>
        <SignInCheck>
            <SignInForm next code retry />
        </SignInCheck>
        <IslandScripts bundle=Bundle::SignIn />
    }
}

/// The number form (checked in the browser by its [`SignInCheck`] island with
/// the same rule and message as on the server).
#[component]
fn SignInForm(next: String, code: Option<String>, retry: Option<u64>) -> impl IntoView {
    let status = code.clone().filter(|c| is_status(c));
    let errors = RwSignal::new(query_error("mobile", code.filter(|c| !is_status(c))));
    let errs: Signal<Vec<FieldError>> = errors.into();
    view! {
        {status
            .map(|s| {
                view! {
                    <p class="notice" role="status">
                        {move || signin_message(&s, current_lang()).unwrap_or_default()}
                    </p>
                }
            })}
        <ErrorSummary errors=errs />
        {retry
            .map(|secs| {
                view! {
                    <p class="notice notice--error" role="status">
                        {move || {
                            if current_lang() == Lang::Zh {
                                format!("请在 {} 秒后再获取验证码。", secs)
                            } else {
                                format!(
                                    "Please wait {secs} seconds before asking for another code.",
                                )
                            }
                        }}
                    </p>
                }
            })}
        <form
            method="post"
            action="/api/auth/request_code"
            class="form"
            novalidate=true
            data-check=SignInField::Mobile.code()
            data-lang=lang_code(current_lang())
        >
            <input type="hidden" name="next" value=next />
            <div class="field">
                <label for="mobile">{bi("手机号码", "Mobile number")}</label>
                <p class="hint" id="mobile-hint">
                    {bi(
                        "11 位手机号，我们会发送 6 位验证码。",
                        "11 digits; we will text you a 6-digit code.",
                    )}
                </p>
                <FieldMsg errors=errs field="mobile".into() />
                <input
                    id="mobile"
                    name="mobile"
                    type="tel"
                    inputmode="numeric"
                    autocomplete="tel"
                    maxlength="20"
                    aria-describedby="mobile-hint mobile-error"
                    aria-invalid=invalid(errs, "mobile")
                />
            </div>
            <button type="submit" class="button">
                {bi("获取验证码", "Send me a code")}
            </button>
        </form>
    }
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let query = use_query_map();
    let (next, challenge, error) = query.with_untracked(|q| {
        (
            q.get("next").unwrap_or_else(|| "/me".into()),
            q.get("c").unwrap_or_default(),
            q.get("error"),
        )
    });
    view! {
        <crate::components::layout::PageTitle zh="输入验证码" en="Enter the code" />
        <h1>{bi("输入验证码", "Enter the code")}</h1>
        <p class="lead">
            {bi(
                "验证码已通过短信发送，5 分钟内有效，最多可输错 5 次。",
                "We have texted you a code. It is valid for 5 minutes; you may mistype it up to 5 times.",
            )}
        </p>
        <SignInCheck>
            <VerifyForm next challenge error />
        </SignInCheck>
        <IslandScripts bundle=Bundle::SignIn />
    }
}

/// The code form (checked in the browser by its [`SignInCheck`] island).
#[component]
fn VerifyForm(next: String, challenge: String, error: Option<String>) -> impl IntoView {
    let errors = RwSignal::new(query_error("code", error));
    let errs: Signal<Vec<FieldError>> = errors.into();
    let again = format!(
        "/signin?next={}",
        crate::components::language::urlencode(&next)
    );
    view! {
        <ErrorSummary errors=errs />
        <form
            method="post"
            action="/api/auth/verify_code"
            class="form"
            novalidate=true
            data-check=SignInField::Code.code()
            data-lang=lang_code(current_lang())
        >
            <input type="hidden" name="c" value=challenge />
            <input type="hidden" name="next" value=next.clone() />
            <div class="field">
                <label for="code">{bi("6 位验证码", "6-digit code")}</label>
                <FieldMsg errors=errs field="code".into() />
                <input
                    id="code"
                    name="code"
                    type="text"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength="12"
                    class="input--code"
                    aria-describedby="code-error"
                    aria-invalid=invalid(errs, "code")
                />
            </div>
            <button type="submit" class="button">
                {bi("登录", "Sign in")}
            </button>
        </form>
        <p>
            <a href=again class="button button--secondary">
                {bi("没收到？重新获取", "No text? Send a new code")}
            </a>
        </p>
    }
}

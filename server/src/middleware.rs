use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tracing::Span;

/// Leptos answers every server-function error with 500. We give the error its
/// real status (400 for a malformed body, 422 for validation, 404…) by reading
/// the small JSON error body, which is our own [`AppError`].
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    // A plain form post that was answered with a redirect (to the sign-in
    // page, back to the form) stays a redirect even when the call failed.
    if res.headers().get(server_fn_error_header()).is_none()
        || (res.status().is_redirection() && res.headers().contains_key(header::LOCATION))
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::RateLimited { retry_after_secs } = err {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// CSRF, first line: a state-changing request must come from our own pages.
/// Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`); a
/// cross-site form post or fetch is refused with 403 before any handler runs.
/// Requests without either header (API clients, old browsers) pass on to the
/// second line: the session's CSRF token, which every signed-in form carries,
/// and the `SameSite=Lax` session cookie.
pub async fn same_origin_posts(req: Request, next: Next) -> Response {
    if req.method().is_safe() {
        return next.run(req).await;
    }
    let h = req.headers();
    let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross_site = match site {
        Some(s) => !matches!(s, "same-origin" | "none"),
        None => match (
            h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            h.get(header::HOST).and_then(|v| v.to_str().ok()),
        ) {
            (Some("null"), _) => true,
            (Some(origin), Some(host)) => origin
                .split_once("://")
                .map(|(_, rest)| rest)
                .is_none_or(|rest| rest != host),
            _ => false,
        },
    };
    if cross_site {
        tracing::warn!("refused a cross-site state-changing request");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

fn server_fn_error_header() -> &'static str {
    leptos::server_fn::error::SERVER_FN_ERROR_HEADER
}

/// Security headers on every response. HTML pages carry their own CSP with a
/// per-response nonce (set while rendering); everything else gets a CSP that
/// allows nothing, which is right for JSON, images and scripts alike.
pub async fn security_headers(mut req: Request, next: Next) -> Response {
    let slot = app::security::CspNonceSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    let nonce = slot.take();
    let h = res.headers_mut();
    if let Some(nonce) = nonce {
        // The page's own policy with the nonce its scripts carry (see
        // app::security::CspNonceSlot); replaces whatever the render set.
        if let Ok(v) = HeaderValue::from_str(&app::security::content_security_policy(&nonce)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=(), payment=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    res
}

/// The span for one request: id, method and path only. Query strings are left
/// out on purpose: later features put receipt numbers and ID digits in them.
pub fn request_span(req: &Request<Body>) -> Span {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        path = %req.uri().path(),
    )
}

/// A handler panicked: log it (without the request) and show a calm page.
pub fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let mut res = Html(ERROR_PAGE).into_response();
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

const ERROR_PAGE: &str = r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>服务暂时出现问题 · Service error</title></head><body><h1>服务暂时出现问题</h1><p>很抱歉，系统处理您的请求时出错。您填写的内容不会因此丢失，请稍后重试。</p><h2 lang="en">Something went wrong</h2><p lang="en">Sorry, the service could not handle this request. Nothing you saved has been lost; please try again in a moment.</p><p><a href="/">返回首页 · Home</a></p></body></html>"#;

/// Requests get 60 seconds, except uploads: a 50 MB file on a slow mobile
/// connection takes longer, and an interrupted upload resumes anyway.
pub async fn timeout_except_uploads(req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/uploads") {
        return next.run(req).await;
    }
    match tokio::time::timeout(std::time::Duration::from_secs(60), next.run(req)).await {
        Ok(res) => res,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

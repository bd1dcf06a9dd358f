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
        if let Some(secs) = err.retry_after() {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
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
/// `Strict-Transport-Security` when the service is reached over HTTPS
/// (`ONETRIP_PUBLIC_URL`), and `Cache-Control: no-store` on whatever does
/// not say otherwise (pages and answers carry personal data; the hashed
/// assets say they may be kept).
pub async fn security_headers(
    axum::extract::State(https): axum::extract::State<bool>,
    mut req: Request,
    next: Next,
) -> Response {
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
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

/// The span for one request: id, method and path only. Query strings are left
/// out on purpose: later features put receipt numbers and ID digits in them.
pub fn request_span(req: &Request<Body>) -> Span {
    // The balancer's and the monitor's probes (every second per replica)
    // are logged only at debug level.
    if matches!(
        req.uri().path(),
        "/livez" | "/readyz" | "/healthz" | "/metrics"
    ) {
        return tracing::debug_span!("probe", path = %req.uri().path());
    }
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

/// The end of a request, at info level; probes (their span is `probe`, off
/// below debug) say nothing.
pub fn log_response<B>(res: &axum::http::Response<B>, latency: std::time::Duration, span: &Span) {
    if span.metadata().is_some_and(|m| m.name() == "request") {
        tracing::info!(
            parent: span,
            status = res.status().as_u16(),
            latency_ms = latency.as_millis() as u64,
            "finished processing request"
        );
    }
}

/// A handler panicked: log it (without the request) and show a calm page.
pub fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    error_response()
}

/// The calm page of a failure of ours: 500, never cached.
fn error_response() -> Response {
    let mut res = Html(ERROR_PAGE).into_response();
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

const ERROR_PAGE: &str = r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>服务暂时出现问题 · Service error</title></head><body><h1>服务暂时出现问题</h1><p>很抱歉，系统处理您的请求时出错。您填写的内容不会因此丢失，请稍后重试。</p><h2 lang="en">Something went wrong</h2><p lang="en">Sorry, the service could not handle this request. Nothing you saved has been lost; please try again in a moment.</p><p><a href="/">返回首页 · Home</a></p></body></html>"#;

/// Every request runs to its end, even when the browser leaves first (a
/// second tap, a closed tab, a phone losing its signal). Dropped half-way, a
/// page's render was abandoned with its reactive values already disposed
/// while tasks it had started still ran and read them ("tried to access a
/// reactive value … already disposed", issue 16 item 18); a form post could
/// stop between two statements. So the request is handled on a task of its
/// own, and a page (HTML) is rendered to its last byte there before it is
/// answered. Other bodies (files, downloads) stream as before. A page is
/// small: the largest, a batch page, is 100 lines.
pub async fn run_to_the_end(req: Request, next: Next) -> Response {
    const PAGE_LIMIT: usize = 32 * 1024 * 1024;
    let task = tokio::spawn(async move {
        let res = next.run(req).await;
        let is_page = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        if !is_page {
            return res;
        }
        let (parts, body) = res.into_parts();
        match axum::body::to_bytes(body, PAGE_LIMIT).await {
            Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
            Err(e) => {
                tracing::error!(error = %e, "a page could not be rendered to its end");
                error_response()
            }
        }
    });
    match task.await {
        Ok(res) => res,
        Err(e) => {
            tracing::error!(error = %e, "a request's task failed");
            error_response()
        }
    }
}

/// The page a person sees when what they sent was refused at the door.
fn hidden_page(code: &str) -> String {
    let (zh, en) = if code == "too_large" {
        (
            "您提交的内容太大（超过 8 MB），请分几次提交。",
            "What you sent is too large (over 8 MB); please send it in parts.",
        )
    } else {
        (
            "您填写的文字中含有看不见的特殊字符（常见于从聊天或网页复制的文字）。请按浏览器的“返回”键回到上一页（您填写的内容仍在），删掉这些文字后重新输入，再提交。",
            "What you typed contains invisible special characters (often left by copying from a chat or a web page). Please use your browser's Back button to return (what you typed is still there), delete that text, type it again and send.",
        )
    };
    format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>无法提交 · Could not send</title></head><body><h1>无法提交</h1><p>{zh}</p><h2 lang="en">Could not send</h2><p lang="en">{en}</p><p><a href="/">返回首页 · Home</a></p></body></html>"#
    )
}

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

/// Requests carrying characters no person types — NUL, other control
/// characters, invisible direction overrides — are refused at the door
/// with 400, before any handler or database sees them: in the path and the
/// query (percent-decoded), and in form and JSON bodies (decoded). Field
/// by field checks in the domain give the friendly message for what a
/// person can type; this is the floor under every endpoint (NUL made
/// PostgreSQL fail with 500 on a dozen of them). Uploads (multipart, tus)
/// are not buffered here: their names are checked where they are read.
pub async fn refuse_hidden_characters(req: Request, next: Next) -> Response {
    use app::domain::normalize::has_hidden_chars;
    // In the errors' one shape (field, code, zh, en): the API's for its
    // clients, the pages' for their scripts.
    let api = req.uri().path().starts_with("/api/");
    // A person's browser loading a page or sending a plain form (no
    // JavaScript) is answered with a page in both languages, never with
    // JSON; the form they filled is still there behind the back button.
    let person = !req.uri().path().starts_with("/api/v1")
        && (req
            .headers()
            .get("sec-fetch-mode")
            .is_some_and(|v| v == "navigate")
            || req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("text/html")));
    let shaped = |status: StatusCode, field: &str, code: &str, zh: &str, en: &str| {
        let e = app::error::FieldError::new(field, code, zh.into(), en.into());
        if person {
            let mut res = Html(hidden_page(code)).into_response();
            *res.status_mut() = status;
            return res;
        }
        if api {
            crate::api_v1::answer(
                status,
                vec![crate::api_v1::FieldErrorOut {
                    field: Some(e.field),
                    code: e.code,
                    zh: e.zh,
                    en: e.en,
                }],
            )
        } else {
            (status, axum::Json(AppError::Validation(vec![e]))).into_response()
        }
    };
    let refuse = |field: &str| {
        shaped(
            StatusCode::BAD_REQUEST,
            field,
            "hidden_chars",
            "请求中含有不允许的字符（如 NUL、控制字符、方向控制符）。",
            "The request carries characters that are not allowed (NUL, control or direction-override characters).",
        )
    };
    let path_bad = percent_encoding::percent_decode_str(req.uri().path())
        .decode_utf8()
        .map(|p| has_hidden_chars(&p))
        .unwrap_or(true);
    let query_bad = req.uri().query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes())
            .any(|(k, v)| has_hidden_chars(&k) || has_hidden_chars(&v))
    });
    if path_bad {
        return refuse("path");
    }
    if query_bad {
        return refuse("query");
    }
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = kind.starts_with("application/x-www-form-urlencoded");
    let json = kind.starts_with("application/json");
    if !(form || json) {
        return next.run(req).await;
    }
    const MAX_BODY: u64 = 8 * 1024 * 1024;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        // Refused by its declared length, before a byte of it is read.
        return shaped(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
            "too_large",
            "请求体超过 8 MB，请分几次提交。",
            "The body is larger than 8 MB; send it in several requests.",
        );
    }
    let (parts, body) = req.into_parts();
    // Forms and JSON bodies are small; past the API's own limit (8 MB) a
    // body is refused as the handlers would refuse it.
    let bytes = match axum::body::to_bytes(body, MAX_BODY as usize).await {
        Ok(b) => b,
        Err(_) => {
            return shaped(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body",
                "too_large",
                "请求体超过 8 MB，请分几次提交。",
                "The body is larger than 8 MB; send it in several requests.",
            )
        }
    };
    // The field at fault, by its name (a form) or its path (JSON:
    // `rows[2].buyer_name`).
    let bad = if form {
        form_urlencoded::parse(&bytes)
            .find(|(k, v)| has_hidden_chars(k) || has_hidden_chars(v))
            .map(|(k, _)| {
                if has_hidden_chars(&k) {
                    String::new()
                } else {
                    k.chars().take(64).collect()
                }
            })
    } else {
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| hidden_in_json(&v, String::new()))
    };
    if let Some(field) = bad {
        return refuse(if field.is_empty() { "body" } else { &field });
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The path of the first JSON string (or key) carrying a hidden character.
fn hidden_in_json(v: &serde_json::Value, at: String) -> Option<String> {
    use app::domain::normalize::has_hidden_chars;
    match v {
        serde_json::Value::String(s) => has_hidden_chars(s).then_some(at),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, v)| hidden_in_json(v, format!("{at}[{i}]"))),
        serde_json::Value::Object(o) => o.iter().find_map(|(k, v)| {
            let here = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            if has_hidden_chars(k) {
                Some(at.clone())
            } else {
                hidden_in_json(v, here)
            }
        }),
        _ => None,
    }
}

/// A browser that follows a link to a download (a document or its preview, a
/// letter, a booking's calendar file or QR code, a spreadsheet's report) and
/// may not have it gets a page, not the JSON an API client gets: not signed
/// in → the sign-in page, which brings it back here; not found or not theirs
/// → a 404 page. Only `GET`s that ask for HTML are touched.
pub async fn pages_for_browsers(req: Request, next: Next) -> Response {
    let wants_page = req.method() == axum::http::Method::GET
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let res = next.run(req).await;
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !wants_page || !json {
        return res;
    }
    match res.status() {
        StatusCode::UNAUTHORIZED => {
            let signin = if here.starts_with("/developer/") {
                "/developer/signin"
            } else {
                "/signin"
            };
            crate::extract::see_other(&format!("{signin}?next={}", app::services::q(&here)))
        }
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => (
            StatusCode::NOT_FOUND,
            Html(
                "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>页面不存在 · 一趟办</title></head><body>\
                 <h1>页面不存在 <span lang=\"en\">/ Page not found</span></h1>\
                 <p>这个文件不存在，或您无权查看。\
                 <span lang=\"en\">This file does not exist, or it is not yours to see.</span></p>\
                 <p><a href=\"/\">返回首页 <span lang=\"en\">/ Home</span></a></p>\
                 </body></html>",
            ),
        )
            .into_response(),
        _ => res,
    }
}

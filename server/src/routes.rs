use crate::{middleware, AppState};
use app::components::elder::ELDER_COOKIE;
use app::components::language::LANG_COOKIE;
use app::{shell, App};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use serde::Deserialize;

use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The route list, generated once per process. Generating it renders the app
/// with resource loading suppressed by a process-wide flag, so a resource
/// first polled by a page rendering at that moment (another server in the
/// same process, as in the tests) would wait forever (leptos issue #4773).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(state: AppState) -> Router {
    crate::metrics::handle();
    let routes = route_list();
    let leptos = state.leptos.clone();

    // Hashed asset names (cargo-leptos `hash-files`) change with every build,
    // so they may be cached for a year; unhashed ones must be revalidated.
    let pkg_cache = if leptos.hash_files {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-cache")
    };
    let pkg_dir =
        std::path::Path::new(leptos.site_root.as_ref()).join(leptos.site_pkg_dir.as_ref());
    let pkg = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            pkg_cache,
        ))
        .service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );

    let https = state.services.policy.public_url.starts_with("https://");
    let db = state.db.clone();
    let services = state.services.clone();
    let context = move || {
        provide_context(db.clone());
        provide_context(services.clone());
    };
    let shell_options = leptos.clone();

    Router::new()
        .route("/healthz", get(healthz))
        .route("/livez", get(crate::metrics::livez))
        .route("/readyz", get(crate::metrics::readyz))
        .route("/metrics", get(crate::metrics::scrape))
        .route("/lang", get(switch_language))
        .route("/elder", get(switch_elder_mode))
        .route("/dev/outbox", get(crate::dev::outbox_page))
        .merge(
            crate::documents::routes()
                .merge(crate::letters::routes())
                .merge(crate::ecerts::routes())
                .merge(crate::register::routes())
                .merge(crate::signed_form::routes())
                .merge(crate::bookings::routes())
                .merge(crate::filings::routes::routes())
                .layer(axum::middleware::from_fn(middleware::pages_for_browsers)),
        )
        .merge(crate::stats::routes())
        .merge(crate::api_v1::routes())
        .merge(crate::payments::routes())
        .merge(crate::utilities::routes())
        .merge(crate::identity::routes())
        .nest_service(&format!("/{}", leptos.site_pkg_dir), pkg)
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .with_state(state)
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        .layer(axum::middleware::from_fn(
            middleware::refuse_hidden_characters,
        ))
        .layer(axum::middleware::from_fn(middleware::same_origin_posts))
        .layer(axum::middleware::from_fn_with_state(
            https,
            middleware::security_headers,
        ))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(middleware::request_span)
                .on_response(middleware::log_response),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::from_fn(
            middleware::timeout_except_uploads,
        ))
        .layer(axum::middleware::from_fn(middleware::run_to_the_end))
}

/// Liveness and readiness: 200 when the database answers, 503 when not.
async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.db.backend().name();
    match state.db.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "database": backend })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": backend })),
            )
                .into_response()
        }
    }
}

#[derive(Deserialize)]
struct LangQuery {
    to: Option<String>,
    next: Option<String>,
}

/// The no-JavaScript language switch: remember the choice in the same cookie
/// the i18n context uses, then go back to the page the user was on.
async fn switch_language(Query(q): Query<LangQuery>) -> Response {
    let locale = match q.to.as_deref() {
        Some("en") => "en",
        _ => "zh-CN",
    };
    let cookie = format!("{LANG_COOKIE}={locale}; Path=/; Max-Age=31536000; SameSite=Lax");
    back_with_cookie(q.next, &cookie)
}

#[derive(Deserialize)]
struct ElderQuery {
    on: Option<String>,
    next: Option<String>,
}

/// The elderly mode's switch: a cookie for a year (or cleared), then back.
async fn switch_elder_mode(Query(q): Query<ElderQuery>) -> Response {
    let cookie = match q.on.as_deref() {
        Some("1") => format!("{ELDER_COOKIE}=1; Path=/; Max-Age=31536000; SameSite=Lax"),
        _ => format!("{ELDER_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
    };
    back_with_cookie(q.next, &cookie)
}

fn back_with_cookie(next: Option<String>, cookie: &str) -> Response {
    let next = next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".into());
    let mut res = StatusCode::SEE_OTHER.into_response();
    let headers = res.headers_mut();
    if let (Ok(loc), Ok(cookie)) = (HeaderValue::from_str(&next), HeaderValue::from_str(cookie)) {
        headers.insert(header::LOCATION, loc);
        headers.insert(header::SET_COOKIE, cookie);
    } else {
        headers.insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    res
}

/// Only same-site paths: no scheme, no `//host`, no backslash tricks.
fn is_local_path(p: &str) -> bool {
    app::services::local_path(p).is_some()
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_accepted_as_redirect_targets() {
        assert!(is_local_path("/sites"));
        assert!(!is_local_path("//evil.example"));
        assert!(!is_local_path("https://evil.example"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("/a\r\nSet-Cookie: x=1"));
    }
}

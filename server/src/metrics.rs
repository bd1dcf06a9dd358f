//! What operators watch: `/metrics` in the Prometheus text format (the
//! `metrics` facade with `metrics-exporter-prometheus`), and liveness apart
//! from readiness.
//!
//! Per request: `http_requests_total{route,method,status}` and the latency
//! histogram `http_request_duration_seconds{route,method}`, labelled with
//! the route's pattern (`/applications/{id}`), never the path a client typed
//! (no personal data, bounded label sets). Read when scraped: the database
//! pool (`db_pool_connections`, `db_pool_idle`), the outbox's backlog and
//! failures, the oldest due job per queue (`job_lag_seconds{job}`: outbox,
//! previews, spreadsheet checks). Counted where they happen:
//! `upload_bytes_total`.

use crate::AppState;
use app::db::{now_ms, Db};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process's recorder, installed on first use (one per process: the
/// tests' many servers share it).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0,
            ];
            PrometheusBuilder::new()
                .set_buckets(&buckets)
                .ok()?
                .install_recorder()
                .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
                .ok()
        })
        .as_ref()
}

/// Counts and times every request by its route's pattern.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "other".to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    res
}

/// Bytes received by the upload handlers (documents, spreadsheets).
pub fn upload_bytes(kind: &'static str, n: u64) {
    metrics::counter!("upload_bytes_total", "kind" => kind).increment(n);
}

/// `GET /metrics`: the Prometheus text format.
pub async fn scrape(State(state): State<AppState>) -> Response {
    let Some(handle) = handle() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    read_gauges(&state.db).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

async fn read_gauges(db: &Db) {
    let (size, idle) = match db {
        Db::Sqlite(p) => (p.size(), p.num_idle()),
        Db::Postgres(p) => (p.size(), p.num_idle()),
    };
    metrics::gauge!("db_pool_connections").set(f64::from(size));
    metrics::gauge!("db_pool_idle").set(idle as f64);
    let up = db.ping().await.is_ok();
    metrics::gauge!("db_up").set(if up { 1.0 } else { 0.0 });
    if !up {
        return;
    }
    let now = now_ms();
    let counts: Result<Option<(i64, i64)>, _> = app::fetch_optional!(
        db,
        (i64, i64),
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT)
           FROM outbox"
    );
    if let Ok(Some((pending, failed))) = counts {
        metrics::gauge!("outbox_backlog").set(pending as f64);
        metrics::gauge!("outbox_failed").set(failed as f64);
    }
    // How long the oldest due job of each queue has waited.
    for (job, sql) in [
        (
            "outbox",
            "SELECT CAST(COALESCE(MIN(next_attempt_at), 0) AS BIGINT) FROM outbox
              WHERE status = 'pending' AND next_attempt_at <= $1",
        ),
        (
            "previews",
            "SELECT CAST(COALESCE(MIN(next_attempt_at), 0) AS BIGINT) FROM previews
              WHERE state = 'pending' AND next_attempt_at <= $1",
        ),
        (
            "filings",
            "SELECT CAST(COALESCE(MIN(created_at), 0) AS BIGINT) FROM filing_uploads
              WHERE status = 'checking' AND created_at <= $1",
        ),
    ] {
        let oldest: Result<Option<(i64,)>, _> = app::fetch_optional!(db, (i64,), sql, now);
        if let Ok(Some((oldest,))) = oldest {
            let lag = if oldest == 0 {
                0
            } else {
                (now - oldest).max(0)
            };
            metrics::gauge!("job_lag_seconds", "job" => job).set(lag as f64 / 1000.0);
        }
    }
}

/// `GET /livez`: the process answers (for restarts by the service manager).
pub async fn livez() -> Response {
    axum::Json(serde_json::json!({ "status": "alive" })).into_response()
}

/// `GET /readyz`: ready for traffic: the database answers, the data
/// directory takes a write and the document store answers (for the load
/// balancer). 503 with Retry-After
/// otherwise, naming what is missing.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let backend = state.db.backend().name();
    let database = state.db.ping().await.is_ok();
    let (disk, store) = match &state.documents {
        Some(d) => tokio::join!(d.writable(), d.store.reachable()),
        None => (true, true),
    };
    let ready = database && disk && store;
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": if database { "ok" } else { "unavailable" },
        "backend": backend,
        "data_dir": if disk { "ok" } else { "unavailable" },
        "document_store": if store { "ok" } else { "unavailable" },
    });
    if ready {
        axum::Json(body).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            axum::Json(body),
        )
            .into_response()
    }
}

//! What operators and the load need (issue 18): liveness apart from
//! readiness, `/metrics`, read paths that write nothing, rate counts shared
//! between replicas.

use crate::citizen::{call, sign_in, submit, HOLDER_A};
use crate::helpers::TestApp;
use crate::on_both_backends;
use app::rates::Counters;
use reqwest::StatusCode;

on_both_backends!(
    readiness_is_apart_from_liveness,
    metrics_in_the_prometheus_text_format,
    a_found_lookup_writes_nothing,
    replicas_share_their_rate_counts
);

async fn readiness_is_apart_from_liveness(app: &TestApp) {
    let live = app.get("/livez").await;
    assert_eq!(live.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["data_dir"], "ok");
    // The probe leaves nothing behind in the uploads directory.
    let docs = app.state.documents.as_ref().expect("documents");
    let left: Vec<_> = std::fs::read_dir(&docs.tmp_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".ready"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    app.db.close().await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.headers()["retry-after"], "5");
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "unavailable");
    // Still alive: the service manager must not restart it for that.
    assert_eq!(app.get("/livez").await.status(), StatusCode::OK);
}

async fn metrics_in_the_prometheus_text_format(app: &TestApp) {
    for _ in 0..3 {
        assert_eq!(app.get("/matters").await.status(), StatusCode::OK);
    }
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    let counted = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total{")
                && l.contains("route=\"/matters\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no counter for /matters in\n{text}"));
    let n: f64 = counted.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n >= 3.0, "{counted}");
    for name in [
        "http_request_duration_seconds_bucket{",
        "db_pool_connections ",
        "db_pool_idle ",
        "db_up 1",
        "outbox_backlog ",
        "outbox_failed ",
        "job_lag_seconds{job=\"outbox\"}",
        "job_lag_seconds{job=\"previews\"}",
        "job_lag_seconds{job=\"filings\"}",
    ] {
        assert!(text.contains(name), "{name} missing in\n{text}");
    }
    // Labels are route patterns, never what a client typed.
    let _ = app.get("/applications/13800138001-secret").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(!text.contains("13800138001"), "a typed path leaked");
}

async fn a_found_lookup_writes_nothing(app: &TestApp) {
    let citizen = sign_in(app, HOLDER_A.2).await;
    let id = submit(app, &citizen).await;
    let view: serde_json::Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let receipt = view["receipt_no"].as_str().unwrap().to_string();
    let last6 = &HOLDER_A.1[HOLDER_A.1.len() - 6..];
    let rows = || async {
        app::fetch_optional!(
            &app.db,
            (i64, i64),
            "SELECT (SELECT COUNT(*) FROM rate_hits), (SELECT COUNT(*) FROM rate_counts)"
        )
        .unwrap()
        .unwrap()
    };
    let before = rows().await;
    for _ in 0..5 {
        let res = app
            .client
            .post(app.url("/api/track"))
            .form(&[("no", receipt.as_str()), ("id", last6)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let page = app.get(&format!("/track?no={receipt}&id={last6}")).await;
        assert_eq!(page.status(), StatusCode::OK);
    }
    assert_eq!(rows().await, before, "found lookups wrote rows");
    // A wrong try is written (every replica must see guessing at once).
    let res = app
        .client
        .post(app.url("/api/track"))
        .form(&[("no", receipt.as_str()), ("id", "999999")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        rows().await.0,
        before.0 + 2,
        "a failure per receipt+address and per receipt"
    );
}

/// Two processes (two counters) on one database: what one admitted counts
/// in the other after a sync, and a restarted process keeps the count.
async fn replicas_share_their_rate_counts(app: &TestApp) {
    let (a, b) = (Counters::default(), Counters::default());
    for _ in 0..3 {
        assert_eq!(a.hit("track:ip:x", 600_000, 5), None);
    }
    a.sync(&app.db).await.unwrap();
    b.sync(&app.db).await.unwrap();
    assert_eq!(b.hit("track:ip:x", 600_000, 5), None);
    assert_eq!(b.hit("track:ip:x", 600_000, 5), None);
    let wait = b
        .hit("track:ip:x", 600_000, 5)
        .expect("the sixth is refused");
    assert!((540..=660).contains(&wait), "{wait}");
    // Another bucket is untouched.
    assert_eq!(b.hit("track:ip:y", 600_000, 5), None);
    // A new process (restart) reads both as another's: still refused.
    b.sync(&app.db).await.unwrap();
    let c = Counters::default();
    c.sync(&app.db).await.unwrap();
    assert!(c.hit("track:ip:x", 600_000, 5).is_some());
    // Syncing twice adds nothing twice.
    a.sync(&app.db).await.unwrap();
    let total: i64 = app::fetch_optional!(
        &app.db,
        (i64,),
        "SELECT CAST(SUM(hits) AS BIGINT) FROM rate_counts WHERE bucket = 'track:ip:x'"
    )
    .unwrap()
    .unwrap()
    .0;
    assert_eq!(total, 5);
}

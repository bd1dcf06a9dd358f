use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    health_check_answers_ok_and_names_the_backend,
    every_response_carries_a_request_id
);

async fn health_check_answers_ok_and_names_the_backend(app: &TestApp) {
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let expected = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
}

async fn every_response_carries_a_request_id(app: &TestApp) {
    let a = app.get("/healthz").await;
    let b = app.get("/healthz").await;
    let id_a = a
        .headers()
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .unwrap()
        .to_string();
    let id_b = b
        .headers()
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id_a.len(), 36, "a UUID: {id_a}");
    assert_ne!(id_a, id_b);
}

on_both_backends!(health_check_reports_503_when_the_database_is_gone);

async fn health_check_reports_503_when_the_database_is_gone(app: &TestApp) {
    app.db.close().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
}

//! The notifications outbox: delivery with retries and backoff, and no loss
//! when a worker dies between claiming and sending.

use crate::helpers::TestApp;
use crate::on_both_backends;
use app::domain::Lang;
use onetrip_server::outbox::{Message, Sender, Senders, WorkerSettings};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A sender that fails its first `failures` calls, then succeeds; it keeps
/// what it delivered.
struct FlakySender {
    failures: usize,
    calls: AtomicUsize,
    delivered: Mutex<Vec<Message>>,
}

#[async_trait::async_trait]
impl Sender for FlakySender {
    fn name(&self) -> &'static str {
        "flaky"
    }
    async fn send(&self, m: &Message) -> Result<(), String> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n < self.failures {
            return Err(format!("gateway unavailable ({})", n + 1));
        }
        self.delivered.lock().unwrap().push(m.clone());
        Ok(())
    }
}

fn settings() -> WorkerSettings {
    WorkerSettings {
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        max_attempts: 5,
        lease: Duration::from_millis(300),
        poll: Duration::from_millis(10),
        merge_window: Duration::ZERO,
    }
}

async fn enqueue(app: &TestApp, to: &str) -> String {
    let mut tx = app.db.begin_write().await.unwrap();
    let id = app::db::enqueue(
        &mut tx,
        app::db::Channel::Sms,
        to,
        "signin_code",
        &serde_json::json!({ "code": "424242" }),
        Lang::Zh,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn a_sender_that_fails_twice_then_succeeds(app: &TestApp) {
    let flaky = Arc::new(FlakySender {
        failures: 2,
        calls: AtomicUsize::new(0),
        delivered: Mutex::new(Vec::new()),
    });
    let senders = Senders {
        sms: flaky.clone(),
        email: flaky.clone(),
    };
    app.stop_worker().await;
    let worker = app.state.worker(senders, settings());
    let id = enqueue(app, "13800138000").await;
    // Pass 1 fails, pass 2 (after the backoff) fails, pass 3 succeeds.
    let mut passes = 0;
    loop {
        worker.deliver_due().await.unwrap();
        let row = app::db::message(&app.db, &id).await.unwrap().unwrap();
        if row.status != "pending" {
            break;
        }
        passes += 1;
        assert!(passes < 200, "not delivered: {row:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let row = app::db::message(&app.db, &id).await.unwrap().unwrap();
    assert_eq!(row.status, "sent");
    assert_eq!(row.attempts, 3);
    assert_eq!(row.sender.as_deref(), Some("flaky"));
    assert_eq!(
        flaky.calls.load(Ordering::SeqCst),
        3,
        "two failures, one success"
    );
    assert!(row.last_error.is_none());
    assert!(row.sent_at.is_some());
    let delivered = flaky.delivered.lock().unwrap();
    assert_eq!(delivered.len(), 1);
    assert!(delivered[0].text.contains("424242"));
    assert_eq!(
        delivered[0].id, id,
        "the id is stable across retries (gateways de-duplicate on it)"
    );
}

async fn backoff_grows_and_failures_are_recorded(app: &TestApp) {
    let worker = app.state.worker(Senders::log(), settings());
    assert_eq!(worker.backoff(1), Duration::from_millis(20));
    assert_eq!(worker.backoff(2), Duration::from_millis(40));
    assert_eq!(worker.backoff(3), Duration::from_millis(80));
    assert_eq!(worker.backoff(10), Duration::from_millis(200), "capped");
    // A sender that never succeeds: the message ends as failed after max_attempts.
    let never = Arc::new(FlakySender {
        failures: usize::MAX,
        calls: AtomicUsize::new(0),
        delivered: Mutex::new(vec![]),
    });
    app.stop_worker().await;
    let worker = app.state.worker(
        Senders {
            sms: never.clone(),
            email: never.clone(),
        },
        settings(),
    );
    let id = enqueue(app, "13800138000").await;
    for _ in 0..200 {
        worker.deliver_due().await.unwrap();
        let row = app::db::message(&app.db, &id).await.unwrap().unwrap();
        if row.status != "pending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    let row = app::db::message(&app.db, &id).await.unwrap().unwrap();
    assert_eq!(row.status, "failed", "given up after max_attempts");
    assert_eq!(row.attempts, 5);
    assert_eq!(never.calls.load(Ordering::SeqCst), 5);
    let err = row.last_error.unwrap();
    assert!(err.contains("gateway unavailable"));
    assert!(
        !err.contains("13800138000"),
        "no recipient in the recorded error"
    );
}

async fn a_message_claimed_by_a_dead_worker_is_delivered_later(app: &TestApp) {
    let id = enqueue(app, "13800138000").await;
    // A worker claims the message and dies before sending: the lease holds it.
    let row = app::db::due_messages(&app.db, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id == id);
    if let Some(row) = row {
        assert!(app::db::claim(&app.db, &row, 200).await.unwrap());
        let after = app::db::message(&app.db, &id).await.unwrap().unwrap();
        assert_eq!(after.status, "pending", "claimed, not lost");
    }
    // The app's own worker picks it up once the lease runs out.
    for _ in 0..100 {
        let row = app::db::message(&app.db, &id).await.unwrap().unwrap();
        if row.status == "sent" {
            assert!(row.attempts >= 1);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the message was never delivered");
}

async fn sign_in_codes_are_delivered_and_listed_for_testers(app: &TestApp) {
    let res = app
        .server_fn("auth/request_code", &[("mobile", "13800138011")])
        .await;
    assert_eq!(res.status(), 200);
    for _ in 0..100 {
        let rows = app::db::recent_messages(&app.db, 10).await.unwrap();
        if rows.iter().any(|r| {
            r.recipient == "13800138011" && r.status == "sent" && r.sender.as_deref() == Some("log")
        }) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rows = app::db::recent_messages(&app.db, 10).await.unwrap();
    assert!(
        rows.iter()
            .any(|r| r.recipient == "13800138011" && r.status == "sent"),
        "delivered by the worker"
    );
    // The development page is off unless configured.
    assert_eq!(app.get("/dev/outbox").await.status(), 404);
}

async fn put(app: &TestApp, to: &str, template: &str, params: serde_json::Value) -> String {
    let mut tx = app.db.begin_write().await.unwrap();
    let id = app::db::enqueue(
        &mut tx,
        app::db::Channel::Sms,
        to,
        template,
        &params,
        Lang::Zh,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A person is not texted three times in a minute: the steps of their case
/// wait for the window and go as one text; a sign-in code goes at once, and
/// another person's text is not mixed in.
async fn texts_to_one_person_within_the_window_go_as_one(app: &TestApp) {
    let kept = Arc::new(FlakySender {
        failures: 0,
        calls: AtomicUsize::new(0),
        delivered: Mutex::new(Vec::new()),
    });
    app.stop_worker().await;
    let worker = app.state.worker(
        Senders {
            sms: kept.clone(),
            email: kept.clone(),
        },
        WorkerSettings {
            merge_window: Duration::from_millis(600),
            ..settings()
        },
    );
    let me = "13800138077";
    let a = put(
        app,
        me,
        "receipt",
        serde_json::json!({ "receipt": "R-1", "matter_zh": "转移登记" }),
    )
    .await;
    let code = enqueue(app, me).await;
    let b = put(
        app,
        me,
        "withdrawn",
        serde_json::json!({ "receipt": "R-1" }),
    )
    .await;
    let other = put(
        app,
        "13800138078",
        "withdrawn",
        serde_json::json!({ "receipt": "R-2" }),
    )
    .await;
    worker.deliver_due().await.unwrap();
    {
        let sent = kept.delivered.lock().unwrap();
        assert_eq!(sent.len(), 1, "only the code goes at once: {sent:?}");
        assert!(sent[0].text.contains("424242"));
    }
    for id in [&a, &b, &other] {
        let row = app::db::message(&app.db, id).await.unwrap().unwrap();
        assert_eq!((row.status.as_str(), row.attempts), ("pending", 0), "held");
    }
    // A third step arrives while the first waits; then the window closes.
    let c = put(
        app,
        me,
        "objection_filer",
        serde_json::json!({ "receipt": "R-1" }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    worker.deliver_due().await.unwrap();
    let sent = kept.delivered.lock().unwrap().clone();
    let mine: Vec<_> = sent.iter().filter(|m| m.recipient == me).collect();
    assert_eq!(
        mine.len(),
        2,
        "the code, then one text for three steps: {mine:?}"
    );
    let merged = &mine[1].text;
    assert_eq!(mine[1].template, "merged");
    assert_eq!(merged.matches("【一趟办】").count(), 1, "{merged}");
    for part in ["R-1", "已撤回", "异议", "已提交"] {
        assert!(merged.contains(part), "{part} in {merged}");
    }
    assert_eq!(
        sent.iter().filter(|m| m.recipient == "13800138078").count(),
        1
    );
    for id in [&a, &b, &c, &code, &other] {
        let row = app::db::message(&app.db, id).await.unwrap().unwrap();
        assert_eq!(row.status, "sent", "every row is marked sent");
    }
}

on_both_backends!(
    texts_to_one_person_within_the_window_go_as_one,
    a_sender_that_fails_twice_then_succeeds,
    backoff_grows_and_failures_are_recorded,
    a_message_claimed_by_a_dead_worker_is_delivered_later,
    sign_in_codes_are_delivered_and_listed_for_testers,
);

/// The webhook sender against a real HTTP endpoint: JSON body, idempotency
/// key and bearer token; a 5xx answer is a failure to retry.
mod webhook {
    use onetrip_server::outbox::{Message, Sender, WebhookSender};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<(String, String, serde_json::Value)>>>);

    async fn gateway(fail: bool) -> (String, Seen) {
        let seen = Seen::default();
        let s = seen.clone();
        let app = axum::Router::new().route(
            "/sms",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::Json<serde_json::Value>| {
                    let s = s.clone();
                    async move {
                        let h = |n: &str| {
                            headers
                                .get(n)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_string()
                        };
                        s.0.lock().unwrap().push((
                            h("idempotency-key"),
                            h("authorization"),
                            body.0,
                        ));
                        if fail {
                            axum::http::StatusCode::SERVICE_UNAVAILABLE
                        } else {
                            axum::http::StatusCode::ACCEPTED
                        }
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/sms", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, seen)
    }

    fn message() -> Message {
        Message {
            id: "m-1".into(),
            channel: "sms".into(),
            recipient: "13800138000".into(),
            template: "signin_code".into(),
            params: serde_json::json!({ "code": "123456" }),
            subject: "s".into(),
            text: "您的登录验证码是 123456".into(),
        }
    }

    #[tokio::test]
    async fn posts_json_with_idempotency_key_and_token() {
        let (url, seen) = gateway(false).await;
        let sender = WebhookSender::new(url, Some("secret-token".into())).unwrap();
        sender.send(&message()).await.expect("delivered");
        let seen = seen.0.lock().unwrap();
        assert_eq!(seen.len(), 1);
        let (key, auth, body) = &seen[0];
        assert_eq!(key, "m-1");
        assert_eq!(auth, "Bearer secret-token");
        assert_eq!(body["to"], "13800138000");
        assert_eq!(body["params"]["code"], "123456");
        assert!(body["text"].as_str().unwrap().contains("123456"));
    }

    #[tokio::test]
    async fn a_gateway_error_is_a_failure_without_personal_data() {
        let (url, _seen) = gateway(true).await;
        let sender = WebhookSender::new(url, None).unwrap();
        let err = sender.send(&message()).await.expect_err("503 is a failure");
        assert_eq!(err, "webhook: HTTP 503");
        let sender = WebhookSender::new("http://127.0.0.1:9/none".into(), None).unwrap();
        let err = sender.send(&message()).await.expect_err("refused");
        assert!(
            err.starts_with("webhook:") && !err.contains("13800138000"),
            "{err}"
        );
    }
}

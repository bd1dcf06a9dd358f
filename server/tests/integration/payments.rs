//! Fees paid online, through HTTP on both backends, against the development
//! payment gateway running as its own process (`onetrip
//! dev-payment-gateway`): the clerk opens the order, the applicant pays at
//! the gateway's cashier, the signed callback moves the case to 已缴费;
//! forged, stale, replayed and wrong-amount callbacks change nothing; a
//! withdrawn or refused paid case is refunded by the payments worker; a
//! lost callback is found by the worker and by reconciliation; the tax
//! authority's signed word shows on the case.

use crate::citizen::call;
use crate::helpers::{Backend, TestApp, TestFuture};
use crate::workbench::{act, case, signed_in, staff, submitted, take, Staff};
use onetrip_server::identity::Identity;
use onetrip_server::payments::{sign, PaymentJob, Payments};
use onetrip_server::utilities::{Utilities, UtilityJob};
use reqwest::StatusCode;
use serde_json::Value;

const PAY_SECRET: &str = "integration-test-payment-secret";
const TAX_SECRET: &str = "integration-test-tax-secret-key";

/// The development gateway process, stopped when dropped.
pub struct Gateway {
    pub url: String,
    child: std::process::Child,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn dev_gateway() -> Gateway {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_onetrip"))
        .arg("dev-payment-gateway")
        .env("ONETRIP_DEVPAY_ADDR", format!("127.0.0.1:{port}"))
        .env("ONETRIP_PAY_SECRET", PAY_SECRET)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the development gateway");
    let gw = Gateway {
        url: format!("http://127.0.0.1:{port}"),
        child,
    };
    for _ in 0..100 {
        if reqwest::get(format!("{}/healthz", gw.url))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return gw;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the development gateway did not start");
}

async fn run_paying<F>(backend: Backend, test: F)
where
    F: for<'a> FnOnce(&'a TestApp, &'a Gateway) -> TestFuture<'a>,
{
    use futures::FutureExt;
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let gw = dev_gateway().await;
    let url = gw.url.clone();
    let Some(app) = TestApp::spawn_hooked(backend, Default::default(), move |state, base| {
        // The development providers' process also plays the utilities.
        let utilities = ["water", "power", "gas", "broadband"]
            .iter()
            .map(|u| (u.to_string(), format!("{url}/utilities/{u}")))
            .collect();
        state
            .with_payments(Payments::http(&url, PAY_SECRET.into(), base).unwrap())
            .with_tax_secret(TAX_SECRET.into())
            .with_utilities(Utilities::new(utilities, PAY_SECRET.into(), base))
            .with_identity(Identity::http(&url, PAY_SECRET.into(), base).unwrap())
    })
    .await
    else {
        return;
    };
    let result = std::panic::AssertUnwindSafe(test(&app, &gw))
        .catch_unwind()
        .await;
    app.cleanup().await;
    drop(gw);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

macro_rules! paying {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::run_paying(crate::helpers::Backend::Sqlite, |app, gw| {
                        Box::pin(async move { super::$name(app, gw).await })
                    })
                    .await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::run_paying(crate::helpers::Backend::Postgres, |app, gw| {
                        Box::pin(async move { super::$name(app, gw).await })
                    })
                    .await;
                }
            }
        )*
    };
}

paying!(
    paid_at_the_cashier_the_case_moves_to_fees_paid,
    forged_stale_replayed_and_wrong_callbacks_change_nothing,
    a_withdrawn_paid_case_is_refunded,
    a_refused_paid_case_is_refunded_and_a_cancelled_order_paid_late_too,
    a_lost_callback_is_found_by_the_worker_and_reconciliation,
    the_tax_authority_confirms_with_a_signed_message,
    after_issue_the_certificate_is_posted_and_the_utilities_move,
    a_zero_trip_confirmation_is_a_verified_signature,
);

/// A submitted case moved by a supervisor through `moves`; (citizen cookie,
/// case id, supervisor).
async fn case_at(app: &TestApp, moves: &[&str]) -> (String, String, Staff) {
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    let sup = signed_in(app, "sup").await;
    let (cookie, id) = submitted(app).await;
    assert_eq!(take(app, &sup, &id).await, StatusCode::OK);
    let mut version = case(app, &sup, &id).await["version"].as_i64().unwrap();
    for action in moves {
        let res = act(app, &sup, &id, version, action, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        version = res.json().await.unwrap();
    }
    // A move back to the clerks' desk released it: the supervisor goes on.
    if case(app, &sup, &id).await["assignee"].is_null() {
        assert_eq!(take(app, &sup, &id).await, StatusCode::OK);
    }
    (cookie, id, sup)
}

/// What a residential case owes under the seeded fee items, in fen.
fn due_fen(c: &Value) -> i64 {
    c["matter"]["fees"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["item"] == "residential")
        .map(|l| l["amount_fen"].as_i64().unwrap())
        .sum()
}

async fn open_order(app: &TestApp, s: &Staff, id: &str) -> reqwest::Response {
    call(
        app,
        &s.cookie,
        "cases/payment_order",
        &[
            ("id", id),
            ("csrf", &s.csrf),
            ("f[fee_use]", "residential"),
            ("f[fee_certs]", "1"),
        ],
    )
    .await
}

async fn order_id(app: &TestApp, s: &Staff, id: &str) -> String {
    let res = open_order(app, s, id).await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Follow the pay link as a browser would: our /pay sends on to the
/// gateway's cashier; pressing a channel's button pays and comes back.
async fn pay_at_cashier(app: &TestApp, order: &str, channel: &str) -> String {
    let res = app.get(&format!("/pay/{order}")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "/pay sends on");
    let cashier = res.headers()["location"].to_str().unwrap().to_string();
    let page = reqwest::get(&cashier).await.unwrap().text().await.unwrap();
    let total = order_row(app, order).await.total_fen;
    let shown = format!("¥{}", app::domain::fees::yuan(total));
    assert!(page.contains(&shown) && page.contains("微信支付"), "{page}");
    let back = app
        .client
        .post(&cashier)
        .form(&[("channel", channel)])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    back.headers()["location"].to_str().unwrap().to_string()
}

async fn order_row(app: &TestApp, order: &str) -> app::db::payments::OrderRow {
    app::db::payments::order(&app.db, order)
        .await
        .unwrap()
        .expect("order")
}

async fn texts_to_filer(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> = app::fetch_all!(
        &app.db,
        (String,),
        "SELECT template FROM outbox WHERE recipient = $1 ORDER BY created_at",
        crate::citizen::HOLDER_A.2
    )
    .unwrap();
    rows.into_iter().map(|(t,)| t).collect()
}

async fn fee_rows(app: &TestApp, id: &str) -> Vec<(String, i64)> {
    app::fetch_all!(
        &app.db,
        (String, i64),
        "SELECT method, total_fen FROM fee_payments WHERE application_id = $1",
        id
    )
    .unwrap()
}

fn job(app: &TestApp, gw: &Gateway, recheck_ms: u64) -> PaymentJob {
    PaymentJob {
        db: app.db.clone(),
        payments: Payments::http(&gw.url, PAY_SECRET.into(), &app.base).unwrap(),
        wake: app.state.services.outbox_wake.clone(),
        every: std::time::Duration::from_millis(100),
        recheck: std::time::Duration::from_millis(recheck_ms),
    }
}

async fn callback(app: &TestApp, secret: &str, at: i64, body: &Value) -> (StatusCode, Value) {
    let body = serde_json::to_vec(body).unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/payments/notify"))
        .header("content-type", "application/json")
        .header(
            sign::HEADER,
            sign::header_value(secret.as_bytes(), at, &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn paid_at_the_cashier_the_case_moves_to_fees_paid(app: &TestApp, _gw: &Gateway) {
    let moves = ["pre_accept", "accept", "advance", "advance", "advance"];
    let (citizen, id, sup) = case_at(app, &moves).await;
    assert_eq!(case(app, &sup, &id).await["stage"], "certificate");
    let order = order_id(app, &sup, &id).await;
    assert_eq!(order.len(), 32, "an unguessable id");
    // A second order for the same case is refused.
    let again = open_order(app, &sup, &id).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // The clerk cannot mark it paid on anyone's word while it is open.
    let c = case(app, &sup, &id).await;
    let due = due_fen(&c);
    assert!(due > 0);
    assert_eq!(c["payment"]["status"], "open");
    assert_eq!(c["payment"]["total"], app::domain::fees::yuan(due));
    let v = c["version"].as_i64().unwrap();
    let res = act(app, &sup, &id, v, "advance", &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "unpaid");
    // The applicant sees what is due, the link and the QR code.
    let view: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["payment"]["status"], "open");
    assert_eq!(view["payment"]["pay_href"], format!("/pay/{order}"));
    assert!(view["payment"]["qr_svg"]
        .as_str()
        .unwrap()
        .starts_with("<?xml"));
    assert!(texts_to_filer(app)
        .await
        .contains(&"payment_due".to_string()));

    let back = pay_at_cashier(app, &order, "wechat").await;
    assert!(
        back.ends_with(&format!("/applications/{id}#payment")),
        "{back}"
    );
    // The callback came before the browser was sent back.
    let row = order_row(app, &order).await;
    assert_eq!(row.status, "paid");
    assert_eq!(row.channel, "wechat");
    assert!(row.txn_id.as_deref().unwrap().starts_with("DEV"));
    let c = case(app, &sup, &id).await;
    assert_eq!(c["stage"], "fee_paid", "moved on by the payment");
    assert_eq!(fee_rows(app, &id).await, vec![("wechat".to_string(), due)]);
    let view: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["payment"]["status"], "paid");
    assert_eq!(view["payment"]["qr_svg"], "", "no code to pay twice");
    assert!(view["payment"]["paid_at"].is_string());
    let texts = texts_to_filer(app).await;
    assert!(texts.contains(&"payment_received".to_string()), "{texts:?}");
    // Paying again at the same link is refused by the case page (paid).
    let res = app.get(&format!("/pay/{order}")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/applications/"));
    // An unknown order is not found; a hostile one neither.
    assert_eq!(
        app.get("/pay/00000000000000000000000000000000")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/pay/..%2F..%2Fetc").await.status(),
        StatusCode::NOT_FOUND
    );
    // The audit names the channel as the one who moved the case.
    let audit = app::db::audit_rows(&app.db).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.actor == "payment-gateway" && a.action == "advance"));
}

async fn forged_stale_replayed_and_wrong_callbacks_change_nothing(app: &TestApp, _gw: &Gateway) {
    let moves = ["pre_accept", "accept", "advance", "advance", "advance"];
    let (_citizen, id, sup) = case_at(app, &moves).await;
    let order = order_id(app, &sup, &id).await;
    let due = due_fen(&case(app, &sup, &id).await);
    let now = sign::now_secs();
    let paid = |event: &str, amount: i64, txn: &str| {
        serde_json::json!({
            "event_id": event, "type": "payment.succeeded", "order_id": order,
            "amount_fen": amount, "txn_id": txn, "channel": "alipay"
        })
    };
    // Forged: another secret.
    let (s, _) = callback(app, "not-the-shared-secret", now, &paid("e1", due, "T1")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // No signature at all.
    let res = app
        .client
        .post(app.url("/api/v1/payments/notify"))
        .json(&paid("e1", due, "T1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Replayed from ten minutes ago (a signature captured then).
    let (s, _) = callback(app, PAY_SECRET, now - 600, &paid("e1", due, "T1")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Signed, but for less than is due.
    let (s, b) = callback(app, PAY_SECRET, now, &paid("e1", 1, "T1")).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("amount_mismatch"))
    );
    // An order nobody opened.
    let (s, _) = callback(
        app,
        PAY_SECRET,
        now,
        &serde_json::json!({"event_id": "e0", "type": "payment.succeeded",
            "order_id": "ffffffffffffffffffffffffffffffff", "amount_fen": 8000,
            "txn_id": "T0", "channel": "alipay"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Junk, signed.
    let (s, _) = callback(app, PAY_SECRET, now, &serde_json::json!({"x": 1})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(order_row(app, &order).await.status, "open");
    assert!(fee_rows(app, &id).await.is_empty());

    // The real one, then the same event again, then the same payment under
    // a new event id, in parallel: recorded once.
    let (s, b) = callback(app, PAY_SECRET, now, &paid("e1", due, "T1")).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::OK, Some("recorded")));
    let mut replays = Vec::new();
    for i in 0..10 {
        let ev = if i % 2 == 0 {
            "e1".to_string()
        } else {
            format!("e1-{i}")
        };
        let body = paid(&ev, due, "T1");
        replays.push(async move { callback(app, PAY_SECRET, now, &body).await });
    }
    for (s, b) in futures::future::join_all(replays).await {
        assert_eq!((s, b["code"].as_str()), (StatusCode::OK, Some("duplicate")));
    }
    // Another transaction for an order already paid is a conflict.
    let (s, _) = callback(app, PAY_SECRET, now, &paid("e2", due, "T2")).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let row = order_row(app, &order).await;
    assert_eq!(
        (row.status.as_str(), row.txn_id.as_deref()),
        ("paid", Some("T1"))
    );
    assert_eq!(fee_rows(app, &id).await, vec![("alipay".to_string(), due)]);
    let received = texts_to_filer(app)
        .await
        .into_iter()
        .filter(|t| t == "payment_received")
        .count();
    assert_eq!(received, 1, "told once");
    assert_eq!(case(app, &sup, &id).await["stage"], "fee_paid");
}

async fn a_withdrawn_paid_case_is_refunded(app: &TestApp, gw: &Gateway) {
    // Paid while the case is in acceptance; withdrawn before 登簿.
    let (citizen, id, sup) = case_at(app, &["pre_accept", "accept"]).await;
    let order = order_id(app, &sup, &id).await;
    pay_at_cashier(app, &order, "unionpay").await;
    assert_eq!(order_row(app, &order).await.status, "paid");
    assert_eq!(
        case(app, &sup, &id).await["stage"],
        "accepted",
        "waits for its stages"
    );
    // Someone else cannot withdraw it.
    let other = crate::citizen::sign_in(app, crate::citizen::OTHER_MOBILE).await;
    let other_csrf = crate::citizen::csrf(app, &other).await;
    let res = call(
        app,
        &other,
        "applications/withdraw",
        &[("id", &id), ("csrf", &other_csrf)],
    )
    .await;
    assert_ne!(res.status(), StatusCode::OK);
    let csrf = crate::citizen::csrf(app, &citizen).await;
    let res = call(
        app,
        &citizen,
        "applications/withdraw",
        &[("id", &id), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(order_row(app, &order).await.status, "refunding");
    let payments = Payments::http(&gw.url, PAY_SECRET.into(), &app.base).unwrap();
    assert_eq!(payments.gateway.query(&order).await.unwrap().status, "paid");
    // The worker asks the gateway; asking twice refunds once.
    assert_eq!(job(app, gw, 60_000).tick().await.unwrap(), 1);
    assert_eq!(job(app, gw, 60_000).tick().await.unwrap(), 0);
    let row = order_row(app, &order).await;
    assert_eq!(row.status, "refunded");
    assert!(row.refund_txn.as_deref().unwrap().starts_with("DEVREFUND"));
    let g = payments.gateway.query(&order).await.unwrap();
    assert_eq!(g.status, "refunded");
    assert!(texts_to_filer(app)
        .await
        .contains(&"payment_refunded".to_string()));
    let view: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["payment"]["status"], "refunded");
    let kinds: Vec<&str> = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"paid_online") && kinds.contains(&"refunded"),
        "{kinds:?}"
    );
    // OneTrip and the gateway agree.
    assert!(onetrip_server::payments::reconcile(&app.db, &payments, 0)
        .await
        .unwrap()
        .is_empty());
}

async fn a_refused_paid_case_is_refunded_and_a_cancelled_order_paid_late_too(
    app: &TestApp,
    gw: &Gateway,
) {
    let (citizen, id, sup) = case_at(app, &["pre_accept", "accept"]).await;
    let order = order_id(app, &sup, &id).await;
    pay_at_cashier(app, &order, "alipay").await;
    let v = case(app, &sup, &id).await["version"].as_i64().unwrap();
    let res = act(app, &sup, &id, v, "advance", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    // In review the case left the clerks' desk: the supervisor takes it.
    assert_eq!(take(app, &sup, &id).await, StatusCode::OK);
    let v = case(app, &sup, &id).await["version"].as_i64().unwrap();
    // Refused in review (不予登记), with a reason.
    let res = act(
        app,
        &sup,
        &id,
        v,
        "reject",
        &[("reason", "权属来源材料不能证明申请人享有该权利")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(case(app, &sup, &id).await["stage"], "rejected");
    assert!(texts_to_filer(app)
        .await
        .contains(&"case_event".to_string()));
    assert_eq!(order_row(app, &order).await.status, "refunding");
    job(app, gw, 60_000).tick().await.unwrap();
    assert_eq!(order_row(app, &order).await.status, "refunded");

    // Another case: the clerk cancels the unpaid order, but the applicant
    // had the cashier open and pays anyway: the money goes back.
    let (_c2, id2, sup2) = {
        let sup = signed_in(app, "sup").await;
        let cookie = citizen.clone();
        let id = crate::citizen::submit(app, &cookie).await;
        assert_eq!(take(app, &sup, &id).await, StatusCode::OK);
        let mut v = case(app, &sup, &id).await["version"].as_i64().unwrap();
        for a in ["pre_accept", "accept"] {
            let res = act(app, &sup, &id, v, a, &[]).await;
            assert_eq!(res.status(), StatusCode::OK, "{a}");
            v = res.json().await.unwrap();
        }
        (cookie, id, sup)
    };
    let order2 = order_id(app, &sup2, &id2).await;
    let cashier = app.get(&format!("/pay/{order2}")).await.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    let res = call(
        app,
        &sup2.cookie,
        "cases/payment_cancel",
        &[("id", &id2), ("csrf", &sup2.csrf), ("order", &order2)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(order_row(app, &order2).await.status, "cancelled");
    // Cancelling twice: not open any more.
    let res = call(
        app,
        &sup2.cookie,
        "cases/payment_cancel",
        &[("id", &id2), ("csrf", &sup2.csrf), ("order", &order2)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    app.client
        .post(&cashier)
        .form(&[("channel", "wechat")])
        .send()
        .await
        .unwrap();
    assert_eq!(order_row(app, &order2).await.status, "refunding");
    job(app, gw, 60_000).tick().await.unwrap();
    assert_eq!(order_row(app, &order2).await.status, "refunded");
    // A new order can be opened for the case after the cancelled one.
    assert_eq!(open_order(app, &sup2, &id2).await.status(), StatusCode::OK);
}

async fn a_lost_callback_is_found_by_the_worker_and_reconciliation(app: &TestApp, gw: &Gateway) {
    let moves = ["pre_accept", "accept", "advance", "advance", "advance"];
    let (_citizen, id, sup) = case_at(app, &moves).await;
    let order = order_id(app, &sup, &id).await;
    // The payer reaches the cashier; the gateway takes the money but its
    // callback never arrives.
    assert_eq!(
        app.get(&format!("/pay/{order}")).await.status(),
        StatusCode::SEE_OTHER
    );
    let res = reqwest::Client::new()
        .post(format!("{}/dev/pay-without-callback/{order}", gw.url))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let payments = Payments::http(&gw.url, PAY_SECRET.into(), &app.base).unwrap();
    let found = onetrip_server::payments::reconcile(&app.db, &payments, 0)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].order_id, order);
    assert_eq!(
        (found[0].onetrip.as_str(), found[0].gateway.as_str()),
        ("open", "paid")
    );
    // An order recently heard of is not asked about yet; one quiet for
    // longer than `recheck` is.
    assert_eq!(job(app, gw, 3_600_000).tick().await.unwrap(), 0);
    assert_eq!(order_row(app, &order).await.status, "open");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(job(app, gw, 1).tick().await.unwrap(), 1);
    assert_eq!(order_row(app, &order).await.status, "paid");
    assert_eq!(case(app, &sup, &id).await["stage"], "fee_paid");
    assert!(onetrip_server::payments::reconcile(&app.db, &payments, 0)
        .await
        .unwrap()
        .is_empty());
}

async fn the_tax_authority_confirms_with_a_signed_message(app: &TestApp, _gw: &Gateway) {
    let (citizen, id, _sup) = case_at(app, &["pre_accept", "accept"]).await;
    let receipt = app::db::application_row(&app.db, &id)
        .await
        .unwrap()
        .unwrap()
        .receipt_no
        .unwrap();
    let post = |secret: &'static str, body: Value| async move {
        let body = serde_json::to_vec(&body).unwrap();
        app.client
            .post(app.url("/api/v1/hooks/tax"))
            .header(
                sign::HEADER,
                sign::header_value(secret.as_bytes(), sign::now_secs(), &body),
            )
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
    };
    let ok =
        serde_json::json!({"receipt_no": receipt, "status": "paid", "reference": "税票 3302-0001"});
    assert_eq!(
        post("forged-secret-forged-secret", ok.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(
            TAX_SECRET,
            serde_json::json!({"receipt_no": "nope", "status": "paid"})
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(
            TAX_SECRET,
            serde_json::json!({"receipt_no": receipt, "status": "whatever"})
        )
        .await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(post(TAX_SECRET, ok).await, StatusCode::OK);
    let view: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let tax = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "tax")
        .expect("the tax event");
    assert_eq!(tax["note"], "税务部门已确认完税");
}

/// Every text to the filer, rendered as sent.
async fn texts(app: &TestApp, template: &str) -> Vec<String> {
    app::db::recent_messages_to(&app.db, crate::citizen::HOLDER_A.2, 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.template == template)
        .map(|m| app::domain::notify::render(&m.template, &m.params(), m.lang()).unwrap())
        .collect()
}

async fn after_issue_the_certificate_is_posted_and_the_utilities_move(
    app: &TestApp,
    _gw: &Gateway,
) {
    let (citizen, id, sup) = case_at(app, &["pre_accept", "accept"]).await;
    let choose = |fields: Vec<(&'static str, &'static str)>| {
        let citizen = citizen.clone();
        let id = id.clone();
        async move {
            let token = crate::citizen::csrf(app, &citizen).await;
            let mut form = vec![("id", id.as_str()), ("csrf", token.as_str())];
            form.extend(fields);
            call(app, &citizen, "applications/delivery", &form).await
        }
    };
    // Post, with a bad address first; a stranger cannot choose for them.
    let bad = choose(vec![
        ("method", "post"),
        ("recipient", "张三"),
        ("mobile", "13800138001"),
        ("address", "短"),
    ])
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let good = vec![
        ("method", "post"),
        ("recipient", "张三"),
        ("mobile", "138 0013 8001"),
        ("address", "明州市鄞州区天童南路 1 号 3 幢 201 室"),
    ];
    assert_eq!(choose(good.clone()).await.status(), StatusCode::OK);
    let stranger = crate::citizen::sign_in(app, crate::citizen::OTHER_MOBILE).await;
    let token = crate::citizen::csrf(app, &stranger).await;
    let res = call(
        app,
        &stranger,
        "applications/delivery",
        &[("id", &id), ("csrf", &token), ("method", "window")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["delivery"]["method"], "post");
    assert_eq!(v["delivery"]["mobile"], "13800138001");
    // Not before issue: the clerk cannot record a posting yet.
    let post = |no: &'static str| {
        let sup = &sup;
        let id = id.clone();
        async move {
            call(
                app,
                &sup.cookie,
                "cases/delivery",
                &[
                    ("id", &id),
                    ("csrf", &sup.csrf),
                    ("op", "post"),
                    ("tracking_no", no),
                ],
            )
            .await
            .status()
        }
    };
    assert_eq!(post("EA123456789CN").await, StatusCode::CONFLICT);
    // Issue it (the window takes the fee).
    let mut v = case(app, &sup, &id).await["version"].as_i64().unwrap();
    for a in ["advance", "advance", "advance", "advance", "advance"] {
        let res = act(app, &sup, &id, v, a, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{a}");
        v = res.json().await.unwrap();
    }
    assert_eq!(case(app, &sup, &id).await["stage"], "issued");
    let issued = texts(app, "case_event").await;
    assert!(issued.iter().any(|t| t.contains("EMS")), "{issued:?}");
    // Too late to change the collection now.
    assert_eq!(
        choose(vec![("method", "window")]).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(post("not a number").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(post("ea 123456789 cn").await, StatusCode::OK);
    assert_eq!(
        post("EA123456789CN").await,
        StatusCode::CONFLICT,
        "posted once"
    );
    let posted = texts(app, "certificate_posted").await;
    assert!(posted[0].contains("EA123456789CN"), "{posted:?}");
    let v: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["delivery"]["status"], "posted");
    assert!(v["delivery"]["tracking_url"]
        .as_str()
        .unwrap()
        .contains("EA123456789CN"));
    let delivered = || async {
        call(
            app,
            &sup.cookie,
            "cases/delivery",
            &[("id", &id), ("csrf", &sup.csrf), ("op", "delivered")],
        )
        .await
        .status()
    };
    assert_eq!(delivered().await, StatusCode::OK);
    assert_eq!(delivered().await, StatusCode::CONFLICT);
    assert_eq!(texts(app, "certificate_delivered").await.len(), 1);

    // 登记+X: the new owner moves water and gas in one step.
    let ask = |fields: Vec<(&'static str, &'static str)>| {
        let citizen = citizen.clone();
        let id = id.clone();
        async move {
            let token = crate::citizen::csrf(app, &citizen).await;
            let mut form = vec![("id", id.as_str()), ("csrf", token.as_str())];
            form.extend(fields);
            call(app, &citizen, "applications/utilities", &form).await
        }
    };
    assert_eq!(ask(vec![]).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        ask(vec![
            ("f[util-water]", "1"),
            ("f[account-water]", "<script>")
        ])
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = ask(vec![
        ("f[util-water]", "1"),
        ("f[account-water]", "ab-1203"),
        ("f[util-gas]", "1"),
    ])
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<usize>().await.unwrap(), 2);
    // Asked already: not again.
    let res = ask(vec![("f[util-water]", "1")]).await;
    assert_eq!(res.json::<usize>().await.unwrap(), 0);
    let v: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = v["utilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["queued", "queued"]);
    // The worker sends them; each utility accepts, then reports done.
    let job = UtilityJob {
        db: app.db.clone(),
        utilities: app.state.utilities.clone().unwrap(),
        every: std::time::Duration::from_millis(100),
    };
    assert_eq!(job.tick(&reqwest::Client::new()).await.unwrap(), 2);
    let mut done = 0;
    for _ in 0..50 {
        let rows = app::db::aftercare::utilities(&app.db, &id).await.unwrap();
        done = rows.iter().filter(|r| r.status == "done").count();
        if done == 2 {
            assert!(rows.iter().all(|r| r.reference.starts_with("DEV-")));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(done, 2, "both utilities answered");
    assert_eq!(texts(app, "utility_answered").await.len(), 2);
    // A forged answer is refused; a second answer changes nothing.
    let body = serde_json::json!({"request_id": "x", "utility": "water", "status": "rejected"});
    let raw = serde_json::to_vec(&body).unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/hooks/utility"))
        .header(
            sign::HEADER,
            sign::header_value(b"forged-secret-forged", sign::now_secs(), &raw),
        )
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn a_zero_trip_confirmation_is_a_verified_signature(app: &TestApp, _gw: &Gateway) {
    use crate::citizen::{csrf, sign_in, HOLDER_B, OTHER_MOBILE};
    // This centre confirms the matter online only with face verification.
    app::execute!(
        &app.db,
        "UPDATE matters SET identity_level = 2 WHERE code = 'TRANSFER-WITH-MORTGAGE'",
    )
    .unwrap();
    app.state.services.catalogue.invalidate();
    let (_filer, id) = crate::workbench::submitted(app).await;
    let buyer = sign_in(app, HOLDER_B.2).await;
    let v: Value = call(app, &buyer, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let part = &v["my_part"];
    assert_eq!(part["identity_level"], 2);
    let idx = part["unverified"][0].as_i64().expect("not verified yet");
    let hash = part["hash"].as_str().unwrap().to_string();
    let confirm = || async {
        let token = csrf(app, &buyer).await;
        call(
            app,
            &buyer,
            "applications/confirm",
            &[
                ("id", &id),
                ("csrf", &token),
                ("hash", &hash),
                ("decision", "confirm"),
            ],
        )
        .await
    };
    // Not before the identity check.
    let res = confirm().await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("identity_required"));
    // The check: started by the party, led to the service, failed once,
    // then passed.
    let start = || async {
        let token = csrf(app, &buyer).await;
        let res = call(
            app,
            &buyer,
            "applications/identity",
            &[("id", &id), ("csrf", &token), ("party", &idx.to_string())],
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<String>().await.unwrap()
    };
    // Someone else cannot start one for this party.
    let stranger = sign_in(app, OTHER_MOBILE).await;
    let token = csrf(app, &stranger).await;
    let res = call(
        app,
        &stranger,
        "applications/identity",
        &[("id", &id), ("csrf", &token), ("party", &idx.to_string())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let through = |check: String, result: &'static str| {
        let buyer = buyer.clone();
        let stranger = stranger.clone();
        async move {
            // Only the citizen who started it is sent on.
            let res = app
                .get_with_cookie(&format!("/identity/{check}"), &stranger)
                .await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
            let res = app
                .get_with_cookie(&format!("/identity/{check}"), &buyer)
                .await;
            // A page that moves on to the service by itself (a form's
            // redirect to another site would be refused by form-action).
            assert_eq!(res.status(), StatusCode::OK);
            let moving = res.text().await.unwrap();
            let page = moving
                .split("url=")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .expect("moves on to the service")
                .replace("&amp;", "&");
            let html = reqwest::get(&page).await.unwrap().text().await.unwrap();
            assert!(
                html.contains("人脸识别") && !html.contains(crate::citizen::HOLDER_B.1),
                "ID masked: {html}"
            );
            let back = app
                .client
                .post(&page)
                .form(&[("result", result)])
                .send()
                .await
                .unwrap();
            assert_eq!(back.status(), StatusCode::SEE_OTHER);
        }
    };
    through(start().await, "failed").await;
    assert_eq!(confirm().await.status(), StatusCode::CONFLICT);
    through(start().await, "passed").await;
    assert_eq!(confirm().await.status(), StatusCode::OK);
    // The confirmation is a signature: the form's hash, the identity, how.
    let row: (String, i64, String, Option<String>) = app::fetch_optional!(
        &app.db,
        (String, i64, String, Option<String>),
        "SELECT content_hash, identity_level, identity_method, identity_check FROM party_confirmations
          WHERE application_id = $1 AND party_idx = $2 AND kind = 'confirmed'",
        &id,
        idx
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (row.0.as_str(), row.1, row.2.as_str()),
        (hash.as_str(), 2, "face")
    );
    assert!(row.3.is_some());
    // The signed form lists the signature, sealed by the centre: it checks
    // with the published key, and fails with one character changed.
    let res = app
        .get_with_cookie(&format!("/applications/{id}/signed-form.json"), &buyer)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let signed: Value = res.json().await.unwrap();
    let statement = signed["statement"].as_str().unwrap();
    let form: Value = serde_json::from_str(statement).unwrap();
    let me = form["signers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == crate::citizen::HOLDER_B.0)
        .expect("the buyer signed");
    assert_eq!(
        (me["identity_level"].as_i64(), me["counts"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(form["form_sha256"], hash);
    let key: Value = app.get("/verify/key.json").await.json().await.unwrap();
    let public = key["public_key"].as_str().or(key["key"].as_str()).unwrap();
    let sig = signed["signature"].as_str().unwrap();
    assert!(app::ops::seal::verify_with_public(
        public,
        statement.as_bytes(),
        sig
    ));
    assert!(!app::ops::seal::verify_with_public(
        public,
        statement
            .replace(crate::citizen::HOLDER_B.0, "王二")
            .as_bytes(),
        sig
    ));
    let pdf = app
        .get_with_cookie(&format!("/applications/{id}/signed-form"), &buyer)
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    assert_eq!(
        app.get_with_cookie(&format!("/applications/{id}/signed-form.json"), &stranger)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // A changed application: the signature no longer counts.
    app::execute!(
        &app.db,
        "UPDATE party_confirmations SET content_hash = 'an-older-version' WHERE application_id = $1 AND party_idx = $2",
        &id,
        idx
    )
    .unwrap();
    let signed: Value = app
        .get_with_cookie(&format!("/applications/{id}/signed-form.json"), &buyer)
        .await
        .json()
        .await
        .unwrap();
    let form: Value = serde_json::from_str(signed["statement"].as_str().unwrap()).unwrap();
    let me = form["signers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == crate::citizen::HOLDER_B.0)
        .unwrap();
    assert_eq!(me["counts"], false);
    let v: Value = call(app, &buyer, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["my_part"]["standing"], "outdated", "asked to sign again");
    // A forged answer from "the identity service" is refused.
    let body = serde_json::to_vec(&serde_json::json!({"verification_id": "x", "result": "passed", "level": 2, "method": "face"})).unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/hooks/identity"))
        .header(
            sign::HEADER,
            sign::header_value(b"forged-forged-forged", sign::now_secs(), &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

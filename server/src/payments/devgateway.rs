//! `onetrip dev-payment-gateway`: a development payment channel that speaks
//! OneTrip's payment contract, as its own process, for tests and
//! demonstrations. It keeps orders in memory, shows a cashier page with
//! WeChat / Alipay / UnionPay buttons (no money moves), signs every answer
//! and sends signed callbacks (retried until OneTrip answers 2xx).
//! Never a production channel: it pays whatever it is asked to.
//!
//! Settings: `ONETRIP_DEVPAY_ADDR` (default `127.0.0.1:3200`),
//! `ONETRIP_PAY_SECRET` (the same as the server's), `ONETRIP_DEVPAY_URL`
//! (its own address as browsers reach it; default `http://<addr>`).

#![allow(clippy::result_large_err)]

use super::gateway::{
    Callback, Created, GatewayOrder, ListAnswer, ListRequest, OrderRequest, QueryRequest,
    RefundRequest, Refunded,
};
use super::sign;
use axum::body::Bytes;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
struct DevOrder {
    req: OrderRequest,
    status: String,
    txn_id: Option<String>,
    channel: Option<String>,
    refund_txn: Option<String>,
    refund_id: Option<String>,
    created: i64,
}

impl DevOrder {
    fn public(&self) -> GatewayOrder {
        GatewayOrder {
            order_id: self.req.order_id.clone(),
            status: self.status.clone(),
            amount_fen: self.req.amount_fen,
            txn_id: self.txn_id.clone(),
            channel: self.channel.clone(),
            refund_txn: self.refund_txn.clone(),
        }
    }
}

#[derive(Clone)]
pub struct DevGateway {
    orders: Arc<Mutex<HashMap<String, DevOrder>>>,
    verifications: Arc<Mutex<HashMap<String, crate::identity::VerifyRequest>>>,
    secret: Arc<Vec<u8>>,
    base: String,
    client: reqwest::Client,
}

impl DevGateway {
    pub fn new(secret: Vec<u8>, base: &str) -> Self {
        DevGateway {
            orders: Arc::default(),
            verifications: Arc::default(),
            secret: Arc::new(secret),
            base: base.trim_end_matches('/').to_string(),
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("http client"),
        }
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route("/v1/orders", post(create))
            .route("/v1/orders/query", post(query))
            .route("/v1/orders/refund", post(refund))
            .route("/v1/orders/list", post(list))
            .route("/cashier/{id}", get(cashier).post(pay))
            .route("/dev/pay-without-callback/{id}", post(pay_silently))
            // 登记+X: a development utility (water, power, gas, broadband)
            // that accepts each request and reports it done a moment later.
            .route("/utilities/{utility}", post(utility_request))
            // Identity: a development real-name and face check whose page
            // has two buttons, passed and failed.
            .route("/v1/verifications", post(identity_start))
            .route("/identity/{id}", get(identity_page).post(identity_done))
            .with_state(self)
    }

    fn orders(&self) -> std::sync::MutexGuard<'_, HashMap<String, DevOrder>> {
        self.orders.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn signed<T: serde::Serialize>(&self, v: &T) -> Response {
        let body = serde_json::to_vec(v).unwrap_or_default();
        let sig = sign::header_value(&self.secret, sign::now_secs(), &body);
        (
            StatusCode::OK,
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/json".to_string(),
                ),
                (axum::http::HeaderName::from_static(sign::HEADER), sig),
            ],
            body,
        )
            .into_response()
    }

    fn check<T: serde::de::DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<T, Response> {
        let sig = headers.get(sign::HEADER).and_then(|v| v.to_str().ok());
        sign::verify(&self.secret, sig, body, sign::now_secs())
            .map_err(|_| (StatusCode::UNAUTHORIZED, "bad signature").into_response())?;
        serde_json::from_slice(body)
            .map_err(|_| (StatusCode::BAD_REQUEST, "malformed").into_response())
    }

    /// Send a callback until OneTrip answers 2xx (a few quick tries inline,
    /// the rest in the background). True when delivered inline.
    async fn deliver(&self, url: String, cb: Callback) -> bool {
        for attempt in 0..3u32 {
            if self.send_once(&url, &cb).await {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await;
        }
        let me = self.clone();
        tokio::spawn(async move {
            for attempt in 0..12u32 {
                tokio::time::sleep(std::time::Duration::from_secs(1 << attempt.min(6))).await;
                if me.send_once(&url, &cb).await {
                    return;
                }
            }
            eprintln!("dev gateway: gave up delivering {}", cb.event_id);
        });
        false
    }

    async fn send_once(&self, url: &str, cb: &Callback) -> bool {
        let body = serde_json::to_vec(cb).unwrap_or_default();
        let sig = sign::header_value(&self.secret, sign::now_secs(), &body);
        matches!(
            self.client
                .post(url)
                .header("content-type", "application/json")
                .header(sign::HEADER, sig)
                .body(body)
                .send()
                .await,
            Ok(r) if r.status().is_success()
        )
    }
}

async fn create(State(g): State<DevGateway>, headers: HeaderMap, body: Bytes) -> Response {
    let req: OrderRequest = match g.check(&headers, &body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if req.amount_fen <= 0 || req.order_id.is_empty() {
        return (StatusCode::BAD_REQUEST, "amount").into_response();
    }
    {
        let mut orders = g.orders();
        if let Some(o) = orders.get(&req.order_id) {
            if o.req.amount_fen != req.amount_fen {
                return (StatusCode::CONFLICT, "the order exists with another amount")
                    .into_response();
            }
        } else {
            orders.insert(
                req.order_id.clone(),
                DevOrder {
                    req: req.clone(),
                    status: "unpaid".into(),
                    txn_id: None,
                    channel: None,
                    refund_txn: None,
                    refund_id: None,
                    created: sign::now_secs(),
                },
            );
        }
    }
    g.signed(&Created {
        pay_url: format!("{}/cashier/{}", g.base, req.order_id),
    })
}

async fn query(State(g): State<DevGateway>, headers: HeaderMap, body: Bytes) -> Response {
    let req: QueryRequest = match g.check(&headers, &body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let found = g.orders().get(&req.order_id).map(DevOrder::public);
    match found {
        Some(o) => g.signed(&o),
        None => (StatusCode::NOT_FOUND, "unknown order").into_response(),
    }
}

async fn list(State(g): State<DevGateway>, headers: HeaderMap, body: Bytes) -> Response {
    let req: ListRequest = match g.check(&headers, &body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let orders = g
        .orders()
        .values()
        .filter(|o| o.created >= req.since)
        .map(DevOrder::public)
        .collect();
    g.signed(&ListAnswer { orders })
}

async fn refund(State(g): State<DevGateway>, headers: HeaderMap, body: Bytes) -> Response {
    let req: RefundRequest = match g.check(&headers, &body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let answer = {
        let mut orders = g.orders();
        let Some(o) = orders.get_mut(&req.order_id) else {
            return (StatusCode::NOT_FOUND, "unknown order").into_response();
        };
        match o.status.as_str() {
            "refunded" if o.refund_id.as_deref() == Some(req.refund_id.as_str()) => Refunded {
                status: "refunded".into(),
                refund_txn: o.refund_txn.clone(),
            },
            "paid" if req.amount_fen == o.req.amount_fen => {
                o.status = "refunded".into();
                o.refund_id = Some(req.refund_id.clone());
                o.refund_txn = Some(format!("DEVREFUND{}", uuid::Uuid::new_v4().simple()));
                Refunded {
                    status: "refunded".into(),
                    refund_txn: o.refund_txn.clone(),
                }
            }
            _ => return (StatusCode::CONFLICT, "not refundable").into_response(),
        }
    };
    g.signed(&answer)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn cashier(State(g): State<DevGateway>, Path(id): Path<String>) -> Response {
    let Some(o) = g.orders().get(&id).cloned() else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>没有这个订单 · Unknown order</h1>".to_string()),
        )
            .into_response();
    };
    let amount = app::domain::fees::yuan(o.req.amount_fen);
    let body = if o.status != "unpaid" {
        format!(
            "<p>该订单已支付。This order is paid.</p><p><a href=\"{}\">返回 · Back</a></p>",
            escape(&o.req.return_url)
        )
    } else {
        let buttons: String = [
            ("wechat", "微信支付 WeChat Pay"),
            ("alipay", "支付宝 Alipay"),
            ("unionpay", "云闪付 UnionPay"),
        ]
        .iter()
        .map(|(c, label)| {
            format!(
                "<form method=\"post\"><input type=\"hidden\" name=\"channel\" value=\"{c}\"><button type=\"submit\" style=\"width:100%;min-height:52px;font-size:1.15rem;margin:.4rem 0\">{label}</button></form>"
            )
        })
        .collect();
        format!(
            "<p>{subject}</p><p style=\"font-size:2rem;margin:.5rem 0\"><strong>¥{amount}</strong></p>{buttons}<p><a href=\"{back}\">不付了，返回 · Back without paying</a></p>",
            subject = escape(&o.req.subject),
            back = escape(&o.req.return_url),
        )
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>开发用收银台 · Development cashier</title></head><body><main style=\"max-width:30rem;margin:1rem auto;padding:0 1rem;font-family:sans-serif\"><h1>开发用收银台</h1><p style=\"background:#fff3cd;padding:.5rem\">仅供开发测试，不会真实扣款。Development only: no money moves.</p>{body}</main></body></html>"
    ))
    .into_response()
}

#[derive(serde::Deserialize)]
struct PayForm {
    channel: String,
}

fn mark_paid(g: &DevGateway, id: &str, channel: &str) -> Option<DevOrder> {
    let mut orders = g.orders();
    let o = orders.get_mut(id)?;
    if o.status == "unpaid" {
        o.status = "paid".into();
        o.channel = Some(channel.to_string());
        o.txn_id = Some(format!("DEV{}", uuid::Uuid::new_v4().simple()));
    }
    Some(o.clone())
}

async fn pay(
    State(g): State<DevGateway>,
    Path(id): Path<String>,
    Form(f): Form<PayForm>,
) -> Response {
    if !matches!(f.channel.as_str(), "wechat" | "alipay" | "unionpay") {
        return (StatusCode::BAD_REQUEST, "channel").into_response();
    }
    let Some(o) = mark_paid(&g, &id, &f.channel) else {
        return (StatusCode::NOT_FOUND, "unknown order").into_response();
    };
    let cb = Callback {
        event_id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
        kind: "payment.succeeded".into(),
        order_id: id.clone(),
        amount_fen: o.req.amount_fen,
        txn_id: o.txn_id.clone(),
        channel: o.channel.clone(),
        refund_txn: None,
    };
    g.deliver(o.req.notify_url.clone(), cb).await;
    Redirect::to(&o.req.return_url).into_response()
}

/// A payment whose callback is lost (for testing the worker and
/// reconciliation).
async fn pay_silently(State(g): State<DevGateway>, Path(id): Path<String>) -> Response {
    match mark_paid(&g, &id, "alipay") {
        Some(o) => axum::Json(o.public()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Serve the development gateway from the environment until stopped.
pub async fn serve_from_env() -> Result<(), String> {
    let addr = std::env::var("ONETRIP_DEVPAY_ADDR").unwrap_or_else(|_| "127.0.0.1:3200".into());
    let secret = std::env::var("ONETRIP_PAY_SECRET")
        .map_err(|_| "ONETRIP_PAY_SECRET is required (the same secret as the server's)")?;
    let base = std::env::var("ONETRIP_DEVPAY_URL").unwrap_or_else(|_| format!("http://{addr}"));
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on ONETRIP_DEVPAY_ADDR {addr}: {e}"))?;
    eprintln!("development payment gateway (no money moves) on http://{addr}");
    let app = DevGateway::new(secret.into_bytes(), &base).router();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

/// A development utility: checks the signature, answers `accepted` with a
/// reference, and half a second later calls back `done` (signed).
async fn utility_request(
    State(g): State<DevGateway>,
    Path(utility): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req: crate::utilities::UtilityRequest = match g.check(&headers, &body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if req.utility != utility {
        return (StatusCode::BAD_REQUEST, "utility").into_response();
    }
    let reference = format!(
        "DEV-{}-{}",
        utility.to_uppercase(),
        &req.request_id[..8.min(req.request_id.len())]
    );
    let me = g.clone();
    let answer = crate::utilities::UtilityAnswer {
        request_id: req.request_id.clone(),
        utility: utility.clone(),
        status: "done".into(),
        reference: reference.clone(),
        note: String::new(),
    };
    let url = req.callback_url.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let body = serde_json::to_vec(&answer).unwrap_or_default();
        for attempt in 0..8u32 {
            let sig = sign::header_value(&me.secret, sign::now_secs(), &body);
            let ok = matches!(
                me.client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header(sign::HEADER, sig)
                    .body(body.clone())
                    .send()
                    .await,
                Ok(r) if r.status().is_success()
            );
            if ok {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500 << attempt)).await;
        }
    });
    axum::Json(serde_json::json!({ "status": "accepted", "reference": reference })).into_response()
}

async fn identity_start(State(g): State<DevGateway>, headers: HeaderMap, body: Bytes) -> Response {
    let req: crate::identity::VerifyRequest = match g.check(&headers, &body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let url = format!("{}/identity/{}", g.base, req.verification_id);
    g.verifications
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(req.verification_id.clone(), req);
    g.signed(&crate::identity::VerifyStarted { verify_url: url })
}

fn mask(s: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_start || i + keep_end >= chars.len() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

async fn identity_page(State(g): State<DevGateway>, Path(id): Path<String>) -> Response {
    let Some(r) = g
        .verifications
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .cloned()
    else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>没有这项核验 · Unknown</h1>".to_string()),
        )
            .into_response();
    };
    let what = if r.level >= 2 {
        "人脸识别"
    } else {
        "实名核验"
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>开发用实名核验 · Development identity check</title></head><body><main style=\"max-width:30rem;margin:1rem auto;padding:0 1rem;font-family:sans-serif\"><h1>开发用实名核验</h1><p style=\"background:#fff3cd;padding:.5rem\">仅供开发测试：不采集人脸，按下按钮即得到结果。Development only.</p><p>{what}：{name}（{idn}）</p><form method=\"post\"><input type=\"hidden\" name=\"result\" value=\"passed\"><button type=\"submit\" style=\"width:100%;min-height:52px;font-size:1.15rem;margin:.4rem 0\">模拟核验通过 Pass</button></form><form method=\"post\"><input type=\"hidden\" name=\"result\" value=\"failed\"><button type=\"submit\" style=\"width:100%;min-height:52px;font-size:1.15rem;margin:.4rem 0\">模拟核验不通过 Fail</button></form></main></body></html>",
        name = escape(&mask(&r.name, 1, 0)),
        idn = escape(&mask(&r.id_number, 4, 4)),
    ))
    .into_response()
}

#[derive(serde::Deserialize)]
struct IdentityForm {
    result: String,
}

async fn identity_done(
    State(g): State<DevGateway>,
    Path(id): Path<String>,
    Form(f): Form<IdentityForm>,
) -> Response {
    let Some(r) = g
        .verifications
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let passed = f.result == "passed";
    let answer = crate::identity::VerifyAnswer {
        verification_id: r.verification_id.clone(),
        result: if passed { "passed" } else { "failed" }.into(),
        level: if passed { r.level } else { 0 },
        method: if r.level >= 2 { "face" } else { "real_name" }.into(),
        reference: format!("DEVID{}", uuid::Uuid::new_v4().simple()),
    };
    let body = serde_json::to_vec(&answer).unwrap_or_default();
    for attempt in 0..3u32 {
        let sig = sign::header_value(&g.secret, sign::now_secs(), &body);
        let ok = matches!(
            g.client
                .post(&r.notify_url)
                .header("content-type", "application/json")
                .header(sign::HEADER, sig)
                .body(body.clone())
                .send()
                .await,
            Ok(res) if res.status().is_success()
        );
        if ok {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await;
    }
    Redirect::to(&r.return_url).into_response()
}

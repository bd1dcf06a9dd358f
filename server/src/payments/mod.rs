//! Fees paid online, and the tax authority's confirmations:
//! - `GET /pay/{order}`: the case page's pay button and QR code lead here;
//!   the order is placed with the payment channel (idempotent) and the
//!   payer sent on to its cashier.
//! - `POST /api/v1/payments/notify`: the channel's signed callbacks
//!   (payment or refund succeeded), checked, recorded once each.
//! - `POST /api/v1/hooks/tax`: the tax authority's signed confirmation
//!   that a case's taxes are paid (OneTrip computes no tax).
//! - [`PaymentJob`]: asks the channel for refunds of withdrawn or refused
//!   cases, and about open orders whose callback may have been lost.
//! - [`reconcile`]: the orders OneTrip and the channel disagree on.

pub mod devgateway;
pub mod gateway;
pub mod sign;

use crate::AppState;
use app::db::payments::{Paid, Settled, ONLINE_CHANNELS};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gateway::{Callback, GatewayError, OrderRequest, PaymentGateway, RefundRequest};
use std::sync::Arc;

/// The configured payment channel and the secret its messages are signed with.
#[derive(Clone, Debug)]
pub struct Payments {
    pub gateway: Arc<dyn PaymentGateway>,
    secret: Arc<Vec<u8>>,
    /// Our address as the channel and the payer's browser reach it.
    pub public_url: String,
}

impl Payments {
    pub fn new(gateway: Arc<dyn PaymentGateway>, secret: Vec<u8>, public_url: &str) -> Self {
        Payments {
            gateway,
            secret: Arc::new(secret),
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }

    /// The HTTP channel at `url` (OneTrip's payment contract).
    pub fn http(url: &str, secret: Vec<u8>, public_url: &str) -> Result<Self, String> {
        let g = gateway::HttpGateway::new(url, secret.clone())?;
        Ok(Self::new(Arc::new(g), secret, public_url))
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pay/{order}", get(pay))
        .route("/api/v1/payments/notify", post(notify))
        .route("/api/v1/hooks/tax", post(tax_hook))
}

fn plain(status: StatusCode, zh: &str, en: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>在线缴费 · Pay online</title></head><body><main style=\"max-width:36rem;margin:2rem auto;padding:0 1rem;font-size:1.125rem;line-height:1.6\"><h1>在线缴费 · Pay online</h1><p>{zh}</p><p lang=\"en\">{en}</p><p><a href=\"/applications\">返回我的申请 · My applications</a></p></main></body></html>"
    );
    let mut res = (status, Html(body)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    }
    res
}

/// `GET /pay/{order}`: place the order with the channel and send the payer
/// to its cashier. Anyone holding the link may pay (as with any payment
/// code); the order id is unguessable and the page shows only the amount.
async fn pay(State(st): State<AppState>, Path(order): Path<String>) -> Response {
    let Some(p) = st.payments.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if order.len() > 64 || !order.chars().all(|c| c.is_ascii_alphanumeric()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let row = match app::db::payments::order(&st.db, &order).await {
        Ok(Some(r)) => r,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "pay: read order");
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "系统繁忙，请稍后再试。",
                "The service is busy; try again shortly.",
            );
        }
    };
    let case_page = format!("/applications/{}#payment", row.application_id);
    if row.status != "open" {
        return Redirect::to(&case_page).into_response();
    }
    let receipt = app::db::case_row(&st.db, &row.application_id)
        .await
        .ok()
        .flatten()
        .and_then(|c| c.receipt_no)
        .unwrap_or_default();
    let req = OrderRequest {
        order_id: row.id.clone(),
        amount_fen: row.total_fen,
        subject: format!("不动产登记费 {receipt}"),
        notify_url: format!("{}/api/v1/payments/notify", p.public_url),
        return_url: format!("{}{case_page}", p.public_url),
    };
    match p.gateway.create(&req).await {
        Ok(c) if c.pay_url.starts_with("https://") || c.pay_url.starts_with("http://") => {
            Redirect::to(&c.pay_url).into_response()
        }
        Ok(_) => {
            tracing::error!("pay: the channel's cashier address is not a web address");
            plain(
                StatusCode::BAD_GATEWAY,
                "支付平台返回异常，请稍后再试或到窗口缴费。",
                "The payment channel answered wrongly; try again later or pay at the window.",
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "pay: the payment channel refused or is away");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "支付平台暂时无法连接，请稍后再试；缴费单仍然有效。",
                "The payment channel cannot be reached now; try again later. The order stays valid.",
            )
        }
    }
}

fn answer(status: StatusCode, code: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "ok": status.is_success(), "code": code })),
    )
        .into_response()
}

/// `POST /api/v1/payments/notify`: the channel's signed callback.
/// 200 when recorded (or already recorded: the channel may stop sending),
/// 401 for a bad or stale signature, 400 for an unreadable one, 404 for an
/// unknown order, 409 when the amount or transaction does not match.
async fn notify(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(p) = st.payments.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let sig = headers.get(sign::HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = sign::verify(&p.secret, sig, &body, sign::now_secs()) {
        tracing::warn!(reason = %e, "payment callback refused");
        return answer(StatusCode::UNAUTHORIZED, "signature");
    }
    let Ok(cb) = serde_json::from_slice::<Callback>(&body) else {
        return answer(StatusCode::BAD_REQUEST, "malformed");
    };
    if cb.event_id.is_empty() || cb.event_id.len() > 100 || cb.order_id.len() > 64 {
        return answer(StatusCode::BAD_REQUEST, "malformed");
    }
    let settled = match cb.kind.as_str() {
        "payment.succeeded" => {
            let channel = cb.channel.as_deref().unwrap_or_default();
            let txn = cb.txn_id.as_deref().unwrap_or_default();
            if !ONLINE_CHANNELS.contains(&channel) || txn.is_empty() || txn.len() > 100 {
                return answer(StatusCode::BAD_REQUEST, "malformed");
            }
            app::db::payments::settle_paid(
                &st.db,
                &Paid {
                    event_id: Some(&cb.event_id),
                    order_id: &cb.order_id,
                    amount_fen: cb.amount_fen,
                    channel,
                    txn_id: txn,
                },
            )
            .await
        }
        "refund.succeeded" => {
            app::db::payments::settle_refunded(
                &st.db,
                Some(&cb.event_id),
                &cb.order_id,
                cb.refund_txn.as_deref().unwrap_or_default(),
            )
            .await
        }
        _ => return answer(StatusCode::BAD_REQUEST, "unknown_type"),
    };
    let settled = match settled {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "payment callback: database");
            let mut r = answer(StatusCode::SERVICE_UNAVAILABLE, "retry");
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return r;
        }
    };
    after_settled(&st, &settled).await;
    match settled {
        Settled::Paid(_) | Settled::RefundQueued(_) => answer(StatusCode::OK, "recorded"),
        Settled::Duplicate => answer(StatusCode::OK, "duplicate"),
        Settled::Unknown => answer(StatusCode::NOT_FOUND, "unknown_order"),
        Settled::AmountMismatch => answer(StatusCode::CONFLICT, "amount_mismatch"),
        Settled::Conflict => answer(StatusCode::CONFLICT, "conflict"),
    }
}

/// After a payment is recorded: move the case on if it waits for its fee,
/// and wake the outbox for the texts.
async fn after_settled(st: &AppState, s: &Settled) {
    if let Settled::Paid(app_id) = s {
        if let Err(e) = app::ops::payments::advance_if_waiting(&st.db, app_id).await {
            tracing::warn!(error = %e, "payment: could not move the case on (its clerk will)");
        }
    }
    st.services.outbox_wake.notify_one();
}

/// The tax authority's confirmation (`POST /api/v1/hooks/tax`), signed like
/// the payment callbacks with `ONETRIP_TAX_SECRET`: `{receipt_no, status:
/// "paid" | "exempt" | "pending", reference}`.
#[derive(Debug, serde::Deserialize)]
struct TaxNotice {
    receipt_no: String,
    status: String,
    #[serde(default)]
    reference: String,
}

async fn tax_hook(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = st.tax_secret.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let sig = headers.get(sign::HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = sign::verify(&secret, sig, &body, sign::now_secs()) {
        tracing::warn!(reason = %e, "tax confirmation refused");
        return answer(StatusCode::UNAUTHORIZED, "signature");
    }
    let Ok(n) = serde_json::from_slice::<TaxNotice>(&body) else {
        return answer(StatusCode::BAD_REQUEST, "malformed");
    };
    if !matches!(n.status.as_str(), "paid" | "exempt" | "pending")
        || n.reference.chars().count() > 64
        || n.receipt_no.len() > 40
    {
        return answer(StatusCode::BAD_REQUEST, "malformed");
    }
    match app::db::payments::record_tax(&st.db, &n.receipt_no, &n.status, &n.reference).await {
        Ok(true) => answer(StatusCode::OK, "recorded"),
        Ok(false) => answer(StatusCode::NOT_FOUND, "unknown_case"),
        Err(e) => {
            tracing::error!(error = %e, "tax confirmation: database");
            answer(StatusCode::SERVICE_UNAVAILABLE, "retry")
        }
    }
}

/// The payments worker: refunds due, and open orders whose callback may
/// have been lost (asked about every `recheck`).
pub struct PaymentJob {
    pub db: app::db::Db,
    pub payments: Payments,
    pub wake: Arc<tokio::sync::Notify>,
    pub every: std::time::Duration,
    pub recheck: std::time::Duration,
}

impl PaymentJob {
    pub async fn run(self) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "payments worker");
            }
            tokio::time::sleep(self.every).await;
        }
    }

    /// One round; returns how many orders changed.
    pub async fn tick(&self) -> Result<usize, sqlx::Error> {
        let now = app::db::now_ms();
        let mut changed = 0;
        for o in app::db::payments::due_refunds(&self.db, now, 20).await? {
            let r = RefundRequest {
                order_id: o.id.clone(),
                refund_id: format!("{}r", o.id),
                amount_fen: o.total_fen,
                reason: o.refund_reason.clone(),
            };
            match self.payments.gateway.refund(&r).await {
                Ok(done) if done.status == "refunded" => {
                    let txn = done.refund_txn.unwrap_or_default();
                    app::db::payments::settle_refunded(&self.db, None, &o.id, &txn).await?;
                    changed += 1;
                }
                Ok(_) => {
                    // Pending: the channel's callback will say when; ask again later.
                    let next = now + 60_000;
                    app::db::payments::refund_failed(&self.db, &o.id, "pending", next).await?;
                }
                Err(e) => {
                    let wait = 5_000i64 << o.attempts.clamp(0, 10);
                    let next = now + wait.min(3_600_000);
                    app::db::payments::refund_failed(&self.db, &o.id, &e.to_string(), next).await?;
                }
            }
        }
        let before = now - self.recheck.as_millis() as i64;
        for o in app::db::payments::open_since(&self.db, before, 20).await? {
            match self.payments.gateway.query(&o.id).await {
                Ok(g) if g.status != "unpaid" => {
                    let s = settle_from_gateway(&self.db, &o.id, &g).await?;
                    if let Settled::Paid(app_id) = &s {
                        app::ops::payments::advance_if_waiting(&self.db, app_id).await?;
                        changed += 1;
                    }
                }
                Ok(_) | Err(GatewayError::UnknownOrder) => {
                    app::db::payments::touch(&self.db, &o.id).await?
                }
                Err(e) => {
                    tracing::warn!(error = %e, "payments worker: could not ask about an open order");
                    app::db::payments::touch(&self.db, &o.id).await?
                }
            }
        }
        if changed > 0 {
            self.wake.notify_one();
        }
        Ok(changed)
    }
}

/// Record a payment the channel reports when asked (its callback lost).
async fn settle_from_gateway(
    db: &app::db::Db,
    order_id: &str,
    g: &gateway::GatewayOrder,
) -> Result<Settled, sqlx::Error> {
    let channel = g.channel.as_deref().unwrap_or_default();
    let txn = g.txn_id.as_deref().unwrap_or_default();
    if !ONLINE_CHANNELS.contains(&channel) || txn.is_empty() {
        return Ok(Settled::Conflict);
    }
    app::db::payments::settle_paid(
        db,
        &Paid {
            event_id: None,
            order_id,
            amount_fen: g.amount_fen,
            channel,
            txn_id: txn,
        },
    )
    .await
}

/// One disagreement between OneTrip and the channel.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Disagreement {
    pub order_id: String,
    pub onetrip: String,
    pub gateway: String,
    pub what: &'static str,
}

/// Every order created since `since_ms` compared with the channel's
/// record, and the channel's orders OneTrip does not know.
pub async fn reconcile(
    db: &app::db::Db,
    payments: &Payments,
    since_ms: i64,
) -> Result<Vec<Disagreement>, String> {
    let mut ours = app::db::payments::created_since(db, since_ms)
        .await
        .map_err(|e| e.to_string())?;
    let theirs = payments
        .gateway
        .list(since_ms / 1000)
        .await
        .map_err(|e| e.to_string())?;
    // The channel dates an order from the payer's first visit, which may be
    // days after OneTrip opened it: look those up one by one.
    for g in &theirs {
        if !ours.iter().any(|o| o.id == g.order_id) {
            if let Some(o) = app::db::payments::order(db, &g.order_id)
                .await
                .map_err(|e| e.to_string())?
            {
                ours.push(o);
            }
        }
    }
    let mut out = Vec::new();
    for o in &ours {
        let g = theirs.iter().find(|g| g.order_id == o.id);
        let gs = g.map(|g| g.status.as_str()).unwrap_or("absent");
        let what = match (o.status.as_str(), gs) {
            ("open" | "cancelled", "unpaid" | "absent") => None,
            ("paid", "paid") | ("refunded", "refunded") | ("refunding", "paid") => None,
            ("open", "paid") => Some("paid at the channel, open here (callback lost)"),
            ("cancelled", "paid") => Some("paid at the channel on a cancelled order: refund it"),
            ("paid" | "refunding" | "refunded", "unpaid" | "absent") => {
                Some("paid here, not at the channel")
            }
            ("paid", "refunded") => Some("refunded at the channel, paid here"),
            ("refunding", "refunded") => Some("refunded at the channel, refund pending here"),
            ("refunded", _) => Some("refunded here, not at the channel"),
            _ => Some("status differs"),
        };
        let what = what.or_else(|| {
            g.filter(|g| g.amount_fen != o.total_fen)
                .map(|_| "amounts differ")
        });
        let what = what.or_else(|| {
            g.filter(|g| g.status != "unpaid" && g.txn_id != o.txn_id)
                .map(|_| "transaction numbers differ")
        });
        if let Some(what) = what {
            out.push(Disagreement {
                order_id: o.id.clone(),
                onetrip: o.status.clone(),
                gateway: gs.to_string(),
                what,
            });
        }
    }
    for g in &theirs {
        if !ours.iter().any(|o| o.id == g.order_id) {
            out.push(Disagreement {
                order_id: g.order_id.clone(),
                onetrip: "absent".into(),
                gateway: g.status.clone(),
                what: "unknown to OneTrip",
            });
        }
    }
    Ok(out)
}

//! The payment channel behind a trait, and its one HTTP form: OneTrip's
//! payment contract (README "Integration points"), which the centre's
//! aggregated payment channel speaks directly or through a small adapter,
//! and which the development gateway (`onetrip dev-payment-gateway`)
//! implements for tests and demonstrations. Every request and every answer
//! is signed (`sign.rs`); an answer without a good signature is not
//! believed.

use super::sign;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Asking the channel to take a payment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderRequest {
    /// OneTrip's order id (the channel's out_trade_no); creating the same
    /// id twice returns the first answer.
    pub order_id: String,
    pub amount_fen: i64,
    /// What the payer sees (不动产登记费 and the receipt number).
    pub subject: String,
    /// Where the channel POSTs its signed callbacks.
    pub notify_url: String,
    /// Where the payer's browser returns after paying.
    pub return_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Created {
    /// The cashier page the payer is sent to.
    pub pay_url: String,
}

/// The channel's view of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayOrder {
    pub order_id: String,
    /// `unpaid`, `paid` or `refunded`.
    pub status: String,
    pub amount_fen: i64,
    #[serde(default)]
    pub txn_id: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub refund_txn: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundRequest {
    pub order_id: String,
    /// Asking twice with the same id refunds once.
    pub refund_id: String,
    pub amount_fen: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refunded {
    /// `refunded` (done) or `pending` (the callback will say when).
    pub status: String,
    #[serde(default)]
    pub refund_txn: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryRequest {
    pub order_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListRequest {
    /// Orders created since (Unix seconds).
    pub since: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListAnswer {
    pub orders: Vec<GatewayOrder>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    #[error("the payment channel cannot be reached")]
    Unreachable,
    #[error("the payment channel answered HTTP {0}")]
    Status(u16),
    #[error("the payment channel's answer is not signed by it")]
    BadSignature,
    #[error("the payment channel's answer cannot be read")]
    BadAnswer,
    #[error("the payment channel does not know the order")]
    UnknownOrder,
}

#[async_trait::async_trait]
pub trait PaymentGateway: Send + Sync + std::fmt::Debug {
    async fn create(&self, o: &OrderRequest) -> Result<Created, GatewayError>;
    async fn query(&self, order_id: &str) -> Result<GatewayOrder, GatewayError>;
    async fn refund(&self, r: &RefundRequest) -> Result<Refunded, GatewayError>;
    async fn list(&self, since_secs: i64) -> Result<Vec<GatewayOrder>, GatewayError>;
}

/// OneTrip's payment contract over HTTPS (`POST <base>/v1/orders`,
/// `/v1/orders/query`, `/v1/orders/refund`, `/v1/orders/list`).
pub struct HttpGateway {
    base: String,
    secret: Vec<u8>,
    client: reqwest::Client,
}

impl std::fmt::Debug for HttpGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpGateway")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HttpGateway {
    pub fn new(base: &str, secret: Vec<u8>) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpGateway {
            base: base.trim_end_matches('/').to_string(),
            secret,
            client,
        })
    }

    async fn call<T: Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &T,
    ) -> Result<A, GatewayError> {
        let body = serde_json::to_vec(body).map_err(|_| GatewayError::BadAnswer)?;
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                sign::HEADER,
                sign::header_value(&self.secret, sign::now_secs(), &body),
            )
            .body(body)
            .send()
            .await
            .map_err(|_| GatewayError::Unreachable)?;
        let status = res.status();
        let sig = res
            .headers()
            .get(sign::HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = res.bytes().await.map_err(|_| GatewayError::Unreachable)?;
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(GatewayError::UnknownOrder);
        }
        if !status.is_success() {
            return Err(GatewayError::Status(status.as_u16()));
        }
        sign::verify(&self.secret, sig.as_deref(), &bytes, sign::now_secs())
            .map_err(|_| GatewayError::BadSignature)?;
        serde_json::from_slice(&bytes).map_err(|_| GatewayError::BadAnswer)
    }
}

#[async_trait::async_trait]
impl PaymentGateway for HttpGateway {
    async fn create(&self, o: &OrderRequest) -> Result<Created, GatewayError> {
        self.call("/v1/orders", o).await
    }
    async fn query(&self, order_id: &str) -> Result<GatewayOrder, GatewayError> {
        self.call(
            "/v1/orders/query",
            &QueryRequest {
                order_id: order_id.to_string(),
            },
        )
        .await
    }
    async fn refund(&self, r: &RefundRequest) -> Result<Refunded, GatewayError> {
        self.call("/v1/orders/refund", r).await
    }
    async fn list(&self, since_secs: i64) -> Result<Vec<GatewayOrder>, GatewayError> {
        let a: ListAnswer = self
            .call("/v1/orders/list", &ListRequest { since: since_secs })
            .await?;
        Ok(a.orders)
    }
}

/// A callback from the channel (`POST /api/v1/payments/notify`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Callback {
    /// Unique per event: the same event sent again changes nothing.
    pub event_id: String,
    /// `payment.succeeded` or `refund.succeeded`.
    #[serde(rename = "type")]
    pub kind: String,
    pub order_id: String,
    pub amount_fen: i64,
    #[serde(default)]
    pub txn_id: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub refund_txn: Option<String>,
}

//! Identity verification (实名核验) behind a trait, with one HTTP form:
//! OneTrip's identity contract, which the centre's real-name service (the
//! national trusted identity, a face-verification vendor, a bank's)
//! implements directly or through an adapter, and which the development
//! process implements for tests. Every message is signed like the payment
//! messages.
//!
//! - `GET /identity/{check}`: the citizen who started the check is sent to
//!   the service's page (face verification) with the party's name and ID.
//! - `POST /api/v1/hooks/identity`: the service's signed answer.

use crate::extract::Citizen;
use crate::payments::sign;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;

/// What OneTrip asks the identity service.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VerifyRequest {
    pub verification_id: String,
    pub name: String,
    pub id_type: String,
    pub id_number: String,
    /// 1 real name (name and number match), 2 face (the live face matches).
    pub level: i64,
    pub return_url: String,
    pub notify_url: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VerifyStarted {
    /// Where the citizen verifies (the service's page).
    pub verify_url: String,
}

/// The service's answer (`POST /api/v1/hooks/identity`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VerifyAnswer {
    pub verification_id: String,
    /// `passed` or `failed`.
    pub result: String,
    /// The level actually reached.
    pub level: i64,
    /// How: `face`, `bank_card`, `ctid` (national trusted identity), …
    pub method: String,
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the identity service cannot be reached")]
    Unreachable,
    #[error("the identity service answered HTTP {0}")]
    Status(u16),
    #[error("the identity service's answer is not signed by it or cannot be read")]
    BadAnswer,
}

#[async_trait::async_trait]
pub trait IdentityProvider: Send + Sync + std::fmt::Debug {
    async fn start(&self, r: &VerifyRequest) -> Result<VerifyStarted, IdentityError>;
}

/// OneTrip's identity contract over HTTPS: `POST <base>/v1/verifications`.
pub struct HttpIdentity {
    base: String,
    secret: Vec<u8>,
    client: reqwest::Client,
}

impl std::fmt::Debug for HttpIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpIdentity")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl IdentityProvider for HttpIdentity {
    async fn start(&self, r: &VerifyRequest) -> Result<VerifyStarted, IdentityError> {
        let body = serde_json::to_vec(r).map_err(|_| IdentityError::BadAnswer)?;
        let res = self
            .client
            .post(format!("{}/v1/verifications", self.base))
            .header("content-type", "application/json")
            .header(
                sign::HEADER,
                sign::header_value(&self.secret, sign::now_secs(), &body),
            )
            .body(body)
            .send()
            .await
            .map_err(|_| IdentityError::Unreachable)?;
        let status = res.status();
        let sig = res
            .headers()
            .get(sign::HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = res.bytes().await.map_err(|_| IdentityError::Unreachable)?;
        if !status.is_success() {
            return Err(IdentityError::Status(status.as_u16()));
        }
        sign::verify(&self.secret, sig.as_deref(), &bytes, sign::now_secs())
            .map_err(|_| IdentityError::BadAnswer)?;
        serde_json::from_slice(&bytes).map_err(|_| IdentityError::BadAnswer)
    }
}

/// The configured identity service.
#[derive(Clone, Debug)]
pub struct Identity {
    pub provider: Arc<dyn IdentityProvider>,
    secret: Arc<Vec<u8>>,
    pub public_url: String,
}

impl Identity {
    pub fn http(url: &str, secret: Vec<u8>, public_url: &str) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Identity {
            provider: Arc::new(HttpIdentity {
                base: url.trim_end_matches('/').to_string(),
                secret: secret.clone(),
                client,
            }),
            secret: Arc::new(secret),
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/identity/{check}", get(go_verify))
        .route("/api/v1/hooks/identity", post(answer))
}

/// The citizen who started a check is sent to the service with the
/// party's name and ID number (read from the application, never from the
/// browser). Anyone else: 404.
async fn go_verify(
    State(st): State<AppState>,
    Path(check): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(idp) = st.identity.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if check.len() != 32 || !check.chars().all(|c| c.is_ascii_hexdigit()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let session = match Citizen::from_headers(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let row = match app::db::identity::check(&st.db, &check).await {
        Ok(Some(r)) if r.citizen_id == session.citizen_id && r.status == "pending" => r,
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return crate::documents::internal("identity check", e),
    };
    // A check of one's own identity (to see one's register) carries the
    // name and number typed; a party's comes from the application.
    let (name, id_type, id_number, back) = if row.application_id.is_empty() {
        match app::db::register::subject(&st.db, &row.id).await {
            Ok(Some((n, t, i))) if !i.is_empty() => {
                (n, t, i, format!("{}/me/register", idp.public_url))
            }
            Ok(_) => return StatusCode::NOT_FOUND.into_response(),
            Err(e) => return crate::documents::internal("identity subject", e),
        }
    } else {
        let parties = match app::db::parties(&st.db, &row.application_id).await {
            Ok(p) => p,
            Err(e) => return crate::documents::internal("parties", e),
        };
        let Some(party) = parties.into_iter().find(|p| p.idx == row.party_idx) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let back = format!(
            "{}/applications/{}#confirm",
            idp.public_url, row.application_id
        );
        (party.name, party.id_type, party.id_number, back)
    };
    let req = VerifyRequest {
        verification_id: row.id.clone(),
        name,
        id_type,
        id_number,
        level: row.level,
        return_url: back,
        notify_url: format!("{}/api/v1/hooks/identity", idp.public_url),
    };
    match idp.provider.start(&req).await {
        Ok(s) if s.verify_url.starts_with("https://") || s.verify_url.starts_with("http://") => {
            // A page that moves on by itself (and a button): the check was
            // started by a form post, and a form's redirect to another site
            // is refused by the page's `form-action 'self'`.
            let url = s
                .verify_url
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;");
            let mut r = axum::response::Html(format!(
                "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"refresh\" content=\"0;url={url}\"><meta name=\"referrer\" content=\"no-referrer\"><title>实名核验 · Identity</title></head><body><main><h1>正在前往实名核验服务…</h1><p><a href=\"{url}\">如未自动跳转，请点这里继续 · Continue</a></p></main></body></html>"
            ))
            .into_response();
            r.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            r
        }
        Ok(_) | Err(_) => {
            tracing::warn!("identity service refused or unreachable");
            let mut r = (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::response::Html(
                    "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>实名核验 · Identity</title></head><body><main style=\"max-width:36rem;margin:2rem auto;padding:0 1rem;font-size:1.125rem\"><h1>实名核验 · Identity</h1><p>核验服务暂时无法连接，请稍后再试。</p><p lang=\"en\">The identity service cannot be reached now; try again shortly.</p><p><a href=\"/me\">返回 · Back</a></p></main></body></html>",
                ),
            )
                .into_response();
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("30"),
            );
            r
        }
    }
}

fn reply(status: StatusCode, code: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "ok": status.is_success(), "code": code })),
    )
        .into_response()
}

async fn answer(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(idp) = st.identity.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let sig = headers.get(sign::HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = sign::verify(&idp.secret, sig, &body, sign::now_secs()) {
        tracing::warn!(reason = %e, "identity answer refused");
        return reply(StatusCode::UNAUTHORIZED, "signature");
    }
    let Ok(a) = serde_json::from_slice::<VerifyAnswer>(&body) else {
        return reply(StatusCode::BAD_REQUEST, "malformed");
    };
    if !matches!(a.result.as_str(), "passed" | "failed")
        || !(0..=2).contains(&a.level)
        || a.method.len() > 32
        || a.reference.len() > 64
    {
        return reply(StatusCode::BAD_REQUEST, "malformed");
    }
    match app::db::identity::settle(
        &st.db,
        &a.verification_id,
        a.result == "passed" && a.level > 0,
        a.level,
        &a.method,
        &a.reference,
    )
    .await
    {
        Ok(true) => {
            // The number typed for an own check is not kept once answered.
            if let Err(e) = app::db::register::forget_subject(&st.db, &a.verification_id).await {
                tracing::warn!(error = %e, "identity answer: subject not cleared");
            }
            reply(StatusCode::OK, "recorded")
        }
        Ok(false) => reply(StatusCode::OK, "duplicate_or_unknown"),
        Err(e) => {
            tracing::error!(error = %e, "identity answer: database");
            reply(StatusCode::SERVICE_UNAVAILABLE, "retry")
        }
    }
}

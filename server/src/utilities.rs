//! 登记+X: the utilities (water, electricity, gas, broadband) as
//! integration points. A request the new owner made is kept in
//! `utility_requests` (the table is its own outbox) and sent by
//! [`UtilityJob`] as signed JSON to the utility's endpoint, retried with
//! back-off; the utility answers at `POST /api/v1/hooks/utility`, signed
//! with the same secret, when the account has moved (or cannot).

use crate::payments::sign;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The configured utilities: their endpoints and the shared secret.
#[derive(Clone, Debug)]
pub struct Utilities {
    pub urls: Arc<HashMap<String, String>>,
    secret: Arc<Vec<u8>>,
    /// Our address as the utilities reach it (for the callback).
    pub public_url: String,
}

impl Utilities {
    pub fn new(urls: HashMap<String, String>, secret: Vec<u8>, public_url: &str) -> Self {
        Utilities {
            urls: Arc::new(urls),
            secret: Arc::new(secret),
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }

    /// `water=https://…,power=https://…` as the setting writes it.
    pub fn parse_urls(s: &str) -> Result<HashMap<String, String>, String> {
        let mut out = HashMap::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not utility=url"))?;
            if app::domain::aftercare::utility_label(k, app::domain::Lang::Zh).is_empty() {
                return Err(format!(
                    "{k:?} is not a utility (water, power, gas, broadband)"
                ));
            }
            if !(v.starts_with("https://") || v.starts_with("http://")) {
                return Err(format!("{k}: {v:?} is not a web address"));
            }
            out.insert(k.to_string(), v.to_string());
        }
        Ok(out)
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/hooks/utility", post(answer))
}

/// What OneTrip sends a utility.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UtilityRequest {
    pub request_id: String,
    pub utility: String,
    /// The account number, when the owner knew it ('' otherwise).
    pub account_no: String,
    pub unit_number: String,
    pub address: String,
    pub new_owner: NewOwner,
    pub receipt_no: String,
    pub case_no: String,
    /// Where to answer (signed).
    pub callback_url: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NewOwner {
    pub name: String,
    pub id_type: String,
    pub id_number: String,
    pub mobile: String,
}

/// A utility's answer (`POST /api/v1/hooks/utility`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UtilityAnswer {
    pub request_id: String,
    pub utility: String,
    /// `done` or `rejected`.
    pub status: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub note: String,
}

fn reply(status: StatusCode, code: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "ok": status.is_success(), "code": code })),
    )
        .into_response()
}

async fn answer(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(u) = st.utilities.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let sig = headers.get(sign::HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = sign::verify(&u.secret, sig, &body, sign::now_secs()) {
        tracing::warn!(reason = %e, "utility answer refused");
        return reply(StatusCode::UNAUTHORIZED, "signature");
    }
    let Ok(a) = serde_json::from_slice::<UtilityAnswer>(&body) else {
        return reply(StatusCode::BAD_REQUEST, "malformed");
    };
    if !matches!(a.status.as_str(), "done" | "rejected")
        || a.reference.chars().count() > 64
        || a.note.chars().count() > 200
        || a.note.chars().any(char::is_control)
    {
        return reply(StatusCode::BAD_REQUEST, "malformed");
    }
    match app::db::aftercare::utility_answered(
        &st.db,
        &a.request_id,
        &a.utility,
        &a.status,
        &a.reference,
        &a.note,
    )
    .await
    {
        Ok(true) => {
            st.services.outbox_wake.notify_one();
            reply(StatusCode::OK, "recorded")
        }
        // Unknown, or answered already: nothing more to do either way.
        Ok(false) => reply(StatusCode::OK, "duplicate_or_unknown"),
        Err(e) => {
            tracing::error!(error = %e, "utility answer: database");
            reply(StatusCode::SERVICE_UNAVAILABLE, "retry")
        }
    }
}

/// Sends queued utility requests.
pub struct UtilityJob {
    pub db: app::db::Db,
    pub utilities: Utilities,
    pub every: Duration,
}

/// Attempts before a request is marked failed (the applicant is shown it).
const MAX_ATTEMPTS: i64 = 8;

impl UtilityJob {
    pub async fn run(self) {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "utilities worker: no HTTP client");
                return;
            }
        };
        loop {
            if let Err(e) = self.tick(&client).await {
                tracing::warn!(error = %e, "utilities worker");
            }
            tokio::time::sleep(self.every).await;
        }
    }

    /// One round; returns how many requests a utility accepted.
    pub async fn tick(&self, client: &reqwest::Client) -> Result<usize, sqlx::Error> {
        let now = app::db::now_ms();
        let mut accepted = 0;
        for r in app::db::aftercare::due_utility_requests(&self.db, now, 20).await? {
            let Some(url) = self.utilities.urls.get(&r.utility) else {
                app::db::aftercare::utility_sent(
                    &self.db,
                    &r.id,
                    "failed",
                    "",
                    "该单位尚未接入",
                    None,
                )
                .await?;
                continue;
            };
            let Some(facts) =
                app::db::aftercare::utility_facts(&self.db, &r.application_id).await?
            else {
                continue;
            };
            let draft: app::domain::application::Draft =
                serde_json::from_str(&facts.draft).unwrap_or_default();
            let owner = draft
                .parties
                .iter()
                .find(|p| p.mobile == facts.filer_mobile)
                .or_else(|| draft.parties.iter().find(|p| p.role == "right_holder"))
                .cloned()
                .unwrap_or_default();
            let req = UtilityRequest {
                request_id: r.id.clone(),
                utility: r.utility.clone(),
                account_no: r.account_no.clone(),
                unit_number: draft.property.unit_number.clone(),
                address: draft.property.address.clone(),
                new_owner: NewOwner {
                    name: owner.name,
                    id_type: owner.id_type,
                    id_number: owner.id_number,
                    mobile: owner.mobile,
                },
                receipt_no: facts.receipt_no.unwrap_or_default(),
                case_no: facts.case_no.unwrap_or_default(),
                callback_url: format!("{}/api/v1/hooks/utility", self.utilities.public_url),
            };
            let body = serde_json::to_vec(&req).unwrap_or_default();
            let sent = client
                .post(url)
                .header("content-type", "application/json")
                .header("idempotency-key", &r.id)
                .header(
                    sign::HEADER,
                    sign::header_value(&self.utilities.secret, sign::now_secs(), &body),
                )
                .body(body)
                .send()
                .await;
            let reference = match sent {
                Ok(res) if res.status().is_success() => Some(
                    res.json::<serde_json::Value>()
                        .await
                        .ok()
                        .and_then(|v| v["reference"].as_str().map(str::to_string))
                        .unwrap_or_default(),
                ),
                Ok(res) => {
                    tracing::warn!(utility = %r.utility, status = res.status().as_u16(), "utility refused a request");
                    None
                }
                Err(_) => {
                    tracing::warn!(utility = %r.utility, "utility unreachable");
                    None
                }
            };
            match reference {
                Some(reference) => {
                    let reference: String = reference.chars().take(64).collect();
                    app::db::aftercare::utility_sent(
                        &self.db, &r.id, "accepted", &reference, "", None,
                    )
                    .await?;
                    accepted += 1;
                }
                None if r.attempts + 1 >= MAX_ATTEMPTS => {
                    app::db::aftercare::utility_sent(
                        &self.db,
                        &r.id,
                        "failed",
                        "",
                        "多次发送未成功",
                        None,
                    )
                    .await?;
                }
                None => {
                    let wait = 5_000i64 << r.attempts.clamp(0, 10);
                    app::db::aftercare::utility_sent(
                        &self.db,
                        &r.id,
                        "queued",
                        "",
                        "",
                        Some(now + wait.min(3_600_000)),
                    )
                    .await?;
                }
            }
        }
        Ok(accepted)
    }
}

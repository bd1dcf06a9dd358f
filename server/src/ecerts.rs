//! Electronic certificates and proofs over HTTP:
//! - `GET /applications/{id}/ecerts/{kind}`: the PDF, for the case's
//!   applicants and its staff. Drawn once from the sealed statement, kept in
//!   the document store and served as kept ever after, so the file a holder
//!   downloads is always the one whose hash the centre recorded.
//! - `GET /verify/key`: the seal's public key (PEM, as OpenSSL reads it);
//!   `GET /verify/key.json`: the same with its key id.
//! - `POST /verify/file`: a PDF compared by its SHA-256 with the documents
//!   issued (never kept); answers with the /verify page (303).
//! - `GET /api/v1/verify?code=…`: what /verify shows, as JSON.
#![allow(clippy::result_large_err)]

use crate::documents::{internal, may_read_application};
use crate::AppState;
use app::domain::ecert::{normalize_code, EcertKind};
use app::error::AppError;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use tokio::io::AsyncReadExt;

/// Checks per client address (code or file) share the public lookups'
/// allowance (`ONETRIP_LOOKUPS_PER_IP_10MIN`), counted in memory.
fn over_limit(st: &AppState, headers: &HeaderMap, peer: SocketAddr) -> Option<Response> {
    let policy = &st.services.policy;
    let values: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ip = (policy.trusted_proxies > 0)
        .then(|| app::services::forwarded_client(&values, policy.trusted_proxies))
        .flatten()
        .unwrap_or(peer.ip());
    let bucket = format!(
        "verify:ip:{}",
        st.services.keyed_hash(&["ip", &ip.to_string()])
    );
    st.services
        .counters
        .hit(&bucket, 600 * 1000, policy.lookups_per_ip_10min)
        .map(|retry_after_secs| AppError::RateLimited { retry_after_secs }.into_response())
}

/// Largest file /verify/file reads: an issued PDF is ~100 KB.
const MAX_CHECKED_FILE: usize = 5 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/ecerts/{kind}", get(download))
        .route("/applications/{id}/ecerts/{kind}/statement", get(statement))
        .route("/verify/key", get(public_key))
        .route("/verify/key.json", get(public_key_json))
        .route(
            "/verify/file",
            post(check_file).layer(DefaultBodyLimit::max(MAX_CHECKED_FILE + 64 * 1024)),
        )
        .route("/api/v1/verify", get(verify_json))
}

async fn public_key(State(st): State<AppState>) -> Response {
    let mut res = st.services.seal.public_pem().into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-pem-file"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

async fn public_key_json(State(st): State<AppState>) -> Response {
    let seal = &st.services.seal;
    Json(serde_json::json!({
        "algorithm": "Ed25519",
        "key_id": seal.key_id(),
        "public_key": seal.public_raw(),
        "pem": seal.public_pem(),
        "signed": "the statement's canonical JSON, exactly as /api/v1/verify returns it in `statement`",
    }))
    .into_response()
}

#[derive(serde::Deserialize)]
struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// `{"status": "valid", …, "statement": "…", "signature": "…"}`; 404 for a
/// code that names nothing (or is not a code).
async fn verify_json(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<CodeQuery>,
) -> Response {
    if let Some(refused) = over_limit(&st, &headers, peer) {
        return refused;
    }
    let Some(code) = normalize_code(&q.code) else {
        return AppError::NotFound.into_response();
    };
    let found = match app::db::ecerts::by_code(&st.db, &code).await {
        Ok(Some(row)) => app::ops::ecerts::verified(&row, &st.services.seal),
        // A proof of registration (不动产登记信息查询结果).
        Ok(None) => {
            match app::ops::register::verified_proof(&st.db, &st.services.seal, &code).await {
                Ok(v) => v,
                Err(e) => return AppError::internal("verify", e).into_response(),
            }
        }
        Err(e) => return AppError::internal("verify", e).into_response(),
    };
    let Some(v) = found else {
        return AppError::NotFound.into_response();
    };
    // Names masked: the signed statement (full names) goes only to the
    // case's people (`…/ecerts/{kind}/statement`).
    let mut res = Json(v).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The uploaded file's hash against the issued PDFs' hashes.
async fn check_file(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    if let Some(refused) = over_limit(&st, &headers, peer) {
        return refused;
    }
    let invalid = || answered(&st, "invalid", "");
    let mut hasher = Sha256::new();
    let mut size = 0usize;
    let mut seen = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return invalid(),
        };
        if field.name() != Some("file") {
            continue;
        }
        let mut field = field;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    size += chunk.len();
                    if size > MAX_CHECKED_FILE {
                        return invalid();
                    }
                    hasher.update(&chunk);
                }
                Ok(None) => break,
                Err(_) => return invalid(),
            }
        }
        seen = size > 0;
        break;
    }
    if !seen {
        return answered(&st, "invalid", "");
    }
    let sha = hex::encode(hasher.finalize());
    match app::db::ecerts::by_pdf(&st.db, &sha).await {
        Ok(Some(row)) => answered(&st, "same", &row.code),
        // A proof of registration (不动产登记信息查询结果).
        Ok(None) => match app::db::register::proof_by_pdf(&st.db, &sha).await {
            Ok(Some(row)) => answered(&st, "same", &row.code),
            Ok(None) => answered(&st, "unknown", ""),
            Err(e) => AppError::internal("verify file", e).into_response(),
        },
        Err(e) => AppError::internal("verify file", e).into_response(),
    }
}

/// Back to /verify with the result in a cookie only this browser holds
/// (signed, five minutes): a link with `file=same` shows nothing to anyone
/// else, so a forger cannot send "unchanged" with a changed file.
fn answered(st: &AppState, result: &str, code: &str) -> Response {
    let cookie = app::ops::ecerts::file_cookie(&st.services, result, code, app::db::now_ms());
    let secure = if st.services.policy.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let to = if code.is_empty() {
        format!("/verify?file={result}")
    } else {
        format!("/verify?code={code}&file={result}")
    };
    let mut res = Redirect::to(&to).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}={cookie}; Path=/verify; Max-Age=300; HttpOnly; SameSite=Lax{secure}",
        app::ops::ecerts::FILE_COOKIE
    )) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// The sealed statement and its signature, for the case's people to check
/// offline with the public key (or hand to whoever must).
async fn statement(
    State(st): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = may_read_application(&st, &headers, Some(&id)).await {
        return r;
    }
    let Some(kind) = EcertKind::from_code(&kind) else {
        return AppError::NotFound.into_response();
    };
    let row = match app::db::ecerts::of_application(&st.db, &id).await {
        Ok(rows) => rows.into_iter().find(|r| r.kind == kind.code()),
        Err(e) => return internal("ecerts", e),
    };
    let Some(row) = row else {
        return AppError::NotFound.into_response();
    };
    let mut res = Json(serde_json::json!({
        "statement": row.statement,
        "signature": row.signature,
        "key_id": row.key_id,
        "algorithm": "Ed25519",
    }))
    .into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

async fn download(
    State(st): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match serve(&st, &headers, &id, &kind).await {
        Ok(r) | Err(r) => r,
    }
}

async fn serve(
    st: &AppState,
    headers: &HeaderMap,
    id: &str,
    kind: &str,
) -> Result<Response, Response> {
    may_read_application(st, headers, Some(id)).await?;
    let kind = EcertKind::from_code(kind).ok_or_else(|| AppError::NotFound.into_response())?;
    let row = app::db::ecerts::of_application(&st.db, id)
        .await
        .map_err(|e| internal("ecerts", e))?
        .into_iter()
        .find(|r| r.kind == kind.code())
        .ok_or_else(|| AppError::NotFound.into_response())?;
    let docs = st
        .documents
        .as_ref()
        .ok_or_else(|| StatusCode::SERVICE_UNAVAILABLE.into_response())?;
    let sha = match row.pdf_sha256.clone() {
        Some(sha) => sha,
        None => first_drawing(st, docs, &row).await?,
    };
    let mut reader = docs.store.open(&sha).await.map_err(|e| {
        tracing::error!(error = %e, "ecert: stored PDF unreadable");
        AppError::Unavailable {
            retry_after_secs: 10,
        }
        .into_response()
    })?;
    let mut pdf = Vec::new();
    reader
        .read_to_end(&mut pdf)
        .await
        .map_err(|e| internal("ecert read", e))?;
    let mut res = pdf.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) =
        HeaderValue::from_str(&format!("attachment; filename=\"ecert-{}.pdf\"", row.code))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

/// Draw the PDF, keep it in the store, record its hash (the first drawing
/// to record wins; a loser's copy is left to the content collector).
async fn first_drawing(
    st: &AppState,
    docs: &crate::documents::Documents,
    row: &app::db::ecerts::EcertRow,
) -> Result<String, Response> {
    let statement = app::ops::ecerts::statement(row)
        .ok_or_else(|| internal("ecert", "statement does not read"))?;
    let letter =
        app::domain::ecert::letter(&statement, &row.signature, &st.services.policy.public_url);
    let font = crate::letters::font().ok_or_else(|| {
        AppError::Unavailable {
            retry_after_secs: 60,
        }
        .into_response()
    })?;
    let pdf = tokio::task::spawn_blocking(move || crate::letters::render(&letter, &font))
        .await
        .map_err(|e| internal("render task", e))?
        .map_err(|e| internal("render", e))?;
    let sha = hex::encode(Sha256::digest(&pdf));
    // Keep the collector off the content until the row refers to it.
    app::db::pin_content(&st.db, &sha, app::db::now_ms() + 3600 * 1000)
        .await
        .map_err(|e| internal("pin", e))?;
    let tmp = docs
        .tmp_dir
        .join(format!("ecert-{}.pdf", uuid::Uuid::new_v4()));
    let written = async {
        let mut f = tokio::fs::File::create(&tmp).await?;
        tokio::io::AsyncWriteExt::write_all(&mut f, &pdf).await?;
        f.sync_all().await?;
        docs.store.put_file(&sha, &tmp).await
    }
    .await;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&tmp).await;
        tracing::error!(error = %e, "ecert: could not store the PDF");
        return Err(AppError::Unavailable {
            retry_after_secs: 10,
        }
        .into_response());
    }
    app::db::ecerts::settle_pdf(&st.db, &row.id, &sha)
        .await
        .map_err(|e| internal("ecert settle", e))?
        .ok_or_else(|| internal("ecert settle", "no hash recorded"))
}

//! The batch API for developers' own sales systems, versioned under
//! `/api/v1/`: bearer tokens (made and revoked by the organisation's
//! administrator, stored hashed), JSON, an `Idempotency-Key` on every
//! create, `202 Accepted` with a status URL for rows (checked by the same
//! background worker as spreadsheets, with results in the same shape), rate
//! limits per token, and an OpenAPI document generated from this code.

use crate::extract::see_other;
use crate::filings::routes::Target;
use crate::AppState;
use app::db;
use app::domain::filing::{Col, FilingKind};
use app::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Requests per token per minute.
pub const PER_MINUTE: i64 = 120;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/docs", get(docs))
        .route("/api/v1", get(|| async { see_other("/api/v1/docs") }))
        .route(
            "/api/v1/batches",
            post(create_batch).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/batches/{id}",
            get(get_batch).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/batches/{id}/rows",
            post(add_rows).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/batches/{id}/submit",
            post(submit).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/uploads/{id}",
            get(get_upload).fallback(method_not_allowed),
        )
        .route("/api/v1/{*rest}", axum::routing::any(no_such_path))
        .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024))
}

/// Every error the API answers, in one documented shape:
/// `{"errors": [{"field", "code", "zh", "en"}]}` — the field (a body field by
/// its path, or the header or path part at fault), a stable code, and the
/// reason in Chinese and English.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrors {
    pub errors: Vec<FieldErrorOut>,
}

fn one(
    field: &str,
    code: &str,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> Vec<FieldErrorOut> {
    vec![FieldErrorOut {
        field: Some(field.into()),
        code: code.into(),
        zh: zh.into(),
        en: en.into(),
    }]
}

/// What an error tells an integrator: which part of the request, and why.
fn explain(e: &AppError) -> Vec<FieldErrorOut> {
    match e {
        AppError::Validation(fields) => fields
            .iter()
            .map(|f| FieldErrorOut {
                field: Some(f.field.clone()),
                code: f.code.clone(),
                zh: f.zh.clone(),
                en: f.en.clone(),
            })
            .collect(),
        AppError::BadRequest => one(
            "body",
            "bad_request",
            "无法解读这个请求",
            "The request could not be understood",
        ),
        AppError::Unauthorized => one(
            "Authorization",
            "unauthorized",
            "缺少令牌，或令牌不存在、已撤销：请带 Authorization: Bearer ot_…（令牌由机构管理员在开发企业页面生成）",
            "No token, or the token is unknown or revoked: send Authorization: Bearer ot_… (the organisation's administrator makes tokens on the developer pages)",
        ),
        AppError::Forbidden => one(
            "Authorization",
            "org_not_verified",
            "您的机构尚未通过登记中心审核，令牌暂不能使用",
            "Your organisation has not been verified by the registration centre yet; its tokens cannot be used",
        ),
        AppError::NotFound => one(
            "id",
            "not_found",
            "没有这个批次或上传，或它不属于您的机构",
            "No such batch or upload, or it is not your organisation's",
        ),
        AppError::Conflict { code } => match code.as_str() {
            "idempotency_key_reused" => one(
                "Idempotency-Key",
                code,
                "这个 Idempotency-Key 已用于另一个请求（另一个批次或不同的内容）；新的请求请用新的 key",
                "This Idempotency-Key was used for another request (another batch or other content); use a new key for a new request",
            ),
            "not_draft" => one(
                "id",
                code,
                "这个批次已经提交，不能再添加或提交",
                "This batch has been submitted; it can no longer take rows or be submitted again",
            ),
            "empty" => one(
                "id",
                code,
                "这个批次还没有通过检查的单元，不能提交",
                "This batch has no checked units yet; there is nothing to submit",
            ),
            "still_checking" => one(
                "id",
                code,
                "这个批次还有正在检查的行，请等检查完成（见 status_url）再提交",
                "Rows of this batch are still being checked; submit when the checking is done (see status_url)",
            ),
            _ => one(
                "id",
                code,
                "批次在提交过程中有变化，请重新读取后再提交",
                "The batch changed while it was being submitted; read it again, then submit",
            ),
        },
        AppError::RateLimited { retry_after_secs } => one(
            "Authorization",
            "rate_limited",
            format!("这个令牌的请求过于频繁，请 {retry_after_secs} 秒后再试"),
            format!("Too many requests with this token; try again in {retry_after_secs} s"),
        ),
        AppError::Unavailable { retry_after_secs } => one(
            "body",
            "unavailable",
            format!("服务暂时不可用，请 {retry_after_secs} 秒后重试；请求未被处理"),
            format!("The service is unavailable for a moment; nothing was done — try again in {retry_after_secs} s"),
        ),
        AppError::Network | AppError::Internal => one(
            "body",
            "internal",
            "服务器出错，请求未完成；请稍后重试，如一再出现请联系登记中心",
            "The server failed and the request was not completed; try again later, and tell the registration centre if it persists",
        ),
    }
}

/// An error as JSON in the API's one shape, with its status (the same
/// `AppError` the pages get), `Retry-After` when waiting helps and
/// `WWW-Authenticate` when a token is wanted.
fn fail(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = answer(status, explain(&e));
    if let Some(retry_after_secs) = e.retry_after() {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    if e == AppError::Unauthorized {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"onetrip\""),
        );
    }
    res
}

/// An address the API does not have: 404 in the errors' shape, not the
/// site's page.
async fn no_such_path() -> Response {
    answer(
        StatusCode::NOT_FOUND,
        one(
            "path",
            "no_such_path",
            "接口没有这个地址，请对照 /api/v1/docs",
            "The API has no such address; see /api/v1/docs",
        ),
    )
}

/// A method an address does not take: 405 in the errors' shape.
async fn method_not_allowed() -> Response {
    answer(
        StatusCode::METHOD_NOT_ALLOWED,
        one(
            "method",
            "method_not_allowed",
            "这个地址不接受这种请求方法，请对照 /api/v1/docs",
            "This address does not take this method; see /api/v1/docs",
        ),
    )
}

/// The errors' shape with a status.
pub(crate) fn answer(status: StatusCode, errors: Vec<FieldErrorOut>) -> Response {
    (status, Json(ApiErrors { errors })).into_response()
}

/// A body the API cannot take, said in the errors' one shape (field, code,
/// reason in Chinese and English) with the status that fits: 415 not JSON,
/// 413 too large, 400 not well-formed JSON, 422 a field of the wrong type or
/// missing (named by its path, as serde reports it).
fn body_error(rej: axum::extract::rejection::JsonRejection) -> Response {
    use axum::extract::rejection::JsonRejection as R;
    let (status, field, code, zh, en) = match &rej {
        R::MissingJsonContentType(_) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type".to_string(),
            "content_type",
            "请求体须为 JSON，并带 Content-Type: application/json".to_string(),
            "The body must be JSON, sent with Content-Type: application/json".to_string(),
        ),
        R::BytesRejection(_) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "body".into(),
            "too_large",
            "请求体超过 8 MB，请分几次提交".into(),
            "The body is larger than 8 MB; send it in several requests".into(),
        ),
        R::JsonSyntaxError(e) => (
            StatusCode::BAD_REQUEST,
            "body".into(),
            "json_syntax",
            format!("请求体不是合法的 JSON：{}", e.body_text()),
            format!("The body is not well-formed JSON: {}", e.body_text()),
        ),
        R::JsonDataError(e) => {
            // "Failed to deserialize the JSON body into the target type: rows[0].price: invalid type…"
            let text = e.body_text();
            let detail = text
                .split_once("type: ")
                .map_or(text.as_str(), |x| x.1)
                .to_string();
            let unknown = detail.contains("unknown field");
            let (field, what) = match detail.split_once(": ") {
                Some((f, rest)) if !f.contains(' ') => match missing_field(rest) {
                    Some(m) => (format!("{f}.{m}"), rest.to_string()),
                    None => (f.to_string(), rest.to_string()),
                },
                _ => (
                    missing_field(&detail).unwrap_or("body").to_string(),
                    detail.clone(),
                ),
            };
            if unknown {
                let name = what
                    .split_once("unknown field `")
                    .and_then(|(_, r)| r.split_once('`'))
                    .filter(|_| field == "body")
                    // The path serde reports already ends with the unknown key.
                    .map_or(field.clone(), |(f, _)| f.chars().take(64).collect());
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    name,
                    "unknown_field",
                    "请求体里有接口不认识的字段，请对照 /api/v1/docs 删除或改正它".to_string(),
                    "The body has a field the API does not know; remove or correct it (see /api/v1/docs)".to_string(),
                )
            } else {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    field,
                    "json_type",
                    format!("字段类型不对或缺少字段：{what}"),
                    format!("A field has the wrong type or is missing: {what}"),
                )
            }
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "body".into(),
            "body",
            "无法读取请求体".into(),
            "The body could not be read".into(),
        ),
    };
    answer(status, one(&field, code, zh, en))
}

/// The field serde names in "missing field `kind` at line 1 column 20".
fn missing_field(detail: &str) -> Option<&str> {
    let rest = detail.split_once("missing field `")?.1;
    rest.split_once('`').map(|(f, _)| f)
}

fn field_error(field: &str, code: &str, zh: &str, en: &str) -> Response {
    answer(StatusCode::UNPROCESSABLE_ENTITY, one(field, code, zh, en))
}

fn internal(ctx: &'static str, e: impl std::fmt::Display + 'static) -> Response {
    fail(AppError::internal(ctx, e))
}

/// The organisation a bearer token speaks for (verified, token not
/// revoked), after counting the request against the token's rate limit.
async fn caller(st: &AppState, headers: &HeaderMap) -> Result<db::TokenOwner, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with("ot_") && t.len() == 67)
        .ok_or_else(|| fail(AppError::Unauthorized))?;
    let owner = db::token_owner(&st.db, &app::services::sha256_hex(token))
        .await
        .map_err(|e| internal("token", e))?
        .ok_or_else(|| fail(AppError::Unauthorized))?;
    if owner.org_status != "verified" {
        return Err(fail(AppError::Forbidden));
    }
    let bucket = format!("api:token:{}", owner.token_id);
    // Counted in memory and shared between replicas in batches
    // (app::rates): a GET writes nothing.
    if let Some(retry_after_secs) = st.services.counters.hit(&bucket, 60_000, PER_MINUTE) {
        return Err(fail(AppError::RateLimited { retry_after_secs }));
    }
    Ok(owner)
}

/// A batch of the caller's organisation (another's is 404).
async fn own_batch(
    st: &AppState,
    owner: &db::TokenOwner,
    id: &str,
) -> Result<db::BatchRow, AppError> {
    db::batch_of(&st.db, &owner.org_id, id)
        .await
        .map_err(|e| AppError::internal("batch", e))?
        .ok_or(AppError::NotFound)
}

/// The `Idempotency-Key` every create must carry (1–100 visible ASCII).
fn idempotency_key(headers: &HeaderMap) -> Result<String, AppError> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| (1..=100).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .ok_or_else(|| {
            AppError::Validation(vec![app::error::FieldError::new(
                "Idempotency-Key",
                "idempotency_key",
                "每个创建请求都要带 Idempotency-Key 请求头（1–100 个可见 ASCII 字符）".into(),
                "Every create needs an Idempotency-Key header (1–100 visible ASCII characters)"
                    .into(),
            )])
        })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatch {
    /// A project of the organisation (its id, from the developer pages).
    #[schema(min_length = 1)]
    pub project_id: String,
    /// `dual_notice`, `notice`, `conversion` or `first_registration`.
    #[schema(pattern = "^(dual_notice|notice|conversion|first_registration)$")]
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchOut {
    pub id: String,
    pub batch_no: String,
    pub kind: String,
    /// `draft` (takes rows), `submitted` (in pre-review) or `reviewed`.
    pub status: String,
    pub status_url: String,
    pub lines: Vec<LineOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineOut {
    pub unit_no: String,
    pub contract_no: String,
    /// `pending`, `passed` or `returned`.
    pub status: String,
    /// Why a line was returned.
    pub review_note: String,
    /// The unit's receipt once the batch is submitted.
    pub receipt_no: String,
}

/// One row, with the same fields as the spreadsheet template of the
/// batch's matter (fields the matter does not use are ignored).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RowIn {
    /// 不动产单元号, 28 characters.
    pub unit: String,
    pub buyer_name: String,
    /// 18-character resident ID number.
    pub buyer_id: String,
    pub buyer_mobile: String,
    pub contract_no: String,
    /// In yuan, e.g. "1250000.50".
    pub price: String,
    pub loan_amount: String,
    /// The lending bank's Unified Social Credit Code.
    pub bank_code: String,
    pub loan_contract_no: String,
    pub notice_no: String,
    pub floor: String,
    pub area: String,
    #[serde(rename = "use")]
    pub use_: String,
}

impl RowIn {
    fn cell(&self, col: Col) -> &str {
        match col {
            Col::Unit => &self.unit,
            Col::BuyerName => &self.buyer_name,
            Col::BuyerId => &self.buyer_id,
            Col::BuyerMobile => &self.buyer_mobile,
            Col::ContractNo => &self.contract_no,
            Col::Price => &self.price,
            Col::LoanAmount => &self.loan_amount,
            Col::BankCode => &self.bank_code,
            Col::LoanContractNo => &self.loan_contract_no,
            Col::NoticeNo => &self.notice_no,
            Col::Floor => &self.floor,
            Col::Area => &self.area,
            Col::Use => &self.use_,
            Col::Building => "",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RowsIn {
    /// At least one row; at most the rows a file may have (5,000 by default).
    #[schema(min_items = 1)]
    pub rows: Vec<RowIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub upload_id: String,
    pub rows: i64,
    pub status_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadOut {
    pub id: String,
    /// True while rows are being checked.
    pub checking: bool,
    pub total: i64,
    pub checked: i64,
    pub accepted: i64,
    pub failed: i64,
    /// Every failing row: its position in the request (1-based) and its
    /// errors per field.
    pub errors: Vec<RowErrors>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrors {
    pub row: i64,
    pub errors: Vec<FieldErrorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorOut {
    /// The row field (`buyer_id`, …), or `null` for the row as a whole.
    pub field: Option<String>,
    pub code: String,
    pub zh: String,
    pub en: String,
}

async fn batch_out(st: &AppState, b: db::BatchRow) -> Result<BatchOut, Response> {
    let lines = db::review_lines(&st.db, &b.id)
        .await
        .map_err(|e| internal("lines", e))?
        .into_iter()
        .map(|l| LineOut {
            unit_no: l.unit_no,
            contract_no: l.contract_no,
            status: l.status,
            review_note: l.review_note,
            receipt_no: l.receipt_no.unwrap_or_default(),
        })
        .collect();
    Ok(BatchOut {
        status_url: format!("/api/v1/batches/{}", b.id),
        id: b.id,
        batch_no: b.batch_no,
        kind: b.kind,
        status: b.status,
        lines,
    })
}

/// Start a batch of one matter for a project.
#[utoipa::path(post, path = "/api/v1/batches", request_body = NewBatch,
    params(("Idempotency-Key" = String, Header, description = "The same key answers the batch made the first time")),
    responses(
        (status = 201, description = "Made", body = BatchOut),
        (status = 200, description = "Made before with this key", body = BatchOut),
        (status = 400, description = "Not well-formed JSON (errors' shape: field, code, zh, en)"),
        (status = 409, description = "This Idempotency-Key made another batch"),
        (status = 413, description = "Body larger than 8 MB"),
        (status = 415, description = "Not application/json"),
        (status = 422, description = "No Idempotency-Key, an empty project_id, an unknown kind, a field of the wrong type"),
        (status = 401, description = "No or a revoked token"),
        (status = 404, description = "Not a project of this organisation"),
        (status = 429, description = "Too many requests (Retry-After)"),
    ),
    security(("bearer" = [])))]
async fn create_batch(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<NewBatch>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let owner = match caller(&st, &headers).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let body = match body {
        Ok(Json(b)) => b,
        Err(rej) => return body_error(rej),
    };
    if body.project_id.trim().is_empty() {
        return field_error(
            "project_id",
            "required",
            "请填写项目 id（见开发企业页面的项目）",
            "Give the project's id (see the project on the developer pages)",
        );
    }
    let Some(kind) = FilingKind::from_code(&body.kind) else {
        return field_error(
            "kind",
            "kind.unknown",
            "kind 应为 dual_notice、notice、conversion 或 first_registration",
            "kind must be dual_notice, notice, conversion or first_registration",
        );
    };
    let (id, created) = match app::ops::batches::new_batch(
        &st.db,
        &owner.org_id,
        &owner.created_by,
        &body.project_id,
        kind,
        Some(&key),
    )
    .await
    {
        Ok(x) => x,
        Err(AppError::NotFound) => {
            return answer(
                StatusCode::NOT_FOUND,
                one(
                    "project_id",
                    "not_found",
                    "没有这个项目，或它不属于您的机构（项目 id 见开发企业页面）",
                    "No such project, or it is not your organisation's (see the project's id on the developer pages)",
                ),
            )
        }
        Err(e) => return fail(e),
    };
    let b = match own_batch(&st, &owner, &id).await {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    if !created && (b.project_id != body.project_id || b.kind != kind.code()) {
        return fail(AppError::Conflict {
            code: "idempotency_key_reused".into(),
        });
    }
    match batch_out(&st, b).await {
        Ok(out) => (
            if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            },
            Json(out),
        )
            .into_response(),
        Err(r) => r,
    }
}

/// A batch of this organisation with each unit's line and pre-review.
#[utoipa::path(get, path = "/api/v1/batches/{id}", params(("id" = String, Path)),
    responses((status = 200, body = BatchOut), (status = 404, description = "Not this organisation's")),
    security(("bearer" = [])))]
async fn get_batch(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let owner = match caller(&st, &headers).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    match own_batch(&st, &owner, &id).await {
        Ok(b) => match batch_out(&st, b).await {
            Ok(out) => Json(out).into_response(),
            Err(r) => r,
        },
        Err(e) => fail(e),
    }
}

/// Add rows to a draft batch. They are checked in the background; the
/// answer is immediate. The same unit and contract again amends its line.
#[utoipa::path(post, path = "/api/v1/batches/{id}/rows", request_body = RowsIn,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "The same key answers the upload made the first time")),
    responses(
        (status = 202, description = "Taken; follow status_url", body = Accepted),
        (status = 400, description = "Not well-formed JSON (errors' shape: field, code, zh, en)"),
        (status = 401, description = "No or a revoked token"),
        (status = 404, description = "Not this organisation's batch"),
        (status = 409, description = "The batch is no longer a draft, or this Idempotency-Key was used for another batch"),
        (status = 413, description = "Body larger than 8 MB"),
        (status = 415, description = "Not application/json"),
        (status = 422, description = "No Idempotency-Key, no rows, more than the limit per request, a field of the wrong type"),
        (status = 429, description = "Too many requests (Retry-After)"),
    ),
    security(("bearer" = [])))]
async fn add_rows(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<RowsIn>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let owner = match caller(&st, &headers).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let body = match body {
        Ok(Json(b)) => b,
        Err(rej) => return body_error(rej),
    };
    let batch = match own_batch(&st, &owner, &id).await {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let Some(kind) = FilingKind::from_code(&batch.kind) else {
        return fail(AppError::NotFound);
    };
    let limit = st.services.policy.filing_max_rows;
    if body.rows.is_empty() || body.rows.len() > limit {
        let e = if body.rows.is_empty() {
            app::domain::filing::FileError::Empty
        } else {
            app::domain::filing::FileError::TooManyRows { limit }
        };
        return fail(AppError::Validation(vec![app::error::FieldError::new(
            "rows",
            e.code(),
            e.message(app::domain::Lang::Zh),
            e.message(app::domain::Lang::En),
        )]));
    }
    // The rows become the CSV the template describes: one path for both.
    let columns = kind.columns();
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(columns.iter().map(|c| c.header));
    for r in &body.rows {
        let _ = w.write_record(columns.iter().map(|c| r.cell(c.col)));
    }
    let Ok(bytes) = w.into_inner() else {
        return fail(AppError::Internal);
    };
    match db::upload_by_key(&st.db, &owner.org_id, &key, &bytes).await {
        // The same key for another batch, or with other rows, is a
        // mistake, not a repeat.
        Ok(Some((existing, same))) => {
            if !same || existing.batch_id.as_deref() != Some(batch.id.as_str()) {
                return fail(AppError::Conflict {
                    code: "idempotency_key_reused".into(),
                });
            }
            return accepted(existing.id, existing.total_rows);
        }
        Ok(None) => {}
        Err(e) => return internal("upload by key", e),
    }
    if batch.status != "draft" {
        return fail(AppError::Conflict {
            code: "not_draft".into(),
        });
    }
    let target = Target {
        project_id: batch.project_id.clone(),
        batch: Some(batch),
        page: String::new(),
    };
    match crate::filings::routes::store_upload(
        &st,
        &owner.org_id,
        &owner.created_by,
        &target,
        "api.csv",
        bytes,
        Some(&key),
    )
    .await
    {
        Ok((upload_id, rows)) => accepted(upload_id, rows),
        Err(e) => fail(e.into()),
    }
}

fn accepted(upload_id: String, rows: i64) -> Response {
    let status_url = format!("/api/v1/uploads/{upload_id}");
    let mut res = (
        StatusCode::ACCEPTED,
        Json(Accepted {
            upload_id,
            rows,
            status_url: status_url.clone(),
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&status_url) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// How far the checking of rows has come, and every failing row.
#[utoipa::path(get, path = "/api/v1/uploads/{id}", params(("id" = String, Path)),
    responses((status = 200, body = UploadOut), (status = 404, description = "Not this organisation's")),
    security(("bearer" = [])))]
async fn get_upload(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let owner = match caller(&st, &headers).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let u = match db::upload_of(&st.db, &owner.org_id, &id).await {
        Ok(Some(u)) => u,
        Ok(None) => return fail(AppError::NotFound),
        Err(e) => return internal("upload", e),
    };
    let errors = if u.status == "done" {
        match db::upload_errors(&st.db, &u.id).await {
            Ok(rows) => rows
                .into_iter()
                .map(|(line, _, errors)| {
                    let errors: Vec<app::domain::filing::CellError> =
                        serde_json::from_str(&errors).unwrap_or_default();
                    RowErrors {
                        // Line 1 of the sheet is its header.
                        row: line - 1,
                        errors: errors
                            .into_iter()
                            .map(|e| FieldErrorOut {
                                field: e.col.map(|c| {
                                    serde_json::to_value(c)
                                        .ok()
                                        .and_then(|v| v.as_str().map(str::to_string))
                                        .unwrap_or_default()
                                }),
                                code: e.code,
                                zh: e.zh,
                                en: e.en,
                            })
                            .collect(),
                    }
                })
                .collect(),
            Err(e) => return internal("upload errors", e),
        }
    } else {
        Vec::new()
    };
    Json(UploadOut {
        checking: u.status == "checking",
        id: u.id,
        total: u.total_rows,
        checked: u.checked_rows,
        accepted: u.accepted_rows,
        failed: u.failed_rows,
        errors,
    })
    .into_response()
}

/// Submit a draft batch for pre-review (one case per line; each buyer is
/// texted their receipt).
#[utoipa::path(post, path = "/api/v1/batches/{id}/submit", params(("id" = String, Path)),
    responses((status = 200, body = BatchOut), (status = 404, description = "Not this organisation's"),
        (status = 409, description = "Not a draft, empty, or rows still being checked")),
    security(("bearer" = [])))]
async fn submit(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let owner = match caller(&st, &headers).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let b = match own_batch(&st, &owner, &id).await {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let session = owner.as_session();
    match app::ops::batches::submit_with_cases(&st.db, &session, &b, app::domain::Lang::Zh).await {
        Ok(Ok(())) => st.services.outbox_wake.notify_one(),
        Ok(Err(r)) => {
            use db::SubmitRefusal as R;
            let code = match r {
                R::NotDraft => "not_draft",
                R::Empty => "empty",
                R::StillChecking => "still_checking",
                R::Changed => "changed",
            };
            return fail(AppError::Conflict { code: code.into() });
        }
        Err(e) => return fail(e),
    }
    match own_batch(&st, &owner, &id).await {
        Ok(b) => match batch_out(&st, b).await {
            Ok(out) => Json(out).into_response(),
            Err(r) => r,
        },
        Err(e) => fail(e),
    }
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "OneTrip batch API (一趟办 批量申报接口)", version = "1",
        description = "For developers' own sales systems. Tokens are made by the organisation's administrator on /developer (shown once). Every create carries an Idempotency-Key. Rows are checked in the background with the same rules and words as the spreadsheets."),
    paths(create_batch, get_batch, add_rows, get_upload, submit),
    components(schemas(NewBatch, BatchOut, LineOut, RowIn, RowsIn, Accepted, UploadOut, RowErrors, FieldErrorOut, ApiErrors)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Text the door lets in: no NUL, other control characters (line breaks
/// and tabs excepted) or invisible direction marks (see
/// `middleware::refuse_hidden_characters`).
const TEXT_PATTERN: &str =
    "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]*$";
/// The ids of batches, uploads and projects.
const ID_PATTERN: &str = "^[0-9A-Za-z-]{1,64}$";
/// An Idempotency-Key: 1–100 visible ASCII characters.
const KEY_PATTERN: &str = "^[!-~]{1,100}$";

/// The OpenAPI document as served: the generated one with what holds for
/// every operation written out, so the document says all the server does —
/// the answers any request may get (400 for characters refused at the
/// door, 401 without a valid token, 429 past the limit, 503 while the
/// database is away), the form of ids and keys, and the text every string
/// field accepts.
fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let shared = [
        ("400", "Malformed: characters refused at the door (NUL, control or direction-override), or not well-formed JSON (errors' shape: field, code, zh, en)"),
        ("401", "No or a revoked token"),
        ("429", "Too many requests (Retry-After)"),
        ("503", "The database is not answering for a moment (Retry-After)"),
    ];
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for op in paths
            .values_mut()
            .filter_map(|ops| ops.as_object_mut())
            .flat_map(|ops| ops.values_mut())
        {
            if let Some(params) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) {
                for p in params {
                    let pattern = match p.get("name").and_then(|n| n.as_str()) {
                        Some("id") => ID_PATTERN,
                        Some("Idempotency-Key") => KEY_PATTERN,
                        _ => continue,
                    };
                    p["required"] = true.into();
                    p["schema"] = serde_json::json!({ "type": "string", "pattern": pattern });
                }
            }
            if let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) {
                for (code, what) in shared {
                    responses
                        .entry(code)
                        .or_insert_with(|| serde_json::json!({ "description": what }));
                }
                // Every error in the one shape.
                for (code, response) in responses.iter_mut() {
                    if code.starts_with('4') || code.starts_with('5') {
                        response["content"] = serde_json::json!({ "application/json": {
                            "schema": { "$ref": "#/components/schemas/ApiErrors" } } });
                    }
                }
            }
        }
    }
    for schema in ["NewBatch", "RowIn"] {
        let props = doc
            .get_mut("components")
            .and_then(|c| c.get_mut("schemas"))
            .and_then(|s| s.get_mut(schema))
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.as_object_mut());
        for (name, prop) in props.into_iter().flatten() {
            if prop.get("type").and_then(|t| t.as_str()) == Some("string")
                && prop.get("pattern").is_none()
            {
                prop["pattern"] = if name == "project_id" {
                    ID_PATTERN
                } else {
                    TEXT_PATTERN
                }
                .into();
            }
        }
    }
    doc
}

async fn openapi() -> Response {
    Json(document()).into_response()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A readable page of the same document: every path with its method,
/// summary, parameters and answers, and the schemas.
async fn docs() -> Html<String> {
    let doc = document();
    let mut out = String::from(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>批量申报接口 · Batch API v1</title><style>body{font:17px/1.6 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem}\
         code,pre{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}pre{padding:.6rem;overflow:auto}h2{border-top:1px solid #ddd;padding-top:1rem}</style></head><body>",
    );
    out.push_str(&format!(
        "<h1>{}</h1><p>{}</p><p>认证 / Auth: <code>Authorization: Bearer ot_…</code> · 限流 / Limit: {PER_MINUTE} requests/min/token · <a href=\"/api/v1/openapi.json\">openapi.json</a></p>",
        esc(doc["info"]["title"].as_str().unwrap_or("")),
        esc(doc["info"]["description"].as_str().unwrap_or(""))
    ));
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (method, op) in ops.as_object().into_iter().flatten() {
                out.push_str(&format!(
                    "<h2><code>{} {}</code></h2>",
                    method.to_uppercase(),
                    esc(path)
                ));
                if let Some(d) = op["description"].as_str().or(op["summary"].as_str()) {
                    out.push_str(&format!("<p>{}</p>", esc(d)));
                }
                if let Some(params) = op["parameters"].as_array() {
                    out.push_str("<ul>");
                    for p in params {
                        out.push_str(&format!(
                            "<li><code>{}</code> ({}) {}</li>",
                            esc(p["name"].as_str().unwrap_or("")),
                            esc(p["in"].as_str().unwrap_or("")),
                            esc(p["description"].as_str().unwrap_or(""))
                        ));
                    }
                    out.push_str("</ul>");
                }
                if let Some(body) =
                    op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
                {
                    out.push_str(&format!(
                        "<p>请求体 / Body: <code>{}</code></p>",
                        esc(body.rsplit('/').next().unwrap_or(""))
                    ));
                }
                if let Some(responses) = op["responses"].as_object() {
                    out.push_str("<ul>");
                    for (code, r) in responses {
                        out.push_str(&format!(
                            "<li><code>{code}</code> {}</li>",
                            esc(r["description"].as_str().unwrap_or(""))
                        ));
                    }
                    out.push_str("</ul>");
                }
            }
        }
    }
    out.push_str("<h2>Schemas</h2>");
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            out.push_str(&format!(
                "<h3 id=\"{0}\">{0}</h3><pre>{1}</pre>",
                esc(name),
                esc(&serde_json::to_string_pretty(schema).unwrap_or_default())
            ));
        }
    }
    out.push_str("</body></html>");
    Html(out)
}

//! Handlers return `Result<_, Response>`: the error *is* the answer, built
//! once per request, so its size does not matter.
#![allow(clippy::result_large_err)]

use super::Documents;
use crate::extract::{see_other, Citizen};
use crate::AppState;
use app::db::{self, SessionRow, UploadRow};
use app::domain::document::{
    check_complete, check_dimensions, check_file_name, check_kind, DocKind,
};
use app::domain::DomainError;
use app::error::{AppError, FieldError};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use tokio::io::AsyncWriteExt;

const TUS_VERSION: &str = "1.0.0";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/uploads", post(create).options(options))
        .route("/uploads/form", post(form_upload))
        .route(
            "/uploads/{id}",
            axum::routing::head(status).patch(append).delete(cancel),
        )
        .route("/documents/{id}", get(download).delete(remove))
        .route("/documents/{id}/preview", get(preview))
        .route("/documents/{id}/delete", post(form_remove))
        .route("/documents/{id}/move", post(form_move))
        // Bodies are streamed and limited by the handlers themselves.
        .layer(DefaultBodyLimit::disable())
}

fn docs(st: &AppState) -> Result<&Documents, Response> {
    st.documents
        .as_ref()
        .ok_or_else(|| StatusCode::SERVICE_UNAVAILABLE.into_response())
}

fn file_error(status: StatusCode, e: &DomainError) -> Response {
    let body = AppError::Validation(vec![FieldError::from_domain("file", e)]);
    let mut res = (status, Json(body)).into_response();
    res.headers_mut()
        .insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    res
}

pub(crate) fn internal(ctx: &'static str, e: impl std::fmt::Display + 'static) -> Response {
    AppError::internal(ctx, e).into_response()
}

fn status_for(e: &DomainError) -> StatusCode {
    match e {
        DomainError::FileTooLarge { .. } | DomainError::ApplicationFull { .. } => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        DomainError::FileType | DomainError::FileTypeMismatch => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn mb(bytes: i64) -> u64 {
    (bytes / (1024 * 1024)).max(1) as u64
}

fn csrf_ok(session: &SessionRow, token: Option<&str>) -> Result<(), Response> {
    app::services::check_csrf(session, token.unwrap_or_default())
        .map_err(IntoResponse::into_response)
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The application, if this citizen filed it and may change this checklist
/// item now: any item of a draft, or after a return for correction only the
/// items the notice names. Otherwise 404 (not theirs) or 409 (locked).
async fn own_application(
    st: &AppState,
    session: &SessionRow,
    id: &str,
    material: &str,
) -> Result<db::ApplicationRow, Response> {
    let row = db::application_for(&st.db, id, &session.citizen_id, &session.mobile)
        .await
        .map_err(|e| internal("application_for", e))?
        .filter(|r| r.filer_id == session.citizen_id)
        .ok_or_else(|| AppError::NotFound.into_response())?;
    let editable = db::material_editable(&st.db, id, material)
        .await
        .map_err(|e| internal("material_editable", e))?;
    if !editable {
        return Err(AppError::Conflict {
            code: "already_submitted".into(),
        }
        .into_response());
    }
    Ok(row)
}

async fn material_exists(
    st: &AppState,
    matter_code: &str,
    material: &str,
) -> Result<bool, Response> {
    let matters = db::list_matters(&st.db)
        .await
        .map_err(|e| internal("matters", e))?;
    Ok(matters
        .iter()
        .find(|m| m.code == matter_code)
        .is_some_and(|m| m.checklist.iter().any(|i| i.material == material)))
}

fn metadata(h: &HeaderMap) -> Option<HashMap<String, String>> {
    super::tus::parse_metadata(header_str(h, "upload-metadata").unwrap_or_default())
}

async fn options() -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    h.insert("tus-version", HeaderValue::from_static(TUS_VERSION));
    h.insert(
        "tus-extension",
        HeaderValue::from_static("creation,termination"),
    );
    res
}

fn tus_ok(h: &HeaderMap) -> Result<(), Response> {
    if header_str(h, "tus-resumable") == Some(TUS_VERSION) {
        Ok(())
    } else {
        let mut res = StatusCode::PRECONDITION_FAILED.into_response();
        res.headers_mut()
            .insert("tus-version", HeaderValue::from_static(TUS_VERSION));
        Err(res)
    }
}

/// Checks shared by both ways of uploading: who, which application and
/// checklist item, the file name and the declared size.
async fn admit(
    st: &AppState,
    session: &SessionRow,
    application: &str,
    material: &str,
    file_name: &str,
    length: Option<i64>,
) -> Result<(db::ApplicationRow, String), Response> {
    let app_row = own_application(st, session, application, material).await?;
    if !material_exists(st, &app_row.matter_code, material).await? {
        return Err(AppError::NotFound.into_response());
    }
    let name =
        check_file_name(file_name).map_err(|e| file_error(StatusCode::UNPROCESSABLE_ENTITY, &e))?;
    let policy = &st.services.policy;
    if let Some(length) = length {
        if length <= 0 {
            return Err(file_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &DomainError::FileEmpty,
            ));
        }
        if length > policy.max_file_bytes {
            let e = DomainError::FileTooLarge {
                max_mb: mb(policy.max_file_bytes),
            };
            return Err(file_error(StatusCode::PAYLOAD_TOO_LARGE, &e));
        }
    }
    Ok((app_row, name))
}

/// tus creation: reserve room and answer where to send the bytes.
async fn create(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, Response> {
    tus_ok(&headers)?;
    let session = Citizen::from_headers(&st, &headers).await?;
    csrf_ok(&session, header_str(&headers, "x-csrf-token"))?;
    let raw_length = header_str(&headers, "upload-length");
    let Some(length) = super::tus::parse_bytes(raw_length) else {
        // All digits but beyond any number: larger than any file allowed.
        if raw_length.is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())) {
            let e = DomainError::FileTooLarge {
                max_mb: mb(st.services.policy.max_file_bytes),
            };
            return Err(file_error(StatusCode::PAYLOAD_TOO_LARGE, &e));
        }
        return Err(bad_header(
            "upload_length",
            "Upload-Length 应为文件的字节数（非负整数）。",
            "Upload-Length must be the file's size in bytes (a whole number, not negative).",
        ));
    };
    let meta =
        metadata(&headers).filter(|m| m.contains_key("application") && m.contains_key("material"));
    let Some(meta) = meta else {
        return Err(bad_header(
            "upload_metadata",
            "Upload-Metadata 应包含 application 和 material（base64 编码）。",
            "Upload-Metadata must name the application and the material (base64).",
        ));
    };
    let get = |k: &str| meta.get(k).cloned().unwrap_or_default();
    let (app_row, name) = admit(
        &st,
        &session,
        &get("application"),
        &get("material"),
        &get("filename"),
        Some(length),
    )
    .await?;
    let upload = UploadRow {
        id: app::services::random_token()[..32].to_string(),
        application_id: app_row.id,
        citizen_id: session.citizen_id.clone(),
        material: get("material"),
        display_name: name,
        length,
        created_at: 0,
    };
    let policy = &st.services.policy;
    match db::create_upload(&st.db, &upload, policy.max_application_bytes).await {
        Ok(true) => {}
        Ok(false) => {
            let e = DomainError::ApplicationFull {
                max_mb: mb(policy.max_application_bytes),
            };
            return Err(file_error(StatusCode::PAYLOAD_TOO_LARGE, &e));
        }
        Err(e) => return Err(internal("create_upload", e)),
    }
    let mut res = StatusCode::CREATED.into_response();
    let h = res.headers_mut();
    h.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    h.insert("upload-offset", HeaderValue::from(0));
    h.insert("upload-length", HeaderValue::from(length));
    if let Ok(v) = HeaderValue::from_str(&format!("/uploads/{}", upload.id)) {
        h.insert(header::LOCATION, v);
    }
    Ok(res)
}

async fn owned_upload(
    st: &AppState,
    session: &SessionRow,
    id: &str,
) -> Result<UploadRow, Response> {
    db::upload(&st.db, id)
        .await
        .map_err(|e| internal("upload", e))?
        .filter(|u| u.citizen_id == session.citizen_id)
        .ok_or_else(|| AppError::NotFound.into_response())
}

async fn file_len(path: &std::path::Path) -> i64 {
    tokio::fs::metadata(path)
        .await
        .map(|m| m.len() as i64)
        .unwrap_or(0)
}

fn offset_response(status: StatusCode, offset: i64, length: i64) -> Response {
    let mut res = status.into_response();
    let h = res.headers_mut();
    h.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    h.insert("upload-offset", HeaderValue::from(offset));
    h.insert("upload-length", HeaderValue::from(length));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// tus HEAD: the bytes the server holds, to resume from.
async fn status(
    State(st): State<AppState>,
    Citizen(session): Citizen,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let docs = docs(&st)?;
    let upload = owned_upload(&st, &session, &id).await?;
    let offset = docs
        .received(&st.db, &upload.id)
        .await
        .map_err(|e| internal("upload_received", e))?;
    Ok(offset_response(StatusCode::OK, offset, upload.length))
}

/// tus termination: give up a transfer.
async fn cancel(
    State(st): State<AppState>,
    Citizen(session): Citizen,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let docs = docs(&st)?;
    csrf_ok(&session, header_str(&headers, "x-csrf-token"))?;
    let upload = owned_upload(&st, &session, &id).await?;
    if let Err(e) = db::delete_upload(&st.db, &upload.id).await {
        return Err(internal("delete_upload", e));
    }
    docs.remove_parts(&upload.id).await;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    Ok(res)
}

/// 413: a PATCH brought more bytes than the upload announced. The client is
/// not sending the file it declared; the upload is gone, and it starts again.
fn more_than_announced() -> Response {
    let body = AppError::Validation(vec![FieldError::new(
        "file",
        "file.more_than_announced",
        "发送的内容比文件申报的大小多，这次上传已取消。请重新选择文件上传。".into(),
        "More bytes arrived than the upload announced, so it was cancelled. Choose the file again."
            .into(),
    )]);
    let mut res = (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response();
    res.headers_mut()
        .insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    res
}

/// 400 for a malformed tus header, saying which, in both languages.
fn bad_header(field: &str, zh: &str, en: &str) -> Response {
    let body = AppError::Validation(vec![FieldError::new(
        field,
        &format!("{field}.malformed"),
        zh.into(),
        en.into(),
    )]);
    let mut res = (StatusCode::BAD_REQUEST, Json(body)).into_response();
    res.headers_mut()
        .insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    res
}

/// Why a body stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// More than the limit: the caller rejects the file.
    TooLarge,
    /// The connection broke: what arrived is kept and fsynced.
    Broken,
    /// The disk is full: the file is cut back to the last whole chunk.
    DiskFull,
}

/// 507 with Retry-After: the server's disk is full; nothing of the failed
/// part is kept, and the client may resume later from `Upload-Offset`.
fn disk_full(offset: i64, length: i64) -> Response {
    tracing::error!("uploads: the data directory's disk is full");
    let mut res = offset_response(StatusCode::INSUFFICIENT_STORAGE, offset, length);
    let h = res.headers_mut();
    h.insert(header::RETRY_AFTER, HeaderValue::from(60));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    *res.body_mut() = axum::body::Body::from(
        serde_json::json!({ "Unavailable": { "retry_after_secs": 60 }, "code": "disk_full" })
            .to_string(),
    );
    res
}

/// Append a body to a file, at most `limit` bytes in all; on an early stop,
/// the bytes written whole and why.
async fn stream_into<S, E>(
    file: &mut tokio::fs::File,
    mut body: S,
    limit: i64,
    mut hasher: Option<&mut Sha256>,
) -> Result<i64, (i64, Stop)>
where
    S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
{
    let mut written: i64 = 0;
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            let _ = file.flush().await;
            let _ = file.sync_data().await;
            return Err((written, Stop::Broken));
        };
        if written + chunk.len() as i64 > limit {
            return Err((written, Stop::TooLarge));
        }
        if let Err(e) = file.write_all(&chunk).await {
            if e.kind() == std::io::ErrorKind::StorageFull {
                return Err((written, Stop::DiskFull));
            }
            return Err((written, Stop::Broken));
        }
        if let Some(h) = hasher.as_deref_mut() {
            h.update(&chunk);
        }
        crate::metrics::upload_bytes("document", chunk.len() as u64);
        written += chunk.len() as i64;
    }
    let full = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::StorageFull {
            (written, Stop::DiskFull)
        } else {
            (written, Stop::Broken)
        }
    };
    file.flush().await.map_err(full)?;
    file.sync_data().await.map_err(full)?;
    Ok(written)
}

/// tus PATCH: append at the offset the server holds.
async fn append(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    let docs = docs(&st)?.clone();
    tus_ok(&headers)?;
    if header_str(&headers, "content-type") != Some("application/offset+octet-stream") {
        return Err(StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response());
    }
    let session = Citizen::from_headers(&st, &headers).await?;
    csrf_ok(&session, header_str(&headers, "x-csrf-token"))?;
    let upload = owned_upload(&st, &session, &id).await?;
    if let Some(parts) = docs.shared_parts.clone() {
        return append_part(&st, &docs, &parts, &upload, &headers, body).await;
    }
    let Some(_guard) = docs.try_lock(&upload.id) else {
        return Err(AppError::Conflict {
            code: "upload_busy".into(),
        }
        .into_response());
    };
    let path = docs.part_path(&upload.id);
    let current = file_len(&path).await;
    let claimed = super::tus::parse_bytes(header_str(&headers, "upload-offset"));
    if claimed != Some(current) {
        return Err(offset_response(
            StatusCode::CONFLICT,
            current,
            upload.length,
        ));
    }
    let mut file = match tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .await
    {
        Ok(f) => f,
        Err(e) => return Err(internal("open part", e)),
    };
    let remaining = upload.length - current;
    // A transfer that starts at byte 0 is hashed as it streams; a resumed one
    // is hashed from the file when it completes.
    let mut hasher = (current == 0).then(Sha256::new);
    let written = match stream_into(
        &mut file,
        body.into_data_stream(),
        remaining,
        hasher.as_mut(),
    )
    .await
    {
        Ok(n) => n,
        Err((n, Stop::DiskFull)) => {
            // Keep only the whole chunks before the failure (they were
            // written; the failing one may be in part).
            let _ = file.set_len((current + n) as u64).await;
            let _ = file.sync_data().await;
            drop(file);
            let _ = db::touch_upload(&st.db, &upload.id).await;
            return Err(disk_full(current + n, upload.length));
        }
        Err((_, Stop::TooLarge)) => {
            // More than was declared: the client is not sending the file it
            // announced. Nothing of it is kept — no part file, no row holding
            // quota — and it starts again with a new upload.
            drop(file);
            let _ = tokio::fs::remove_file(&path).await;
            let _ = db::delete_upload(&st.db, &upload.id).await;
            return Err(more_than_announced());
        }
        Err((n, Stop::Broken)) => {
            let _ = db::touch_upload(&st.db, &upload.id).await;
            tracing::info!(upload = %upload.id, kept = current + n, "upload interrupted; resumable");
            return Err(offset_response(
                StatusCode::BAD_REQUEST,
                current + n,
                upload.length,
            ));
        }
    };
    drop(file);
    let _ = db::touch_upload(&st.db, &upload.id).await;
    let offset = current + written;
    if offset < upload.length {
        return Ok(offset_response(
            StatusCode::NO_CONTENT,
            offset,
            upload.length,
        ));
    }
    let sha = hasher.map(|h| hex::encode(h.finalize()));
    let doc_id = finish(&st, &docs, &upload, sha)
        .await
        .map_err(IntoResponse::into_response)?;
    let mut res = offset_response(StatusCode::NO_CONTENT, offset, upload.length);
    if let Ok(v) = HeaderValue::from_str(&doc_id) {
        res.headers_mut().insert("onetrip-document-id", v);
    }
    Ok(res)
}

/// tus PATCH in a cluster: the body becomes one part in the object store
/// (through a local scratch file), counted in the database, so the next PATCH
/// may go to any replica. When the parts are complete they are put together
/// into a local file and finished like a local transfer.
async fn append_part(
    st: &AppState,
    docs: &Documents,
    parts: &super::SharedParts,
    upload: &UploadRow,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    let current = db::upload_received(&st.db, &upload.id)
        .await
        .map_err(|e| internal("upload_received", e))?;
    let claimed = super::tus::parse_bytes(header_str(headers, "upload-offset"));
    if claimed != Some(current) {
        return Err(offset_response(
            StatusCode::CONFLICT,
            current,
            upload.length,
        ));
    }
    let piece = docs.tmp_dir.join(format!(
        "{}.{}.piece",
        upload.id,
        uuid::Uuid::new_v4().simple()
    ));
    let mut file = tokio::fs::File::create(&piece)
        .await
        .map_err(|e| internal("create piece", e))?;
    let streamed = stream_into(
        &mut file,
        body.into_data_stream(),
        upload.length - current,
        None,
    )
    .await;
    let (n, broken) = match streamed {
        Ok(n) => (n, false),
        Err((n, Stop::Broken)) => {
            let _ = file.sync_data().await;
            (n, true)
        }
        Err((_, Stop::DiskFull)) => {
            drop(file);
            let _ = tokio::fs::remove_file(&piece).await;
            return Err(disk_full(current, upload.length));
        }
        Err((_, Stop::TooLarge)) => {
            drop(file);
            let _ = tokio::fs::remove_file(&piece).await;
            let _ = db::delete_upload(&st.db, &upload.id).await;
            docs.remove_parts(&upload.id).await;
            return Err(more_than_announced());
        }
    };
    drop(file);
    let mut offset = current;
    if n > 0 {
        let stored = parts.put(&upload.id, current, &piece).await;
        let _ = tokio::fs::remove_file(&piece).await;
        let key = stored.map_err(|e| {
            tracing::error!(error = %e, "upload part: the object store is unavailable");
            let mut res = AppError::Unavailable {
                retry_after_secs: 10,
            }
            .into_response();
            res.headers_mut()
                .insert("upload-offset", HeaderValue::from(current));
            res
        })?;
        let counted = db::add_upload_part(&st.db, &upload.id, current, n, &key)
            .await
            .map_err(|e| internal("add_upload_part", e))?;
        if !counted {
            // Another PATCH at this offset won: this part does not count.
            parts.delete(&key).await;
            // …and if that one finished the upload, it is a document now.
            let gone = db::upload(&st.db, &upload.id)
                .await
                .map_err(|e| internal("upload", e))?
                .is_none();
            if gone {
                return Err(AppError::NotFound.into_response());
            }
            let now = db::upload_received(&st.db, &upload.id)
                .await
                .map_err(|e| internal("upload_received", e))?;
            return Err(offset_response(StatusCode::CONFLICT, now, upload.length));
        }
        offset += n;
    } else {
        let _ = tokio::fs::remove_file(&piece).await;
    }
    if broken {
        tracing::info!(upload = %upload.id, kept = offset, "upload interrupted; resumable");
        return Err(offset_response(
            StatusCode::BAD_REQUEST,
            offset,
            upload.length,
        ));
    }
    if offset < upload.length {
        return Ok(offset_response(
            StatusCode::NO_CONTENT,
            offset,
            upload.length,
        ));
    }
    // Complete: put the parts together here, then finish.
    let all = db::upload_parts(&st.db, &upload.id)
        .await
        .map_err(|e| internal("upload_parts", e))?;
    let path = docs.part_path(&upload.id);
    let assembled = async {
        let mut out = tokio::fs::File::create(&path).await?;
        parts.copy_into(&all, &mut out).await
    }
    .await;
    if let Err(e) = assembled {
        let _ = tokio::fs::remove_file(&path).await;
        if e.kind() == std::io::ErrorKind::StorageFull {
            return Err(disk_full(offset, upload.length));
        }
        tracing::error!(error = %e, "upload parts could not be read back");
        let mut res = AppError::Unavailable {
            retry_after_secs: 10,
        }
        .into_response();
        res.headers_mut()
            .insert("upload-offset", HeaderValue::from(offset));
        return Err(res);
    }
    let doc_id = finish(st, docs, upload, None)
        .await
        .map_err(IntoResponse::into_response)?;
    docs.remove_parts(&upload.id).await;
    let mut res = offset_response(StatusCode::NO_CONTENT, offset, upload.length);
    if let Ok(v) = HeaderValue::from_str(&doc_id) {
        res.headers_mut().insert("onetrip-document-id", v);
    }
    Ok(res)
}

/// Inspect a complete temporary file: kind by content, agreement with the
/// name, completeness, image dimensions; then its SHA-256 (streamed from the
/// file unless it was computed while the bytes arrived).
fn inspect(
    path: &std::path::Path,
    name: &str,
    sha: Option<String>,
) -> Result<Result<(DocKind, String), DomainError>, std::io::Error> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let mut head = vec![0u8; (64 * 1024).min(len as usize).max(1)];
    let n = f.read(&mut head)?;
    head.truncate(n);
    let kind = match check_kind(&head, name) {
        Ok(k) => k,
        Err(e) => return Ok(Err(e)),
    };
    // The structure first: it tells data after a photo's end from a photo
    // cut short, which the last bytes alone cannot.
    f.seek(SeekFrom::Start(0))?;
    if let Err(e) = super::content::check(kind, &mut std::io::BufReader::new(&mut f))? {
        return Ok(Err(e));
    }
    let tail_len = 1024.min(len);
    f.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    f.read_exact(&mut tail)?;
    if let Err(e) = check_complete(kind, &tail) {
        return Ok(Err(e));
    }
    if kind.is_image() {
        match imagesize::size(path) {
            Ok(d) => {
                if let Err(e) = check_dimensions(d.width as u64, d.height as u64) {
                    return Ok(Err(e));
                }
            }
            // HEIF containers vary; a JPEG/PNG/WebP whose header cannot be
            // read is damaged.
            Err(_) if matches!(kind, DocKind::Heic | DocKind::Heif) => {}
            Err(_) => return Ok(Err(DomainError::FileTruncated)),
        }
    }
    let sha = match sha {
        Some(s) => s,
        None => {
            f.seek(SeekFrom::Start(0))?;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
            }
            hex::encode(hasher.finalize())
        }
    };
    f.sync_all()?;
    Ok(Ok((kind, sha)))
}

enum Refused {
    /// The content was refused: nothing was kept.
    File(DomainError),
    Other(Response),
}

impl From<Response> for Refused {
    fn from(r: Response) -> Self {
        Refused::Other(r)
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::File(e) => file_error(status_for(&e), &e),
            Refused::Other(r) => r,
        }
    }
}

/// A complete upload becomes a document: checked, moved into the store,
/// then the row committed. Anything refused leaves nothing behind.
async fn finish(
    st: &AppState,
    docs: &Documents,
    upload: &UploadRow,
    sha: Option<String>,
) -> Result<String, Refused> {
    let path = docs.part_path(&upload.id);
    let (p, name) = (path.clone(), upload.display_name.clone());
    let checked = tokio::task::spawn_blocking(move || inspect(&p, &name, sha))
        .await
        .map_err(|e| Refused::Other(internal("inspect", e)))?
        .map_err(|e| Refused::Other(internal("inspect", e)))?;
    let (kind, sha) = match checked {
        Ok(x) => x,
        Err(e) => {
            let _ = db::delete_upload(&st.db, &upload.id).await;
            docs.remove_parts(&upload.id).await;
            return Err(Refused::File(e));
        }
    };
    // Pinned first, so the collector cannot remove this content between
    // the move into the store and the commit of the row.
    db::pin_content(&st.db, &sha, db::now_ms() + 3600 * 1000)
        .await
        .map_err(|e| Refused::Other(internal("pin", e)))?;
    docs.store.put_file(&sha, &path).await.map_err(|e| {
        Refused::Other(if e.kind() == std::io::ErrorKind::StorageFull {
            disk_full(0, upload.length)
        } else {
            // The store is away (an object store down, a mount gone):
            // the upload stays whole here, to be finished when it is back.
            tracing::error!(error = %e, "document store unavailable");
            AppError::Unavailable {
                retry_after_secs: 10,
            }
            .into_response()
        })
    })?;
    let doc_id = uuid::Uuid::new_v4().to_string();
    match db::complete_upload(&st.db, upload, &doc_id, &sha, kind.mime()).await {
        Ok(true) => {
            docs.preview_wake.notify_one();
            Ok(doc_id)
        }
        Ok(false) => Err(AppError::Conflict {
            code: "already_submitted".into(),
        }
        .into_response()
        .into()),
        Err(e) => Err(internal("complete_upload", e).into()),
    }
}

/// Who reads an application's files and letters.
pub(crate) enum Reader {
    Staff(db::StaffSession),
    Citizen,
}

/// May the requester read this application: staff of its case's site (not
/// administrators), or its filer or a party named on it? Anything else is
/// 404, as if it did not exist; nobody signed in is 401. `None` (an unknown
/// document) answers like a foreign one.
pub(crate) async fn may_read_application(
    st: &AppState,
    headers: &HeaderMap,
    application_id: Option<&str>,
) -> Result<Reader, Response> {
    let staff = app::services::staff_for_headers(&st.db, &st.services, headers)
        .await
        .ok()
        .flatten();
    let is_staff = staff.is_some();
    if let (Some(staff), Some(id)) = (staff, application_id) {
        if staff.role != "admin"
            && db::case_for_staff(&st.db, id, &staff.staff_id)
                .await
                .map_err(|e| internal("case", e))?
                .is_some()
        {
            return Ok(Reader::Staff(staff));
        }
    }
    let session = match Citizen::from_headers(st, headers).await {
        Ok(s) => s,
        Err(_) if is_staff => return Err(AppError::NotFound.into_response()),
        Err(r) => return Err(r),
    };
    let Some(id) = application_id else {
        return Err(AppError::NotFound.into_response());
    };
    db::application_for(&st.db, id, &session.citizen_id, &session.mobile)
        .await
        .map_err(|e| internal("application_for", e))?
        .ok_or_else(|| AppError::NotFound.into_response())?;
    Ok(Reader::Citizen)
}

/// A document the requester may see (see [`may_read_application`]).
async fn readable_document(
    st: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<db::DocumentRow, Response> {
    let doc = db::document(&st.db, id)
        .await
        .map_err(|e| internal("document", e))?;
    may_read_application(st, headers, doc.as_ref().map(|d| d.application_id.as_str())).await?;
    doc.ok_or_else(|| AppError::NotFound.into_response())
}

fn private_headers(h: &mut HeaderMap, cache: &'static str) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// Serve a document to its filer and the parties named on its application.
async fn download(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match serve_document(&st, &headers, &id).await {
        Ok(r) | Err(r) => r,
    }
}

/// A stored content that cannot be read: missing is our fault (500, logged);
/// the store away (an object store down, a mount gone) is 503 with
/// Retry-After, as every other outage is.
fn store_away(e: std::io::Error) -> Response {
    if e.kind() == std::io::ErrorKind::NotFound {
        return internal("store open", e);
    }
    tracing::error!(error = %e, "document store unavailable");
    AppError::Unavailable {
        retry_after_secs: 10,
    }
    .into_response()
}

async fn serve_document(
    st: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<Response, Response> {
    let docs = docs(st)?;
    let doc = readable_document(st, headers, id).await?;
    let reader = docs.store.open(&doc.sha256).await.map_err(store_away)?;
    let kind = DocKind::from_mime(&doc.mime).unwrap_or(DocKind::Pdf);
    let ext = kind.extensions()[0];
    let mut res = Body::from_stream(tokio_util::io::ReaderStream::new(reader)).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&doc.mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(doc.size));
    let disposition = format!(
        "inline; filename=\"document.{ext}\"; filename*=UTF-8''{}",
        app::services::q(&doc.display_name).replace('/', "%2F")
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    private_headers(h, "private, no-store");
    Ok(res)
}

/// The document's preview image (thumbnail or first PDF page) once the
/// background worker has made it; 404 before, or when there is none.
async fn preview(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let run = async {
        let docs = docs(&st)?;
        let doc = readable_document(&st, &headers, &id).await?;
        let thumb = db::preview(&st.db, &doc.sha256)
            .await
            .map_err(|e| internal("preview", e))?
            .and_then(|p| p.thumb_sha256)
            .ok_or_else(|| AppError::NotFound.into_response())?;
        let reader = docs.store.open(&thumb).await.map_err(store_away)?;
        let mut res = Body::from_stream(tokio_util::io::ReaderStream::new(reader)).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
        // A document's content never changes: the browser may keep it.
        private_headers(h, "private, max-age=86400");
        Ok::<_, Response>(res)
    };
    match run.await {
        Ok(r) | Err(r) => r,
    }
}

/// Delete a document of one's own draft.
async fn delete_document(
    st: &AppState,
    session: &SessionRow,
    id: &str,
) -> Result<db::DocumentRow, Response> {
    let docs = docs(st)?;
    let doc = db::document(&st.db, id)
        .await
        .map_err(|e| internal("document", e))?
        .ok_or_else(|| AppError::NotFound.into_response())?;
    own_application(st, session, &doc.application_id, &doc.material).await?;
    match db::delete_document(&st.db, id, docs.gc_grace_ms).await {
        Ok(true) => Ok(doc),
        Ok(false) => Err(AppError::NotFound.into_response()),
        Err(e) => Err(internal("delete_document", e)),
    }
}

async fn remove(
    State(st): State<AppState>,
    Citizen(session): Citizen,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = csrf_ok(&session, header_str(&headers, "x-csrf-token")) {
        return r;
    }
    match delete_document(&st, &session, &id).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => r,
    }
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    csrf: String,
    /// `application`: back to the application page (a correction) instead
    /// of the wizard's materials step.
    back: Option<String>,
}

/// Where a form about a checklist item returns to, with `query` added.
fn item_page(application: &str, material: &str, back: Option<&str>, query: &str) -> String {
    let (a, m) = (app::services::q(application), app::services::q(material));
    let sep = if query.is_empty() { "" } else { "?" };
    match back {
        Some("application") => format!("/applications/{a}{sep}{query}#material_{m}"),
        _ => format!("/apply/{a}/materials{sep}{query}#material_{m}"),
    }
}

/// The no-JavaScript delete button.
async fn form_remove(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    let session = match Citizen::from_headers(&st, &headers).await {
        Ok(s) => s,
        Err(_) => return see_other("/signin?next=/me"),
    };
    if let Err(r) = csrf_ok(&session, Some(&form.csrf)) {
        return r;
    }
    match delete_document(&st, &session, &id).await {
        Ok(doc) => see_other(&item_page(
            &doc.application_id,
            &doc.material,
            form.back.as_deref(),
            "deleted=1",
        )),
        Err(r) => r,
    }
}

#[derive(serde::Deserialize)]
struct MoveForm {
    csrf: String,
    /// `up` or `down`.
    dir: String,
    back: Option<String>,
}

/// Reorder within a checklist item (a plain form post: works without
/// JavaScript); back to the item on the materials page.
async fn form_move(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<MoveForm>,
) -> Response {
    let run = async {
        let session = Citizen::from_headers(&st, &headers)
            .await
            .map_err(|_| see_other("/signin?next=/me"))?;
        csrf_ok(&session, Some(&form.csrf))?;
        let direction = match form.dir.as_str() {
            "up" => -1,
            "down" => 1,
            _ => return Err(AppError::NotFound.into_response()),
        };
        let doc = db::document(&st.db, &id)
            .await
            .map_err(|e| internal("document", e))?
            .ok_or_else(|| AppError::NotFound.into_response())?;
        own_application(&st, &session, &doc.application_id, &doc.material).await?;
        db::move_document(&st.db, &id, direction)
            .await
            .map_err(|e| internal("move_document", e))?
            .ok_or_else(|| AppError::NotFound.into_response())?;
        Ok(see_other(&item_page(
            &doc.application_id,
            &doc.material,
            form.back.as_deref(),
            "",
        )))
    };
    match run.await {
        Ok(r) | Err(r) => r,
    }
}

#[derive(serde::Deserialize)]
struct FormTarget {
    application: Option<String>,
    material: Option<String>,
}

/// The no-JavaScript upload: a multipart form with `csrf`, `application`,
/// `material` and then one or more `file`s. Each file is taken in turn (a
/// refused one does not stop the rest); the answer is a redirect back to
/// the materials page with the outcome in the query string: how many were
/// uploaded, and the first refusal with the file it was about.
async fn form_upload(
    State(st): State<AppState>,
    Query(target): Query<FormTarget>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, Response> {
    let docs = docs(&st)?.clone();
    let session = match Citizen::from_headers(&st, &headers).await {
        Ok(s) => s,
        Err(_) => return Err(see_other("/signin?next=/me")),
    };
    let mut fields: HashMap<String, String> = HashMap::new();
    if let Some(a) = target.application {
        fields.insert("application".into(), a);
    }
    if let Some(m) = target.material {
        fields.insert("material".into(), m);
    }
    let mut uploaded = 0usize;
    let mut refused: Vec<(String, String)> = Vec::new();
    let mut files = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) if files > 0 => break,
            Err(_) => return Err(AppError::BadRequest.into_response()),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name != "file" {
            let value = field.text().await.unwrap_or_default();
            fields.insert(name, value.chars().take(200).collect());
            continue;
        }
        files += 1;
        if files == 1 {
            csrf_ok(&session, fields.get("csrf").map(String::as_str))?;
        }
        let file_name = field.file_name().unwrap_or_default().to_string();
        if file_name.is_empty() && files > 1 {
            continue;
        }
        match take_form_file(&st, &docs, &session, &fields, field).await {
            Ok(()) => uploaded += 1,
            Err(FormRefusal::Query(q)) => {
                // Each refused file is named (a form carries a handful).
                if refused.len() < 20 {
                    refused.push((q, file_name));
                }
            }
            Err(FormRefusal::Answer(r)) => return Err(r),
        }
    }
    if files == 0 {
        return Err(AppError::BadRequest.into_response());
    }
    let application = fields.get("application").cloned().unwrap_or_default();
    let material = fields.get("material").cloned().unwrap_or_default();
    let mut query = Vec::new();
    if uploaded > 0 {
        query.push(format!("uploaded={uploaded}"));
    }
    for (q, file_name) in refused {
        query.push(q);
        let shown: String = file_name.chars().take(80).collect();
        query.push(format!("fname={}", app::services::q(&shown)));
    }
    query.push(format!("m={}", app::services::q(&material)));
    Ok(see_other(&item_page(
        &application,
        &material,
        fields.get("back").map(String::as_str),
        &query.join("&"),
    )))
}

/// Why one file of a form was not taken: said on the page (a query), or an
/// answer of its own (a wrong session, a broken request, a failure).
enum FormRefusal {
    Query(String),
    Answer(Response),
}

/// One file of the no-JavaScript form, streamed to disk, checked and kept.
async fn take_form_file(
    st: &AppState,
    docs: &Documents,
    session: &SessionRow,
    fields: &HashMap<String, String>,
    field: axum::extract::multipart::Field<'_>,
) -> Result<(), FormRefusal> {
    use FormRefusal::{Answer, Query as Said};
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let application = get("application");
    let material = get("material");
    let file_name = field.file_name().unwrap_or_default().to_string();
    if file_name.is_empty() {
        return Err(Said("upload_error=file.empty".into()));
    }
    let (app_row, display_name) =
        match admit(st, session, &application, &material, &file_name, None).await {
            Ok(x) => x,
            Err(r) if r.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                return Err(Said("upload_error=file.name".into()))
            }
            Err(r) => return Err(Answer(r)),
        };
    let policy = &st.services.policy;
    let upload_id = app::services::random_token()[..32].to_string();
    let path = docs.part_path(&upload_id);
    let mut file = match tokio::fs::File::create(&path).await {
        Ok(f) => f,
        Err(e) => return Err(Answer(internal("create part", e))),
    };
    let stream = futures::stream::unfold(field, |mut f| async move {
        match f.chunk().await {
            Ok(Some(b)) => Some((Ok::<_, std::io::Error>(b), f)),
            Ok(None) => None,
            Err(e) => Some((Err(std::io::Error::other(e)), f)),
        }
    });
    let mut hasher = Sha256::new();
    let written = match stream_into(
        &mut file,
        Box::pin(stream),
        policy.max_file_bytes,
        Some(&mut hasher),
    )
    .await
    {
        Ok(n) => n,
        Err((_, stop)) => {
            drop(file);
            let _ = tokio::fs::remove_file(&path).await;
            return Err(match stop {
                Stop::TooLarge => Said(format!(
                    "upload_error=file.too_large&max={}",
                    mb(policy.max_file_bytes)
                )),
                Stop::DiskFull => Answer(disk_full(0, 0)),
                Stop::Broken => Answer(AppError::BadRequest.into_response()),
            });
        }
    };
    drop(file);
    if written == 0 {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(Said("upload_error=file.empty".into()));
    }
    let upload = UploadRow {
        id: upload_id,
        application_id: app_row.id.clone(),
        citizen_id: session.citizen_id.clone(),
        material: material.clone(),
        display_name,
        length: written,
        created_at: 0,
    };
    match db::create_upload(&st.db, &upload, policy.max_application_bytes).await {
        Ok(true) => {}
        Ok(false) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(Said(format!(
                "upload_error=file.application_full&max={}",
                mb(policy.max_application_bytes)
            )));
        }
        Err(e) => return Err(Answer(internal("create_upload", e))),
    }
    match finish(st, docs, &upload, Some(hex::encode(hasher.finalize()))).await {
        Ok(_) => Ok(()),
        Err(Refused::File(e)) => Err(Said(format!("upload_error={}", e.code()))),
        Err(Refused::Other(r)) => Err(Answer(r)),
    }
}

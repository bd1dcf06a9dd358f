//! HTTP routes of the developer's spreadsheets: blank templates (XLSX, CSV),
//! uploads for a batch or a project's unit list (multipart; a browser's form
//! gets a redirect back, a program gets JSON with `202 Accepted`), and the
//! error report of an upload as XLSX.

use super::{columns_for, sheet};
use crate::extract::{see_other, wants_html, Member};
use crate::AppState;
use app::db::{self, OrgSession};
use app::domain::filing::{
    header_map_with, neutralise, unit_list_columns, CellError, Column, FileError, FilingKind,
};
use app::error::{AppError, FieldError};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/developer/templates/{file}", get(template))
        .route("/developer/projects/{id}/units", post(upload_units))
        .route("/developer/batches/{id}/upload", post(upload_batch))
        .route("/developer/uploads/{id}/report.xlsx", get(report))
        .route("/developer/uploads/{id}", get(status))
        // The upload handlers read the file under their own limit.
        .layer(DefaultBodyLimit::disable())
}

fn internal(ctx: &'static str, e: impl std::fmt::Display + 'static) -> Response {
    AppError::internal(ctx, e).into_response()
}

fn download(bytes: Vec<u8>, name: &str, content_type: &'static str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        name.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '-',
            "_"
        ),
        app::services::q(name)
    );
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook with the columns' headers (and, for a report, rows and an
/// error column). Every column is formatted as text, so Excel keeps ID and
/// unit numbers as typed; every cell is neutralised against formulas.
pub fn workbook(
    columns: &[Column],
    rows: &[(Vec<String>, String)],
    report: bool,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let head = Format::new()
        .set_bold()
        .set_num_format("@")
        .set_background_color("#E8EEF7");
    let ws = wb.add_worksheet();
    ws.set_name(if report { "错误报告" } else { "模板" })?;
    for (i, c) in columns.iter().enumerate() {
        let col = i as u16;
        ws.set_column_format(col, &text)?;
        ws.set_column_width(col, 22)?;
        ws.write_string_with_format(0, col, c.header, &head)?;
    }
    if report {
        let col = columns.len() as u16;
        ws.set_column_width(col, 60)?;
        ws.write_string_with_format(
            0,
            col,
            "错误说明（修改后可删除此列，或原样重新上传）",
            &head,
        )?;
    }
    for (r, (cells, error)) in rows.iter().enumerate() {
        let row = r as u32 + 1;
        for (i, v) in cells.iter().enumerate() {
            ws.write_string_with_format(row, i as u16, neutralise(v), &text)?;
        }
        if report {
            ws.write_string(row, columns.len() as u16, neutralise(error))?;
        }
    }
    wb.save_to_buffer()
}

/// `GET /developer/templates/{kind}.xlsx|csv` (or `units.…`): blank, public.
async fn template(Path(file): Path<String>) -> Response {
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (columns, title) = match stem {
        "units" => (unit_list_columns(), "楼盘表".to_string()),
        k => match FilingKind::from_code(k) {
            Some(kind) => (kind.columns(), kind.name_zh().to_string()),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    match ext {
        "xlsx" => match workbook(&columns, &[], false) {
            Ok(b) => download(b, &format!("{title}模板.xlsx"), XLSX),
            Err(e) => internal("template", e),
        },
        "csv" => {
            // UTF-8 with a BOM: what Excel needs to open Chinese text right.
            let mut out = vec![0xEF, 0xBB, 0xBF];
            let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
            out.extend_from_slice(headers.join(",").as_bytes());
            out.extend_from_slice(b"\r\n");
            download(out, &format!("{title}模板.csv"), "text/csv; charset=utf-8")
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The form fields before the file, and the file itself (read up to the limit).
struct Received {
    csrf: String,
    file_name: String,
    bytes: Vec<u8>,
}

async fn receive(mut multipart: Multipart, max: usize) -> Result<Received, FileError> {
    let mut csrf = String::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            _ => return Err(FileError::Empty),
        };
        match field.name().unwrap_or_default() {
            "csrf" => {
                csrf = field
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .take(100)
                    .collect()
            }
            "file" => {
                let file_name: String = field
                    .file_name()
                    .unwrap_or_default()
                    .chars()
                    .take(120)
                    .collect();
                let mut field = field;
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(b)) => {
                            if bytes.len() + b.len() > max {
                                return Err(FileError::TooLarge {
                                    max_mb: max / (1024 * 1024),
                                });
                            }
                            crate::metrics::upload_bytes("spreadsheet", b.len() as u64);
                            bytes.extend_from_slice(&b);
                        }
                        Ok(None) => break,
                        Err(_) => return Err(FileError::Empty),
                    }
                }
                return Ok(Received {
                    csrf,
                    file_name,
                    bytes,
                });
            }
            _ => {}
        }
    }
}

/// A refused file: back to the page with the reason, or 422/413 with it.
fn refused(html: bool, page: &str, e: &FileError) -> Response {
    if html {
        return see_other(&format!(
            "{page}?file_error={}&p={}",
            e.code(),
            app::services::q(&e.param())
        ));
    }
    let status = match e {
        FileError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        FileError::NotSpreadsheet | FileError::OldExcel => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let body = AppError::Validation(vec![FieldError::new(
        "file",
        e.code(),
        e.message(app::domain::Lang::Zh),
        e.message(app::domain::Lang::En),
    )]);
    (status, Json(body)).into_response()
}

/// Where an upload goes.
pub(crate) struct Target {
    pub project_id: String,
    pub batch: Option<db::BatchRow>,
    /// The page a browser is sent back to.
    pub page: String,
}

/// Why an upload was not taken.
pub(crate) enum Refusal {
    /// The file as a whole (nothing stored).
    File(FileError),
    App(AppError),
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        match r {
            Refusal::File(e) => AppError::Validation(vec![FieldError::new(
                "file",
                e.code(),
                e.message(app::domain::Lang::Zh),
                e.message(app::domain::Lang::En),
            )]),
            Refusal::App(e) => e,
        }
    }
}

/// Read a file through and refuse it as a whole when it is not a usable
/// sheet (nothing is stored then); otherwise keep it for the worker, wake
/// the worker, and answer its id and row count. With an idempotency key
/// already used by the organisation, the upload made then is answered.
pub(crate) async fn store_upload(
    st: &AppState,
    org_id: &str,
    member_id: &str,
    target: &Target,
    file_name: &str,
    bytes: Vec<u8>,
    key: Option<&str>,
) -> Result<(String, i64), Refusal> {
    let policy = &st.services.policy;
    let limits = sheet::Limits {
        max_rows: policy.filing_max_rows,
        max_bytes: policy.filing_max_file_bytes,
    };
    // Reading a sheet keeps a core busy and a few tens of megabytes in use:
    // two at a time (this machine's cores), the rest wait their turn.
    static READING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let _turn = READING
        .acquire()
        .await
        .map_err(|e| Refusal::App(AppError::internal("sheet turn", e)))?;
    let read = tokio::task::spawn_blocking(move || {
        sheet::survey(&bytes, limits).map(|(f, headers, rows)| (f, headers, rows, bytes))
    })
    .await;
    let (format, headers, rows, bytes) = match read {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return Err(Refusal::File(e)),
        Err(e) => return Err(Refusal::App(AppError::internal("read sheet", e))),
    };
    let kind = target
        .batch
        .as_ref()
        .and_then(|b| FilingKind::from_code(&b.kind));
    let purpose = if target.batch.is_some() {
        "batch"
    } else {
        "units"
    };
    let columns = columns_for(purpose, kind);
    if let Err(missing) = header_map_with(&columns, &headers) {
        return Err(Refusal::File(FileError::MissingHeaders(missing)));
    }
    let upload = db::FilingUpload {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: org_id.to_string(),
        batch_id: target.batch.as_ref().map(|b| b.id.clone()),
        project_id: target.project_id.clone(),
        purpose: purpose.into(),
        file_name: if file_name.is_empty() {
            format!("upload.{}", format.code())
        } else {
            file_name.to_string()
        },
        format: format.code().into(),
        status: "checking".into(),
        total_rows: rows as i64,
        checked_rows: 0,
        accepted_rows: 0,
        failed_rows: 0,
        created_at: db::now_ms(),
        finished_at: None,
    };
    let stored = db::insert_upload(&st.db, &upload, &bytes, member_id, key)
        .await
        .map_err(|e| Refusal::App(AppError::internal("insert upload", e)))?;
    if !stored {
        // The same idempotency key again: the upload it made, if it carried
        // the same rows; other rows under the same key are a mistake.
        let reused = || {
            Refusal::App(AppError::Conflict {
                code: "idempotency_key_reused".into(),
            })
        };
        let (existing, same) = db::upload_by_key(&st.db, org_id, key.unwrap_or_default(), &bytes)
            .await
            .map_err(|e| Refusal::App(AppError::internal("upload by key", e)))?
            .ok_or_else(reused)?;
        if !same || existing.batch_id != upload.batch_id {
            return Err(reused());
        }
        return Ok((existing.id, existing.total_rows));
    }
    st.services.filing_wake.notify_one();
    Ok((upload.id, upload.total_rows))
}

/// A form's or a program's upload: the CSRF token, then [`store_upload`];
/// a browser is sent back to the page, a program gets `202 Accepted`.
async fn take_in(
    st: &AppState,
    headers: &HeaderMap,
    session: &OrgSession,
    target: Target,
    multipart: Multipart,
) -> Response {
    let html = wants_html(headers);
    let received = match receive(multipart, st.services.policy.filing_max_file_bytes).await {
        Ok(r) => r,
        Err(e) => return refused(html, &target.page, &e),
    };
    if let Err(e) = app::services::check_org_csrf(session, &received.csrf) {
        return e.into_response();
    }
    let stored = store_upload(
        st,
        &session.org_id,
        &session.member_id,
        &target,
        &received.file_name,
        received.bytes,
        None,
    )
    .await;
    let (id, rows) = match stored {
        Ok(x) => x,
        Err(Refusal::File(e)) => return refused(html, &target.page, &e),
        Err(Refusal::App(e)) => return e.into_response(),
    };
    if html {
        return see_other(&format!("{}?upload={id}", target.page));
    }
    let status_url = format!("/developer/uploads/{id}");
    let mut res = (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({
            "upload_id": id,
            "rows": rows,
            "status_url": status_url,
        })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&status_url) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// `POST /developer/projects/{id}/units`: the project's unit list.
async fn upload_units(
    State(st): State<AppState>,
    Member(session): Member,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    match db::project_of(&st.db, &session.org_id, &id).await {
        Ok(Some(_)) => {}
        Ok(None) => return AppError::NotFound.into_response(),
        Err(e) => return internal("project", e),
    }
    if !session.verified() {
        return AppError::Forbidden.into_response();
    }
    let page = format!("/developer/projects/{id}");
    take_in(
        &st,
        &headers,
        &session,
        Target {
            project_id: id,
            batch: None,
            page,
        },
        multipart,
    )
    .await
}

/// `POST /developer/batches/{id}/upload`: rows for a draft batch.
async fn upload_batch(
    State(st): State<AppState>,
    Member(session): Member,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let batch = match db::batch_of(&st.db, &session.org_id, &id).await {
        Ok(Some(b)) => b,
        Ok(None) => return AppError::NotFound.into_response(),
        Err(e) => return internal("batch", e),
    };
    let page = format!("/developer/batches/{id}");
    if batch.status != "draft" {
        return if wants_html(&headers) {
            see_other(&format!("{page}?error=not_draft"))
        } else {
            AppError::Conflict {
                code: "not_draft".into(),
            }
            .into_response()
        };
    }
    let target = Target {
        project_id: batch.project_id.clone(),
        batch: Some(batch),
        page,
    };
    take_in(&st, &headers, &session, target, multipart).await
}

/// `GET /developer/uploads/{id}/report.xlsx`: the failing rows as given,
/// with an error column, to fix and upload again.
async fn report(
    State(st): State<AppState>,
    Member(session): Member,
    Path(id): Path<String>,
) -> Response {
    let upload = match db::upload_of(&st.db, &session.org_id, &id).await {
        Ok(Some(u)) => u,
        Ok(None) => return AppError::NotFound.into_response(),
        Err(e) => return internal("upload", e),
    };
    let kind = match &upload.batch_id {
        Some(b) => match db::batch_by_id(&st.db, b).await {
            Ok(b) => b.and_then(|b| FilingKind::from_code(&b.kind)),
            Err(e) => return internal("batch", e),
        },
        None => None,
    };
    let columns = columns_for(&upload.purpose, kind);
    let errors = match db::upload_errors(&st.db, &upload.id).await {
        Ok(e) => e,
        Err(e) => return internal("upload errors", e),
    };
    let rows: Vec<(Vec<String>, String)> = errors
        .into_iter()
        .map(|(line, cells, errors)| {
            let cells: Vec<String> = serde_json::from_str(&cells).unwrap_or_default();
            let errors: Vec<CellError> = serde_json::from_str(&errors).unwrap_or_default();
            let text = errors
                .iter()
                .map(|e| match e.col {
                    Some(c) => format!(
                        "{}：{}",
                        columns.iter().find(|x| x.col == c).map_or("", |x| x.header),
                        e.zh
                    ),
                    None => e.zh.clone(),
                })
                .collect::<Vec<_>>()
                .join("；");
            (cells, format!("第 {line} 行：{text}"))
        })
        .collect();
    match workbook(&columns, &rows, true) {
        Ok(b) => download(
            b,
            &format!(
                "错误报告-{}.xlsx",
                upload
                    .file_name
                    .trim_end_matches(".xlsx")
                    .trim_end_matches(".csv")
            ),
            XLSX,
        ),
        Err(e) => internal("report", e),
    }
}

/// `GET /developer/uploads/{id}`: how far the checking has come, as JSON
/// (the same shape the pages show), failing rows with their errors.
async fn status(
    State(st): State<AppState>,
    Member(session): Member,
    Path(id): Path<String>,
) -> Response {
    let upload = match db::upload_of(&st.db, &session.org_id, &id).await {
        Ok(Some(u)) => u,
        Ok(None) => return AppError::NotFound.into_response(),
        Err(e) => return internal("upload", e),
    };
    match app::ops::batches::upload_items(&st.db, vec![upload]).await {
        Ok(mut items) => match items.pop() {
            Some(item) => Json(item).into_response(),
            None => AppError::NotFound.into_response(),
        },
        Err(e) => e.into_response(),
    }
}

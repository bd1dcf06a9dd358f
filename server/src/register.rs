//! The register (不动产登记簿) on the server: the owner's sealed proof of
//! registration as a PDF, and `onetrip register-import`, which loads a
//! centre's export (CSV or XLSX) into the register.

use crate::extract::Citizen;
use crate::AppState;
use app::error::AppError;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/me/register/proof", post(proof))
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// `POST /me/register/proof` (a plain form with the session's CSRF token):
/// seal what the register holds in the verified citizen's name now and
/// answer the PDF. Unverified: back to the page, which asks them to verify.
async fn proof(
    State(st): State<AppState>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    let session = match Citizen::from_headers(&st, &headers).await {
        Ok(s) => s,
        Err(_) => return crate::extract::see_other("/signin?next=/me/register"),
    };
    if let Err(e) = app::services::check_csrf(&session, &form.csrf) {
        return e.into_response();
    }
    let sealed =
        match app::ops::register::seal_proof(&st.db, &st.services, &session.citizen_id).await {
            Ok(Some(p)) => p,
            Ok(None) => return crate::extract::see_other("/me/register?error=unverified"),
            Err(e) => return e.into_response(),
        };
    let (row, statement) = sealed;
    let letter = statement.letter(&row.signature, &st.services.policy.public_url);
    let Some(font) = crate::letters::font() else {
        return AppError::Unavailable {
            retry_after_secs: 60,
        }
        .into_response();
    };
    let pdf =
        match tokio::task::spawn_blocking(move || crate::letters::render(&letter, &font)).await {
            Ok(Ok(pdf)) => pdf,
            Ok(Err(e)) => return AppError::internal("render", e).into_response(),
            Err(e) => return AppError::internal("render task", e).into_response(),
        };
    // The file itself can be checked at /verify, like a certificate's.
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&pdf))
    };
    if let Err(e) = app::db::register::set_proof_pdf(&st.db, &row.id, &sha).await {
        return AppError::internal("proof file", e).into_response();
    }
    let mut res = pdf.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"register-{}.pdf\"",
        row.code
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// What an import found, for its report.
#[derive(Debug, Default)]
pub struct Report {
    pub rows: usize,
    pub units: usize,
    pub errors: Vec<app::domain::register::RowError>,
}

/// The most error lines a report prints (the count is always whole).
const REPORT_LINES: usize = 200;

/// Read and check a whole export: every row with the domain's checks,
/// then each unit's rows together. Nothing touches the database.
pub fn check_file(
    bytes: &[u8],
) -> Result<(Report, Vec<app::domain::register::ImportUnit>), String> {
    use app::domain::register::{assemble, map_headers, parse_row, ImportRow, COLUMNS};
    use std::collections::BTreeMap;
    let (_, mut reader) = crate::filings::sheet::SheetReader::open(bytes, usize::MAX)
        .map_err(|e| e.message(app::domain::Lang::Zh))?;
    let map = map_headers(reader.headers()).map_err(|missing| {
        format!(
            "表头缺少必需的列：{}（列名见 README“登记簿导入”）",
            missing.join("、")
        )
    })?;
    let mut report = Report::default();
    let mut by_unit: BTreeMap<String, Vec<ImportRow>> = BTreeMap::new();
    while let Some((line, cells)) = reader
        .next_row()
        .map_err(|e| e.message(app::domain::Lang::Zh))?
    {
        report.rows += 1;
        let cells: Vec<String> = map
            .iter()
            .map(|at| {
                at.and_then(|i| cells.get(i))
                    .map(|c| c.text())
                    .unwrap_or_default()
            })
            .collect();
        debug_assert_eq!(cells.len(), COLUMNS.len());
        match parse_row(line, &cells) {
            Ok(r) => by_unit
                .entry(r.unit.unit_number.clone())
                .or_default()
                .push(r),
            Err(mut e) => report.errors.append(&mut e),
        }
    }
    if report.rows == 0 {
        return Err("文件中没有数据行".into());
    }
    let mut units = Vec::with_capacity(by_unit.len());
    for (_, rows) in by_unit {
        match assemble(rows) {
            Ok(u) => units.push(u),
            Err(mut e) => report.errors.append(&mut e),
        }
    }
    report.units = units.len();
    report.errors.sort_by_key(|e| e.line);
    Ok((report, units))
}

/// `onetrip register-import <file> [--check]`: load a centre's export into
/// the register, all or nothing. `--check` reads and checks it only.
/// Prints a report; exits non-zero when anything is refused.
pub async fn import_command(args: &[String]) -> Result<(), String> {
    use sha2::Digest;
    let usage = "用法 usage: onetrip register-import <file.csv|file.xlsx> [--check]";
    let path = args.iter().find(|a| !a.starts_with("--")).ok_or(usage)?;
    let check_only = args.iter().any(|a| a == "--check");
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let started = std::time::Instant::now();
    // The same file again is recognised by its hash before it is read.
    let db = if check_only {
        None
    } else {
        let config = crate::config::Config::from_env().map_err(|e| e.to_string())?;
        let db = crate::open_database(&config.database_url)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(at) = app::db::register::imported_at(&db, &sha)
            .await
            .map_err(|e| format!("database: {e}"))?
        {
            let at = app::views::local_time(at);
            println!("{path}：该文件已于 {at} 导入，未作任何改动（imported before, at {at}; nothing changed）");
            db.close().await;
            return Ok(());
        }
        Some((db, config))
    };
    let (report, units) = check_file(&bytes).map_err(|e| format!("{path}: {e}"))?;
    drop(bytes);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "读取 {rows} 行、{units} 个不动产单元，用时 {secs:.1} 秒（read {rows} rows, {units} units in {secs:.1} s）",
        rows = report.rows,
        units = report.units,
    );
    if !report.errors.is_empty() {
        println!("行 line\t列 column\t问题 problem");
        for e in report.errors.iter().take(REPORT_LINES) {
            println!("{}\t{}\t{}（{}）", e.line, e.column, e.zh, e.en);
        }
        if report.errors.len() > REPORT_LINES {
            let more = report.errors.len() - REPORT_LINES;
            println!("……另有 {more} 处（and {more} more）");
        }
        let n = report.errors.len();
        return Err(format!(
            "{path} 有 {n} 处问题，未导入任何内容（全部导入或全部不导入）：请改正所列各行后重新导入（{n} problem(s): nothing was imported, all or nothing; correct the rows listed and run it again）"
        ));
    }
    let Some((db, config)) = db else {
        println!(
            "{path}：全部行检查通过，未写入（--check）（every row passes; nothing was written）"
        );
        return Ok(());
    };
    let services =
        app::services::Services::new(config.secret_key.bytes().to_vec(), config.policy.clone());
    let hash = |id: &str| app::ops::people::identity_hash(&services, id);
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let outcome =
        app::db::register::import(&db, &sha, &name, report.rows as i64, &units, &hash).await;
    db.close().await;
    match outcome.map_err(|e| format!("database: {e}"))? {
        app::db::register::Imported::Again { imported_at } => {
            let at = app::views::local_time(imported_at);
            println!("{path}：该文件已于 {at} 导入，未作任何改动（imported before, at {at}; nothing changed）");
            Ok(())
        }
        app::db::register::Imported::Done {
            units_new,
            units_same,
            rights_new,
        } => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "导入完成：新增 {units_new} 个不动产单元、{rights_new} 条登记；{units_same} 个单元已在登记簿中且内容相同，未改动（用时 {secs:.1} 秒）"
            );
            println!(
                "imported: {units_new} new units, {rights_new} entries; {units_same} units already in the register with the same content were left as they are ({secs:.1} s)"
            );
            Ok(())
        }
        app::db::register::Imported::Conflicts(units) => {
            for u in units.iter().take(REPORT_LINES) {
                println!("{u}\t登记簿中已有该单元且内容不同（already in the register with other content）");
            }
            let n = units.len();
            Err(format!(
                "{n} 个单元已在登记簿中且内容不同，未导入任何内容：已登记单元的变化须通过登记办理，不能导入（{n} unit(s) are already in the register with other content: nothing was imported; a change to a registered unit is a registration, not an import）"
            ))
        }
    }
}

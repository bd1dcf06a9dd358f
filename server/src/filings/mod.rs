//! Developer bulk filings on the server: reading spreadsheets, the worker
//! that checks an upload row by row and stores what passed (in chunks, each
//! chunk with its progress in one transaction), and the HTTP routes for
//! templates, uploads and error reports.

pub mod routes;
pub mod sheet;

use app::db::{self, Db, FilingUpload, LineOutcome, NewLine};
use app::domain::filing::{
    check_rows_with, header_map_with, unit_list_columns, Cell, CellError, Col, Column, FilingKind,
    NumberedRow, RowResult,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Rows stored per transaction (and per progress step).
pub const CHUNK: usize = 500;
/// How long a worker may hold an upload before another may take it over.
const LEASE_MS: i64 = 60_000;

/// The columns of the sheet an upload is for.
pub fn columns_for(purpose: &str, kind: Option<FilingKind>) -> Vec<Column> {
    match (purpose, kind) {
        ("batch", Some(k)) => k.columns(),
        _ => unit_list_columns(),
    }
}

/// Cells by column for each data row, and each row's cells in template
/// order as text (what the error report shows).
pub fn rows_by_column(
    columns: &[Column],
    sheet: &sheet::Sheet,
) -> Result<Vec<NumberedRow>, Vec<String>> {
    let map = header_map_with(columns, &sheet.headers)?;
    Ok(sheet
        .rows
        .iter()
        .map(|(line, cells)| {
            let by_col = map
                .iter()
                .map(|(col, i)| (*col, cells.get(*i).cloned().unwrap_or(Cell::Empty)))
                .collect();
            (*line, by_col)
        })
        .collect())
}

fn cells_as_text(columns: &[Column], cells: &HashMap<Col, Cell>) -> String {
    let texts: Vec<String> = columns
        .iter()
        .map(|c| cells.get(&c.col).map(Cell::text).unwrap_or_default())
        .collect();
    serde_json::to_string(&texts).unwrap_or_default()
}

fn row_error(code: &str, zh: String, en: String) -> Vec<CellError> {
    vec![CellError {
        col: Some(Col::Unit),
        code: code.into(),
        zh,
        en,
    }]
}

/// Check and store one upload. Safe to run again on the same upload (after
/// a crash): lines are stored by their natural key and errors by line.
pub async fn process(db: &Db, upload: &FilingUpload, content: &[u8]) -> Result<(), sqlx::Error> {
    let batch = match &upload.batch_id {
        Some(id) => db::batch_by_id(db, id).await?,
        None => None,
    };
    let kind = batch.as_ref().and_then(|b| FilingKind::from_code(&b.kind));
    let columns = columns_for(&upload.purpose, kind);
    let limits = sheet::Limits {
        max_rows: usize::MAX,
        max_bytes: usize::MAX,
    };
    // The file passed these checks when it was taken in.
    let rows = sheet::read(content, limits)
        .ok()
        .and_then(|(_, s)| rows_by_column(&columns, &s).ok())
        .unwrap_or_default();
    let project_units: Option<HashSet<String>> = match &batch {
        Some(_) => Some(
            db::unit_numbers_of(db, &upload.project_id)
                .await?
                .into_iter()
                .collect(),
        ),
        None => None,
    };
    let results = check_rows_with(&columns, &rows, project_units.as_ref());
    let cells_of: HashMap<usize, &HashMap<Col, Cell>> = rows.iter().map(|(l, c)| (*l, c)).collect();
    let notice = matches!(kind, Some(FilingKind::Notice | FilingKind::DualNotice));
    let (mut checked, mut accepted, mut failed) = (0i64, 0i64, 0i64);
    for chunk in results.chunks(CHUNK) {
        let mut tx = db.begin_write().await?;
        let under: HashMap<String, String> = if notice {
            let pairs: Vec<(String, String)> = chunk
                .iter()
                .filter_map(|r| r.outcome.as_ref().ok())
                .map(|row| {
                    (
                        row.unit.as_str().to_string(),
                        row.contract_no.clone().unwrap_or_default(),
                    )
                })
                .collect();
            db::units_under_notice(&mut tx, &pairs)
                .await?
                .into_iter()
                .collect()
        } else {
            HashMap::new()
        };
        for RowResult { line, outcome } in chunk {
            let errors = match (outcome, &batch) {
                (Err(e), _) => Some(e.clone()),
                (Ok(row), Some(b)) => {
                    if let Some(other) = under.get(row.unit.as_str()) {
                        Some(row_error(
                            "unit_under_notice",
                            format!("该单元已有其他买受人的预告登记在办（批次 {other}），不能再次预告"),
                            format!("That unit is already under another buyer's advance notice (batch {other})"),
                        ))
                    } else {
                        let data = serde_json::to_string(row).unwrap_or_default();
                        let last6 = row
                            .buyer_id
                            .as_ref()
                            .map(|id| app::domain::application::id_last6(id.as_str()))
                            .unwrap_or_default();
                        let outcome = db::upsert_line(
                            &mut tx,
                            b,
                            &NewLine {
                                unit_no: row.unit.as_str(),
                                contract_no: row.contract_no.as_deref().unwrap_or(""),
                                buyer_id_last6: &last6,
                                data: &data,
                                line_in_file: *line as i64,
                            },
                        )
                        .await?;
                        match outcome {
                            LineOutcome::Stored => None,
                            LineOutcome::InBatch(no) => Some(row_error(
                                "in_other_batch",
                                format!("同一单元、同一合同已在批次 {no} 中申报"),
                                format!(
                                    "The same unit and contract are already filed in batch {no}"
                                ),
                            )),
                            LineOutcome::Closed => Some(row_error(
                                "batch_closed",
                                "批次已提交，不能再修改".into(),
                                "The batch has been submitted and can no longer change".into(),
                            )),
                        }
                    }
                }
                (Ok(row), None) => {
                    let stored = db::upsert_unit(
                        &mut tx,
                        &upload.project_id,
                        row.building.as_deref().unwrap_or(""),
                        row.unit.as_str(),
                        i64::from(row.floor.unwrap_or(0)),
                        row.area_centi.unwrap_or(0),
                        row.use_.as_deref().unwrap_or(""),
                    )
                    .await?;
                    (!stored).then(|| {
                        row_error(
                            "unit_other_project",
                            "该单元号已登记在其他项目的楼盘表中".into(),
                            "That unit number is already in another project's unit list".into(),
                        )
                    })
                }
            };
            checked += 1;
            match errors {
                None => accepted += 1,
                Some(errors) => {
                    failed += 1;
                    let cells = cells_of
                        .get(line)
                        .map(|c| cells_as_text(&columns, c))
                        .unwrap_or_default();
                    let errors = serde_json::to_string(&errors).unwrap_or_default();
                    db::insert_upload_error(&mut tx, &upload.id, *line as i64, &cells, &errors)
                        .await?;
                }
            }
        }
        db::upload_progress(
            &mut tx,
            &upload.id,
            checked,
            accepted,
            failed,
            db::now_ms() + LEASE_MS,
        )
        .await?;
        tx.commit().await?;
    }
    let mut tx = db.begin_write().await?;
    db::upload_progress(&mut tx, &upload.id, checked, accepted, failed, 0).await?;
    db::finish_upload(&mut tx, &upload.id).await?;
    tx.commit().await
}

/// The filing worker: checks uploads as they come in (woken by the upload
/// route), and picks up any upload a stopped server left half-checked.
pub struct FilingJob {
    pub db: Db,
    pub wake: Arc<tokio::sync::Notify>,
    /// How often to look for abandoned uploads when not woken.
    pub every: Duration,
}

impl FilingJob {
    pub async fn run(self) {
        loop {
            match db::claim_upload(&self.db, LEASE_MS).await {
                Ok(Some((upload, content))) => {
                    let started = std::time::Instant::now();
                    match process(&self.db, &upload, &content).await {
                        Ok(()) => tracing::info!(
                            upload = %upload.id,
                            rows = upload.total_rows,
                            ms = started.elapsed().as_millis() as u64,
                            "spreadsheet checked"
                        ),
                        Err(e) => {
                            tracing::warn!(upload = %upload.id, error = %e, "spreadsheet check failed; will retry");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "filing worker: database unavailable; will retry")
                }
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.every) => {}
            }
        }
    }
}

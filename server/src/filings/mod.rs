//! Developer bulk filings on the server: reading spreadsheets, the worker
//! that checks an upload row by row and stores what passed (in chunks, each
//! chunk with its progress in one transaction), and the HTTP routes for
//! templates, uploads and error reports.

pub mod routes;
pub mod sheet;

use app::db::{self, Db, FilingUpload, LineOutcome, NewLine};
use app::domain::filing::{
    check_each, header_map_with, unit_list_columns, Cell, CellError, Col, Column, FileChecker,
    FilingKind, NumberedRow, RowResult,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Rows stored per transaction (and per progress step).
pub const CHUNK: usize = 1000;
/// How long a worker may hold an upload before another may take it over.
/// Each part stored extends it, so only a worker that stopped (a crash, a
/// killed replica) lets it run out: its upload is taken over within 10 s.
const LEASE_MS: i64 = 10_000;

/// The columns of the sheet an upload is for.
pub fn columns_for(purpose: &str, kind: Option<FilingKind>) -> Vec<Column> {
    match (purpose, kind) {
        ("batch", Some(k)) => k.columns(),
        _ => unit_list_columns(),
    }
}

/// Each row's cells by column (through the header map), with its line.
fn by_column(map: &[(Col, usize)], rows: Vec<(usize, Vec<Cell>)>) -> Vec<NumberedRow> {
    rows.into_iter()
        .map(|(line, mut cells)| {
            let by_col = map
                .iter()
                .map(|(col, i)| {
                    let cell = cells.get_mut(*i).map(std::mem::take).unwrap_or_default();
                    (*col, cell)
                })
                .collect();
            (line, by_col)
        })
        .collect()
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

/// Why checking an upload stopped before the end (it is tried again).
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the checking thread stopped: {0}")]
    Checker(#[from] tokio::task::JoinError),
}

/// A part of a file: its rows by column and each row's own verdict.
type CheckedPart = (Vec<NumberedRow>, Vec<RowResult>);

/// Check and store one upload, a part of [`CHUNK`] rows at a time: the
/// file is read a row at a time and never held as cells all at once. A
/// blocking thread reads and checks the next part while this task stores
/// the one before (two cores, both busy); each part is stored with its
/// progress in one transaction. Safe to run again on the same upload
/// (after a crash): lines are stored by their natural key, errors by line.
pub async fn process(db: &Db, upload: &FilingUpload, content: &[u8]) -> Result<(), ProcessError> {
    let batch = match &upload.batch_id {
        Some(id) => db::batch_by_id(db, id).await?,
        None => None,
    };
    let kind = batch.as_ref().and_then(|b| FilingKind::from_code(&b.kind));
    let columns = columns_for(&upload.purpose, kind);
    // The file passed these checks when it was taken in.
    let opened = sheet::SheetReader::open(content, usize::MAX)
        .ok()
        .and_then(|(_, reader)| {
            let map = header_map_with(&columns, reader.headers()).ok()?;
            Some((reader, map))
        });
    let mut progress = Progress::default();
    if let Some((mut reader, map)) = opened {
        let (parts, mut next_part) = tokio::sync::mpsc::channel::<CheckedPart>(2);
        let checker_columns = columns.clone();
        let checking = tokio::task::spawn_blocking(move || loop {
            let part = by_column(&map, reader.next_rows(CHUNK).unwrap_or_default());
            if part.is_empty() {
                break;
            }
            let results = check_each(&checker_columns, &part);
            // Closed when storing stopped on an error: stop too.
            if parts.blocking_send((part, results)).is_err() {
                break;
            }
        });
        let mut checker = FileChecker::default();
        while let Some((part, mut results)) = next_part.recv().await {
            let mut tx = db.begin_write().await?;
            let not_in_project = match &batch {
                Some(_) => {
                    let units: Vec<&str> = results
                        .iter()
                        .filter_map(|r| r.outcome.as_ref().ok())
                        .map(|row| row.unit.as_str())
                        .collect();
                    db::units_not_in_project(&mut tx, &upload.project_id, &units).await?
                }
                None => Default::default(),
            };
            checker.across(&mut results, &not_in_project);
            let errors = match &batch {
                Some(b) => store_lines(&mut tx, b, kind, &results).await?,
                None => store_units(&mut tx, &upload.project_id, &results).await?,
            };
            progress.checked += results.len() as i64;
            progress.failed += errors.len() as i64;
            let cells_of: HashMap<usize, &HashMap<Col, Cell>> =
                part.iter().map(|(l, c)| (*l, c)).collect();
            let errors: Vec<db::UploadError> = errors
                .into_iter()
                .map(|(line, errors)| db::UploadError {
                    line: line as i64,
                    cells: cells_of
                        .get(&line)
                        .map(|c| cells_as_text(&columns, c))
                        .unwrap_or_default(),
                    errors: serde_json::to_string(&errors).unwrap_or_default(),
                })
                .collect();
            db::insert_upload_errors(&mut tx, &upload.id, &errors).await?;
            progress
                .save(&mut tx, &upload.id, db::now_ms() + LEASE_MS)
                .await?;
            tx.commit().await?;
        }
        // A checking thread that died must not pass for the file's end.
        checking.await?;
    }
    let mut tx = db.begin_write().await?;
    progress.save(&mut tx, &upload.id, 0).await?;
    db::finish_upload(&mut tx, &upload.id).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Default)]
struct Progress {
    checked: i64,
    failed: i64,
}

impl Progress {
    /// Record the counts (in the transaction that stored those rows) and
    /// hold the upload until `lease_until`.
    async fn save(
        &self,
        tx: &mut db::WriteTx,
        upload_id: &str,
        lease_until: i64,
    ) -> Result<(), sqlx::Error> {
        db::upload_progress(
            tx,
            upload_id,
            self.checked,
            self.checked - self.failed,
            self.failed,
            lease_until,
        )
        .await
    }
}

/// The failing lines of a part of a batch's file, with their errors.
type PartErrors = Vec<(usize, Vec<CellError>)>;

/// Store a part's checked rows as lines of the batch (one statement), and
/// answer the lines that failed: in the file, under another buyer's
/// notice, or the same unit and contract in another batch.
async fn store_lines(
    tx: &mut db::WriteTx,
    batch: &db::BatchRow,
    kind: Option<FilingKind>,
    results: &[RowResult],
) -> Result<PartErrors, sqlx::Error> {
    let keys: Vec<(&str, &str)> = results
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok())
        .map(|row| (row.unit.as_str(), row.contract_no.as_deref().unwrap_or("")))
        .collect();
    db::replace_other_contracts(tx, &batch.id, &keys).await?;
    let under: HashMap<String, String> =
        if matches!(kind, Some(FilingKind::Notice | FilingKind::DualNotice)) {
            let pairs: Vec<(String, String)> = results
                .iter()
                .filter_map(|r| r.outcome.as_ref().ok())
                .map(|row| {
                    (
                        row.unit.as_str().to_string(),
                        row.contract_no.clone().unwrap_or_default(),
                    )
                })
                .collect();
            db::units_under_notice(tx, &pairs)
                .await?
                .into_iter()
                .collect()
        } else {
            HashMap::new()
        };
    let mut errors = PartErrors::new();
    let mut offered: Vec<(usize, String, String, &app::domain::filing::FilingRow)> = Vec::new();
    for RowResult { line, outcome } in results {
        match outcome {
            Err(e) => errors.push((*line, e.clone())),
            Ok(row) => match under.get(row.unit.as_str()) {
                Some(other) => errors.push((
                    *line,
                    row_error(
                        "unit_under_notice",
                        format!("该单元已有其他买受人的预告登记在办（批次 {other}），不能再次预告"),
                        format!("That unit is already under another buyer's advance notice (batch {other})"),
                    ),
                )),
                None => {
                    let data = serde_json::to_string(row).unwrap_or_default();
                    let last6 = row
                        .buyer_id
                        .as_ref()
                        .map(|id| app::domain::application::id_last6(id.as_str()))
                        .unwrap_or_default();
                    offered.push((*line, data, last6, row));
                }
            },
        }
    }
    let lines: Vec<NewLine> = offered
        .iter()
        .map(|(line, data, last6, row)| NewLine {
            unit_no: row.unit.as_str(),
            contract_no: row.contract_no.as_deref().unwrap_or(""),
            buyer_id_last6: last6,
            data,
            line_in_file: *line as i64,
        })
        .collect();
    let outcomes = db::upsert_lines(tx, batch, &lines).await?;
    for ((line, ..), outcome) in offered.iter().zip(outcomes) {
        match outcome {
            LineOutcome::Stored => {}
            LineOutcome::InBatch(no) => errors.push((
                *line,
                row_error(
                    "in_other_batch",
                    format!("同一单元、同一合同已在批次 {no} 中申报"),
                    format!("The same unit and contract are already filed in batch {no}"),
                ),
            )),
            LineOutcome::Closed => errors.push((
                *line,
                row_error(
                    "batch_closed",
                    "批次已提交，不能再修改".into(),
                    "The batch has been submitted and can no longer change".into(),
                ),
            )),
        }
    }
    Ok(errors)
}

/// Store a part of a project's unit list, and answer the lines that
/// failed: in the file, or a unit number of another project.
async fn store_units(
    tx: &mut db::WriteTx,
    project_id: &str,
    results: &[RowResult],
) -> Result<PartErrors, sqlx::Error> {
    let mut errors = PartErrors::new();
    for RowResult { line, outcome } in results {
        match outcome {
            Err(e) => errors.push((*line, e.clone())),
            Ok(row) => {
                let stored = db::upsert_unit(
                    tx,
                    project_id,
                    row.building.as_deref().unwrap_or(""),
                    row.unit.as_str(),
                    i64::from(row.floor.unwrap_or(0)),
                    row.area_centi.unwrap_or(0),
                    row.use_.as_deref().unwrap_or(""),
                )
                .await?;
                if !stored {
                    errors.push((
                        *line,
                        row_error(
                            "unit_other_project",
                            "该单元号已登记在其他项目的楼盘表中".into(),
                            "That unit number is already in another project's unit list".into(),
                        ),
                    ));
                }
            }
        }
    }
    Ok(errors)
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

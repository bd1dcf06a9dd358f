//! Batches of developer filings, their lines (one per unit), and the
//! spreadsheet uploads that fill them or a project's unit list.

use super::{now_ms, Arg, Built, Db, WriteTx};
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_optional_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchRow {
    pub id: String,
    pub org_id: String,
    pub project_id: String,
    pub kind: String,
    pub status: String,
    pub batch_no: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
}

const BATCH_COLUMNS: &str =
    "id, org_id, project_id, kind, status, batch_no, created_at, updated_at, submitted_at";

/// A batch with its line counts, for lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchSummary {
    pub id: String,
    pub project_id: String,
    pub project_name: String,
    pub kind: String,
    pub status: String,
    pub batch_no: String,
    pub created_at: i64,
    pub lines: i64,
    pub passed: i64,
    pub returned: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LineRow {
    pub id: String,
    pub unit_no: String,
    pub contract_no: String,
    pub data: String,
    pub status: String,
    pub review_note: String,
    pub line_in_file: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FilingUpload {
    pub id: String,
    pub org_id: String,
    pub batch_id: Option<String>,
    pub project_id: String,
    pub purpose: String,
    pub file_name: String,
    pub format: String,
    pub status: String,
    pub total_rows: i64,
    pub checked_rows: i64,
    pub accepted_rows: i64,
    pub failed_rows: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const UPLOAD_COLUMNS: &str = "id, org_id, batch_id, project_id, purpose, file_name, format, status, total_rows, checked_rows, accepted_rows, failed_rows, created_at, finished_at";

/// A new batch. With an idempotency key, the same key of the same
/// organisation answers the batch it made the first time (the unique index
/// decides, so parallel calls make one). Returns `(id, created)`.
pub async fn insert_batch(
    db: &Db,
    b: &BatchRow,
    created_by: &str,
    idempotency_key: Option<&str>,
) -> Result<(String, bool), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "INSERT INTO filing_batches (id, org_id, project_id, kind, status, batch_no, created_by, created_at, updated_at, idempotency_key)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $7, $8)
         ON CONFLICT (org_id, idempotency_key) DO NOTHING",
        &b.id,
        &b.org_id,
        &b.project_id,
        &b.kind,
        &b.batch_no,
        created_by,
        b.created_at,
        idempotency_key
    )?;
    if n == 1 {
        tx.commit().await?;
        return Ok((b.id.clone(), true));
    }
    let existing = fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT id FROM filing_batches WHERE org_id = $1 AND idempotency_key = $2",
        &b.org_id,
        idempotency_key
    )?;
    tx.commit().await?;
    Ok((existing.map(|(id,)| id).unwrap_or_default(), false))
}

/// A batch of this organisation (another's is `None`).
pub async fn batch_of(db: &Db, org_id: &str, id: &str) -> Result<Option<BatchRow>, sqlx::Error> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM filing_batches WHERE org_id = $1 AND id = $2");
    fetch_optional!(db, BatchRow, &sql, org_id, id)
}

pub async fn batch_by_id(db: &Db, id: &str) -> Result<Option<BatchRow>, sqlx::Error> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM filing_batches WHERE id = $1");
    fetch_optional!(db, BatchRow, &sql, id)
}

const SUMMARY: &str = "SELECT b.id, b.project_id, p.name AS project_name, b.kind, b.status, b.batch_no, b.created_at,
        (SELECT COUNT(*) FROM filing_lines l WHERE l.batch_id = b.id) AS lines,
        (SELECT COUNT(*) FROM filing_lines l WHERE l.batch_id = b.id AND l.status = 'passed') AS passed,
        (SELECT COUNT(*) FROM filing_lines l WHERE l.batch_id = b.id AND l.status = 'returned') AS returned
     FROM filing_batches b JOIN projects p ON p.id = b.project_id";

pub async fn batches_of(db: &Db, org_id: &str) -> Result<Vec<BatchSummary>, sqlx::Error> {
    let sql = format!("{SUMMARY} WHERE b.org_id = $1 ORDER BY b.created_at DESC LIMIT 200");
    fetch_all!(db, BatchSummary, &sql, org_id)
}

pub async fn lines_of(db: &Db, batch_id: &str) -> Result<Vec<LineRow>, sqlx::Error> {
    fetch_all!(
        db,
        LineRow,
        "SELECT id, unit_no, contract_no, data, status, review_note, line_in_file, updated_at
         FROM filing_lines WHERE batch_id = $1 ORDER BY unit_no",
        batch_id
    )
}

/// Take a line out of a draft batch; `false` when there is no such line or
/// the batch is no longer a draft.
pub async fn remove_line(db: &Db, batch_id: &str, line_id: &str) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "DELETE FROM filing_lines WHERE id = $2 AND batch_id = $1
           AND EXISTS (SELECT 1 FROM filing_batches b WHERE b.id = $1 AND b.status = 'draft')",
        batch_id,
        line_id
    )?;
    Ok(n == 1)
}

/// Why a batch could not be submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitRefusal {
    NotDraft,
    Empty,
    StillChecking,
    /// A line came or went while the batch was being submitted.
    Changed,
}

// ---- uploads -----------------------------------------------------------

/// Take a file in for checking: the upload and its bytes (kept in their
/// own table until checked) in one transaction.
pub async fn insert_upload(
    db: &Db,
    u: &FilingUpload,
    content: &[u8],
    created_by: &str,
    idempotency_key: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "INSERT INTO filing_uploads (id, org_id, batch_id, project_id, purpose, file_name, format,
                                     status, total_rows, created_by, created_at, idempotency_key,
                                     content_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'checking', $8, $9, $10, $11, $12)
         ON CONFLICT (org_id, idempotency_key) DO NOTHING",
        &u.id,
        &u.org_id,
        u.batch_id.as_deref(),
        &u.project_id,
        &u.purpose,
        &u.file_name,
        &u.format,
        u.total_rows,
        created_by,
        u.created_at,
        idempotency_key,
        content_sha256(content)
    )?;
    if n == 1 {
        execute_tx!(
            &mut tx,
            "INSERT INTO filing_upload_files (upload_id, content) VALUES ($1, $2)",
            &u.id,
            content
        )?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// The SHA-256 of an upload's file, as kept on its row.
pub fn content_sha256(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(content))
}

/// The upload an organisation made with an idempotency key, and whether it
/// carried `content` (an upload from before fingerprints counts as the same).
pub async fn upload_by_key(
    db: &Db,
    org_id: &str,
    key: &str,
    content: &[u8],
) -> Result<Option<(FilingUpload, bool)>, sqlx::Error> {
    let sql = format!(
        "SELECT {UPLOAD_COLUMNS} FROM filing_uploads WHERE org_id = $1 AND idempotency_key = $2"
    );
    let Some(upload) = fetch_optional!(db, FilingUpload, &sql, org_id, key)? else {
        return Ok(None);
    };
    let kept: Option<(Option<String>,)> = fetch_optional!(
        db,
        (Option<String>,),
        "SELECT content_sha256 FROM filing_uploads WHERE id = $1",
        &upload.id
    )?;
    let same = kept
        .and_then(|(h,)| h)
        .is_none_or(|h| h == content_sha256(content));
    Ok(Some((upload, same)))
}

/// An upload of this organisation (another's is `None`).
pub async fn upload_of(
    db: &Db,
    org_id: &str,
    id: &str,
) -> Result<Option<FilingUpload>, sqlx::Error> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM filing_uploads WHERE org_id = $1 AND id = $2");
    fetch_optional!(db, FilingUpload, &sql, org_id, id)
}

/// The uploads of a batch (or, with `purpose = units`, of a project), newest first.
pub async fn uploads_for(
    db: &Db,
    project_id: &str,
    batch_id: Option<&str>,
) -> Result<Vec<FilingUpload>, sqlx::Error> {
    let sql = format!(
        "SELECT {UPLOAD_COLUMNS} FROM filing_uploads
         WHERE project_id = $1 AND ((batch_id IS NULL AND $2 IS NULL) OR batch_id = $2)
         ORDER BY created_at DESC LIMIT 20"
    );
    fetch_all!(db, FilingUpload, &sql, project_id, batch_id)
}

/// Claim an upload waiting to be checked (or one whose worker died: its
/// lease ran out) for `lease_ms`. The conditional update decides between
/// servers racing for the same upload.
pub async fn claim_upload(
    db: &Db,
    lease_ms: i64,
) -> Result<Option<(FilingUpload, Vec<u8>)>, sqlx::Error> {
    let now = now_ms();
    let sql = format!(
        "SELECT {UPLOAD_COLUMNS} FROM filing_uploads
         WHERE status = 'checking' AND lease_until < $1 ORDER BY created_at LIMIT 1"
    );
    let Some(row) = fetch_optional!(db, FilingUpload, &sql, now)? else {
        return Ok(None);
    };
    let n = execute!(
        db,
        "UPDATE filing_uploads SET lease_until = $3 WHERE id = $1 AND status = 'checking' AND lease_until < $2",
        &row.id,
        now,
        now + lease_ms
    )?;
    if n == 0 {
        return Ok(None);
    }
    let content: Option<(Vec<u8>,)> = fetch_optional!(
        db,
        (Vec<u8>,),
        "SELECT content FROM filing_upload_files WHERE upload_id = $1",
        &row.id
    )?;
    Ok(Some((row, content.map(|(c,)| c).unwrap_or_default())))
}

/// Record progress inside the transaction that stored those rows, and
/// extend the lease.
pub async fn upload_progress(
    tx: &mut WriteTx,
    id: &str,
    checked: i64,
    accepted: i64,
    failed: i64,
    lease_until: i64,
) -> Result<(), sqlx::Error> {
    execute_tx!(
        tx,
        "UPDATE filing_uploads SET checked_rows = $2, accepted_rows = $3, failed_rows = $4, lease_until = $5
         WHERE id = $1",
        id,
        checked,
        accepted,
        failed,
        lease_until
    )?;
    Ok(())
}

/// Done: the counts are final, the file is no longer kept.
pub async fn finish_upload(tx: &mut WriteTx, id: &str) -> Result<(), sqlx::Error> {
    execute_tx!(
        tx,
        "UPDATE filing_uploads SET status = 'done', finished_at = $2 WHERE id = $1",
        id,
        now_ms()
    )?;
    execute_tx!(
        tx,
        "DELETE FROM filing_upload_files WHERE upload_id = $1",
        id
    )?;
    Ok(())
}

/// A failing row of an upload: its line, its cells as given and its errors
/// (both JSON).
pub struct UploadError {
    pub line: i64,
    pub cells: String,
    pub errors: String,
}

/// Record failing rows (again: by line, so a re-run replaces them).
pub async fn insert_upload_errors(
    tx: &mut WriteTx,
    upload_id: &str,
    rows: &[UploadError],
) -> Result<(), sqlx::Error> {
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = Built::new(tx.backend());
        q.sql("INSERT INTO filing_upload_errors (upload_id, line, cells, errors) VALUES ");
        for (i, r) in part.iter().enumerate() {
            q.sql(if i == 0 { "(" } else { ", (" })
                .list([
                    Arg::Text(upload_id),
                    Arg::Int(r.line),
                    Arg::Text(&r.cells),
                    Arg::Text(&r.errors),
                ])
                .sql(")");
        }
        q.sql(" ON CONFLICT (upload_id, line) DO UPDATE SET cells = excluded.cells, errors = excluded.errors");
        q.execute(tx).await?;
    }
    Ok(())
}

pub async fn upload_errors(
    db: &Db,
    upload_id: &str,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    upload_errors_first(db, upload_id, i64::MAX).await
}

/// The first `limit` failing rows of an upload (a page shows a few hundred;
/// the report and the API take them all).
pub async fn upload_errors_first(
    db: &Db,
    upload_id: &str,
    limit: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    fetch_all!(
        db,
        (i64, String, String),
        "SELECT line, cells, errors FROM filing_upload_errors WHERE upload_id = $1
         ORDER BY line LIMIT $2",
        upload_id,
        limit
    )
}

// ---- storing checked rows ----------------------------------------------

/// A checked filing row ready to store.
pub struct NewLine<'a> {
    pub unit_no: &'a str,
    pub contract_no: &'a str,
    pub buyer_id_last6: &'a str,
    pub data: &'a str,
    pub line_in_file: i64,
}

/// What became of a row offered to a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    /// New, or the same natural key amended in this draft batch.
    Stored,
    /// The same natural key is in another batch (its number).
    InBatch(String),
    /// The batch is no longer a draft.
    Closed,
}

/// Rows per multi-row statement: well inside both backends' limits on
/// bound values (SQLite 32,766, PostgreSQL 65,535) at six values a row.
const ROWS_PER_STATEMENT: usize = 1000;

/// Store rows in a draft batch by their natural key (organisation + unit +
/// matter + contract number): new lines, or the same lines amended, a
/// thousand rows to a statement. The batch's status is re-checked by the
/// statement itself. The rows must not repeat a natural key (the file's
/// own rules refuse a unit twice). Returns an outcome per row, in order.
pub async fn upsert_lines(
    tx: &mut WriteTx,
    batch: &BatchRow,
    lines: &[NewLine<'_>],
) -> Result<Vec<LineOutcome>, sqlx::Error> {
    let now = now_ms();
    let mut outcomes = Vec::with_capacity(lines.len());
    for part in lines.chunks(ROWS_PER_STATEMENT) {
        // Time-ordered ids: a new line goes to the end of the id index
        // instead of a random page (their 74 random bits stay unguessable).
        let ids: Vec<String> = part
            .iter()
            .map(|_| uuid::Uuid::now_v7().to_string())
            .collect();
        let mut q = Built::new(tx.backend());
        // VALUES columns are column1… on both backends.
        q.sql(
            "INSERT INTO filing_lines (id, batch_id, org_id, kind, unit_no, contract_no, buyer_id_last6, data,
                                       status, line_in_file, created_at, updated_at)
             SELECT column1, ",
        )
        .list([
            Arg::Text(&batch.id),
            Arg::Text(&batch.org_id),
            Arg::Text(&batch.kind),
        ])
        .sql(", column2, column3, column4, column5, 'pending', column6, ")
        .list([Arg::Int(now), Arg::Int(now)])
        .sql(" FROM (VALUES ");
        for (i, (l, id)) in part.iter().zip(&ids).enumerate() {
            q.sql(if i == 0 { "(" } else { ", (" })
                .list([
                    Arg::Text(id),
                    Arg::Text(l.unit_no),
                    Arg::Text(l.contract_no),
                    Arg::Text(l.buyer_id_last6),
                    Arg::Text(l.data),
                    Arg::Int(l.line_in_file),
                ])
                .sql(")");
        }
        q.sql(") AS v WHERE EXISTS (SELECT 1 FROM filing_batches WHERE id = ")
            .arg(Arg::Text(&batch.id))
            .sql(
                " AND status = 'draft')
             ON CONFLICT (org_id, unit_no, kind, contract_no) WHERE status <> 'returned' DO UPDATE
                SET data = excluded.data, buyer_id_last6 = excluded.buyer_id_last6,
                    line_in_file = excluded.line_in_file, updated_at = excluded.updated_at
              WHERE filing_lines.batch_id = excluded.batch_id AND filing_lines.status = 'pending'
                AND filing_lines.application_id IS NULL",
            );
        // Rows inserted or amended count alike; all of them is the rule.
        if q.execute(tx).await? == part.len() as u64 {
            outcomes.extend(part.iter().map(|_| LineOutcome::Stored));
            continue;
        }
        // Rare: some keys are another batch's, or this batch is closed.
        let draft = fetch_optional_tx!(
            tx,
            (String,),
            "SELECT status FROM filing_batches WHERE id = $1",
            &batch.id
        )?
        .is_some_and(|(s,)| s == "draft");
        for l in part {
            if !draft {
                outcomes.push(LineOutcome::Closed);
                continue;
            }
            let holder = fetch_optional_tx!(
                tx,
                (String, String),
                "SELECT b.id, b.batch_no FROM filing_lines l JOIN filing_batches b ON b.id = l.batch_id
                 WHERE l.org_id = $1 AND l.unit_no = $2 AND l.kind = $3 AND l.contract_no = $4
                   AND l.status <> 'returned'",
                &batch.org_id,
                l.unit_no,
                &batch.kind,
                l.contract_no
            )?;
            outcomes.push(match holder {
                Some((id, no)) if id != batch.id => LineOutcome::InBatch(no),
                Some(_) => LineOutcome::Stored,
                None => LineOutcome::Closed,
            });
        }
    }
    Ok(outcomes)
}

/// A draft batch holds one line per unit: a row for a unit the batch
/// already holds under another contract number (a typo put right, a new
/// buyer) replaces that line. Returns how many lines were replaced.
pub async fn replace_other_contracts(
    tx: &mut WriteTx,
    batch_id: &str,
    units: &[(&str, &str)],
) -> Result<u64, sqlx::Error> {
    let mut replaced = 0;
    for part in units.chunks(ROWS_PER_STATEMENT) {
        // Found through the (batch, unit) index: never a scan of the batch.
        let mut q = Built::new(tx.backend());
        q.sql("SELECT id, unit_no, contract_no FROM filing_lines WHERE batch_id = ")
            .arg(Arg::Text(batch_id))
            .sql(" AND status = 'pending' AND unit_no IN (")
            .list(part.iter().map(|(u, _)| Arg::Text(u)))
            .sql(")");
        let held: Vec<(String, String, String)> = q.fetch_all(tx).await?;
        let wanted: std::collections::HashMap<&str, &str> = part.iter().copied().collect();
        let stale: Vec<&str> = held
            .iter()
            .filter(|(_, unit, contract)| {
                wanted
                    .get(unit.as_str())
                    .is_some_and(|c| *c != contract.as_str())
            })
            .map(|(id, ..)| id.as_str())
            .collect();
        if stale.is_empty() {
            continue;
        }
        let mut q = Built::new(tx.backend());
        q.sql("DELETE FROM filing_lines WHERE batch_id = ")
            .arg(Arg::Text(batch_id))
            .sql(
                " AND status = 'pending' AND application_id IS NULL
                  AND EXISTS (SELECT 1 FROM filing_batches WHERE id = ",
            )
            .arg(Arg::Text(batch_id))
            .sql(" AND status = 'draft') AND id IN (")
            .list(stale.iter().map(|id| Arg::Text(id)))
            .sql(")");
        replaced += q.execute(tx).await?;
    }
    Ok(replaced)
}

/// Units among `units` already under an open advance notice (a notice or
/// dual-notice line not returned) for another contract than this file's,
/// with that contract's batch number.
pub async fn units_under_notice(
    tx: &mut WriteTx,
    units: &[(String, String)],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in units.chunks(ROWS_PER_STATEMENT) {
        let mut q = Built::new(tx.backend());
        q.sql(
            "SELECT l.unit_no, l.contract_no, b.batch_no FROM filing_lines l JOIN filing_batches b ON b.id = l.batch_id
             WHERE l.kind IN ('notice', 'dual_notice') AND l.status <> 'returned' AND l.unit_no IN (",
        )
        .list(chunk.iter().map(|(u, _)| Arg::Text(u)))
        .sql(")");
        let rows: Vec<(String, String, String)> = q.fetch_all(tx).await?;
        let mine: std::collections::HashMap<&str, &str> = chunk
            .iter()
            .map(|(u, c)| (u.as_str(), c.as_str()))
            .collect();
        for (unit, contract, batch_no) in rows {
            if mine.get(unit.as_str()).is_some_and(|c| *c != contract) {
                out.push((unit, batch_no));
            }
        }
    }
    Ok(out)
}

/// Which of `units` are not in the project's unit list (only those come
/// back, so a clean part costs one statement and no rows).
pub async fn units_not_in_project(
    tx: &mut WriteTx,
    project_id: &str,
    units: &[&str],
) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    let mut out = std::collections::HashSet::new();
    for chunk in units.chunks(ROWS_PER_STATEMENT) {
        let mut q = Built::new(tx.backend());
        q.sql("SELECT column1 FROM (VALUES ");
        for (i, u) in chunk.iter().enumerate() {
            q.sql(if i == 0 { "(" } else { ", (" })
                .arg(Arg::Text(u))
                .sql(")");
        }
        // Looked up by unit number (its own index), the project compared
        // on the row found.
        q.sql(") AS v WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.unit_no = v.column1 AND u.project_id = ")
            .arg(Arg::Text(project_id))
            .sql(")");
        let rows: Vec<(String,)> = q.fetch_all(tx).await?;
        out.extend(rows.into_iter().map(|(u,)| u));
    }
    Ok(out)
}

/// Store one unit of a project's list: new, or updated when it is already
/// this project's. `false` when the unit number belongs to another project.
pub async fn upsert_unit(
    tx: &mut WriteTx,
    project_id: &str,
    building: &str,
    unit_no: &str,
    floor: i64,
    area_centi: i64,
    use_kind: &str,
) -> Result<bool, sqlx::Error> {
    execute_tx!(
        tx,
        "INSERT INTO buildings (id, project_id, name) VALUES ($1, $2, $3)
         ON CONFLICT (project_id, name) DO NOTHING",
        uuid::Uuid::new_v4().to_string(),
        project_id,
        building
    )?;
    let n = execute_tx!(
        tx,
        "INSERT INTO units (unit_no, project_id, building_id, floor, area_centi, use_kind)
         SELECT $1, $2, id, $4, $5, $6 FROM buildings WHERE project_id = $2 AND name = $3
         ON CONFLICT (unit_no) DO UPDATE
            SET building_id = excluded.building_id, floor = excluded.floor,
                area_centi = excluded.area_centi, use_kind = excluded.use_kind
          WHERE units.project_id = excluded.project_id",
        unit_no,
        project_id,
        building,
        floor,
        area_centi,
        use_kind
    )?;
    Ok(n == 1)
}

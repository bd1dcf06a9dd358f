//! Documents and resumable uploads.

use super::{now_ms, Db, WriteTx};
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_scalar_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub id: String,
    pub application_id: String,
    pub citizen_id: String,
    pub material: String,
    pub display_name: String,
    pub length: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct DocumentRow {
    pub id: String,
    pub application_id: String,
    pub material: String,
    pub position: i64,
    pub sha256: String,
    pub size: i64,
    pub mime: String,
    pub display_name: String,
    pub created_at: i64,
}

const UPLOAD_COLUMNS: &str =
    "id, application_id, citizen_id, material, display_name, length, created_at";
const DOC_COLUMNS: &str =
    "id, application_id, material, position, sha256, size, mime, display_name, created_at";

/// Reserve room for a new upload: refused (`Ok(false)`) when the
/// application's documents plus uploads in progress plus this one would pass
/// `max_total`. One write transaction, so two concurrent reservations cannot
/// both squeeze under the limit.
pub async fn create_upload(db: &Db, row: &UploadRow, max_total: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let used = fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT CAST(COALESCE((SELECT SUM(size) FROM documents WHERE application_id = $1), 0)
              + COALESCE((SELECT SUM(length) FROM uploads WHERE application_id = $1), 0) AS BIGINT)",
        &row.application_id
    )?;
    if used + row.length > max_total {
        return Ok(false);
    }
    let now = now_ms();
    execute_tx!(
        &mut tx,
        "INSERT INTO uploads (id, application_id, citizen_id, material, display_name, length, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        &row.id,
        &row.application_id,
        &row.citizen_id,
        &row.material,
        &row.display_name,
        row.length,
        now
    )?;
    tx.commit().await?;
    Ok(true)
}

pub async fn upload(db: &Db, id: &str) -> Result<Option<UploadRow>, sqlx::Error> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1");
    fetch_optional!(db, UploadRow, &sql, id)
}

pub async fn delete_upload(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM uploads WHERE id = $1", id)?;
    Ok(())
}

/// Uploads idle for longer than `idle_ms` (abandoned transfers).
pub async fn stale_uploads(db: &Db, idle_ms: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT id FROM uploads WHERE updated_at < $1",
        now_ms() - idle_ms
    )?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// One stored part of a resumable upload whose bytes live in an object
/// store (a cluster): where it starts, how long it is, and its object.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadPart {
    pub start_at: i64,
    pub size: i64,
    pub object_key: String,
}

/// An upload's parts in order.
pub async fn upload_parts(db: &Db, upload_id: &str) -> Result<Vec<UploadPart>, sqlx::Error> {
    fetch_all!(
        db,
        UploadPart,
        "SELECT start_at, size, object_key FROM upload_parts WHERE upload_id = $1 ORDER BY start_at",
        upload_id
    )
}

/// How many bytes of an upload are stored as parts (its tus offset).
pub async fn upload_received(db: &Db, upload_id: &str) -> Result<i64, sqlx::Error> {
    let parts = upload_parts(db, upload_id).await?;
    Ok(parts.iter().map(|p| p.size).sum())
}

/// Count a stored part: only if it starts where the upload's parts end now
/// and no other PATCH took this offset first (the primary key decides a
/// race). `false`: the part does not count and its object may go.
pub async fn add_upload_part(
    db: &Db,
    upload_id: &str,
    start_at: i64,
    size: i64,
    object_key: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let end = fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM upload_parts WHERE upload_id = $1",
        upload_id
    )?;
    if end != start_at {
        return Ok(false);
    }
    let added = execute_tx!(
        &mut tx,
        "INSERT INTO upload_parts (upload_id, start_at, size, object_key, created_at)
         SELECT id, $2, $3, $4, $5 FROM uploads WHERE id = $1
         ON CONFLICT (upload_id, start_at) DO NOTHING",
        upload_id,
        start_at,
        size,
        object_key,
        now_ms()
    )?;
    execute_tx!(
        &mut tx,
        "UPDATE uploads SET updated_at = $2 WHERE id = $1",
        upload_id,
        now_ms()
    )?;
    tx.commit().await?;
    Ok(added == 1)
}

pub async fn touch_upload(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE uploads SET updated_at = $2 WHERE id = $1",
        id,
        now_ms()
    )?;
    Ok(())
}

/// Turn a finished upload into a document, in one transaction: the upload
/// row goes, the document row comes, at the end of its checklist item. Only
/// while the application is still a draft.
pub async fn complete_upload(
    db: &Db,
    upload: &UploadRow,
    document_id: &str,
    sha256: &str,
    mime: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let gone = execute_tx!(&mut tx, "DELETE FROM uploads WHERE id = $1", &upload.id)?;
    let draft = fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT COUNT(*) FROM applications a WHERE a.id = $1 AND (a.status = 'draft' OR (a.stage = 'returned' AND $2 IN (SELECT ni.material FROM notice_items ni JOIN notices n ON n.id = ni.notice_id WHERE n.application_id = a.id AND n.answered_at IS NULL)))",
        &upload.application_id,
        &upload.material
    )?;
    if gone != 1 || draft != 1 {
        // The content was pinned before it was stored: let it go.
        queue_content_check(&mut tx, sha256, now_ms()).await?;
        tx.commit().await?;
        return Ok(false);
    }
    let position = fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT COALESCE(MAX(position), 0) + 1 FROM documents WHERE application_id = $1 AND material = $2",
        &upload.application_id,
        &upload.material
    )?;
    execute_tx!(
        &mut tx,
        "INSERT INTO documents (id, application_id, material, position, sha256, size, mime, display_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        document_id,
        &upload.application_id,
        &upload.material,
        position,
        sha256,
        upload.length,
        mime,
        &upload.display_name,
        now_ms()
    )?;
    // Uploading a file for an item of a draft ticks the item as ready.
    let drafted = crate::fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT draft FROM applications WHERE id = $1 AND status = 'draft'",
        &upload.application_id
    )?;
    if let Some((json,)) = drafted {
        let mut d: crate::domain::application::Draft =
            serde_json::from_str(&json).unwrap_or_default();
        if !d.materials.contains(&upload.material) {
            d.materials.push(upload.material.clone());
            execute_tx!(
                &mut tx,
                "UPDATE applications SET draft = $2 WHERE id = $1 AND status = 'draft'",
                &upload.application_id,
                serde_json::to_string(&d).unwrap_or(json)
            )?;
        }
    }
    // A preview is made in the background, once per content.
    execute_tx!(
        &mut tx,
        "INSERT INTO previews (sha256, mime, state, updated_at) VALUES ($1, $2, 'pending', $3)
         ON CONFLICT (sha256) DO NOTHING",
        sha256,
        mime,
        now_ms()
    )?;
    tx.commit().await?;
    Ok(true)
}

pub async fn document(db: &Db, id: &str) -> Result<Option<DocumentRow>, sqlx::Error> {
    let sql = format!("SELECT {DOC_COLUMNS} FROM documents WHERE id = $1");
    fetch_optional!(db, DocumentRow, &sql, id)
}

pub async fn documents_of(db: &Db, application_id: &str) -> Result<Vec<DocumentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM documents WHERE application_id = $1 ORDER BY material, position"
    );
    fetch_all!(db, DocumentRow, &sql, application_id)
}

/// The contents of an application's documents whose preview is ready.
pub async fn previews_ready(db: &Db, application_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT DISTINCT p.sha256 FROM previews p JOIN documents d ON d.sha256 = p.sha256
         WHERE d.application_id = $1 AND p.state = 'done'",
        application_id
    )?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// Delete a document of a draft (`Ok(false)` when there is none). Its
/// content is not removed here: it is queued for the collector, which
/// removes it after `grace_ms` if nothing uses it by then.
pub async fn delete_document(db: &Db, id: &str, grace_ms: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some((sha,)) = crate::fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT d.sha256 FROM documents d JOIN applications a ON a.id = d.application_id
         WHERE d.id = $1 AND (a.status = 'draft' OR (a.stage = 'returned' AND d.material IN (SELECT ni.material FROM notice_items ni JOIN notices n ON n.id = ni.notice_id WHERE n.application_id = a.id AND n.answered_at IS NULL)))",
        id
    )?
    else {
        return Ok(false);
    };
    execute_tx!(&mut tx, "DELETE FROM documents WHERE id = $1", id)?;
    queue_content_check(&mut tx, &sha, now_ms() + grace_ms).await?;
    tx.commit().await?;
    Ok(true)
}

async fn queue_content_check(tx: &mut WriteTx, sha: &str, due_at: i64) -> Result<(), sqlx::Error> {
    execute_tx!(
        tx,
        "INSERT INTO content_gc (sha256, due_at) VALUES ($1, $2)
         ON CONFLICT (sha256) DO UPDATE SET due_at = excluded.due_at",
        sha,
        due_at
    )?;
    Ok(())
}

/// Before putting content into the store: keep the collector off it until
/// `due_at` (by then a row refers to it, or it is garbage from a crash and
/// goes). Waits for a collector holding this content's row.
pub async fn pin_content(db: &Db, sha: &str, due_at: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    queue_content_check(&mut tx, sha, due_at).await?;
    tx.commit().await
}

/// Contents due for a check by the collector.
pub async fn due_content(db: &Db, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT sha256 FROM content_gc WHERE due_at <= $1 ORDER BY due_at LIMIT $2",
        now_ms(),
        limit
    )?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// What the collector decided about one content.
pub enum Collect {
    /// Still in use, or no longer due: the queue row is gone or kept; keep the file.
    Keep,
    /// Unreferenced: delete the file, then commit this transaction. The
    /// content's preview row is gone with it and its image queued.
    Delete(WriteTx),
}

/// The collector's conditional step for one content, in one transaction
/// that the caller commits after deleting the file.
pub async fn begin_collect(db: &Db, sha: &str) -> Result<Collect, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let taken = execute_tx!(
        &mut tx,
        "DELETE FROM content_gc WHERE sha256 = $1 AND due_at <= $2
           AND NOT EXISTS (SELECT 1 FROM documents WHERE sha256 = $1)
           AND NOT EXISTS (SELECT 1 FROM previews WHERE thumb_sha256 = $1)
           AND NOT EXISTS (SELECT 1 FROM ecerts WHERE pdf_sha256 = $1)",
        sha,
        now
    )?;
    if taken == 0 {
        // Referenced again: forget the check.
        execute_tx!(
            &mut tx,
            "DELETE FROM content_gc WHERE sha256 = $1 AND due_at <= $2",
            sha,
            now
        )?;
        tx.commit().await?;
        return Ok(Collect::Keep);
    }
    let thumb = crate::fetch_optional_tx!(
        &mut tx,
        (Option<String>,),
        "SELECT thumb_sha256 FROM previews WHERE sha256 = $1",
        sha
    )?
    .and_then(|(t,)| t);
    execute_tx!(&mut tx, "DELETE FROM previews WHERE sha256 = $1", sha)?;
    if let Some(thumb) = thumb {
        queue_content_check(&mut tx, &thumb, now).await?;
    }
    Ok(Collect::Delete(tx))
}

/// Is this content still referenced by any document or preview?
pub async fn sha_in_use(db: &Db, sha: &str) -> Result<bool, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT id FROM documents WHERE sha256 = $1
         UNION ALL SELECT sha256 FROM previews WHERE thumb_sha256 = $1
         UNION ALL SELECT id FROM ecerts WHERE pdf_sha256 = $1 LIMIT 1",
        sha
    )?;
    Ok(!rows.is_empty())
}

/// Move a document of a draft one place up (`-1`) or down (`+1`) within
/// its checklist item, by swapping positions with its neighbour in one
/// transaction. `Ok(None)` when there is no such document in a draft;
/// `Ok(Some(false))` when it is already first/last.
pub async fn move_document(
    db: &Db,
    id: &str,
    direction: i64,
) -> Result<Option<(DocumentRow, bool)>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some(doc) = crate::fetch_optional_tx!(
        &mut tx,
        DocumentRow,
        "SELECT d.id, d.application_id, d.material, d.position, d.sha256, d.size, d.mime, d.display_name, d.created_at
         FROM documents d JOIN applications a ON a.id = d.application_id
         WHERE d.id = $1 AND (a.status = 'draft' OR (a.stage = 'returned' AND d.material IN (SELECT ni.material FROM notice_items ni JOIN notices n ON n.id = ni.notice_id WHERE n.application_id = a.id AND n.answered_at IS NULL)))",
        id
    )?
    else {
        return Ok(None);
    };
    let neighbour_sql = if direction < 0 {
        "SELECT id, position FROM documents WHERE application_id = $1 AND material = $2 AND position < $3
         ORDER BY position DESC LIMIT 1"
    } else {
        "SELECT id, position FROM documents WHERE application_id = $1 AND material = $2 AND position > $3
         ORDER BY position ASC LIMIT 1"
    };
    let Some((other_id, other_pos)) = crate::fetch_optional_tx!(
        &mut tx,
        (String, i64),
        neighbour_sql,
        &doc.application_id,
        &doc.material,
        doc.position
    )?
    else {
        return Ok(Some((doc, false)));
    };
    execute_tx!(
        &mut tx,
        "UPDATE documents SET position = $2 WHERE id = $1",
        &other_id,
        doc.position
    )?;
    execute_tx!(
        &mut tx,
        "UPDATE documents SET position = $2 WHERE id = $1",
        id,
        other_pos
    )?;
    tx.commit().await?;
    Ok(Some((doc, true)))
}

/// May this checklist item of the application be changed now: a draft's
/// every item, or after a return for correction the items the open notice
/// names (and no other).
pub async fn material_editable(
    db: &Db,
    application_id: &str,
    material: &str,
) -> Result<bool, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT a.id FROM applications a WHERE a.id = $1 AND (a.status = 'draft' OR (a.stage = 'returned' AND $2 IN (SELECT ni.material FROM notice_items ni JOIN notices n ON n.id = ni.notice_id WHERE n.application_id = a.id AND n.answered_at IS NULL)))",
        application_id,
        material
    )?;
    Ok(!rows.is_empty())
}

/// A preview waiting to be made.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PreviewJob {
    pub sha256: String,
    pub mime: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
}

/// Take a lease on the next preview due: only the worker whose conditional
/// update matches makes it (several replicas may run workers).
pub async fn claim_preview(db: &Db, lease_ms: i64) -> Result<Option<PreviewJob>, sqlx::Error> {
    let now = now_ms();
    let due: Vec<PreviewJob> = fetch_all!(
        db,
        PreviewJob,
        "SELECT sha256, mime, attempts, next_attempt_at FROM previews
         WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT 5",
        now
    )?;
    for job in due {
        let n = execute!(
            db,
            "UPDATE previews SET attempts = attempts + 1, next_attempt_at = $3
             WHERE sha256 = $1 AND state = 'pending' AND next_attempt_at = $2",
            &job.sha256,
            job.next_attempt_at,
            now + lease_ms
        )?;
        if n == 1 {
            return Ok(Some(job));
        }
    }
    Ok(None)
}

/// How a preview job ended. [`finish_preview`] answers `false` when the
/// preview row is gone (its content was collected meanwhile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewOutcome {
    Done {
        thumb_sha256: String,
        width: i64,
        height: i64,
    },
    /// The type cannot be previewed on this server (HEIC, or PDF without a renderer).
    Unsupported,
    /// Try again at this instant, or give up (`None`).
    Failed {
        error: String,
        retry_at: Option<i64>,
    },
}

pub async fn finish_preview(
    db: &Db,
    sha: &str,
    outcome: &PreviewOutcome,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let n = match outcome {
        PreviewOutcome::Done {
            thumb_sha256,
            width,
            height,
        } => execute!(
            db,
            "UPDATE previews SET state = 'done', thumb_sha256 = $2, width = $3, height = $4,
             last_error = NULL, updated_at = $5 WHERE sha256 = $1",
            sha,
            thumb_sha256,
            *width,
            *height,
            now
        )?,
        PreviewOutcome::Unsupported => execute!(
            db,
            "UPDATE previews SET state = 'unsupported', updated_at = $2 WHERE sha256 = $1",
            sha,
            now
        )?,
        PreviewOutcome::Failed { error, retry_at } => {
            let error: String = error.chars().take(300).collect();
            match retry_at {
                Some(at) => execute!(
                    db,
                    "UPDATE previews SET next_attempt_at = $2, last_error = $3, updated_at = $4 WHERE sha256 = $1",
                    sha,
                    *at,
                    error,
                    now
                )?,
                None => execute!(
                    db,
                    "UPDATE previews SET state = 'failed', last_error = $2, updated_at = $3 WHERE sha256 = $1",
                    sha,
                    error,
                    now
                )?,
            }
        }
    };
    Ok(n == 1)
}

/// A preview's state and, when done, its stored image.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PreviewRow {
    pub sha256: String,
    pub state: String,
    pub thumb_sha256: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

pub async fn preview(db: &Db, sha: &str) -> Result<Option<PreviewRow>, sqlx::Error> {
    fetch_optional!(
        db,
        PreviewRow,
        "SELECT sha256, state, thumb_sha256, width, height, attempts, last_error FROM previews WHERE sha256 = $1",
        sha
    )
}

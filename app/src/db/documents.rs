//! Documents and resumable uploads.

use super::{now_ms, Db};
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
        "SELECT COUNT(*) FROM applications WHERE id = $1 AND status = 'draft'",
        &upload.application_id
    )?;
    if gone != 1 || draft != 1 {
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

/// Delete a document of a draft; answers whether another document still
/// uses the same stored content (then the file must stay).
pub async fn delete_document(db: &Db, id: &str) -> Result<Option<bool>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some((sha,)) = crate::fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT d.sha256 FROM documents d JOIN applications a ON a.id = d.application_id
         WHERE d.id = $1 AND a.status = 'draft'",
        id
    )?
    else {
        return Ok(None);
    };
    execute_tx!(&mut tx, "DELETE FROM documents WHERE id = $1", id)?;
    let others = fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT COUNT(*) FROM documents WHERE sha256 = $1",
        &sha
    )?;
    tx.commit().await?;
    Ok(Some(others > 0))
}

/// Is this content still referenced by any document?
pub async fn sha_in_use(db: &Db, sha: &str) -> Result<bool, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT id FROM documents WHERE sha256 = $1 LIMIT 1",
        sha
    )?;
    Ok(!rows.is_empty())
}

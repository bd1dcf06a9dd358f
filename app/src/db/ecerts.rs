//! Electronic certificates and proofs: made in the transaction that issues
//! the case, found by verification code or by their PDF's hash.

use super::{now_ms, Db, WriteTx};
use crate::domain::ecert::{certificate_number, EcertKind, Statement};
use crate::ops::seal::Seal;
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_scalar_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EcertRow {
    pub id: String,
    pub code: String,
    pub application_id: String,
    pub kind: String,
    pub number: String,
    pub unit_number: String,
    pub statement: String,
    pub signature: String,
    pub key_id: String,
    pub status: String,
    pub reason: String,
    pub pdf_sha256: Option<String>,
    pub issued_at: i64,
    pub changed_at: i64,
}

const COLUMNS: &str = "id, code, application_id, kind, number, unit_number, statement, signature, key_id, status, reason, pdf_sha256, issued_at, changed_at";

/// What issuing makes: the statement without its number (given in the
/// transaction from the year's serial), the region the number names, and
/// the seal.
#[derive(Debug, Clone)]
pub struct NewEcert<'a> {
    pub statement: Statement,
    pub province: &'a str,
    pub city: &'a str,
    pub year: i32,
    pub seal: &'a Seal,
}

/// Number, seal and record the document; the unit's earlier valid document
/// of the same kind is superseded by it. Returns the new document's id.
pub async fn issue(
    tx: &mut WriteTx,
    application_id: &str,
    new: &NewEcert<'_>,
) -> Result<String, sqlx::Error> {
    let now = now_ms();
    let kind = new.statement.kind;
    // Two issues at once: the upsert's row lock (PostgreSQL) or the write
    // lock (SQLite) gives each its own serial.
    let serial = fetch_scalar_tx!(
        tx,
        i64,
        "INSERT INTO ecert_serials (year, kind, last) VALUES ($1, $2, 1)
         ON CONFLICT (year, kind) DO UPDATE SET last = ecert_serials.last + 1
         RETURNING last",
        new.year,
        kind.code()
    )?;
    let mut statement = new.statement.clone();
    statement.number = certificate_number(new.province, new.year, new.city, kind, serial);
    statement.key_id = new.seal.key_id().to_string();
    let canonical = statement.canonical();
    let signature = new.seal.sign(&canonical);
    let id = uuid::Uuid::new_v4().to_string();
    execute_tx!(
        tx,
        "INSERT INTO ecerts (id, code, application_id, kind, number, unit_number, statement, signature, key_id, issued_at, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        &id,
        &statement.code,
        application_id,
        kind.code(),
        &statement.number,
        &statement.unit_number,
        String::from_utf8_lossy(&canonical).into_owned(),
        &signature,
        new.seal.key_id(),
        now
    )?;
    execute_tx!(
        tx,
        "UPDATE ecerts SET status = 'superseded', superseded_by = $1, changed_at = $2
          WHERE unit_number = $3 AND kind = $4 AND status = 'valid' AND id <> $1",
        &id,
        now,
        &statement.unit_number,
        kind.code()
    )?;
    // The register's entries this case made carry the number from now on.
    super::register::set_certificate(
        tx,
        application_id,
        kind == EcertKind::Certificate,
        &statement.number,
    )
    .await?;
    Ok(id)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<EcertRow>, sqlx::Error> {
    fetch_optional!(
        db,
        EcertRow,
        &format!("SELECT {COLUMNS} FROM ecerts WHERE code = $1"),
        code
    )
}

pub async fn by_pdf(db: &Db, sha256: &str) -> Result<Option<EcertRow>, sqlx::Error> {
    fetch_optional!(
        db,
        EcertRow,
        &format!("SELECT {COLUMNS} FROM ecerts WHERE pdf_sha256 = $1"),
        sha256
    )
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<EcertRow>, sqlx::Error> {
    fetch_optional!(
        db,
        EcertRow,
        &format!("SELECT {COLUMNS} FROM ecerts WHERE id = $1"),
        id
    )
}

pub async fn of_application(db: &Db, application_id: &str) -> Result<Vec<EcertRow>, sqlx::Error> {
    fetch_all!(
        db,
        EcertRow,
        &format!("SELECT {COLUMNS} FROM ecerts WHERE application_id = $1 ORDER BY issued_at, kind"),
        application_id
    )
}

/// Record the hash of the PDF first drawn for a document; a second drawing
/// racing the first loses. Returns the hash that counts.
pub async fn settle_pdf(db: &Db, id: &str, sha256: &str) -> Result<Option<String>, sqlx::Error> {
    execute!(
        db,
        "UPDATE ecerts SET pdf_sha256 = $2 WHERE id = $1 AND pdf_sha256 IS NULL",
        id,
        sha256
    )?;
    Ok(by_id(db, id).await?.and_then(|r| r.pdf_sha256))
}

/// Revoke a valid document (a correction, a court's order), with the reason
/// shown to whoever verifies it. False when it was not valid.
pub async fn revoke(db: &Db, id: &str, reason: &str) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "UPDATE ecerts SET status = 'revoked', reason = $2, changed_at = $3 WHERE id = $1 AND status = 'valid'",
        id,
        reason,
        now_ms()
    )?;
    Ok(n == 1)
}

/// What issue makes for a matter: the kind, given its family and roles.
pub fn kind_for(matter: &crate::domain::catalogue::Matter) -> EcertKind {
    EcertKind::for_matter(matter.family, &matter.parties)
}

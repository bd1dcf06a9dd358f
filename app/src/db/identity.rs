//! Identity verifications (实名核验): a citizen verified for a party of an
//! application by the identity service, at a level (1 real name, 2 face).
//! Only a keyed hash of the ID number is kept.

use super::{now_ms, Db};
use crate::{execute, fetch_optional};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckRow {
    pub id: String,
    pub citizen_id: String,
    pub application_id: String,
    pub party_idx: i64,
    pub id_hash: String,
    pub level: i64,
    pub status: String,
    pub method: String,
}

const COLUMNS: &str = "id, citizen_id, COALESCE(application_id, '') AS application_id, party_idx, id_hash, level, status, method";

/// A passed verification counts for this long (then the citizen verifies again).
pub const VALID_MS: i64 = 30 * 86_400_000;

/// Start a verification; its unguessable id.
pub async fn start(
    db: &Db,
    citizen_id: &str,
    application_id: &str,
    party_idx: i64,
    id_hash: &str,
    level: i64,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    execute!(
        db,
        "INSERT INTO identity_checks (id, citizen_id, application_id, party_idx, id_hash, level, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)",
        &id,
        citizen_id,
        application_id,
        party_idx,
        id_hash,
        level,
        now_ms()
    )?;
    Ok(id)
}

pub async fn check(db: &Db, id: &str) -> Result<Option<CheckRow>, sqlx::Error> {
    fetch_optional!(
        db,
        CheckRow,
        &format!("SELECT {COLUMNS} FROM identity_checks WHERE id = $1"),
        id
    )
}

/// This citizen's latest check for this application (to tell them how the
/// last attempt went).
pub async fn latest(
    db: &Db,
    citizen_id: &str,
    application_id: &str,
) -> Result<Option<CheckRow>, sqlx::Error> {
    fetch_optional!(
        db,
        CheckRow,
        &format!(
            "SELECT {COLUMNS} FROM identity_checks WHERE citizen_id = $1 AND application_id = $2
              ORDER BY created_at DESC, id DESC LIMIT 1"
        ),
        citizen_id,
        application_id
    )
}

/// The identity service's answer, once: false when the check is unknown
/// or answered already.
pub async fn settle(
    db: &Db,
    id: &str,
    passed: bool,
    level: i64,
    method: &str,
    provider_ref: &str,
) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "UPDATE identity_checks SET status = $2, level = CASE WHEN $2 = 'passed' AND $3 BETWEEN 1 AND level THEN $3 ELSE level END,
                method = $4, provider_ref = $5, done_at = $6
          WHERE id = $1 AND status = 'pending'",
        id,
        if passed { "passed" } else { "failed" },
        level,
        method,
        provider_ref,
        now_ms()
    )?;
    Ok(n == 1)
}

/// This citizen's latest passed verification of this ID number at `level`
/// or above, still valid.
pub async fn verified(
    db: &Db,
    citizen_id: &str,
    id_hash: &str,
    level: i64,
) -> Result<Option<CheckRow>, sqlx::Error> {
    fetch_optional!(
        db,
        CheckRow,
        &format!(
            "SELECT {COLUMNS} FROM identity_checks
              WHERE citizen_id = $1 AND id_hash = $2 AND status = 'passed' AND level >= $3 AND done_at >= $4
              ORDER BY done_at DESC LIMIT 1"
        ),
        citizen_id,
        id_hash,
        level,
        now_ms() - VALID_MS
    )
}

/// Whether a matter is done without a visit, and the identity level its
/// online confirmations need; `None` for an unknown matter.
pub async fn matter_signing(
    db: &Db,
    matter_code: &str,
) -> Result<Option<(bool, i64)>, sqlx::Error> {
    Ok(fetch_optional!(
        db,
        (i64, i64),
        "SELECT CAST(visit_required AS BIGINT), CAST(identity_level AS BIGINT) FROM matters WHERE code = $1",
        matter_code
    )?
    .map(|(visit, level)| (visit != 0, level)))
}

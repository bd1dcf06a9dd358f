//! Staff accounts, their sites and sessions, and the hash-chained audit trail.

use super::{now_ms, Db, WriteTx};
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_optional_tx};

/// A staff account as sign-in sees it. Never serialised: it carries the
/// password hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub active: i64,
    pub failed_logins: i64,
    pub locked_until: i64,
}

/// A signed-in staff member.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffSession {
    pub token_hash: String,
    pub staff_id: String,
    pub username: String,
    pub name: String,
    pub role: String,
    pub csrf_token: String,
    pub last_seen_at: i64,
}

/// Failures in a row before the account locks, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MS: i64 = 15 * 60 * 1000;

const STAFF_COLUMNS: &str =
    "id, username, name, password_hash, role, active, failed_logins, locked_until";

pub async fn staff_by_username(db: &Db, username: &str) -> Result<Option<StaffRow>, sqlx::Error> {
    let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE username = $1");
    fetch_optional!(db, StaffRow, &sql, username)
}

pub async fn staff_by_id(db: &Db, id: &str) -> Result<Option<StaffRow>, sqlx::Error> {
    let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1");
    fetch_optional!(db, StaffRow, &sql, id)
}

pub async fn all_staff(db: &Db) -> Result<Vec<StaffRow>, sqlx::Error> {
    let sql = format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY username");
    fetch_all!(db, StaffRow, &sql)
}

pub async fn staff_sites(db: &Db, staff_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT site_code FROM staff_sites WHERE staff_id = $1 ORDER BY site_code",
        staff_id
    )?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// Create an account with its sites, in one transaction. `Ok(false)` when
/// the username is taken (the unique index decides, not a prior read).
pub async fn insert_staff(
    db: &Db,
    id: &str,
    username: &str,
    name: &str,
    password_hash: &str,
    role: &str,
    sites: &[String],
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let inserted = execute_tx!(
        &mut tx,
        "INSERT INTO staff (id, username, name, password_hash, role, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) ON CONFLICT (username) DO NOTHING",
        id,
        username,
        name,
        password_hash,
        role,
        now
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    for site in sites {
        execute_tx!(
            &mut tx,
            "INSERT INTO staff_sites (staff_id, site_code) VALUES ($1, $2)",
            id,
            site
        )?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Enable or disable an account; disabling ends its sessions.
pub async fn set_staff_active(db: &Db, id: &str, active: bool) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "UPDATE staff SET active = $2, failed_logins = 0, locked_until = 0, updated_at = $3 WHERE id = $1",
        id,
        i64::from(active),
        now_ms()
    )?;
    if !active {
        execute_tx!(
            &mut tx,
            "DELETE FROM staff_sessions WHERE staff_id = $1",
            id
        )?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// Count a sign-in attempt *before* the password is checked, in one
/// conditional update: `false` while the account is locked (check nothing
/// then). The attempt that reaches the limit locks the account for
/// [`LOCK_MS`] and starts the count afresh for after the lock; a success
/// resets it. So a burst of parallel guesses gets at most
/// [`MAX_FAILED_LOGINS`] password checks, whatever their timing.
pub async fn claim_login_attempt(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let n = execute!(
        db,
        "UPDATE staff SET
             failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END,
             updated_at = $4
         WHERE id = $1 AND locked_until <= $4",
        id,
        MAX_FAILED_LOGINS,
        now + LOCK_MS,
        now
    )?;
    Ok(n == 1)
}

/// A successful sign-in: reset the failure count, rotate the session.
pub async fn start_staff_session(
    db: &Db,
    staff_id: &str,
    token_hash: &str,
    csrf: &str,
    absolute_ms: i64,
    replaces: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    execute_tx!(
        &mut tx,
        "UPDATE staff SET failed_logins = 0, locked_until = 0 WHERE id = $1",
        staff_id
    )?;
    if let Some(old) = replaces {
        execute_tx!(
            &mut tx,
            "DELETE FROM staff_sessions WHERE token_hash = $1",
            old
        )?;
    }
    execute_tx!(
        &mut tx,
        "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)",
        token_hash,
        staff_id,
        csrf,
        now,
        now + absolute_ms
    )?;
    tx.commit().await
}

/// The live session of an active account for a token hash.
pub async fn live_staff_session(
    db: &Db,
    token_hash: &str,
    idle_ms: i64,
) -> Result<Option<StaffSession>, sqlx::Error> {
    let now = now_ms();
    let row = fetch_optional!(
        db,
        StaffSession,
        "SELECT s.token_hash, s.staff_id, t.username, t.name, t.role, s.csrf_token, s.last_seen_at
         FROM staff_sessions s JOIN staff t ON t.id = s.staff_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND t.active = 1",
        token_hash,
        now,
        now - idle_ms
    )?;
    if let Some(r) = &row {
        if now - r.last_seen_at > 60_000 {
            execute!(
                db,
                "UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1",
                token_hash,
                now
            )?;
        }
    }
    Ok(row)
}

pub async fn end_staff_session(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "DELETE FROM staff_sessions WHERE token_hash = $1",
        token_hash
    )?;
    Ok(())
}

// ---- audit -------------------------------------------------------------

/// One audit record before it is chained.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry<'a> {
    pub actor: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub application_id: Option<&'a str>,
    pub before: &'a str,
    pub after: &'a str,
    pub reason: &'a str,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub application_id: Option<String>,
    pub before_state: String,
    pub after_state: String,
    pub reason: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The chain link: SHA-256 over the previous hash and every field, each
/// length-prefixed so no two different rows hash alike.
pub fn audit_hash(prev: &str, seq: i64, at: i64, e: &AuditEntry<'_>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        &at.to_string(),
        e.actor,
        e.role,
        e.action,
        e.application_id.unwrap_or(""),
        e.before,
        e.after,
        e.reason,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Append to the audit trail inside the caller's transaction. Appends are
/// serialised (SQLite: one writer; PostgreSQL: a transaction-scoped
/// advisory lock), so the chain never forks.
pub async fn audit(tx: &mut WriteTx, e: &AuditEntry<'_>) -> Result<(), sqlx::Error> {
    if let WriteTx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(7461001)")
            .execute(&mut **t)
            .await?;
    }
    let last = fetch_optional_tx!(
        tx,
        (i64, String),
        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"
    )?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, String::new()),
    };
    let at = now_ms();
    let hash = audit_hash(&prev, seq, at, e);
    execute_tx!(
        tx,
        "INSERT INTO audit (seq, at, actor, role, action, application_id, before_state, after_state, reason, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        seq,
        at,
        e.actor,
        e.role,
        e.action,
        e.application_id,
        e.before,
        e.after,
        e.reason,
        &prev,
        &hash
    )?;
    Ok(())
}

/// Append one record in its own transaction.
pub async fn audit_now(db: &Db, e: &AuditEntry<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    audit(&mut tx, e).await?;
    tx.commit().await
}

pub async fn audit_rows(db: &Db) -> Result<Vec<AuditRow>, sqlx::Error> {
    fetch_all!(
        db,
        AuditRow,
        "SELECT seq, at, actor, role, action, application_id, before_state, after_state, reason, prev_hash, hash
         FROM audit ORDER BY seq"
    )
}

/// Recompute the chain: the first row whose link does not hold, if any.
pub async fn verify_audit(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    let rows = audit_rows(db).await?;
    let mut prev = String::new();
    for (i, r) in rows.iter().enumerate() {
        let e = AuditEntry {
            actor: &r.actor,
            role: &r.role,
            action: &r.action,
            application_id: r.application_id.as_deref(),
            before: &r.before_state,
            after: &r.after_state,
            reason: &r.reason,
        };
        let expected_seq = i as i64 + 1;
        if r.seq != expected_seq
            || r.prev_hash != prev
            || r.hash != audit_hash(&prev, r.seq, r.at, &e)
        {
            return Ok(Some(r.seq));
        }
        prev = r.hash.clone();
    }
    Ok(None)
}

/// Views of cases by staff since `since`, for the cases of a supervisor's
/// sites, newest first, with the viewer's name and the receipt number.
/// Staff queries of the register since `since` (newest first): when, who,
/// what was asked, and whether a unit was found.
pub async fn register_queries_since(
    db: &Db,
    since: i64,
) -> Result<Vec<(i64, String, String, String)>, sqlx::Error> {
    fetch_all!(
        db,
        (i64, String, String, String),
        "SELECT au.at, COALESCE(s.name, au.actor), au.reason, au.after_state
         FROM audit au
         LEFT JOIN staff s ON s.id = au.actor
         WHERE au.action = 'register_query' AND au.at >= $1
         ORDER BY au.seq DESC LIMIT 500",
        since
    )
}

pub async fn case_views_since(
    db: &Db,
    supervisor_id: &str,
    since: i64,
) -> Result<Vec<(i64, String, Option<String>)>, sqlx::Error> {
    fetch_all!(
        db,
        (i64, String, Option<String>),
        "SELECT au.at, COALESCE(s.name, au.actor), a.receipt_no
         FROM audit au
         JOIN applications a ON a.id = au.application_id
         LEFT JOIN staff s ON s.id = au.actor
         WHERE au.action = 'view' AND au.at >= $2
           AND a.site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $1)
         ORDER BY au.seq DESC LIMIT 2000",
        supervisor_id,
        since
    )
}

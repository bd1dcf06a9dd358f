//! Citizens, one-time sign-in codes, sessions and rate-limit counters.

use super::{now_ms, Db, WriteTx};
use crate::{execute, execute_tx, fetch_optional, fetch_optional_tx, fetch_scalar_tx};

/// How long a sign-in code lives.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// Wrong tries allowed for one code.
pub const CODE_MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRow {
    pub id: String,
    pub mobile: String,
    pub code_hash: String,
    pub expires_at: i64,
    pub attempts: i64,
    pub used_at: Option<i64>,
}

/// A signed-in citizen, as the session cookie resolves.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub citizen_id: String,
    pub mobile: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// Record one hit in `bucket` unless `max` hits already fall within the last
/// `window_ms`; then answer how many seconds until a hit expires. Runs in the
/// caller's write transaction, so concurrent hits are serialised (SQLite's
/// write lock; a transaction-scoped advisory lock per bucket on PostgreSQL).
pub async fn rate_hit(
    tx: &mut WriteTx,
    bucket: &str,
    window_ms: i64,
    max: i64,
) -> Result<Option<u64>, sqlx::Error> {
    let now = now_ms();
    if let WriteTx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(bucket)
            .execute(&mut **t)
            .await?;
    }
    let since = now - window_ms;
    let count = fetch_scalar_tx!(
        tx,
        i64,
        "SELECT COUNT(*) FROM rate_hits WHERE bucket = $1 AND at > $2",
        bucket,
        since
    )?;
    if count >= max {
        let oldest = fetch_scalar_tx!(
            tx,
            i64,
            "SELECT COALESCE(MIN(at), 0) FROM rate_hits WHERE bucket = $1 AND at > $2",
            bucket,
            since
        )?;
        let wait_ms = (oldest + window_ms - now).max(1000);
        return Ok(Some((wait_ms as u64).div_ceil(1000)));
    }
    execute_tx!(
        tx,
        "INSERT INTO rate_hits (bucket, at) VALUES ($1, $2)",
        bucket,
        now
    )?;
    Ok(None)
}

/// Forget hits older than a day (the longest window in use).
pub async fn prune_rate_hits(db: &Db) -> Result<u64, sqlx::Error> {
    let cutoff = now_ms() - 24 * 3600 * 1000;
    execute!(db, "DELETE FROM rate_hits WHERE at < $1", cutoff)
}

pub async fn insert_code(
    tx: &mut WriteTx,
    id: &str,
    mobile: &str,
    code_hash: &str,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    execute_tx!(
        tx,
        "INSERT INTO signin_codes (id, mobile, code_hash, created_at, expires_at, attempts)
         VALUES ($1, $2, $3, $4, $5, 0)",
        id,
        mobile,
        code_hash,
        now,
        now + CODE_TTL_MS
    )?;
    Ok(())
}

pub async fn find_code(tx: &mut WriteTx, id: &str) -> Result<Option<CodeRow>, sqlx::Error> {
    fetch_optional_tx!(
        tx,
        CodeRow,
        "SELECT id, mobile, code_hash, expires_at, attempts, used_at FROM signin_codes WHERE id = $1",
        id
    )
}

/// Count a wrong try; returns the tries left.
pub async fn count_wrong_try(tx: &mut WriteTx, id: &str) -> Result<i64, sqlx::Error> {
    execute_tx!(
        tx,
        "UPDATE signin_codes SET attempts = attempts + 1 WHERE id = $1",
        id
    )?;
    let attempts = fetch_scalar_tx!(
        tx,
        i64,
        "SELECT attempts FROM signin_codes WHERE id = $1",
        id
    )?;
    Ok((CODE_MAX_ATTEMPTS - attempts).max(0))
}

/// Use a code once: true only for the one caller that flips it.
pub async fn consume_code(tx: &mut WriteTx, id: &str) -> Result<bool, sqlx::Error> {
    let n = execute_tx!(
        tx,
        "UPDATE signin_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
        id,
        now_ms()
    )?;
    Ok(n == 1)
}

/// The citizen with this mobile number, created on first sign-in.
pub async fn upsert_citizen(tx: &mut WriteTx, mobile: &str) -> Result<String, sqlx::Error> {
    let now = now_ms();
    let id = uuid::Uuid::new_v4().to_string();
    execute_tx!(
        tx,
        "INSERT INTO citizens (id, mobile, created_at, last_sign_in_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (mobile) DO UPDATE SET last_sign_in_at = excluded.last_sign_in_at",
        id,
        mobile,
        now
    )?;
    fetch_scalar_tx!(
        tx,
        String,
        "SELECT id FROM citizens WHERE mobile = $1",
        mobile
    )
}

/// Remember the language a citizen signed in with (for their messages).
pub async fn set_citizen_lang(
    tx: &mut WriteTx,
    id: &str,
    lang: crate::domain::Lang,
) -> Result<(), sqlx::Error> {
    execute_tx!(
        tx,
        "UPDATE citizens SET lang = $2 WHERE id = $1",
        id,
        lang.code()
    )?;
    Ok(())
}

pub async fn insert_session(
    tx: &mut WriteTx,
    token_hash: &str,
    citizen_id: &str,
    csrf: &str,
    absolute_ms: i64,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    execute_tx!(
        tx,
        "INSERT INTO sessions (token_hash, citizen_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)",
        token_hash,
        citizen_id,
        csrf,
        now,
        now + absolute_ms
    )?;
    Ok(())
}

pub async fn delete_session_tx(tx: &mut WriteTx, token_hash: &str) -> Result<(), sqlx::Error> {
    execute_tx!(tx, "DELETE FROM sessions WHERE token_hash = $1", token_hash)?;
    Ok(())
}

/// The live session for a token hash: not past its absolute expiry and used
/// within the idle timeout. Touches `last_seen_at` at most once a minute.
pub async fn live_session(
    db: &Db,
    token_hash: &str,
    idle_ms: i64,
) -> Result<Option<SessionRow>, sqlx::Error> {
    let now = now_ms();
    let row = fetch_optional!(
        db,
        SessionRow,
        "SELECT s.token_hash, s.citizen_id, c.mobile, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at
         FROM sessions s JOIN citizens c ON c.id = s.citizen_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
        token_hash,
        now,
        now - idle_ms
    )?;
    if let Some(r) = &row {
        if now - r.last_seen_at > 60_000 {
            execute!(
                db,
                "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1",
                token_hash,
                now
            )?;
        }
    }
    Ok(row)
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM sessions WHERE token_hash = $1", token_hash)?;
    Ok(())
}

/// Sign out everywhere: every session of the citizen.
pub async fn delete_citizen_sessions(db: &Db, citizen_id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM sessions WHERE citizen_id = $1", citizen_id)
}

/// Housekeeping for the worker: expired sessions and old codes.
pub async fn prune_sessions_and_codes(db: &Db, idle_ms: i64) -> Result<(), sqlx::Error> {
    let now = now_ms();
    execute!(
        db,
        "DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2",
        now,
        now - idle_ms
    )?;
    execute!(
        db,
        "DELETE FROM signin_codes WHERE expires_at < $1",
        now - 24 * 3600 * 1000
    )?;
    Ok(())
}

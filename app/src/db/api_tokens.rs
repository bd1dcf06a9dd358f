//! API tokens of developer organisations: made and revoked by the
//! organisation's administrator, shown once, stored as SHA-256 only.

use super::{now_ms, Db, OrgSession};
use crate::{execute, fetch_all, fetch_optional};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Whom a live token speaks for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenOwner {
    pub token_id: String,
    pub org_id: String,
    pub org_status: String,
    pub org_kind: String,
    pub org_name: String,
    pub credit_code: String,
    /// The member who made the token: batches made through it are theirs.
    pub created_by: String,
}

impl TokenOwner {
    /// The organisation as the shared filing code sees a signed-in member.
    pub fn as_session(&self) -> OrgSession {
        OrgSession {
            token_hash: String::new(),
            member_id: self.created_by.clone(),
            member_name: String::new(),
            role: "filer".into(),
            org_id: self.org_id.clone(),
            org_name: self.org_name.clone(),
            org_status: self.org_status.clone(),
            org_kind: self.org_kind.clone(),
            credit_code: self.credit_code.clone(),
            csrf_token: String::new(),
            last_seen_at: 0,
        }
    }
}

pub async fn insert_token(
    db: &Db,
    id: &str,
    org_id: &str,
    name: &str,
    token_hash: &str,
    prefix: &str,
    created_by: &str,
) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO api_tokens (id, org_id, name, token_hash, prefix, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        org_id,
        name,
        token_hash,
        prefix,
        created_by,
        now_ms()
    )?;
    Ok(())
}

pub async fn tokens_of(db: &Db, org_id: &str) -> Result<Vec<TokenRow>, sqlx::Error> {
    fetch_all!(
        db,
        TokenRow,
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens
         WHERE org_id = $1 ORDER BY created_at DESC",
        org_id
    )
}

/// Revoke a token of `org_id` (once); `false` when there is no such live token.
pub async fn revoke_token(db: &Db, org_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $2 AND org_id = $1 AND revoked_at IS NULL",
        org_id,
        id,
        now_ms()
    )?;
    Ok(n == 1)
}

/// The owner of a live token by its hash (and note its use, at most once a
/// minute).
pub async fn token_owner(db: &Db, token_hash: &str) -> Result<Option<TokenOwner>, sqlx::Error> {
    let row = fetch_optional!(
        db,
        TokenOwner,
        "SELECT t.id AS token_id, o.id AS org_id, o.status AS org_status, o.kind AS org_kind, o.name AS org_name,
                o.credit_code, t.created_by
         FROM api_tokens t JOIN orgs o ON o.id = t.org_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        token_hash
    )?;
    if let Some(r) = &row {
        let now = now_ms();
        execute!(
            db,
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND COALESCE(last_used_at, 0) < $3",
            &r.token_id,
            now,
            now - 60_000
        )?;
    }
    Ok(row)
}

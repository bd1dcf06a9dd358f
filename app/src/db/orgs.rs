//! Developer organisations, their members and sessions, and their projects
//! with buildings and units (楼盘表).

use super::{now_ms, Db, WriteTx};
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_optional_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRow {
    pub id: String,
    pub credit_code: String,
    pub name: String,
    pub contact_name: String,
    pub contact_mobile: String,
    pub status: String,
    pub reject_reason: String,
    pub created_at: i64,
    /// `developer` (bulk filings) or `bank` (a mortgagee named on applications).
    pub kind: String,
}

const ORG_COLUMNS: &str =
    "id, credit_code, name, contact_name, contact_mobile, status, reject_reason, created_at, kind";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub id: String,
    pub org_id: String,
    pub mobile: String,
    pub name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub active: i64,
    pub failed_logins: i64,
    pub locked_until: i64,
    pub invite_expires_at: Option<i64>,
}

const MEMBER_COLUMNS: &str = "id, org_id, mobile, name, role, password_hash, active, failed_logins, locked_until, invite_expires_at";

/// A signed-in member, with the organisation's name and standing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgSession {
    pub token_hash: String,
    pub member_id: String,
    pub member_name: String,
    pub role: String,
    pub org_id: String,
    pub org_name: String,
    pub org_status: String,
    pub org_kind: String,
    pub credit_code: String,
    pub csrf_token: String,
    pub last_seen_at: i64,
}

impl OrgSession {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
    pub fn verified(&self) -> bool {
        self.org_status == "verified"
    }
    pub fn is_bank(&self) -> bool {
        self.org_kind == "bank"
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChallengeRow {
    pub member_id: String,
    pub code_hash: String,
    pub expires_at: i64,
    pub attempts: i64,
    pub used_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub site_code: String,
    pub address: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    pub unit_no: String,
    pub building: String,
    pub floor: i64,
    pub area_centi: i64,
    pub use_kind: String,
}

/// Why a registration was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterClash {
    CreditCode,
    Mobile,
}

/// Register an organisation with its first member (its admin), in one
/// transaction; the unique indexes decide clashes.
pub async fn insert_org(
    db: &Db,
    org: &OrgRow,
    admin_id: &str,
    password_hash: &str,
) -> Result<Result<(), RegisterClash>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "INSERT INTO orgs (id, credit_code, name, contact_name, contact_mobile, status, created_at, kind)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) ON CONFLICT (credit_code) DO NOTHING",
        &org.id,
        &org.credit_code,
        &org.name,
        &org.contact_name,
        &org.contact_mobile,
        org.created_at,
        &org.kind
    )?;
    if n == 0 {
        return Ok(Err(RegisterClash::CreditCode));
    }
    let n = execute_tx!(
        &mut tx,
        "INSERT INTO org_members (id, org_id, mobile, name, role, password_hash, created_at)
         VALUES ($1, $2, $3, $4, 'admin', $5, $6) ON CONFLICT (mobile) DO NOTHING",
        admin_id,
        &org.id,
        &org.contact_mobile,
        &org.contact_name,
        password_hash,
        org.created_at
    )?;
    if n == 0 {
        return Ok(Err(RegisterClash::Mobile));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

pub async fn org_by_id(db: &Db, id: &str) -> Result<Option<OrgRow>, sqlx::Error> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1");
    fetch_optional!(db, OrgRow, &sql, id)
}

/// Organisations for the administrators' list: waiting ones first.
pub async fn all_orgs(db: &Db) -> Result<Vec<OrgRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ORG_COLUMNS} FROM orgs
         ORDER BY CASE status WHEN 'pending' THEN 0 ELSE 1 END, created_at DESC LIMIT 500"
    );
    fetch_all!(db, OrgRow, &sql)
}

/// Verify or reject a waiting organisation (only once); `false` when it was
/// not waiting. The caller adds the audit record and the message in `tx`.
pub async fn decide_org(
    tx: &mut WriteTx,
    id: &str,
    verified: bool,
    staff_id: &str,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let n = execute_tx!(
        tx,
        "UPDATE orgs SET status = $2, decided_by = $3, decided_at = $4, reject_reason = $5
         WHERE id = $1 AND status = 'pending'",
        id,
        if verified { "verified" } else { "rejected" },
        staff_id,
        now_ms(),
        reason
    )?;
    Ok(n == 1)
}

pub async fn member_by_mobile(db: &Db, mobile: &str) -> Result<Option<MemberRow>, sqlx::Error> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM org_members WHERE mobile = $1");
    fetch_optional!(db, MemberRow, &sql, mobile)
}

pub async fn member_mobile(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = fetch_optional!(
        db,
        (String,),
        "SELECT mobile FROM org_members WHERE id = $1",
        id
    )?;
    Ok(row.map(|(m,)| m))
}

pub async fn members_of(db: &Db, org_id: &str) -> Result<Vec<MemberRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM org_members WHERE org_id = $1 ORDER BY created_at, mobile"
    );
    fetch_all!(db, MemberRow, &sql, org_id)
}

/// Invite a member: no password yet, an invitation token (hashed) instead.
/// `false` when the mobile number already belongs to a member.
pub async fn insert_invited_member(
    tx: &mut WriteTx,
    m: &Invitation<'_>,
) -> Result<bool, sqlx::Error> {
    let n = execute_tx!(
        tx,
        "INSERT INTO org_members (id, org_id, mobile, name, role, invite_hash, invite_expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (mobile) DO NOTHING",
        m.id,
        m.org_id,
        m.mobile,
        m.name,
        m.role,
        m.invite_hash,
        m.expires_at,
        now_ms()
    )?;
    Ok(n == 1)
}

/// A member invited by SMS link, before they set a password.
pub struct Invitation<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub mobile: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    /// SHA-256 of the link's token.
    pub invite_hash: &'a str,
    pub expires_at: i64,
}

/// The member an unexpired invitation is for.
pub async fn member_by_invite(
    db: &Db,
    invite_hash: &str,
) -> Result<Option<MemberRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM org_members
         WHERE invite_hash = $1 AND invite_expires_at > $2 AND active = 1"
    );
    fetch_optional!(db, MemberRow, &sql, invite_hash, now_ms())
}

/// Accept an invitation: set the password, spend the token (once).
pub async fn accept_invite(
    db: &Db,
    invite_hash: &str,
    password_hash: &str,
) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "UPDATE org_members SET password_hash = $2, invite_hash = NULL, invite_expires_at = NULL
         WHERE invite_hash = $1 AND invite_expires_at > $3 AND active = 1",
        invite_hash,
        password_hash,
        now_ms()
    )?;
    Ok(n == 1)
}

/// Disable or enable a member of `org_id` (never oneself: the caller
/// checks); disabling ends their sessions.
pub async fn set_member_active(
    tx: &mut WriteTx,
    org_id: &str,
    member_id: &str,
    active: bool,
) -> Result<bool, sqlx::Error> {
    let n = execute_tx!(
        tx,
        "UPDATE org_members SET active = $3, failed_logins = 0, locked_until = 0
         WHERE id = $2 AND org_id = $1",
        org_id,
        member_id,
        i64::from(active)
    )?;
    if n == 1 && !active {
        execute_tx!(
            tx,
            "DELETE FROM org_sessions WHERE member_id = $1",
            member_id
        )?;
    }
    Ok(n == 1)
}

/// Count a member's sign-in attempt before the password is checked (see
/// [`super::claim_login_attempt`]): `false` while the member is locked.
pub async fn claim_member_attempt(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let n = execute!(
        db,
        "UPDATE org_members SET
             failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END
         WHERE id = $1 AND locked_until <= $4",
        id,
        super::MAX_FAILED_LOGINS,
        now + super::LOCK_MS,
        now
    )?;
    Ok(n == 1)
}

/// The right password: the count starts again.
pub async fn reset_member_attempts(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE org_members SET failed_logins = 0, locked_until = 0 WHERE id = $1",
        id
    )?;
    Ok(())
}

pub async fn insert_challenge(
    tx: &mut WriteTx,
    id: &str,
    member_id: &str,
    code_hash: &str,
) -> Result<(), sqlx::Error> {
    execute_tx!(
        tx,
        "INSERT INTO org_challenges (id, member_id, code_hash, expires_at) VALUES ($1, $2, $3, $4)",
        id,
        member_id,
        code_hash,
        now_ms() + super::CODE_TTL_MS
    )?;
    Ok(())
}

pub async fn find_challenge(
    tx: &mut WriteTx,
    id: &str,
) -> Result<Option<ChallengeRow>, sqlx::Error> {
    fetch_optional_tx!(
        tx,
        ChallengeRow,
        "SELECT member_id, code_hash, expires_at, attempts, used_at FROM org_challenges WHERE id = $1",
        id
    )
}

pub async fn challenge_wrong_try(tx: &mut WriteTx, id: &str) -> Result<(), sqlx::Error> {
    execute_tx!(
        tx,
        "UPDATE org_challenges SET attempts = attempts + 1 WHERE id = $1",
        id
    )?;
    Ok(())
}

/// Spend a challenge and start a session in one go; `false` when the
/// challenge was spent meanwhile.
pub async fn start_org_session(
    tx: &mut WriteTx,
    challenge: &str,
    member_id: &str,
    token_hash: &str,
    csrf: &str,
    absolute_ms: i64,
    replaces: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let n = execute_tx!(
        tx,
        "UPDATE org_challenges SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
        challenge,
        now
    )?;
    if n == 0 {
        return Ok(false);
    }
    execute_tx!(
        tx,
        "UPDATE org_members SET failed_logins = 0, locked_until = 0 WHERE id = $1",
        member_id
    )?;
    if let Some(old) = replaces {
        execute_tx!(tx, "DELETE FROM org_sessions WHERE token_hash = $1", old)?;
    }
    execute_tx!(
        tx,
        "INSERT INTO org_sessions (token_hash, member_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)",
        token_hash,
        member_id,
        csrf,
        now,
        now + absolute_ms
    )?;
    Ok(true)
}

pub async fn live_org_session(
    db: &Db,
    token_hash: &str,
    idle_ms: i64,
) -> Result<Option<OrgSession>, sqlx::Error> {
    let now = now_ms();
    let row = fetch_optional!(
        db,
        OrgSession,
        "SELECT s.token_hash, s.member_id, m.name AS member_name, m.role, o.id AS org_id,
                o.name AS org_name, o.status AS org_status, o.kind AS org_kind, o.credit_code, s.csrf_token, s.last_seen_at
         FROM org_sessions s
         JOIN org_members m ON m.id = s.member_id
         JOIN orgs o ON o.id = m.org_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND m.active = 1",
        token_hash,
        now,
        now - idle_ms
    )?;
    if let Some(r) = &row {
        if now - r.last_seen_at > 60_000 {
            execute!(
                db,
                "UPDATE org_sessions SET last_seen_at = $2 WHERE token_hash = $1",
                token_hash,
                now
            )?;
        }
    }
    Ok(row)
}

pub async fn end_org_session(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "DELETE FROM org_sessions WHERE token_hash = $1",
        token_hash
    )?;
    Ok(())
}

// ---- projects ----------------------------------------------------------

/// `false` when the organisation already has a project of that name.
pub async fn insert_project(db: &Db, p: &ProjectRow) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "INSERT INTO projects (id, org_id, name, site_code, address, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, name) DO NOTHING",
        &p.id,
        &p.org_id,
        &p.name,
        &p.site_code,
        &p.address,
        p.created_at
    )?;
    Ok(n == 1)
}

pub async fn projects_of(db: &Db, org_id: &str) -> Result<Vec<ProjectRow>, sqlx::Error> {
    fetch_all!(
        db,
        ProjectRow,
        "SELECT id, org_id, name, site_code, address, created_at FROM projects
         WHERE org_id = $1 ORDER BY created_at DESC",
        org_id
    )
}

/// A project of this organisation (another's is `None`).
pub async fn project_of(
    db: &Db,
    org_id: &str,
    id: &str,
) -> Result<Option<ProjectRow>, sqlx::Error> {
    fetch_optional!(
        db,
        ProjectRow,
        "SELECT id, org_id, name, site_code, address, created_at FROM projects
         WHERE org_id = $1 AND id = $2",
        org_id,
        id
    )
}

pub async fn project_by_id(db: &Db, id: &str) -> Result<Option<ProjectRow>, sqlx::Error> {
    fetch_optional!(
        db,
        ProjectRow,
        "SELECT id, org_id, name, site_code, address, created_at FROM projects WHERE id = $1",
        id
    )
}

pub async fn units_of(db: &Db, project_id: &str) -> Result<Vec<UnitRow>, sqlx::Error> {
    fetch_all!(
        db,
        UnitRow,
        "SELECT u.unit_no, b.name AS building, u.floor, u.area_centi, u.use_kind
         FROM units u JOIN buildings b ON b.id = u.building_id
         WHERE u.project_id = $1 ORDER BY b.name, u.unit_no",
        project_id
    )
}

pub async fn unit_numbers_of(db: &Db, project_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT unit_no FROM units WHERE project_id = $1",
        project_id
    )?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

pub async fn unit_count(db: &Db, project_id: &str) -> Result<i64, sqlx::Error> {
    let n: Option<(i64,)> = fetch_optional!(
        db,
        (i64,),
        "SELECT COUNT(*) FROM units WHERE project_id = $1",
        project_id
    )?;
    Ok(n.map_or(0, |(n,)| n))
}

//! Pre-applications: drafts, submission, timeline, withdrawal and lookup.

use super::outbox::{enqueue, Channel};
use super::{now_ms, Db, WriteTx};
use crate::domain::application::{check_id_number, IdType, PartyForm};
use crate::domain::{Lang, MobileNumber};
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_optional_tx, fetch_scalar_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: String,
    pub filer_id: String,
    pub matter_code: String,
    pub status: String,
    pub receipt_no: Option<String>,
    pub draft: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub stage: String,
    pub version: i64,
    pub case_no: Option<String>,
    pub due_on: Option<String>,
    pub due_at: Option<i64>,
    pub paused_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub note: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartyRow {
    pub idx: i64,
    pub role: String,
    pub name: String,
    pub id_type: String,
    pub id_number: String,
    pub mobile: String,
    pub share: String,
}

const COLUMNS: &str = "a.id, a.filer_id, a.matter_code, a.status, a.receipt_no, a.draft, a.created_at, a.updated_at, a.submitted_at, a.stage, a.version, a.case_no, a.due_on, a.due_at, a.paused_at";

pub async fn create_draft(
    db: &Db,
    filer_id: &str,
    matter_code: &str,
    draft: &str,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    execute!(
        db,
        "INSERT INTO applications (id, filer_id, matter_code, status, draft, created_at, updated_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, $5)",
        &id,
        filer_id,
        matter_code,
        draft,
        now
    )?;
    Ok(id)
}

/// An application the citizen may see: they filed it, or (once submitted)
/// they are named on it by their verified mobile number. Anything else is
/// `None`, which callers answer as 404.
pub async fn application_for(
    db: &Db,
    id: &str,
    citizen_id: &str,
    mobile: &str,
) -> Result<Option<ApplicationRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM applications a WHERE a.id = $1 AND (a.filer_id = $2 OR (a.status <> 'draft'
           AND EXISTS (SELECT 1 FROM application_parties p WHERE p.application_id = a.id AND p.mobile = $3)))"
    );
    fetch_optional!(db, ApplicationRow, &sql, id, citizen_id, mobile)
}

/// Every application the citizen may see, most recently changed first.
pub async fn applications_for(
    db: &Db,
    citizen_id: &str,
    mobile: &str,
) -> Result<Vec<ApplicationRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM applications a WHERE a.filer_id = $1 OR (a.status <> 'draft'
           AND EXISTS (SELECT 1 FROM application_parties p WHERE p.application_id = a.id AND p.mobile = $2))
         ORDER BY a.updated_at DESC, a.id LIMIT 200"
    );
    fetch_all!(db, ApplicationRow, &sql, citizen_id, mobile)
}

/// Save the wizard's answers; only the filer, only while a draft.
pub async fn save_draft(
    db: &Db,
    id: &str,
    filer_id: &str,
    draft: &str,
) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "UPDATE applications SET draft = $3, updated_at = $4 WHERE id = $1 AND filer_id = $2 AND status = 'draft'",
        id,
        filer_id,
        draft,
        now_ms()
    )?;
    Ok(n == 1)
}

pub async fn delete_draft(db: &Db, id: &str, filer_id: &str) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "DELETE FROM applications WHERE id = $1 AND filer_id = $2 AND status = 'draft'",
        id,
        filer_id
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// This call submitted it.
    Submitted(String),
    /// It was already submitted (a double tap or a retry): same receipt.
    AlreadySubmitted(String),
    NotFound,
}

/// What the notification about a receipt needs.
pub struct ReceiptNotice<'a> {
    pub filer_mobile: &'a str,
    pub matter_zh: &'a str,
    pub matter_en: &'a str,
    pub lang: Lang,
    /// Who filed, as the other parties are told (their name as a party, or
    /// the agent's).
    pub filer_name: &'a str,
    /// The property, as the other parties are told.
    pub unit: &'a str,
    pub address: &'a str,
    /// Where a named party reads and confirms the application.
    pub link: &'a str,
    /// Where a named organisation (a bank) does, through its account.
    pub org_link: &'a str,
}

/// Submit a draft, exactly once: the status flips from draft to submitted by
/// a conditional update, so of many concurrent submits one wins and the
/// others read the receipt it assigned. Parties, the first timeline event and
/// the receipt notification are written in the same transaction.
pub async fn submit(
    db: &Db,
    id: &str,
    filer_id: &str,
    receipt: &str,
    parties: &[PartyForm],
    priority: bool,
    notice: &ReceiptNotice<'_>,
) -> Result<SubmitOutcome, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let n = execute_tx!(
        &mut tx,
        "UPDATE applications SET status = 'submitted', stage = 'pre_review', version = version + 1,
             receipt_no = $3, submitted_at = $4, updated_at = $4, priority = $5
         WHERE id = $1 AND filer_id = $2 AND status = 'draft'",
        id,
        filer_id,
        receipt,
        now,
        i64::from(priority)
    )?;
    if n == 0 {
        let existing = fetch_optional_tx!(
            &mut tx,
            (Option<String>,),
            "SELECT receipt_no FROM applications WHERE id = $1 AND filer_id = $2",
            id,
            filer_id
        )?;
        tx.commit().await?;
        return Ok(match existing {
            Some((Some(r),)) => SubmitOutcome::AlreadySubmitted(r),
            _ => SubmitOutcome::NotFound,
        });
    }
    for (i, p) in parties.iter().enumerate() {
        let id_number = IdType::from_code(&p.id_type)
            .and_then(|t| check_id_number(t, &p.id_number).ok())
            .unwrap_or_else(|| p.id_number.clone());
        let last6 = crate::domain::application::id_last6(&id_number);
        let mobile = MobileNumber::parse(&p.mobile)
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|_| p.mobile.clone());
        execute_tx!(
            &mut tx,
            "INSERT INTO application_parties (application_id, idx, role, name, id_type, id_number, id_last6, mobile, share)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            id,
            i as i64,
            &p.role,
            &p.name,
            &p.id_type,
            &id_number,
            last6,
            mobile,
            &p.share
        )?;
    }
    add_event(&mut tx, id, "submitted", now).await?;
    enqueue(
        &mut tx,
        Channel::Sms,
        notice.filer_mobile,
        "receipt",
        &serde_json::json!({
            "receipt": receipt,
            "matter_zh": notice.matter_zh,
            "matter_en": notice.matter_en,
        }),
        notice.lang,
    )
    .await?;
    // Everyone else named is told, so nobody's flat is filed unheard.
    super::people::tell_parties(
        &mut tx,
        id,
        notice.filer_mobile,
        &serde_json::json!({
            "filer": notice.filer_name,
            "matter_zh": notice.matter_zh,
            "matter_en": notice.matter_en,
            "unit": notice.unit,
            "address": notice.address,
            "receipt": receipt,
            "link": notice.link,
            "org_link": notice.org_link,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(SubmitOutcome::Submitted(receipt.to_string()))
}

async fn add_event(tx: &mut WriteTx, id: &str, kind: &str, at: i64) -> Result<(), sqlx::Error> {
    add_event_note(tx, id, kind, at, "").await
}

/// Add to the applicant's timeline, with a note they may read (a reason).
pub(crate) async fn add_event_note(
    tx: &mut WriteTx,
    id: &str,
    kind: &str,
    at: i64,
    note: &str,
) -> Result<(), sqlx::Error> {
    let seq = fetch_scalar_tx!(
        tx,
        i64,
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM application_events WHERE application_id = $1",
        id
    )?;
    execute_tx!(
        tx,
        "INSERT INTO application_events (application_id, seq, at, kind, note) VALUES ($1, $2, $3, $4, $5)",
        id,
        seq,
        at,
        kind,
        note
    )?;
    Ok(())
}

/// Withdraw a submitted application before it is entered in the register
/// (before acceptance, or while accepted or in review); only its filer. An
/// unpaid payment order is cancelled and a paid one refunded.
pub async fn withdraw(
    db: &Db,
    id: &str,
    filer_id: &str,
    filer_mobile: &str,
    lang: Lang,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let n = execute_tx!(
        &mut tx,
        "UPDATE applications SET status = 'withdrawn', stage = 'none', version = version + 1, assigned_to = NULL, updated_at = $3
         WHERE id = $1 AND filer_id = $2 AND status = 'submitted' AND stage IN ('pre_review', 'returned', 'pre_accepted', 'accepted', 'review')",
        id,
        filer_id,
        now
    )?;
    if n == 1 {
        super::payments::close_for_case(&mut tx, id, "申请人撤回申请，款项原路退回").await?;
        super::people::cancel_open_visits(
            &mut tx,
            id,
            "申请已撤回",
            "the application was withdrawn",
        )
        .await?;
        add_event(&mut tx, id, "withdrawn", now).await?;
        let receipt = fetch_scalar_tx!(
            &mut tx,
            String,
            "SELECT receipt_no FROM applications WHERE id = $1",
            id
        )?;
        enqueue(
            &mut tx,
            Channel::Sms,
            filer_mobile,
            "withdrawn",
            &serde_json::json!({ "receipt": receipt }),
            lang,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

pub async fn events(db: &Db, id: &str) -> Result<Vec<EventRow>, sqlx::Error> {
    fetch_all!(
        db,
        EventRow,
        "SELECT seq, at, kind, note FROM application_events WHERE application_id = $1 ORDER BY seq",
        id
    )
}

pub async fn parties(db: &Db, id: &str) -> Result<Vec<PartyRow>, sqlx::Error> {
    fetch_all!(
        db,
        PartyRow,
        "SELECT idx, role, name, id_type, id_number, mobile, share FROM application_parties WHERE application_id = $1 ORDER BY idx",
        id
    )
}

/// The public lookup: a submitted application whose receipt matches and one
/// of whose parties has an ID number ending in, or a mobile number equal to,
/// `secret`. One query either way, so a wrong secret and an unknown receipt
/// take the same path.
pub async fn track(
    db: &Db,
    receipt: &str,
    secret: &str,
) -> Result<Option<ApplicationRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM applications a WHERE a.receipt_no = $1 AND a.status <> 'draft'
           AND EXISTS (SELECT 1 FROM application_parties p WHERE p.application_id = a.id
                       AND (p.id_last6 = $2 OR p.mobile = $2))"
    );
    fetch_optional!(db, ApplicationRow, &sql, receipt, secret)
}

/// An application by id, without any access check (staff paths check the
/// case's site first).
pub async fn application_row(db: &Db, id: &str) -> Result<Option<ApplicationRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM applications a WHERE a.id = $1");
    fetch_optional!(db, ApplicationRow, &sql, id)
}

/// Receipt numbers of other open cases for the same unit number (the
/// unit is in each application's frozen answers).
pub async fn open_cases_for_unit(
    db: &Db,
    unit: &str,
    except: &str,
) -> Result<Vec<String>, sqlx::Error> {
    if unit.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<(String, Option<String>, String)> = fetch_all!(
        db,
        (String, Option<String>, String),
        "SELECT id, receipt_no, draft FROM applications
         WHERE status = 'submitted' AND stage NOT IN ('rejected', 'issued', 'archived') AND id <> $1
           AND draft LIKE $2",
        except,
        format!("%{unit}%")
    )?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, draft)| {
            serde_json::from_str::<crate::domain::application::Draft>(draft)
                .is_ok_and(|d| d.property.unit_number.trim() == unit)
        })
        .filter_map(|(_, r, _)| r)
        .collect())
}

//! A submitted batch becomes cases: one pre-application per line (with its
//! receipt, parties and timeline, and a text to the buyer named in it), all
//! in the transaction that closes the batch. Clerks of the project's site
//! then pass the clean lines at once — each case formally accepted with its
//! own case number and deadline — or return single lines with a reason.

use super::{
    audit, enqueue, now_ms, upsert_citizen, AuditEntry, Channel, Db, SubmitRefusal, WriteTx,
};
use crate::domain::Lang;
use crate::{execute_tx, fetch_all, fetch_optional, fetch_optional_tx, fetch_scalar_tx};

/// One party of a case made from a line.
#[derive(Debug, Clone)]
pub struct NewParty {
    pub role: String,
    pub name: String,
    pub id_type: String,
    pub id_number: String,
    pub mobile: String,
}

/// The case a line becomes when its batch is submitted.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub line_id: String,
    pub application_id: String,
    pub receipt: String,
    /// Whose case it is (their mobile): the buyer, or for a first
    /// registration the member who submitted.
    pub filer_mobile: String,
    pub draft: String,
    pub parties: Vec<NewParty>,
    /// The text telling the buyer a filing was made in their name.
    pub notice: Option<(String, serde_json::Value)>,
}

/// Submit a draft batch and make its cases, in one transaction. Refused
/// while a file is still being checked, when it has no line, or when it is
/// no longer a draft (nothing is written then).
pub async fn submit_batch(
    db: &Db,
    batch_id: &str,
    matter_code: &str,
    site_code: &str,
    cases: &[NewCase],
    lang: Lang,
) -> Result<Result<(), SubmitRefusal>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let checking = fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT id FROM filing_uploads WHERE batch_id = $1 AND status = 'checking' LIMIT 1",
        batch_id
    )?;
    if checking.is_some() {
        return Ok(Err(SubmitRefusal::StillChecking));
    }
    let lines = fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT COUNT(*) FROM filing_lines WHERE batch_id = $1",
        batch_id
    )?;
    if lines == 0 {
        return Ok(Err(SubmitRefusal::Empty));
    }
    if lines != cases.len() as i64 {
        // A line came or went since the cases were drawn up: the caller retries.
        return Ok(Err(SubmitRefusal::Changed));
    }
    let now = now_ms();
    let n = execute_tx!(
        &mut tx,
        "UPDATE filing_batches SET status = 'submitted', submitted_at = $2, updated_at = $2
         WHERE id = $1 AND status = 'draft'",
        batch_id,
        now
    )?;
    if n == 0 {
        return Ok(Err(SubmitRefusal::NotDraft));
    }
    for c in cases {
        let filer = upsert_citizen(&mut tx, &c.filer_mobile).await?;
        execute_tx!(
            &mut tx,
            "INSERT INTO applications (id, filer_id, matter_code, status, receipt_no, draft, created_at, updated_at,
                                       submitted_at, stage, version, site_code, filing_batch_id)
             VALUES ($1, $2, $3, 'submitted', $4, $5, $6, $6, $6, 'pre_review', 1, $7, $8)",
            &c.application_id,
            &filer,
            matter_code,
            &c.receipt,
            &c.draft,
            now,
            site_code,
            batch_id
        )?;
        for (i, p) in c.parties.iter().enumerate() {
            let last6 = crate::domain::application::id_last6(&p.id_number);
            execute_tx!(
                &mut tx,
                "INSERT INTO application_parties (application_id, idx, role, name, id_type, id_number, id_last6, mobile, share)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '')",
                &c.application_id,
                i as i64,
                &p.role,
                &p.name,
                &p.id_type,
                &p.id_number,
                last6,
                &p.mobile
            )?;
        }
        execute_tx!(
            &mut tx,
            "INSERT INTO application_events (application_id, seq, at, kind, note) VALUES ($1, 1, $2, 'submitted', '')",
            &c.application_id,
            now
        )?;
        let linked = execute_tx!(
            &mut tx,
            "UPDATE filing_lines SET application_id = $2, updated_at = $3 WHERE id = $1 AND batch_id = $4",
            &c.line_id,
            &c.application_id,
            now,
            batch_id
        )?;
        if linked != 1 {
            return Ok(Err(SubmitRefusal::Changed));
        }
        if let Some((to, params)) = &c.notice {
            enqueue(
                &mut tx,
                Channel::Sms,
                to,
                "filed_in_your_name",
                params,
                lang,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// A batch as clerks list it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffBatchRow {
    pub id: String,
    pub batch_no: String,
    pub kind: String,
    pub status: String,
    pub org_name: String,
    pub credit_code: String,
    pub project_name: String,
    pub site_code: String,
    pub submitted_at: Option<i64>,
    pub lines: i64,
    pub pending: i64,
}

const STAFF_BATCH: &str = "SELECT b.id, b.batch_no, b.kind, b.status, o.name AS org_name, o.credit_code,
        p.name AS project_name, p.site_code, b.submitted_at,
        (SELECT COUNT(*) FROM filing_lines l WHERE l.batch_id = b.id) AS lines,
        (SELECT COUNT(*) FROM filing_lines l WHERE l.batch_id = b.id AND l.status = 'pending') AS pending
     FROM filing_batches b JOIN projects p ON p.id = b.project_id JOIN orgs o ON o.id = b.org_id
     WHERE b.status IN ('submitted', 'reviewed')
       AND p.site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $1)";

/// Submitted batches of the staff member's sites, waiting ones first.
pub async fn batches_for_staff(db: &Db, staff_id: &str) -> Result<Vec<StaffBatchRow>, sqlx::Error> {
    let sql = format!("{STAFF_BATCH} ORDER BY CASE b.status WHEN 'submitted' THEN 0 ELSE 1 END, b.submitted_at LIMIT 200");
    fetch_all!(db, StaffBatchRow, &sql, staff_id)
}

/// One submitted batch, if it belongs to one of the staff member's sites.
pub async fn batch_for_staff(
    db: &Db,
    staff_id: &str,
    id: &str,
) -> Result<Option<StaffBatchRow>, sqlx::Error> {
    let sql = format!("{STAFF_BATCH} AND b.id = $2");
    fetch_optional!(db, StaffBatchRow, &sql, staff_id, id)
}

/// A line with its case, as the clerk reviews it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewLineRow {
    pub id: String,
    pub unit_no: String,
    pub contract_no: String,
    pub data: String,
    pub status: String,
    pub review_note: String,
    pub application_id: Option<String>,
    pub receipt_no: Option<String>,
    pub case_no: Option<String>,
}

pub async fn review_lines(db: &Db, batch_id: &str) -> Result<Vec<ReviewLineRow>, sqlx::Error> {
    fetch_all!(
        db,
        ReviewLineRow,
        "SELECT l.id, l.unit_no, l.contract_no, l.data, l.status, l.review_note, l.application_id,
                a.receipt_no, a.case_no
         FROM filing_lines l LEFT JOIN applications a ON a.id = l.application_id
         WHERE l.batch_id = $1 ORDER BY l.unit_no",
        batch_id
    )
}

/// The formal acceptance of a passed line's case.
#[derive(Debug, Clone)]
pub struct Acceptance {
    pub line_id: String,
    pub application_id: String,
    pub case_no: String,
}

/// Pass lines of a submitted batch in one transaction: each still pending
/// line becomes `passed` and its case is formally accepted (case number,
/// deadline, timeline, a text to its filer); the batch is `reviewed` once
/// no line is pending. Returns how many were passed; a case number taken
/// meanwhile fails the whole transaction (the caller draws new numbers).
#[allow(clippy::too_many_arguments)]
pub async fn pass_lines(
    db: &Db,
    batch_id: &str,
    staff_id: &str,
    role: &str,
    accept: &[Acceptance],
    due_on: &str,
    due_at: Option<i64>,
    lang: Lang,
) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let mut passed = 0;
    for a in accept {
        let n = execute_tx!(
            &mut tx,
            "UPDATE filing_lines SET status = 'passed', updated_at = $3
             WHERE id = $1 AND batch_id = $2 AND status = 'pending'
               AND EXISTS (SELECT 1 FROM filing_batches b WHERE b.id = $2 AND b.status = 'submitted')",
            &a.line_id,
            batch_id,
            now
        )?;
        if n == 0 {
            continue;
        }
        execute_tx!(
            &mut tx,
            "UPDATE applications SET stage = 'accepted', version = version + 1, updated_at = $2,
                 case_no = $3, due_on = $4, due_at = $5, accepted_at = $2, assigned_to = $6
             WHERE id = $1 AND stage = 'pre_review'",
            &a.application_id,
            now,
            &a.case_no,
            due_on,
            due_at,
            staff_id
        )?;
        add_event(&mut tx, &a.application_id, "accepted", now, "").await?;
        text_filer(&mut tx, &a.application_id, "accepted", "accepted", "", lang).await?;
        passed += 1;
    }
    close_if_done(&mut tx, batch_id, staff_id, now).await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: staff_id,
            role,
            action: "batch_pass",
            before: "pending",
            after: &format!("{batch_id} passed {passed}"),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(passed)
}

/// Return one pending line with a reason: the line is `returned`, its case
/// refused at pre-review (timeline + text with the reason). `false` when
/// the line is not pending in a submitted batch.
pub async fn return_line(
    db: &Db,
    batch_id: &str,
    line_id: &str,
    staff_id: &str,
    role: &str,
    reason: &str,
    lang: Lang,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let n = execute_tx!(
        &mut tx,
        "UPDATE filing_lines SET status = 'returned', review_note = $3, updated_at = $4
         WHERE id = $1 AND batch_id = $2 AND status = 'pending'
           AND EXISTS (SELECT 1 FROM filing_batches b WHERE b.id = $2 AND b.status = 'submitted')",
        line_id,
        batch_id,
        reason,
        now
    )?;
    if n == 0 {
        return Ok(false);
    }
    let app: Option<(Option<String>,)> = fetch_optional_tx!(
        &mut tx,
        (Option<String>,),
        "SELECT application_id FROM filing_lines WHERE id = $1",
        line_id
    )?;
    if let Some((Some(app),)) = app {
        execute_tx!(
            &mut tx,
            "UPDATE applications SET stage = 'rejected', version = version + 1, updated_at = $2
             WHERE id = $1 AND stage = 'pre_review'",
            &app,
            now
        )?;
        add_event(&mut tx, &app, "rejected", now, reason).await?;
        text_filer(&mut tx, &app, "rejected", "rejected", reason, lang).await?;
    }
    close_if_done(&mut tx, batch_id, staff_id, now).await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: staff_id,
            role,
            action: "batch_return",
            before: "pending",
            after: &format!("{batch_id} {line_id} returned"),
            reason,
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

async fn add_event(
    tx: &mut WriteTx,
    id: &str,
    kind: &str,
    at: i64,
    note: &str,
) -> Result<(), sqlx::Error> {
    super::applications::add_event_note(tx, id, kind, at, note).await
}

async fn text_filer(
    tx: &mut WriteTx,
    id: &str,
    stage: &str,
    event: &str,
    note: &str,
    lang: Lang,
) -> Result<(), sqlx::Error> {
    let row = fetch_optional_tx!(
        tx,
        (Option<String>, String),
        "SELECT a.receipt_no, c.mobile FROM applications a JOIN citizens c ON c.id = a.filer_id WHERE a.id = $1",
        id
    )?;
    if let Some((receipt, mobile)) = row {
        enqueue(
            tx,
            Channel::Sms,
            &mobile,
            "case_event",
            &serde_json::json!({ "receipt": receipt, "stage": stage, "event": event, "note": note }),
            lang,
        )
        .await?;
    }
    Ok(())
}

async fn close_if_done(
    tx: &mut WriteTx,
    batch_id: &str,
    staff_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    execute_tx!(
        tx,
        "UPDATE filing_batches SET status = 'reviewed', reviewed_by = $2, reviewed_at = $3, updated_at = $3
         WHERE id = $1 AND status = 'submitted'
           AND NOT EXISTS (SELECT 1 FROM filing_lines l WHERE l.batch_id = $1 AND l.status = 'pending')",
        batch_id,
        staff_id,
        now
    )?;
    Ok(())
}

/// Units of this batch under another open advance notice (a notice or
/// dual-notice line of another batch, not returned): unit and batch number.
pub async fn open_notices_elsewhere(
    db: &Db,
    batch_id: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    fetch_all!(
        db,
        (String, String),
        "SELECT o.unit_no, b.batch_no FROM filing_lines o JOIN filing_batches b ON b.id = o.batch_id
         WHERE o.batch_id <> $1 AND o.kind IN ('notice', 'dual_notice') AND o.status <> 'returned'
           AND b.status <> 'draft'
           AND o.unit_no IN (SELECT unit_no FROM filing_lines WHERE batch_id = $1)",
        batch_id
    )
}

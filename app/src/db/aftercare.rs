//! What follows an issued case: the paper certificate by post (EMS) and
//! the utilities moved to the new owner (登记+X). A posting and each
//! utility request tell the applicant as they go.

use super::payments::tell_filer;
use super::{add_event_note, audit, now_ms, AuditEntry, Db};
use crate::domain::Lang;
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_optional_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub application_id: String,
    pub method: String,
    pub recipient: String,
    pub mobile: String,
    pub address: String,
    pub tracking_no: Option<String>,
    pub status: String,
    pub posted_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

const DELIVERY: &str = "application_id, method, recipient, mobile, address, tracking_no, status, posted_at, delivered_at";

pub async fn delivery(db: &Db, application_id: &str) -> Result<Option<DeliveryRow>, sqlx::Error> {
    fetch_optional!(
        db,
        DeliveryRow,
        &format!("SELECT {DELIVERY} FROM deliveries WHERE application_id = $1"),
        application_id
    )
}

/// How the applicant collects the paper certificate.
#[derive(Debug, Clone)]
pub struct Choice<'a> {
    pub method: &'a str,
    pub recipient: &'a str,
    pub mobile: &'a str,
    pub address: &'a str,
}

/// Choose or change how the certificate is collected, until it is posted.
/// False when it has been posted already.
pub async fn choose(db: &Db, application_id: &str, c: &Choice<'_>) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let n = execute!(
        db,
        "INSERT INTO deliveries (application_id, method, recipient, mobile, address, status, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'chosen', $6)
         ON CONFLICT (application_id) DO UPDATE SET method = $2, recipient = $3, mobile = $4, address = $5, updated_at = $6
          WHERE deliveries.status = 'chosen'",
        application_id,
        c.method,
        c.recipient,
        c.mobile,
        c.address,
        now
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posting {
    Done,
    /// Not chosen for post, or posted already (or, for delivery, not posted).
    Wrong,
}

/// The clerk records the EMS tracking number of a posted certificate.
pub async fn post(
    db: &Db,
    application_id: &str,
    tracking_no: &str,
    staff: (&str, &str),
) -> Result<Posting, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "UPDATE deliveries SET status = 'posted', tracking_no = $2, posted_at = $3, updated_at = $3
          WHERE application_id = $1 AND method = 'post' AND status = 'chosen'",
        application_id,
        tracking_no,
        now
    )?;
    if n != 1 {
        return Ok(Posting::Wrong);
    }
    let note = format!("纸质证书已通过 EMS 寄出，运单号 {tracking_no}");
    add_event_note(&mut tx, application_id, "posted", now, &note).await?;
    tell_filer(
        &mut tx,
        application_id,
        "certificate_posted",
        serde_json::json!({ "tracking": tracking_no }),
    )
    .await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: staff.0,
            role: staff.1,
            action: "certificate_posted",
            application_id: Some(application_id),
            before: "chosen",
            after: "posted",
            reason: tracking_no,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Posting::Done)
}

/// The posted certificate reached the applicant.
pub async fn delivered(
    db: &Db,
    application_id: &str,
    staff: (&str, &str),
) -> Result<Posting, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "UPDATE deliveries SET status = 'delivered', delivered_at = $2, updated_at = $2
          WHERE application_id = $1 AND status = 'posted'",
        application_id,
        now
    )?;
    if n != 1 {
        return Ok(Posting::Wrong);
    }
    add_event_note(&mut tx, application_id, "delivered", now, "纸质证书已妥投").await?;
    tell_filer(
        &mut tx,
        application_id,
        "certificate_delivered",
        serde_json::json!({}),
    )
    .await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: staff.0,
            role: staff.1,
            action: "certificate_delivered",
            application_id: Some(application_id),
            before: "posted",
            after: "delivered",
            reason: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Posting::Done)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UtilityRow {
    pub id: String,
    pub application_id: String,
    pub utility: String,
    pub account_no: String,
    pub status: String,
    pub reference: String,
    pub note: String,
    pub attempts: i64,
    pub updated_at: i64,
}

const UTILITY: &str =
    "id, application_id, utility, account_no, status, reference, note, attempts, updated_at";

pub async fn utilities(db: &Db, application_id: &str) -> Result<Vec<UtilityRow>, sqlx::Error> {
    fetch_all!(
        db,
        UtilityRow,
        &format!(
            "SELECT {UTILITY} FROM utility_requests WHERE application_id = $1 ORDER BY created_at, utility"
        ),
        application_id
    )
}

/// Ask for the utilities' accounts to move to the new owner, in one step:
/// one request per utility (`(utility, account number)`), queued for the
/// utilities worker. A utility asked already is not asked again. Returns
/// how many were queued.
pub async fn request_utilities(
    db: &Db,
    application_id: &str,
    wanted: &[(String, String)],
) -> Result<usize, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let mut queued = Vec::new();
    for (utility, account) in wanted {
        let n = execute_tx!(
            &mut tx,
            "INSERT INTO utility_requests (id, application_id, utility, account_no, status, next_attempt_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'queued', $5, $5, $5)
             ON CONFLICT (application_id, utility) DO NOTHING",
            uuid::Uuid::new_v4().to_string(),
            application_id,
            utility,
            account,
            now
        )?;
        if n == 1 {
            queued.push(crate::domain::aftercare::utility_label(utility, Lang::Zh));
        }
    }
    if !queued.is_empty() {
        let note = format!("已申请同步过户：{}", queued.join("、"));
        add_event_note(&mut tx, application_id, "utilities_requested", now, &note).await?;
    }
    tx.commit().await?;
    Ok(queued.len())
}

/// Requests waiting to be sent (or sent again).
pub async fn due_utility_requests(
    db: &Db,
    now: i64,
    limit: i64,
) -> Result<Vec<UtilityRow>, sqlx::Error> {
    fetch_all!(
        db,
        UtilityRow,
        &format!(
            "SELECT {UTILITY} FROM utility_requests WHERE status = 'queued' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2"
        ),
        now,
        limit
    )
}

/// The utility took the request (`accepted`, with its reference), or
/// sending failed (`queued` again at `next_at`, or `failed` for good).
pub async fn utility_sent(
    db: &Db,
    id: &str,
    status: &str,
    reference: &str,
    note: &str,
    next_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE utility_requests SET status = $2, reference = $3, note = $4, attempts = attempts + 1,
                next_attempt_at = $5, updated_at = $6
          WHERE id = $1 AND status = 'queued'",
        id,
        status,
        reference,
        note,
        next_at,
        now_ms()
    )?;
    Ok(())
}

/// The utility's word on a request (`done` or `rejected`): recorded once,
/// the applicant told. False for an unknown request or one already closed.
pub async fn utility_answered(
    db: &Db,
    id: &str,
    utility: &str,
    status: &str,
    reference: &str,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let Some((app_id,)) = fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT application_id FROM utility_requests WHERE id = $1 AND utility = $2 AND status IN ('queued', 'accepted')",
        id,
        utility
    )?
    else {
        return Ok(false);
    };
    execute_tx!(
        &mut tx,
        "UPDATE utility_requests SET status = $2, reference = CASE WHEN $3 = '' THEN reference ELSE $3 END,
                note = $4, updated_at = $5
          WHERE id = $1",
        id,
        status,
        reference,
        note,
        now
    )?;
    tell_filer(
        &mut tx,
        &app_id,
        "utility_answered",
        serde_json::json!({ "utility": utility, "status": status, "note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// What a utility needs to move the account: the unit, its address, the new
/// owner (the filer) and the case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UtilityFacts {
    pub receipt_no: Option<String>,
    pub case_no: Option<String>,
    pub draft: String,
    pub filer_mobile: String,
}

pub async fn utility_facts(
    db: &Db,
    application_id: &str,
) -> Result<Option<UtilityFacts>, sqlx::Error> {
    fetch_optional!(
        db,
        UtilityFacts,
        "SELECT a.receipt_no, a.case_no, a.draft, c.mobile AS filer_mobile
           FROM applications a JOIN citizens c ON c.id = a.filer_id WHERE a.id = $1",
        application_id
    )
}

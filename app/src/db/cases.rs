//! The clerks' side of an application: queues, assignment, lifecycle moves
//! with their notices, timeline events, notifications and audit records.
//! Every move is one conditional update (`stage` and `version` as the page
//! saw them), so a stale page or a second clerk changes nothing.

use super::applications::add_event_note;
use super::outbox::{enqueue, Channel};
use super::staff::{audit, AuditEntry};
use super::{now_ms, Db, WriteTx};
use crate::domain::Lang;
use crate::{execute_tx, fetch_all, fetch_optional, fetch_optional_tx, fetch_scalar_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: String,
    pub receipt_no: Option<String>,
    pub matter_code: String,
    pub stage: String,
    pub site_code: String,
    pub assigned_to: Option<String>,
    pub assignee: Option<String>,
    pub submitted_at: Option<i64>,
    pub due_on: Option<String>,
    pub due_at: Option<i64>,
    /// Since when the clock stands still, waiting on the applicant.
    pub paused_at: Option<i64>,
    pub priority: i64,
    pub version: i64,
    pub case_no: Option<String>,
    pub accepted_at: Option<i64>,
    pub filer_mobile: String,
}

const CASE_COLUMNS: &str = "a.id, a.receipt_no, a.matter_code, a.stage, a.site_code, a.assigned_to,
    s.name AS assignee, a.submitted_at, a.due_on, a.due_at, a.paused_at, a.priority, a.version, a.case_no, a.accepted_at,
    c.mobile AS filer_mobile";
const CASE_FROM: &str = "applications a JOIN citizens c ON c.id = a.filer_id
    LEFT JOIN staff s ON s.id = a.assigned_to";

/// What a queue holds: cases of the staff member's sites in `stages`
/// (empty = every open stage), narrowed by the filters ('' / 0 = any).
#[derive(Debug, Clone, Default)]
pub struct QueueQuery<'a> {
    pub stages: &'a [&'a str],
    /// Only overdue cases: due before this day (`YYYY-MM-DD`), or due at an
    /// instant before `now_ms`.
    pub overdue_before: &'a str,
    pub now_ms: i64,
    pub matter: &'a str,
    pub site: &'a str,
    /// Submitted at or after / before these instants (ms; 0 = open).
    pub submitted_from: i64,
    pub submitted_before: i64,
    pub priority_only: bool,
}

/// A queue, priority lane first, then by deadline, at most 500 lines.
pub async fn queue(
    db: &Db,
    staff_id: &str,
    q: &QueueQuery<'_>,
) -> Result<Vec<CaseRow>, sqlx::Error> {
    let stage_list = if q.stages.is_empty() {
        "'pre_review', 'returned', 'pre_accepted', 'accepted', 'review', 'register', 'certificate', 'fee_paid'"
            .to_string()
    } else {
        // Codes come from the domain's fixed list, never from the request.
        q.stages
            .iter()
            .filter(|s| crate::domain::case::Stage::from_code(s).is_some())
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM {CASE_FROM}
         WHERE a.status = 'submitted' AND a.stage IN ({stage_list})
           AND a.site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $1)
           AND (a.filing_batch_id IS NULL OR a.stage NOT IN ('pre_review', 'rejected'))
           AND ($2 = '' OR (a.paused_at IS NULL
                AND ((a.due_on IS NOT NULL AND a.due_on < $2) OR (a.due_at IS NOT NULL AND a.due_at < $8))))
           AND ($3 = '' OR a.matter_code = $3)
           AND ($4 = '' OR a.site_code = $4)
           AND a.submitted_at >= $5 AND ($6 = 0 OR a.submitted_at < $6)
           AND ($7 = 0 OR a.priority = 1)
         ORDER BY a.priority DESC, COALESCE(a.due_on, '9999-12-31'),
                  COALESCE(a.due_at, 9223372036854775807), a.submitted_at
         LIMIT 500"
    );
    fetch_all!(
        db,
        CaseRow,
        &sql,
        staff_id,
        q.overdue_before,
        q.matter,
        q.site,
        q.submitted_from,
        q.submitted_before,
        i64::from(q.priority_only),
        q.now_ms
    )
}

/// One case, if it belongs to one of the staff member's sites.
pub async fn case_for_staff(
    db: &Db,
    id: &str,
    staff_id: &str,
) -> Result<Option<CaseRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM {CASE_FROM}
         WHERE a.id = $1 AND a.status = 'submitted'
           AND a.site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $2)"
    );
    fetch_optional!(db, CaseRow, &sql, id, staff_id)
}

/// One submitted case, whoever asks (the caller has authorised the reader).
pub async fn case_row(db: &Db, id: &str) -> Result<Option<CaseRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM {CASE_FROM} WHERE a.id = $1 AND a.status = 'submitted'"
    );
    fetch_optional!(db, CaseRow, &sql, id)
}

/// Who acts, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: &'a str,
    pub role: &'a str,
}

/// Take a case: only if nobody has it (one of two racing clerks wins).
pub async fn take_case(db: &Db, id: &str, actor: Actor<'_>) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "UPDATE applications SET assigned_to = $2, version = version + 1
         WHERE id = $1 AND status = 'submitted' AND assigned_to IS NULL",
        id,
        actor.id
    )?;
    if n == 1 {
        audit(
            &mut tx,
            &AuditEntry {
                actor: actor.id,
                role: actor.role,
                action: "take",
                application_id: Some(id),
                after: actor.id,
                ..Default::default()
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// Release a case: its assignee, or a supervisor for anyone's.
pub async fn release_case(
    db: &Db,
    id: &str,
    actor: Actor<'_>,
    any: bool,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "UPDATE applications SET assigned_to = NULL, version = version + 1
         WHERE id = $1 AND assigned_to IS NOT NULL AND ($3 OR assigned_to = $2)",
        id,
        actor.id,
        any
    )?;
    if n == 1 {
        audit(
            &mut tx,
            &AuditEntry {
                actor: actor.id,
                role: actor.role,
                action: "release",
                application_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// An item of a correction notice.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct NoticeItemRow {
    pub material: String,
    pub reason: String,
    pub note: String,
}

/// A move to apply: the stage and version the page saw, the new stage, and
/// what comes with it.
#[derive(Debug, Clone)]
pub struct Move<'a> {
    pub action: &'a str,
    pub from_stage: &'a str,
    pub to_stage: &'a str,
    pub version: i64,
    /// Shown to the applicant in the timeline (a rejection's reason).
    pub note: &'a str,
    /// The applicant's timeline event.
    pub event: &'a str,
    /// For a return: the notice's items.
    pub items: &'a [NoticeItemRow],
    /// A new deadline: at acceptance (with the formal case number), or when
    /// the clock restarts after a pause (case number '').
    pub deadline: Option<Deadline<'a>>,
    /// What the move does to the clock: `pause`, `resume` or `keep`. Only
    /// `resume` is possible while it is paused.
    pub clock: &'a str,
    /// For an acceptance with tolerated deficiencies (容缺): the materials
    /// the applicant promised to bring.
    pub owed: &'a [String],
    /// The move takes the case to the other desk: release it into that
    /// desk's queue.
    pub hand_over: bool,
    /// Fees paid: what, how much and how.
    pub fee: Option<&'a FeeRecord>,
    /// At issue: the electronic certificate or proof to seal.
    pub ecert: Option<&'a super::ecerts::NewEcert<'a>>,
    /// The matter is done without a visit (the texts say so).
    pub no_visit: bool,
    /// 登簿: the case's changes to the register, written in the move.
    pub register: Option<&'a RegisterEntry>,
}

/// What 登簿 needs: the case's facts and the keyed hashes of its ID numbers.
#[derive(Debug, Clone)]
pub struct RegisterEntry {
    pub facts: crate::domain::register::CaseFacts,
    pub hashes: Vec<(String, String)>,
}

/// A fee payment to record with the move to "fees paid".
#[derive(Debug, Clone)]
pub struct FeeRecord {
    pub property_use: &'static str,
    pub certificates: i64,
    pub lines: Vec<crate::domain::fees::DueLine>,
    pub total_fen: i64,
    pub method: String,
    /// Who took the payment, when not the one moving the case (an online
    /// payment: the clerk who opened its order).
    pub taken_by: Option<String>,
}

/// A deadline to record: the formal case number (at acceptance; '' when the
/// clock restarts), the due day, and for a limit in working minutes the due
/// instant.
#[derive(Debug, Clone, Copy)]
pub struct Deadline<'a> {
    pub case_no: &'a str,
    pub due_on: &'a str,
    pub due_at: Option<i64>,
}

/// Why a move did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveOutcome {
    Done {
        version: i64,
    },
    /// The case changed since the page was loaded (or is not in that stage).
    Stale,
    /// Not issued: materials accepted as tolerated deficiencies are still owed.
    Owed,
    /// Not pre-accepted or accepted: a named party objected.
    Objected,
    /// Not entered in the register: the checks that fail now (empty when
    /// another case changed the unit at the same moment).
    RegisterRefused(Vec<crate::domain::register::Check>),
}

/// Apply a move in one transaction: the conditional update, the notice, the
/// timeline event, the SMS to the filer, and the audit record.
pub async fn apply_move(
    db: &Db,
    id: &str,
    actor: Actor<'_>,
    m: &Move<'_>,
    lang: Lang,
) -> Result<MoveOutcome, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let (case_no, due_on, due_at) = m
        .deadline
        .map(|a| (a.case_no, a.due_on, a.due_at))
        .unwrap_or(("", "", None));
    let n = execute_tx!(
        &mut tx,
        "UPDATE applications SET stage = $4, version = version + 1, updated_at = $5,
             case_no = CASE WHEN $6 = '' THEN case_no ELSE $6 END,
             due_on = CASE WHEN $7 = '' THEN due_on ELSE $7 END,
             due_at = CASE WHEN $7 = '' THEN due_at ELSE $8 END,
             accepted_at = CASE WHEN $6 = '' THEN accepted_at ELSE $5 END,
             paused_at = CASE $9 WHEN 'pause' THEN $5 WHEN 'resume' THEN NULL ELSE paused_at END,
             assigned_to = CASE WHEN $10 = 1 THEN NULL ELSE assigned_to END
         WHERE id = $1 AND status = 'submitted' AND stage = $2 AND version = $3
           AND (paused_at IS NULL OR $9 = 'resume') AND ($9 <> 'resume' OR paused_at IS NOT NULL)
           AND ($4 <> 'issued' OR NOT EXISTS (
                SELECT 1 FROM owed_materials o WHERE o.application_id = $1 AND o.received_at IS NULL))
           AND (objected_at IS NULL OR $4 NOT IN ('pre_accepted', 'accepted'))",
        id,
        m.from_stage,
        m.version,
        m.to_stage,
        now,
        case_no,
        due_on,
        due_at,
        m.clock,
        i64::from(m.hand_over)
    )?;
    if n != 1 {
        let objected = matches!(m.to_stage, "pre_accepted" | "accepted")
            && fetch_scalar_tx!(
                &mut tx,
                i64,
                "SELECT COUNT(*) FROM applications WHERE id = $1 AND objected_at IS NOT NULL",
                id
            )? > 0;
        if objected {
            return Ok(MoveOutcome::Objected);
        }
        let owed = m.to_stage == "issued"
            && fetch_scalar_tx!(
                &mut tx,
                i64,
                "SELECT COUNT(*) FROM owed_materials WHERE application_id = $1 AND received_at IS NULL",
                id
            )? > 0;
        return Ok(if owed {
            MoveOutcome::Owed
        } else {
            MoveOutcome::Stale
        });
    }
    for material in m.owed {
        execute_tx!(
            &mut tx,
            "INSERT INTO owed_materials (application_id, material, promised_at) VALUES ($1, $2, $3)",
            id,
            material,
            now
        )?;
    }
    if m.action == "return" {
        open_notice(&mut tx, id, actor.id, m.items, now).await?;
    }
    if let Some(r) = m.register {
        let lookup = |n: &str| -> String {
            r.hashes
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, h)| h.clone())
                .unwrap_or_default()
        };
        if let super::register::Entered::Refused(failed) =
            super::register::enter(&mut tx, id, &r.facts, &lookup).await?
        {
            return Ok(MoveOutcome::RegisterRefused(failed));
        }
    }
    if let Some(e) = m.ecert {
        super::ecerts::issue(&mut tx, id, e).await?;
    }
    if let Some(f) = m.fee {
        execute_tx!(
            &mut tx,
            "INSERT INTO fee_payments (id, application_id, property_use, certificates, lines, total_fen, method, staff_id, paid_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            uuid::Uuid::new_v4().to_string(),
            id,
            f.property_use,
            f.certificates,
            serde_json::to_string(&f.lines).unwrap_or_else(|_| "[]".into()),
            f.total_fen,
            &f.method,
            f.taken_by.as_deref().unwrap_or(actor.id),
            now
        )?;
    }
    if m.to_stage == "rejected" {
        super::payments::close_for_case(&mut tx, id, "不予登记，款项原路退回").await?;
    }
    // Leaving pre-acceptance, the case keeps no live booking or home visit.
    if m.from_stage == "pre_accepted" {
        let (zh, en) = if m.to_stage == "accepted" {
            (
                "案件已受理，无需再到场",
                "the case is accepted; no further visit is needed",
            )
        } else {
            ("案件已结束", "the case was closed")
        };
        super::people::cancel_open_visits(&mut tx, id, zh, en).await?;
    }
    if m.action == "resubmit" {
        execute_tx!(
            &mut tx,
            "UPDATE notices SET answered_at = $2 WHERE application_id = $1 AND answered_at IS NULL",
            id,
            now
        )?;
    }
    add_event_note(&mut tx, id, m.event, now, m.note).await?;
    let (receipt, mobile, filer_lang, site) = fetch_optional_tx!(
        &mut tx,
        (Option<String>, String, String, String, String, String, String, String, String),
        "SELECT a.receipt_no, c.mobile, c.lang,
                s.name_zh, s.name_en, s.address_zh, s.address_en, s.hours_zh, s.hours_en
           FROM applications a JOIN citizens c ON c.id = a.filer_id JOIN sites s ON s.code = a.site_code
          WHERE a.id = $1",
        id
    )?
    .map(|(r, m, l, s1, s2, s3, s4, s5, s6)| (r, m, l, SiteWords([s1, s2, s3, s4, s5, s6])))
    .unwrap_or_default();
    // The applicant hears of what asks something of them or gives them
    // something (pre-acceptance, a return, acceptance, a stopped clock,
    // the certificate); the centre's own stages are on their timeline, not
    // texted one by one.
    // Issued with the paper certificate to be posted: the text says so.
    let post = m.to_stage == "issued"
        && fetch_scalar_tx!(
            &mut tx,
            i64,
            "SELECT COUNT(*) FROM deliveries WHERE application_id = $1 AND method = 'post'",
            id
        )? > 0;
    if crate::domain::notify::texted(m.event) {
        let [site_zh, site_en, address_zh, address_en, hours_zh, hours_en] = &site.0;
        enqueue(
            &mut tx,
            Channel::Sms,
            &mobile,
            "case_event",
            &serde_json::json!({
                "receipt": receipt,
                "stage": m.to_stage,
                "event": m.event,
                "note": m.note,
                "case_no": case_no,
                "due": due_on,
                "site_zh": site_zh, "site_en": site_en,
                "address_zh": address_zh, "address_en": address_en,
                "hours_zh": hours_zh, "hours_en": hours_en,
                "fee_en": m.fee.map(|f| crate::domain::fees::describe(&f.lines, &f.method, Lang::En)),
                "post": post,
                "no_visit": m.no_visit,
            }),
            Lang::from_code(if filer_lang.is_empty() { lang.code() } else { &filer_lang }),
        )
        .await?;
    }
    // A corrected application is new content: whoever had confirmed it is
    // asked to read it and confirm again (their confirmation no longer
    // counts), a person at their own number, an organisation through its
    // administrators.
    if m.event == "resubmitted" {
        super::people::ask_to_confirm_again(
            &mut tx,
            id,
            &mobile,
            receipt.as_deref().unwrap_or_default(),
        )
        .await?;
    }
    audit(
        &mut tx,
        &AuditEntry {
            actor: actor.id,
            role: actor.role,
            action: m.action,
            application_id: Some(id),
            before: m.from_stage,
            after: m.to_stage,
            reason: m.note,
        },
    )
    .await?;
    let version = fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT version FROM applications WHERE id = $1",
        id
    )?;
    tx.commit().await?;
    Ok(MoveOutcome::Done { version })
}

/// A site's name, address and hours in both languages, for messages.
#[derive(Debug, Clone, Default)]
struct SiteWords([String; 6]);

async fn open_notice(
    tx: &mut WriteTx,
    id: &str,
    staff_id: &str,
    items: &[NoticeItemRow],
    now: i64,
) -> Result<(), sqlx::Error> {
    // What the named items hold now, to show the clerk the difference later.
    let docs: Vec<(String, String, String)> = match tx {
        WriteTx::Sqlite(t) => {
            sqlx::query_as(
                "SELECT material, id, sha256 FROM documents WHERE application_id = $1 ORDER BY material, position",
            )
            .bind(id)
            .fetch_all(&mut **t)
            .await?
        }
        WriteTx::Postgres(t) => {
            sqlx::query_as(
                "SELECT material, id, sha256 FROM documents WHERE application_id = $1 ORDER BY material, position",
            )
            .bind(id)
            .fetch_all(&mut **t)
            .await?
        }
    };
    let snapshot: Vec<serde_json::Value> = docs
        .into_iter()
        .filter(|(m, _, _)| items.iter().any(|i| &i.material == m))
        .map(|(m, d, s)| serde_json::json!({ "material": m, "id": d, "sha256": s }))
        .collect();
    let notice_id = uuid::Uuid::new_v4().to_string();
    execute_tx!(
        tx,
        "INSERT INTO notices (id, application_id, staff_id, created_at, snapshot) VALUES ($1, $2, $3, $4, $5)",
        &notice_id,
        id,
        staff_id,
        now,
        serde_json::Value::Array(snapshot).to_string()
    )?;
    for item in items {
        execute_tx!(
            tx,
            "INSERT INTO notice_items (notice_id, material, reason, note) VALUES ($1, $2, $3, $4)",
            &notice_id,
            &item.material,
            &item.reason,
            &item.note
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: String,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    pub snapshot: String,
}

/// The latest correction notice of an application, with its items.
pub async fn latest_notice(
    db: &Db,
    application_id: &str,
) -> Result<Option<(NoticeRow, Vec<NoticeItemRow>)>, sqlx::Error> {
    let Some(n) = fetch_optional!(
        db,
        NoticeRow,
        "SELECT id, created_at, answered_at, snapshot FROM notices WHERE application_id = $1
         ORDER BY created_at DESC LIMIT 1",
        application_id
    )?
    else {
        return Ok(None);
    };
    let items = fetch_all!(
        db,
        NoticeItemRow,
        "SELECT material, reason, note FROM notice_items WHERE notice_id = $1 ORDER BY material",
        &n.id
    )?;
    Ok(Some((n, items)))
}

/// Put a case into the priority lane (绿色通道) or take it out, with the
/// supervisor's reason in the audit trail; `false` if nothing changed.
pub async fn set_priority(
    db: &Db,
    id: &str,
    on: bool,
    actor: Actor<'_>,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let (before, after) = if on { ("0", "1") } else { ("1", "0") };
    let n = execute_tx!(
        &mut tx,
        "UPDATE applications SET priority = $2, version = version + 1, updated_at = $3
          WHERE id = $1 AND status = 'submitted' AND priority <> $2",
        id,
        i64::from(on),
        now_ms()
    )?;
    if n != 1 {
        return Ok(false);
    }
    audit(
        &mut tx,
        &AuditEntry {
            actor: actor.id,
            role: actor.role,
            action: "priority",
            application_id: Some(id),
            before,
            after,
            reason,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// One timeline event of a case, for the dashboard.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatsRow {
    pub id: String,
    pub site_code: String,
    pub matter_code: String,
    pub due_on: Option<String>,
    pub due_at: Option<i64>,
    pub paused_at: Option<i64>,
    pub kind: String,
    pub at: i64,
}

/// The timelines of the cases of the staff member's sites that changed
/// since `since_ms`, narrowed to a site and a matter ('' = any), case by
/// case in order.
pub async fn stats_rows(
    db: &Db,
    staff_id: &str,
    since_ms: i64,
    site: &str,
    matter: &str,
) -> Result<Vec<StatsRow>, sqlx::Error> {
    fetch_all!(
        db,
        StatsRow,
        "SELECT a.id, a.site_code, a.matter_code, a.due_on, a.due_at, a.paused_at, e.kind, e.at
           FROM applications a JOIN application_events e ON e.application_id = a.id
          WHERE a.status IN ('submitted', 'withdrawn') AND a.updated_at >= $2
            AND a.site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $1)
            AND ($3 = '' OR a.site_code = $3) AND ($4 = '' OR a.matter_code = $4)
          ORDER BY a.id, e.seq",
        staff_id,
        since_ms,
        site,
        matter
    )
}

/// A material a case was accepted without (容缺), and whether it came.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwedRow {
    pub material: String,
    pub promised_at: i64,
    pub received_at: Option<i64>,
}

pub async fn owed(db: &Db, application_id: &str) -> Result<Vec<OwedRow>, sqlx::Error> {
    fetch_all!(
        db,
        OwedRow,
        "SELECT material, promised_at, received_at FROM owed_materials
          WHERE application_id = $1 ORDER BY material",
        application_id
    )
}

/// Record that an owed material was brought: once (a second click, or a
/// second clerk, changes nothing and answers `false`), with the applicant's
/// timeline event and the audit record in the same transaction.
pub async fn receive_owed(
    db: &Db,
    id: &str,
    material: &str,
    actor: Actor<'_>,
    material_name: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let n = execute_tx!(
        &mut tx,
        "UPDATE owed_materials SET received_at = $3, received_by = $4
          WHERE application_id = $1 AND material = $2 AND received_at IS NULL",
        id,
        material,
        now,
        actor.id
    )?;
    if n != 1 {
        return Ok(false);
    }
    add_event_note(&mut tx, id, "owed_received", now, material_name).await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: actor.id,
            role: actor.role,
            action: "owed_received",
            application_id: Some(id),
            before: "",
            after: material,
            reason: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Formal case numbers: `<year>-<site>-<6 digits>`, one more than the
/// highest given at that site that year. The unique index refuses a
/// duplicate when two acceptances race; the caller (`cases/act`) then asks
/// again and gets the number after the winner's.
pub async fn next_case_no(db: &Db, site: &str, year: i32) -> Result<String, sqlx::Error> {
    let prefix = format!("{year}-{site}-");
    let last: Option<(Option<String>,)> = fetch_optional!(
        db,
        (Option<String>,),
        "SELECT MAX(case_no) FROM applications WHERE case_no LIKE $1",
        format!("{prefix}%")
    )?;
    let n = last
        .and_then(|(c,)| c)
        .and_then(|c| c.rsplit('-').next().and_then(|d| d.parse::<u64>().ok()))
        .unwrap_or(0);
    Ok(format!("{prefix}{:06}", n + 1))
}

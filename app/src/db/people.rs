//! The people of a case: confirmations and objections of the named parties,
//! the message each party gets when an application names them, the visit a
//! clerk records, and the bookings a case leaves behind when it moves on.

use super::applications::add_event_note;
use super::outbox::{enqueue, Channel};
use super::staff::{audit, AuditEntry};
use super::{now_ms, Db, WriteTx};
use crate::domain::Lang;
use crate::{execute_tx, fetch_all, fetch_all_tx, fetch_optional_tx, fetch_scalar_tx};

/// A citizen's verified mobile number.
pub async fn citizen_mobile(db: &Db, citizen_id: &str) -> Result<Option<String>, sqlx::Error> {
    Ok(crate::fetch_optional!(
        db,
        (String,),
        "SELECT mobile FROM citizens WHERE id = $1",
        citizen_id
    )?
    .map(|(m,)| m))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConfirmationRow {
    pub party_idx: i64,
    pub kind: String,
    pub content_hash: String,
    pub channel: String,
    pub note: String,
    pub at: i64,
}

/// Every confirmation and objection of a case, oldest first.
pub async fn confirmations(
    db: &Db,
    application_id: &str,
) -> Result<Vec<ConfirmationRow>, sqlx::Error> {
    fetch_all!(
        db,
        ConfirmationRow,
        "SELECT CAST(party_idx AS BIGINT) AS party_idx, kind, content_hash, channel, note, at
           FROM party_confirmations WHERE application_id = $1 ORDER BY at, id",
        application_id
    )
}

/// A confirmation or objection to record.
#[derive(Debug, Clone)]
pub struct Confirm<'a> {
    pub application_id: &'a str,
    /// The party entries it covers (one person may be named twice).
    pub parties: &'a [i64],
    /// `confirmed` or `objected`.
    pub kind: &'a str,
    pub content_hash: &'a str,
    /// `online` (the person, signed in with their own mobile) or `window`
    /// (a clerk who checked their ID).
    pub channel: &'a str,
    pub actor_id: &'a str,
    /// For the audit trail when a clerk records it.
    pub actor_role: Option<&'a str>,
    pub note: &'a str,
    /// The signature's identity: the level verified (0 none, 1 real name,
    /// 2 face), how (`sms`, `face`, `window`, `org_account`, …) and the
    /// identity service's check, if any.
    pub identity_level: i64,
    pub identity_method: &'a str,
    pub identity_check: Option<&'a str>,
    /// The supervisors to alert of an objection.
    pub supervisors: &'a [String],
    pub today: &'a str,
    pub lang: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Done,
    /// This content was already confirmed by this person.
    Already,
    /// The case is no longer waiting for confirmations.
    Closed,
}

/// Record it in one transaction: the rows, the timeline, an objection's stop
/// on the case, the supervisors' alerts and the filer's message.
pub async fn record_confirmation(db: &Db, c: &Confirm<'_>) -> Result<ConfirmOutcome, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let open = fetch_optional_tx!(
        &mut tx,
        (String, Option<String>, String),
        "SELECT a.filer_id, a.receipt_no, c.mobile FROM applications a JOIN citizens c ON c.id = a.filer_id
          WHERE a.id = $1 AND a.status = 'submitted' AND a.stage IN ('pre_review', 'returned', 'pre_accepted')",
        c.application_id
    )?;
    let Some((_filer, receipt, filer_mobile)) = open else {
        return Ok(ConfirmOutcome::Closed);
    };
    for idx in c.parties {
        let inserted = execute_tx!(
            &mut tx,
            "INSERT INTO party_confirmations (id, application_id, party_idx, kind, content_hash, channel, actor_id, note, at,
                                              identity_level, identity_method, identity_check)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT DO NOTHING",
            uuid::Uuid::new_v4().to_string(),
            c.application_id,
            *idx,
            c.kind,
            c.content_hash,
            c.channel,
            c.actor_id,
            c.note,
            now,
            c.identity_level,
            c.identity_method,
            c.identity_check
        )?;
        if inserted == 0 {
            return Ok(ConfirmOutcome::Already);
        }
    }
    let role_names: Vec<(String, String)> = fetch_all_tx!(
        &mut tx,
        (String, String),
        "SELECT role, name FROM application_parties WHERE application_id = $1 ORDER BY idx",
        c.application_id
    )?;
    let who: Vec<String> = c
        .parties
        .iter()
        .filter_map(|i| role_names.get(*i as usize))
        .map(|(role, name)| {
            let role = crate::domain::catalogue::PartyRole::from_code(role)
                .map(|r| r.short_name(Lang::Zh))
                .unwrap_or_default();
            format!("{role}{}", crate::domain::application::mask_name(name))
        })
        .collect();
    let how = match c.channel {
        "window" => "（窗口核验身份后确认）",
        "org" => "（单位账户确认）",
        _ => "",
    };
    let note = if c.kind == "objected" {
        format!("{}：{}", who.join("、"), c.note)
    } else {
        format!("{}{how}", who.join("、"))
    };
    add_event_note(&mut tx, c.application_id, c.kind, now, &note).await?;
    if c.kind == "objected" {
        execute_tx!(
            &mut tx,
            "UPDATE applications SET objected_at = $2, version = version + 1, updated_at = $2
              WHERE id = $1 AND objected_at IS NULL",
            c.application_id,
            now
        )?;
        for s in c.supervisors {
            execute_tx!(
                &mut tx,
                "INSERT INTO staff_alerts (id, staff_id, application_id, kind, due_on, created_at)
                 VALUES ($1, $2, $3, 'objection', $4, $5)
                 ON CONFLICT (staff_id, application_id, due_on, kind) DO NOTHING",
                uuid::Uuid::new_v4().to_string(),
                s,
                c.application_id,
                c.today,
                now
            )?;
        }
        enqueue(
            &mut tx,
            Channel::Sms,
            &filer_mobile,
            "objection_filer",
            &serde_json::json!({ "receipt": receipt }),
            c.lang,
        )
        .await?;
    }
    if let Some(role) = c.actor_role {
        audit(
            &mut tx,
            &AuditEntry {
                actor: c.actor_id,
                role,
                action: "confirm_at_window",
                application_id: Some(c.application_id),
                after: &c
                    .parties
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                ..Default::default()
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ConfirmOutcome::Done)
}

/// The message to each named party at submission (everyone but the filer's
/// own entries), in the language of their account where they have one.
pub(crate) async fn tell_parties(
    tx: &mut WriteTx,
    application_id: &str,
    filer_mobile: &str,
    params: &serde_json::Value,
) -> Result<usize, sqlx::Error> {
    let mobiles: Vec<(String, Option<String>)> = fetch_all_tx!(
        tx,
        (String, Option<String>),
        "SELECT DISTINCT p.mobile, c.lang FROM application_parties p LEFT JOIN citizens c ON c.mobile = p.mobile
          WHERE p.application_id = $1 AND p.mobile <> $2 AND p.mobile <> ''
            AND p.id_type <> 'organisation'",
        application_id,
        filer_mobile
    )?;
    let mut n = 0;
    for (mobile, lang) in &mobiles {
        if crate::domain::MobileNumber::parse(mobile).is_err() {
            continue;
        }
        let lang = lang.as_deref().map(Lang::from_code).unwrap_or(Lang::Zh);
        enqueue(tx, Channel::Sms, mobile, "party_named", params, lang).await?;
        n += 1;
    }
    // A verified organisation named by its code (the mortgagee bank) is told
    // through its administrators, who confirm in its account.
    let orgs: Vec<(String, String)> = fetch_all_tx!(
        tx,
        (String, String),
        "SELECT DISTINCT m.mobile, o.name FROM application_parties p
           JOIN orgs o ON o.credit_code = p.id_number AND o.status = 'verified'
           JOIN org_members m ON m.org_id = o.id AND m.role = 'admin' AND m.active = 1
                             AND m.password_hash IS NOT NULL
          WHERE p.application_id = $1 AND p.id_type = 'organisation' AND m.mobile <> $2",
        application_id,
        filer_mobile
    )?;
    for (mobile, org) in &orgs {
        let mut params = params.clone();
        params["org"] = serde_json::Value::String(org.clone());
        enqueue(
            tx,
            Channel::Sms,
            mobile,
            "party_named_org",
            &params,
            Lang::Zh,
        )
        .await?;
        n += 1;
    }
    // An organisation without a verified account is told at the number
    // given for it that it confirms through such an account (or at the
    // window) — never "sign in with this number", which would let whoever
    // holds the number confirm for it.
    let unregistered: Vec<(String, String)> = fetch_all_tx!(
        tx,
        (String, String),
        "SELECT DISTINCT p.mobile, p.name FROM application_parties p
          WHERE p.application_id = $1 AND p.id_type = 'organisation' AND p.mobile <> '' AND p.mobile <> $2
            AND NOT EXISTS (SELECT 1 FROM orgs o WHERE o.credit_code = p.id_number AND o.status = 'verified')",
        application_id,
        filer_mobile
    )?;
    for (mobile, org) in &unregistered {
        if crate::domain::MobileNumber::parse(mobile).is_err() {
            continue;
        }
        let mut params = params.clone();
        params["org"] = serde_json::Value::String(org.clone());
        enqueue(
            tx,
            Channel::Sms,
            mobile,
            "party_named_org",
            &params,
            Lang::Zh,
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// After a correction, everyone who had confirmed is texted to confirm the
/// new content: people who confirm online at their number, organisations
/// through their administrators (`party_reconfirm`).
pub(crate) async fn ask_to_confirm_again(
    tx: &mut WriteTx,
    application_id: &str,
    filer_mobile: &str,
    receipt: &str,
) -> Result<usize, sqlx::Error> {
    let parties: Vec<(i64, String, String, String)> = fetch_all_tx!(
        tx,
        (i64, String, String, String),
        "SELECT CAST(idx AS BIGINT), id_type, id_number, mobile FROM application_parties
          WHERE application_id = $1 ORDER BY idx",
        application_id
    )?;
    let confirmed: Vec<(i64,)> = fetch_all_tx!(
        tx,
        (i64,),
        "SELECT DISTINCT CAST(party_idx AS BIGINT) FROM party_confirmations
          WHERE application_id = $1 AND kind = 'confirmed'",
        application_id
    )?;
    let who = crate::domain::people::confirmers(
        &parties
            .iter()
            .map(|(_, t, n, m)| (t.as_str(), n.as_str(), m.as_str()))
            .collect::<Vec<_>>(),
        filer_mobile,
    );
    let mut to: Vec<String> = Vec::new();
    for ((idx, _, code, mobile), c) in parties.iter().zip(&who) {
        if !confirmed.iter().any(|(i,)| i == idx) {
            continue;
        }
        match c {
            crate::domain::people::Confirmer::Online => to.push(mobile.clone()),
            crate::domain::people::Confirmer::Organisation => {
                let admins: Vec<(String,)> = fetch_all_tx!(
                    tx,
                    (String,),
                    "SELECT m.mobile FROM org_members m JOIN orgs o ON o.id = m.org_id
                      WHERE o.credit_code = $1 AND o.status = 'verified' AND m.role = 'admin'
                        AND m.active = 1 AND m.password_hash IS NOT NULL",
                    code
                )?;
                to.extend(admins.into_iter().map(|(m,)| m));
            }
            _ => {}
        }
    }
    to.sort();
    to.dedup();
    for mobile in &to {
        if crate::domain::MobileNumber::parse(mobile).is_err() {
            continue;
        }
        enqueue(
            tx,
            Channel::Sms,
            mobile,
            "party_reconfirm",
            &serde_json::json!({ "receipt": receipt }),
            Lang::Zh,
        )
        .await?;
    }
    Ok(to.len())
}

/// An application as the organisations named on it list it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgCaseRow {
    pub id: String,
    pub receipt_no: Option<String>,
    pub matter_code: String,
    pub status: String,
    pub stage: String,
    pub draft: String,
    pub submitted_at: Option<i64>,
    pub objected_at: Option<i64>,
}

/// The submitted applications that name an organisation (by its code), the
/// newest first.
pub async fn org_cases(
    db: &Db,
    credit_code: &str,
    limit: i64,
) -> Result<Vec<OrgCaseRow>, sqlx::Error> {
    fetch_all!(
        db,
        OrgCaseRow,
        "SELECT a.id, a.receipt_no, a.matter_code, a.status, a.stage, a.draft, a.submitted_at, a.objected_at
           FROM applications a
          WHERE a.status <> 'draft' AND a.id IN (
                SELECT p.application_id FROM application_parties p
                 WHERE p.id_type = 'organisation' AND p.id_number = $1)
          ORDER BY a.submitted_at DESC, a.id LIMIT $2",
        credit_code,
        limit
    )
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitRow {
    pub present: String,
    pub recorded_at: i64,
    pub staff_name: String,
    pub booked: i64,
}

/// The visits recorded for a case, oldest first.
pub async fn case_visits(db: &Db, application_id: &str) -> Result<Vec<VisitRow>, sqlx::Error> {
    fetch_all!(
        db,
        VisitRow,
        "SELECT v.present, v.recorded_at, s.name AS staff_name,
                CAST(CASE WHEN v.booking_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS booked
           FROM case_visits v JOIN staff s ON s.id = v.staff_id
          WHERE v.application_id = $1 ORDER BY v.recorded_at, v.id",
        application_id
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitOutcome {
    /// Recorded; `true` if it completed a booking.
    Done(bool),
    /// The case is not waiting for its visit (not pre-accepted any more).
    NotWaiting,
}

/// A clerk records the applicants' visit (from their booking or as a
/// walk-in) with the parties present: the live booking of the case, if any,
/// is completed in the same transaction, and a scheduled home visit is done.
pub async fn record_visit(
    db: &Db,
    application_id: &str,
    staff_id: &str,
    role: &str,
    present: &[usize],
) -> Result<VisitOutcome, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let waiting = fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT COUNT(*) FROM applications WHERE id = $1 AND status = 'submitted' AND stage = 'pre_accepted'",
        application_id
    )?;
    if waiting != 1 {
        return Ok(VisitOutcome::NotWaiting);
    }
    let booking = fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT id FROM bookings WHERE application_id = $1 AND status = 'booked'",
        application_id
    )?
    .map(|(id,)| id);
    if let Some(b) = &booking {
        execute_tx!(
            &mut tx,
            "UPDATE bookings SET status = 'arrived', updated_at = $2 WHERE id = $1 AND status = 'booked'",
            b,
            now
        )?;
    }
    execute_tx!(
        &mut tx,
        "UPDATE home_visits SET status = 'done', updated_at = $2
          WHERE application_id = $1 AND status = 'scheduled'",
        application_id,
        now
    )?;
    let column = crate::domain::people::present_to_column(present);
    execute_tx!(
        &mut tx,
        "INSERT INTO case_visits (id, application_id, booking_id, staff_id, present, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        uuid::Uuid::new_v4().to_string(),
        application_id,
        booking.as_deref(),
        staff_id,
        &column,
        now
    )?;
    let names: Vec<(String,)> = fetch_all_tx!(
        &mut tx,
        (String,),
        "SELECT name FROM application_parties WHERE application_id = $1 ORDER BY idx",
        application_id
    )?;
    let who: Vec<String> = present
        .iter()
        .filter_map(|i| names.get(*i))
        .map(|(n,)| crate::domain::application::mask_name(n))
        .collect();
    add_event_note(
        &mut tx,
        application_id,
        "visit_recorded",
        now,
        &format!("到场：{}", who.join("、")),
    )
    .await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: staff_id,
            role,
            action: "record_visit",
            application_id: Some(application_id),
            after: &column,
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(VisitOutcome::Done(booking.is_some()))
}

/// Cancel whatever booking or home visit a case still holds as it leaves
/// pre-acceptance (accepted, withdrawn, closed), each with a timeline note
/// and a message to its holder — in the caller's transaction, so a case never
/// keeps a live booking after the move.
pub(crate) async fn cancel_open_visits(
    tx: &mut WriteTx,
    application_id: &str,
    why_zh: &str,
    why_en: &str,
) -> Result<usize, sqlx::Error> {
    let now = now_ms();
    let live: Vec<(String, i64, String, String)> = fetch_all_tx!(
        tx,
        (String, i64, String, String),
        "SELECT b.id, b.starts_at, c.mobile, b.lang FROM bookings b JOIN citizens c ON c.id = b.citizen_id
          WHERE b.application_id = $1 AND b.status = 'booked'",
        application_id
    )?;
    let others = other_parties(tx, application_id).await?;
    for (id, starts_at, mobile, lang) in &live {
        execute_tx!(
            tx,
            "UPDATE bookings SET status = 'cancelled', updated_at = $2 WHERE id = $1",
            id,
            now
        )?;
        let when = crate::domain::hours::local(*starts_at)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        add_event_note(
            tx,
            application_id,
            "booking_cancelled",
            now,
            &format!("{when}：{why_zh}"),
        )
        .await?;
        // The holder and everyone else named (they were to come too).
        let mut to: Vec<(String, Lang)> = vec![(mobile.clone(), Lang::from_code(lang))];
        to.extend(others.iter().filter(|(m, _)| m != mobile).cloned());
        for (m, lang) in to {
            let why = if lang == Lang::Zh { why_zh } else { why_en };
            enqueue(
                tx,
                Channel::Sms,
                &m,
                "booking_closed",
                &serde_json::json!({ "when": when, "reason": why, "rebook": false }),
                lang,
            )
            .await?;
        }
    }
    let homes = execute_tx!(
        tx,
        "UPDATE home_visits SET status = 'cancelled', updated_at = $2
          WHERE application_id = $1 AND status IN ('requested', 'scheduled')",
        application_id,
        now
    )?;
    if homes > 0 {
        add_event_note(tx, application_id, "home_visit_cancelled", now, why_zh).await?;
    }
    Ok(live.len())
}

/// Everyone named on a case (their mobile numbers, each once, with the
/// language of their account), for the messages that concern them all.
pub(crate) async fn other_parties(
    tx: &mut WriteTx,
    application_id: &str,
) -> Result<Vec<(String, Lang)>, sqlx::Error> {
    let rows: Vec<(String, Option<String>)> = fetch_all_tx!(
        tx,
        (String, Option<String>),
        "SELECT DISTINCT p.mobile, c.lang FROM application_parties p LEFT JOIN citizens c ON c.mobile = p.mobile
          WHERE p.application_id = $1 AND p.mobile <> ''",
        application_id
    )?;
    Ok(rows
        .into_iter()
        .filter(|(m, _)| crate::domain::MobileNumber::parse(m).is_ok())
        .map(|(m, l)| (m, l.as_deref().map(Lang::from_code).unwrap_or(Lang::Zh)))
        .collect())
}

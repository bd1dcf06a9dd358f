//! Appointments in the database. Capacity is never checked by reading and
//! then writing: a booking inserts a row for one seat of the slot (1 ..
//! windows), and the unique index on live seats lets exactly one of two
//! racing requests have it; the other tries the next seat, and finds the
//! slot full when none is left.

use super::applications::add_event_note;
use super::outbox::{enqueue, Channel};
use super::staff::{audit, AuditEntry};
use super::{now_ms, Db, WriteTx};
use crate::domain::Lang;
use crate::{execute_tx, fetch_all, fetch_optional, fetch_scalar_tx};

/// A site's booking service for a matter group.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceRow {
    pub site_code: String,
    pub windows: i64,
    pub slot_minutes: i64,
}

/// Active sites that take bookings for `group`, in network order.
pub async fn services_for(db: &Db, group: &str) -> Result<Vec<ServiceRow>, sqlx::Error> {
    fetch_all!(
        db,
        ServiceRow,
        "SELECT ss.site_code, CAST(ss.windows AS BIGINT) AS windows,
                CAST(ss.slot_minutes AS BIGINT) AS slot_minutes
           FROM site_services ss JOIN sites s ON s.code = ss.site_code
          WHERE ss.matter_group = $1 AND s.active = 1
          ORDER BY CASE s.kind WHEN 'main' THEN 0 WHEN 'sub' THEN 1 ELSE 2 END, s.sort_order, s.code",
        group
    )
}

/// Live seats per slot start of a site and group in `[from, to)`.
pub async fn seats_taken(
    db: &Db,
    site: &str,
    group: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    fetch_all!(
        db,
        (i64, i64),
        "SELECT starts_at, COUNT(*) FROM bookings
          WHERE site_code = $1 AND matter_group = $2 AND status <> 'cancelled'
            AND starts_at >= $3 AND starts_at < $4
          GROUP BY starts_at",
        site,
        group,
        from_ms,
        to_ms
    )
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookingRow {
    pub id: String,
    pub code: String,
    /// `None` for a consultation.
    pub application_id: Option<String>,
    pub citizen_id: String,
    pub site_code: String,
    pub matter_group: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: String,
    /// What a consultation is about (`None` for a case's visit).
    pub topic: Option<String>,
}

const COLUMNS: &str =
    "id, code, application_id, citizen_id, site_code, matter_group, starts_at, ends_at, status, topic";

/// The live booking of a case, if any.
pub async fn live_booking(
    db: &Db,
    application_id: &str,
) -> Result<Option<BookingRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM bookings WHERE application_id = $1 AND status = 'booked'");
    fetch_optional!(db, BookingRow, &sql, application_id)
}

pub async fn booking(db: &Db, id: &str) -> Result<Option<BookingRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE id = $1");
    fetch_optional!(db, BookingRow, &sql, id)
}

/// A new booking, as the caller checked it.
#[derive(Debug, Clone)]
pub struct NewBooking<'a> {
    /// The case; `None` for a consultation (then `topic` says what about).
    pub application_id: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub citizen_id: &'a str,
    pub site_code: &'a str,
    pub matter_group: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub windows: i64,
    /// The live booking this one replaces (moving), cancelled in the same
    /// transaction: if the new seat cannot be had, the old one stays.
    pub replaces: Option<&'a str>,
    /// At most this many future live bookings per person (this one included).
    pub max_future: i64,
    /// A walk-in (added by a clerk, the person is at the desk): recorded
    /// as arrived, with no per-person cap and no SMS.
    pub walk_in: bool,
    /// Timeline note and SMS parameters.
    pub note: &'a str,
    pub mobile: &'a str,
    pub sms: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookOutcome {
    Booked {
        id: String,
        code: String,
    },
    /// Every seat of the slot is taken.
    Full,
    /// The case already has a live booking (move it instead).
    CaseBooked,
    /// The person holds as many future bookings as allowed.
    TooMany,
    /// The booking to replace is not live any more.
    Gone,
    /// The site was closed for that time meanwhile.
    Closed,
}

/// Serialise bookings and closures of one site: on PostgreSQL a row lock on
/// the site (shared by bookings, exclusive for a closure); SQLite's
/// `BEGIN IMMEDIATE` already admits one writer at a time.
async fn lock_site(tx: &mut WriteTx, site: &str, exclusive: bool) -> Result<(), sqlx::Error> {
    if let WriteTx::Postgres(t) = tx {
        let sql = if exclusive {
            "SELECT code FROM sites WHERE code = $1 FOR UPDATE"
        } else {
            "SELECT code FROM sites WHERE code = $1 FOR SHARE"
        };
        sqlx::query(sql).bind(site).execute(&mut **t).await?;
    }
    Ok(())
}

/// One-off closures of a site overlapping `[from, to)`, as `(start, end)`.
pub async fn closures(
    db: &Db,
    site: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    fetch_all!(
        db,
        (i64, i64),
        "SELECT starts_at, ends_at FROM site_closures
          WHERE site_code = $1 AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at",
        site,
        from_ms,
        to_ms
    )
}

/// A closure as declared.
#[derive(Debug, Clone)]
pub struct NewClosure<'a> {
    pub site_code: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub reason: &'a str,
    pub staff_id: &'a str,
    pub role: &'a str,
}

/// Close a site for a period: record it, and in the same transaction cancel
/// every live booking it covers, each with a timeline note and an SMS.
/// Answers how many bookings were cancelled.
pub async fn close_site(db: &Db, c: &NewClosure<'_>, lang: Lang) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    lock_site(&mut tx, c.site_code, true).await?;
    let now = now_ms();
    execute_tx!(
        &mut tx,
        "INSERT INTO site_closures (id, site_code, starts_at, ends_at, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        uuid::Uuid::new_v4().to_string(),
        c.site_code,
        c.starts_at,
        c.ends_at,
        c.reason,
        c.staff_id,
        now
    )?;
    let hit: Vec<(String, String, i64, String)> = crate::fetch_all_tx!(
        &mut tx,
        (String, String, i64, String),
        "SELECT b.id, b.application_id, b.starts_at, c.mobile
           FROM bookings b JOIN citizens c ON c.id = b.citizen_id
          WHERE b.site_code = $1 AND b.status = 'booked' AND b.starts_at < $3 AND b.ends_at > $2",
        c.site_code,
        c.starts_at,
        c.ends_at
    )?;
    for (id, application_id, starts_at, mobile) in &hit {
        execute_tx!(
            &mut tx,
            "UPDATE bookings SET status = 'cancelled', updated_at = $2 WHERE id = $1",
            id,
            now
        )?;
        let when = crate::domain::hours::local(*starts_at)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        add_event_note(
            &mut tx,
            application_id,
            "booking_closed",
            now,
            &format!("{when}：{}", c.reason),
        )
        .await?;
        enqueue(
            &mut tx,
            Channel::Sms,
            mobile,
            "booking_closed",
            &serde_json::json!({ "when": when, "reason": c.reason }),
            lang,
        )
        .await?;
    }
    audit(
        &mut tx,
        &AuditEntry {
            actor: c.staff_id,
            role: c.role,
            action: "close_site",
            application_id: None,
            before: c.site_code,
            after: &format!("{}..{}", c.starts_at, c.ends_at),
            reason: c.reason,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(hit.len())
}

pub async fn book(db: &Db, b: &NewBooking<'_>, lang: Lang) -> Result<BookOutcome, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    lock_site(&mut tx, b.site_code, false).await?;
    let now = now_ms();
    let closed = fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT COUNT(*) FROM site_closures WHERE site_code = $1 AND starts_at < $3 AND ends_at > $2",
        b.site_code,
        b.starts_at,
        b.ends_at
    )?;
    if closed > 0 {
        return Ok(BookOutcome::Closed);
    }
    if let Some(old) = b.replaces {
        let n = execute_tx!(
            &mut tx,
            "UPDATE bookings SET status = 'cancelled', updated_at = $3
              WHERE id = $1 AND citizen_id = $2 AND status = 'booked'",
            old,
            b.citizen_id,
            now
        )?;
        if n != 1 {
            return Ok(BookOutcome::Gone);
        }
    }
    if !b.walk_in {
        let future = fetch_scalar_tx!(
            &mut tx,
            i64,
            "SELECT COUNT(*) FROM bookings WHERE citizen_id = $1 AND status = 'booked' AND starts_at > $2",
            b.citizen_id,
            now
        )?;
        if future >= b.max_future {
            return Ok(BookOutcome::TooMany);
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    let code = crate::domain::booking::booking_code();
    for seat in 1..=b.windows {
        let inserted = execute_tx!(
            &mut tx,
            "INSERT INTO bookings (id, code, application_id, citizen_id, site_code, matter_group,
                                   starts_at, ends_at, seat, status, created_at, updated_at,
                                   topic, walk_in, lang)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10, $10, $12, $13, $14)
             ON CONFLICT (site_code, matter_group, starts_at, seat) WHERE status <> 'cancelled' DO NOTHING",
            &id,
            &code,
            b.application_id,
            b.citizen_id,
            b.site_code,
            b.matter_group,
            b.starts_at,
            b.ends_at,
            seat,
            now,
            if b.walk_in { "arrived" } else { "booked" },
            b.topic,
            i64::from(b.walk_in),
            lang.code()
        );
        match inserted {
            Ok(1) => {
                if let Some(case) = b.application_id {
                    let kind = if b.walk_in { "walk_in" } else { "booked" };
                    add_event_note(&mut tx, case, kind, now, b.note).await?;
                }
                if !b.walk_in {
                    let mut sms = b.sms.clone();
                    sms["code"] = serde_json::Value::from(code.as_str());
                    // A move says the earlier time is given up.
                    sms["moved"] = serde_json::Value::from(b.replaces.is_some());
                    enqueue(&mut tx, Channel::Sms, b.mobile, "booked", &sms, lang).await?;
                    // Everyone named comes to the visit: each is told when.
                    if let Some(case) = b.application_id {
                        for (m, l) in super::people::other_parties(&mut tx, case).await? {
                            if m != b.mobile {
                                enqueue(&mut tx, Channel::Sms, &m, "booked", &sms, l).await?;
                            }
                        }
                    }
                }
                tx.commit().await?;
                return Ok(BookOutcome::Booked { id, code });
            }
            Ok(_) => continue,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Ok(BookOutcome::CaseBooked);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(BookOutcome::Full)
}

/// Cancel a live booking of the case (by the applicant, before the
/// cut-off the caller checked): the seat is free again at once.
pub async fn cancel_booking(
    db: &Db,
    id: &str,
    citizen_id: &str,
    application_id: Option<&str>,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let n = execute_tx!(
        &mut tx,
        "UPDATE bookings SET status = 'cancelled', updated_at = $3
          WHERE id = $1 AND citizen_id = $2 AND status = 'booked'",
        id,
        citizen_id,
        now
    )?;
    if n != 1 {
        return Ok(false);
    }
    if let Some(case) = application_id {
        add_event_note(&mut tx, case, "booking_cancelled", now, note).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// One line of a site's day: who is coming when, for which case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayBookingRow {
    pub id: String,
    pub code: String,
    pub application_id: Option<String>,
    pub receipt_no: Option<String>,
    pub matter_code: Option<String>,
    pub matter_group: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: String,
    pub topic: Option<String>,
    pub walk_in: i64,
    pub seat: i64,
}

/// The live bookings of a site in `[from, to)` (a day), by time, if the
/// staff member works there.
pub async fn day_bookings(
    db: &Db,
    staff_id: &str,
    site: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<DayBookingRow>, sqlx::Error> {
    fetch_all!(
        db,
        DayBookingRow,
        "SELECT b.id, b.code, b.application_id, a.receipt_no, a.matter_code, b.matter_group,
                b.starts_at, b.ends_at, b.status, b.topic, CAST(b.walk_in AS BIGINT) AS walk_in,
                CAST(b.seat AS BIGINT) AS seat
           FROM bookings b LEFT JOIN applications a ON a.id = b.application_id
          WHERE b.site_code = $2 AND b.status <> 'cancelled' AND b.starts_at >= $3 AND b.starts_at < $4
            AND EXISTS (SELECT 1 FROM staff_sites ss WHERE ss.staff_id = $1 AND ss.site_code = $2)
          ORDER BY b.starts_at, b.matter_group, b.seat",
        staff_id,
        site,
        from_ms,
        to_ms
    )
}

/// A clerk of the booking's site marks a booked visit arrived or a no-show
/// (once: only from `booked`; a no-show only once its time has come).
pub async fn mark_booking(
    db: &Db,
    staff_id: &str,
    id: &str,
    status: &str,
) -> Result<bool, sqlx::Error> {
    let n = crate::execute!(
        db,
        "UPDATE bookings SET status = $3, updated_at = $4
          WHERE id = $1 AND status = 'booked' AND $3 IN ('arrived', 'no_show')
            AND ($3 <> 'no_show' OR starts_at <= $4)
            AND site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $2)",
        id,
        staff_id,
        status,
        now_ms()
    )?;
    Ok(n == 1)
}

/// The windows a matter is served at (`general` where unknown).
pub async fn matter_booking_group(db: &Db, matter: &str) -> Result<String, sqlx::Error> {
    Ok(fetch_optional!(
        db,
        (String,),
        "SELECT booking_group FROM matters WHERE code = $1",
        matter
    )?
    .map(|(g,)| g)
    .unwrap_or_else(|| "general".into()))
}

/// The closures of a site overlapping `[from, to)` with their reasons.
pub async fn closure_notes(
    db: &Db,
    site: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(i64, i64, String)>, sqlx::Error> {
    fetch_all!(
        db,
        (i64, i64, String),
        "SELECT starts_at, ends_at, reason FROM site_closures
          WHERE site_code = $1 AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at",
        site,
        from_ms,
        to_ms
    )
}

/// A live (booked) booking by its code, at one of the staff member's sites:
/// what the QR code on the applicant's phone leads a clerk to.
pub async fn booking_by_code(
    db: &Db,
    staff_id: &str,
    code: &str,
) -> Result<Option<BookingRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings
          WHERE code = $2 AND status <> 'cancelled'
            AND site_code IN (SELECT site_code FROM staff_sites WHERE staff_id = $1)"
    );
    fetch_optional!(db, BookingRow, &sql, staff_id, code)
}

/// The citizen's live consultations (bookings without a case), soonest first.
pub async fn consultations(db: &Db, citizen_id: &str) -> Result<Vec<BookingRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings
          WHERE citizen_id = $1 AND application_id IS NULL AND status = 'booked'
          ORDER BY starts_at"
    );
    fetch_all!(db, BookingRow, &sql, citizen_id)
}

/// When the citizen's recorded no-shows were (slot starts), newest first.
pub async fn no_shows(db: &Db, citizen_id: &str, since_ms: i64) -> Result<Vec<i64>, sqlx::Error> {
    Ok(fetch_all!(
        db,
        (i64,),
        "SELECT starts_at FROM bookings
          WHERE citizen_id = $1 AND status = 'no_show' AND starts_at >= $2
          ORDER BY starts_at DESC",
        citizen_id,
        since_ms
    )?
    .into_iter()
    .map(|(t,)| t)
    .collect())
}

/// A booked visit a reminder may be due for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UpcomingRow {
    pub id: String,
    pub code: String,
    pub site_code: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub created_at: i64,
    pub lang: String,
    pub mobile: String,
    pub reminded_day_at: Option<i64>,
    pub reminded_soon_at: Option<i64>,
}

/// Booked visits starting in `[from, to)` with a reminder not yet sent.
pub async fn upcoming_unreminded(
    db: &Db,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<UpcomingRow>, sqlx::Error> {
    fetch_all!(
        db,
        UpcomingRow,
        "SELECT b.id, b.code, b.site_code, b.starts_at, b.ends_at, b.created_at, b.lang, c.mobile,
                b.reminded_day_at, b.reminded_soon_at
           FROM bookings b JOIN citizens c ON c.id = b.citizen_id
          WHERE b.status = 'booked' AND b.starts_at >= $1 AND b.starts_at < $2
            AND (b.reminded_day_at IS NULL OR b.reminded_soon_at IS NULL)
          ORDER BY b.starts_at",
        from_ms,
        to_ms
    )
}

/// Send one reminder of a booking, once: the conditional update that marks
/// it sent and the outbox message commit together, so two servers running
/// the job send it once between them, and a crash sends it never or once.
pub async fn remind(
    db: &Db,
    id: &str,
    reminder: crate::domain::booking::Reminder,
    params: &serde_json::Value,
    mobile: &str,
    lang: Lang,
) -> Result<bool, sqlx::Error> {
    use crate::domain::booking::Reminder;
    let sql = match reminder {
        Reminder::DayBefore => {
            "UPDATE bookings SET reminded_day_at = $2
              WHERE id = $1 AND status = 'booked' AND reminded_day_at IS NULL"
        }
        Reminder::Soon => {
            "UPDATE bookings SET reminded_soon_at = $2
              WHERE id = $1 AND status = 'booked' AND reminded_soon_at IS NULL"
        }
    };
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(&mut tx, sql, id, now_ms())?;
    if n != 1 {
        return Ok(false);
    }
    enqueue(
        &mut tx,
        Channel::Sms,
        mobile,
        reminder.template(),
        params,
        lang,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A submitted case by its receipt number, for a walk-in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReceiptCase {
    pub id: String,
    pub filer_id: String,
    pub matter_code: String,
    pub status: String,
    pub stage: String,
    pub site_code: String,
}

pub async fn case_by_receipt(db: &Db, receipt: &str) -> Result<Option<ReceiptCase>, sqlx::Error> {
    fetch_optional!(
        db,
        ReceiptCase,
        "SELECT id, filer_id, matter_code, status, stage, site_code FROM applications WHERE receipt_no = $1",
        receipt
    )
}

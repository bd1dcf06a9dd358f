//! Fees paid online: one live payment order per case. An order is paid only
//! by the payment channel's signed word (its callback, or its answer when
//! asked), never by the applicant's; a paid order of a case that is
//! withdrawn or refused is refunded by the payments worker.

use super::{add_event_note, audit, enqueue, now_ms, AuditEntry, Channel, Db, WriteTx};
use crate::domain::fees::{yuan, DueLine};
use crate::domain::Lang;
use crate::{execute, execute_tx, fetch_all, fetch_optional, fetch_optional_tx, fetch_scalar_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    pub id: String,
    pub application_id: String,
    pub status: String,
    pub property_use: String,
    pub certificates: i64,
    pub lines: String,
    pub total_fen: i64,
    pub created_by: String,
    pub created_at: i64,
    pub channel: String,
    pub txn_id: Option<String>,
    pub paid_at: Option<i64>,
    pub refund_reason: String,
    pub refund_txn: Option<String>,
    pub refunded_at: Option<i64>,
    pub attempts: i64,
    pub last_error: String,
}

impl OrderRow {
    pub fn due_lines(&self) -> Vec<DueLine> {
        serde_json::from_str(&self.lines).unwrap_or_default()
    }
}

const COLUMNS: &str = "id, application_id, status, property_use, certificates, lines, total_fen, created_by, created_at, channel, txn_id, paid_at, refund_reason, refund_txn, refunded_at, attempts, last_error";

/// The payment channel's own audit name.
pub const GATEWAY_ACTOR: &str = "payment-gateway";

/// The channels a paid order may name (the fee records' methods).
pub const ONLINE_CHANNELS: [&str; 3] = ["wechat", "alipay", "unionpay"];

/// What a clerk asks for: the quote of the case's fee items.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub application_id: &'a str,
    pub property_use: &'static str,
    pub certificates: i64,
    pub lines: &'a [DueLine],
    pub total_fen: i64,
    pub staff_id: &'a str,
    pub staff_role: &'a str,
    /// Where the applicant pays (the case page), for the text message.
    pub link: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenOutcome {
    Opened(String),
    /// The case already has an order it can pay or be refunded on.
    AlreadyOpen,
}

/// Open the case's payment order, tell the filer, and note it on the
/// timeline and in the audit, in one transaction.
pub async fn open(db: &Db, o: &NewOrder<'_>) -> Result<OpenOutcome, sqlx::Error> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let inserted = execute_tx!(
        &mut tx,
        "INSERT INTO payment_orders (id, application_id, status, property_use, certificates, lines, total_fen, created_by, created_at, updated_at)
         SELECT $1, $2, 'open', $3, $4, $5, $6, $7, $8, $8
          WHERE NOT EXISTS (SELECT 1 FROM payment_orders WHERE application_id = $2 AND status IN ('open', 'paid', 'refunding'))",
        &id,
        o.application_id,
        o.property_use,
        o.certificates,
        serde_json::to_string(o.lines).unwrap_or_else(|_| "[]".into()),
        o.total_fen,
        o.staff_id,
        now
    );
    match inserted {
        Ok(1) => {}
        Ok(_) => return Ok(OpenOutcome::AlreadyOpen),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Ok(OpenOutcome::AlreadyOpen)
        }
        Err(e) => return Err(e),
    }
    let amount = yuan(o.total_fen);
    let note = format!("已开具缴费单，应缴 ¥{amount}，可在线支付");
    add_event_note(&mut tx, o.application_id, "payment_due", now, &note).await?;
    tell_filer(
        &mut tx,
        o.application_id,
        "payment_due",
        serde_json::json!({ "amount": amount, "link": o.link }),
    )
    .await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: o.staff_id,
            role: o.staff_role,
            action: "payment_order",
            application_id: Some(o.application_id),
            before: "",
            after: "open",
            reason: &note,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(OpenOutcome::Opened(id))
}

/// A text message to the case's filer, in their language (the receipt
/// number added to `params`).
pub(crate) async fn tell_filer(
    tx: &mut WriteTx,
    application_id: &str,
    template: &str,
    mut params: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let Some((receipt, mobile, lang)) = fetch_optional_tx!(
        tx,
        (Option<String>, String, String),
        "SELECT a.receipt_no, c.mobile, c.lang FROM applications a JOIN citizens c ON c.id = a.filer_id WHERE a.id = $1",
        application_id
    )?
    else {
        return Ok(());
    };
    params["receipt"] = serde_json::json!(receipt);
    enqueue(
        tx,
        Channel::Sms,
        &mobile,
        template,
        &params,
        Lang::from_code(&lang),
    )
    .await?;
    Ok(())
}

pub async fn order(db: &Db, id: &str) -> Result<Option<OrderRow>, sqlx::Error> {
    fetch_optional!(
        db,
        OrderRow,
        &format!("SELECT {COLUMNS} FROM payment_orders WHERE id = $1"),
        id
    )
}

/// The case's orders, newest first.
pub async fn of_application(db: &Db, application_id: &str) -> Result<Vec<OrderRow>, sqlx::Error> {
    fetch_all!(
        db,
        OrderRow,
        &format!(
            "SELECT {COLUMNS} FROM payment_orders WHERE application_id = $1 ORDER BY created_at DESC, id"
        ),
        application_id
    )
}

/// The order the case can still pay or be refunded on, or its paid one.
pub async fn live_of(db: &Db, application_id: &str) -> Result<Option<OrderRow>, sqlx::Error> {
    fetch_optional!(
        db,
        OrderRow,
        &format!(
            "SELECT {COLUMNS} FROM payment_orders WHERE application_id = $1 AND status IN ('open', 'paid', 'refunding')"
        ),
        application_id
    )
}

/// What the channel told us about a payment.
#[derive(Debug, Clone)]
pub struct Paid<'a> {
    /// The callback's event id (`None` when the channel was asked).
    pub event_id: Option<&'a str>,
    pub order_id: &'a str,
    pub amount_fen: i64,
    pub channel: &'a str,
    pub txn_id: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Paid now: the case's id.
    Paid(String),
    /// The same callback again, or an order already paid with this
    /// transaction: nothing changed.
    Duplicate,
    /// Paid on an order that was cancelled or whose case closed: recorded
    /// and queued for a refund.
    RefundQueued(String),
    /// No such order.
    Unknown,
    /// The amount is not the order's: nothing recorded.
    AmountMismatch,
    /// Another transaction already paid the order: queued for refund is a
    /// matter for people (reported by reconciliation).
    Conflict,
}

/// Record an event id; false when it was seen before.
async fn first_time(
    tx: &mut WriteTx,
    event_id: Option<&str>,
    order_id: &str,
    kind: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let Some(e) = event_id else {
        return Ok(true);
    };
    let n = execute_tx!(
        tx,
        "INSERT INTO payment_events (event_id, order_id, kind, received_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (event_id) DO NOTHING",
        e,
        order_id,
        kind,
        now
    )?;
    Ok(n == 1)
}

/// Record that the channel took the payment, once.
pub async fn settle_paid(db: &Db, p: &Paid<'_>) -> Result<Settled, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    if !first_time(&mut tx, p.event_id, p.order_id, "paid", now).await? {
        return Ok(Settled::Duplicate);
    }
    let Some((app_id, status, total, txn)) = fetch_optional_tx!(
        &mut tx,
        (String, String, i64, Option<String>),
        "SELECT application_id, status, total_fen, txn_id FROM payment_orders WHERE id = $1",
        p.order_id
    )?
    else {
        return Ok(Settled::Unknown);
    };
    if total != p.amount_fen {
        // Nothing of it is kept, not even the event: a corrected callback
        // with the same id may follow.
        return Ok(Settled::AmountMismatch);
    }
    if let Some(t) = txn {
        return Ok(if t == p.txn_id {
            tx.commit().await?;
            Settled::Duplicate
        } else {
            Settled::Conflict
        });
    }
    // The order was cancelled, or its case closed, before the money came:
    // keep the payment and give it back.
    let closed = status != "open"
        || fetch_scalar_tx!(
            &mut tx,
            i64,
            "SELECT COUNT(*) FROM applications WHERE id = $1 AND status = 'submitted' AND stage NOT IN ('rejected', 'none')",
            &app_id
        )? == 0;
    let (to, reason) = if closed {
        ("refunding", "缴费单已作废或案件已结束，款项原路退回")
    } else {
        ("paid", "")
    };
    execute_tx!(
        &mut tx,
        "UPDATE payment_orders SET status = $2, channel = $3, txn_id = $4, paid_at = $5, updated_at = $5,
                refund_reason = $6, refund_requested_at = CASE WHEN $2 = 'refunding' THEN $5 ELSE NULL END,
                next_attempt_at = CASE WHEN $2 = 'refunding' THEN $5 ELSE NULL END
          WHERE id = $1",
        p.order_id,
        to,
        p.channel,
        p.txn_id,
        now,
        reason
    )?;
    let amount = yuan(total);
    let channel = crate::domain::fees::method_label(p.channel, Lang::Zh);
    let note = format!("已在线缴费 ¥{amount}（{channel}）");
    add_event_note(&mut tx, &app_id, "paid_online", now, &note).await?;
    tell_filer(
        &mut tx,
        &app_id,
        "payment_received",
        serde_json::json!({ "amount": amount, "channel": p.channel, "refund": closed }),
    )
    .await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: GATEWAY_ACTOR,
            role: "system",
            action: "payment_paid",
            application_id: Some(&app_id),
            before: &status,
            after: to,
            reason: &note,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(if closed {
        Settled::RefundQueued(app_id)
    } else {
        Settled::Paid(app_id)
    })
}

/// A case is withdrawn or refused: its open order is cancelled and a paid
/// one queued for refund, in the caller's transaction.
pub async fn close_for_case(
    tx: &mut WriteTx,
    application_id: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    execute_tx!(
        tx,
        "UPDATE payment_orders SET status = 'cancelled', updated_at = $2 WHERE application_id = $1 AND status = 'open'",
        application_id,
        now
    )?;
    execute_tx!(
        tx,
        "UPDATE payment_orders SET status = 'refunding', refund_reason = $2, refund_requested_at = $3,
                next_attempt_at = $3, attempts = 0, updated_at = $3
          WHERE application_id = $1 AND status = 'paid'",
        application_id,
        reason,
        now
    )?;
    Ok(())
}

/// A clerk cancels the case's unpaid order (the applicant pays at the
/// window instead). False when there was no open order.
pub async fn cancel(
    db: &Db,
    order_id: &str,
    application_id: &str,
    staff_id: &str,
    role: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let n = execute_tx!(
        &mut tx,
        "UPDATE payment_orders SET status = 'cancelled', updated_at = $3 WHERE id = $1 AND application_id = $2 AND status = 'open'",
        order_id,
        application_id,
        now
    )?;
    if n == 1 {
        add_event_note(
            &mut tx,
            application_id,
            "payment_cancelled",
            now,
            "缴费单已作废，请到窗口缴费",
        )
        .await?;
        audit(
            &mut tx,
            &AuditEntry {
                actor: staff_id,
                role,
                action: "payment_cancel",
                application_id: Some(application_id),
                before: "open",
                after: "cancelled",
                reason: "",
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// Orders waiting for their refund to be asked of the channel.
pub async fn due_refunds(db: &Db, now: i64, limit: i64) -> Result<Vec<OrderRow>, sqlx::Error> {
    fetch_all!(
        db,
        OrderRow,
        &format!(
            "SELECT {COLUMNS} FROM payment_orders WHERE status = 'refunding' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2"
        ),
        now,
        limit
    )
}

/// The channel could not be asked: try again later.
pub async fn refund_failed(
    db: &Db,
    order_id: &str,
    error: &str,
    next_at: i64,
) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE payment_orders SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, updated_at = $4
          WHERE id = $1 AND status = 'refunding'",
        order_id,
        error,
        next_at,
        now_ms()
    )?;
    Ok(())
}

/// The channel gave the money back: the order is refunded, the applicant
/// told. Duplicate when it already was.
pub async fn settle_refunded(
    db: &Db,
    event_id: Option<&str>,
    order_id: &str,
    refund_txn: &str,
) -> Result<Settled, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    if !first_time(&mut tx, event_id, order_id, "refunded", now).await? {
        return Ok(Settled::Duplicate);
    }
    let Some((app_id, status, total)) = fetch_optional_tx!(
        &mut tx,
        (String, String, i64),
        "SELECT application_id, status, total_fen FROM payment_orders WHERE id = $1",
        order_id
    )?
    else {
        return Ok(Settled::Unknown);
    };
    if status != "refunding" {
        tx.commit().await?;
        return Ok(if status == "refunded" {
            Settled::Duplicate
        } else {
            Settled::Conflict
        });
    }
    execute_tx!(
        &mut tx,
        "UPDATE payment_orders SET status = 'refunded', refund_txn = $2, refunded_at = $3, updated_at = $3, last_error = ''
          WHERE id = $1",
        order_id,
        refund_txn,
        now
    )?;
    let amount = yuan(total);
    let note = format!("已退款 ¥{amount}，原路退回");
    add_event_note(&mut tx, &app_id, "refunded", now, &note).await?;
    tell_filer(
        &mut tx,
        &app_id,
        "payment_refunded",
        serde_json::json!({ "amount": amount }),
    )
    .await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: GATEWAY_ACTOR,
            role: "system",
            action: "payment_refunded",
            application_id: Some(&app_id),
            before: "refunding",
            after: "refunded",
            reason: &note,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Settled::Paid(app_id))
}

/// Open orders not heard of since `before` (a callback may have been lost):
/// the worker asks the channel about them.
pub async fn open_since(db: &Db, before: i64, limit: i64) -> Result<Vec<OrderRow>, sqlx::Error> {
    fetch_all!(
        db,
        OrderRow,
        &format!(
            "SELECT {COLUMNS} FROM payment_orders WHERE status = 'open' AND updated_at <= $1 ORDER BY updated_at LIMIT $2"
        ),
        before,
        limit
    )
}

/// Mark an open order as asked about now (so the worker moves on).
pub async fn touch(db: &Db, order_id: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE payment_orders SET updated_at = $2 WHERE id = $1 AND status = 'open'",
        order_id,
        now_ms()
    )?;
    Ok(())
}

/// Every order created since `since`, for reconciliation.
pub async fn created_since(db: &Db, since: i64) -> Result<Vec<OrderRow>, sqlx::Error> {
    fetch_all!(
        db,
        OrderRow,
        &format!("SELECT {COLUMNS} FROM payment_orders WHERE created_at >= $1 ORDER BY created_at"),
        since
    )
}

/// The tax authority's word on a case's taxes, by receipt number. False
/// when no submitted case has that receipt.
pub async fn record_tax(
    db: &Db,
    receipt_no: &str,
    status: &str,
    reference: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let Some(app_id) = fetch_optional_tx!(
        &mut tx,
        (String,),
        "SELECT id FROM applications WHERE receipt_no = $1 AND status = 'submitted'",
        receipt_no
    )?
    .map(|(id,)| id) else {
        return Ok(false);
    };
    execute_tx!(
        &mut tx,
        "UPDATE applications SET tax_status = $2, tax_ref = $3, tax_at = $4 WHERE id = $1",
        &app_id,
        status,
        reference,
        now
    )?;
    let note = match status {
        "paid" => "税务部门已确认完税",
        "exempt" => "税务部门确认免税",
        _ => "税务部门：待缴税",
    };
    add_event_note(&mut tx, &app_id, "tax", now, note).await?;
    audit(
        &mut tx,
        &AuditEntry {
            actor: "tax-authority",
            role: "system",
            action: "tax_confirmation",
            application_id: Some(&app_id),
            before: "",
            after: status,
            reason: reference,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

//! Fees paid online, the steps more than one door takes: what a paid order
//! records as the case's fee, and moving a case on once its payment is
//! confirmed by the channel.

use crate::db::payments::{OrderRow, GATEWAY_ACTOR};
use crate::db::{Db, FeeRecord};
use crate::domain::Lang;

/// The fee record a paid order stands for (taken by the clerk who opened it).
pub fn fee_record(o: &OrderRow) -> FeeRecord {
    FeeRecord {
        property_use: if o.property_use == "non_residential" {
            "non_residential"
        } else {
            "residential"
        },
        certificates: o.certificates,
        lines: o.due_lines(),
        total_fen: o.total_fen,
        method: o.channel.clone(),
        taken_by: Some(o.created_by.clone()),
    }
}

/// After the channel confirmed a payment: a case waiting at 缮证 for its
/// fee moves on to 已缴费 at once (the fee record is the order). A case
/// not there yet moves on when its clerk advances it. Returns whether the
/// case moved.
pub async fn advance_if_waiting(db: &Db, application_id: &str) -> Result<bool, sqlx::Error> {
    let Some(row) = crate::db::case_row(db, application_id).await? else {
        return Ok(false);
    };
    if row.stage != "certificate" || row.paused_at.is_some() {
        return Ok(false);
    }
    let Some(order) = crate::db::payments::live_of(db, application_id).await? else {
        return Ok(false);
    };
    if order.status != "paid" {
        return Ok(false);
    }
    let fee = fee_record(&order);
    // The fee text tells a no-visit matter's applicant they need not come.
    let no_visit = crate::db::identity::matter_signing(db, &row.matter_code)
        .await?
        .is_some_and(|(visit_required, _)| !visit_required);
    let note = crate::domain::fees::describe(&fee.lines, &fee.method, Lang::Zh);
    let m = crate::db::Move {
        action: "advance",
        from_stage: "certificate",
        to_stage: "fee_paid",
        version: row.version,
        note: &note,
        event: "fee_paid",
        items: &[],
        deadline: None,
        clock: "keep",
        owed: &[],
        hand_over: false,
        fee: Some(&fee),
        ecert: None,
        no_visit,
        register: None,
    };
    let actor = crate::db::Actor {
        id: GATEWAY_ACTOR,
        role: "system",
    };
    let outcome = crate::db::apply_move(db, application_id, actor, &m, Lang::Zh).await?;
    Ok(matches!(outcome, crate::db::MoveOutcome::Done { .. }))
}

/// The order as the case's people see it.
pub fn view_of(o: &OrderRow, public_url: &str) -> crate::views::PaymentView {
    use crate::views::local_time;
    let pay_href = format!("/pay/{}", o.id);
    let qr_svg = if o.status == "open" {
        qr_svg(&format!("{public_url}{pay_href}"))
    } else {
        String::new()
    };
    crate::views::PaymentView {
        id: o.id.clone(),
        status: o.status.clone(),
        total: crate::domain::fees::yuan(o.total_fen),
        lines: o.due_lines(),
        channel: o.channel.clone(),
        txn_id: o.txn_id.clone().unwrap_or_default(),
        created_at: local_time(o.created_at),
        paid_at: o.paid_at.map(local_time),
        refunded_at: o.refunded_at.map(local_time),
        refund_reason: o.refund_reason.clone(),
        pay_href,
        qr_svg,
    }
}

/// A link as an SVG QR code, sized by the page's CSS.
pub fn qr_svg(link: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(180, 180)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// The case's latest order, as a view.
pub async fn latest_view(
    db: &Db,
    application_id: &str,
    public_url: &str,
) -> Result<Option<crate::views::PaymentView>, sqlx::Error> {
    Ok(crate::db::payments::of_application(db, application_id)
        .await?
        .first()
        .map(|o| view_of(o, public_url)))
}

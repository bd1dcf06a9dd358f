//! After issue: whether a case takes utility requests, and the views of
//! its delivery and utility requests.

use crate::db::aftercare::{DeliveryRow, UtilityRow};
use crate::domain::catalogue::{Family, Matter};

/// The new owner of an issued transfer may move the utilities.
pub fn utilities_apply(status: &str, stage: &str, matter: &Matter) -> bool {
    status == "submitted"
        && matches!(stage, "issued" | "archived")
        && matter.family == Family::Transfer
}

pub fn delivery_view(d: &DeliveryRow) -> crate::views::DeliveryView {
    use crate::views::local_time;
    crate::views::DeliveryView {
        method: d.method.clone(),
        recipient: d.recipient.clone(),
        mobile: d.mobile.clone(),
        address: d.address.clone(),
        tracking_url: d
            .tracking_no
            .as_deref()
            .map(crate::domain::aftercare::tracking_url),
        tracking_no: d.tracking_no.clone(),
        status: d.status.clone(),
        posted_at: d.posted_at.map(local_time),
        delivered_at: d.delivered_at.map(local_time),
    }
}

pub fn utility_view(u: &UtilityRow) -> crate::views::UtilityView {
    crate::views::UtilityView {
        utility: u.utility.clone(),
        status: u.status.clone(),
        reference: u.reference.clone(),
        note: u.note.clone(),
        at: crate::views::local_time(u.updated_at),
    }
}

//! Organisations as the centre's administrators see them: applications to verify, decisions.

#[cfg(feature = "ssr")]
use crate::api::developer::messages::*;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

// ---- centre administrators ---------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgListItem {
    pub id: String,
    pub credit_code: String,
    pub name: String,
    pub contact_name: String,
    pub contact_mobile_masked: String,
    pub status: String,
    pub reject_reason: String,
    pub created_at: i64,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgList {
    pub orgs: Vec<OrgListItem>,
    pub csrf: String,
}

/// Organisations for the centre's administrators: waiting ones first.
#[server(endpoint = "org/admin_list")]
pub async fn list_orgs() -> Result<OrgList, AppError> {
    use crate::services::*;
    let admin = crate::guards::require_admin(None).await?;
    let orgs = crate::db::all_orgs(&database()?)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|o| OrgListItem {
            contact_mobile_masked: mask(&o.contact_mobile),
            id: o.id,
            credit_code: o.credit_code,
            name: o.name,
            contact_name: o.contact_name,
            status: o.status,
            reject_reason: o.reject_reason,
            created_at: o.created_at,
            kind: o.kind,
        })
        .collect();
    Ok(OrgList {
        orgs,
        csrf: admin.csrf_token,
    })
}

/// Verify (`decision = verify`) or reject (with a reason) a waiting
/// organisation; audited, and its contact is texted.
#[server(endpoint = "org/admin_decide")]
pub async fn decide_org(
    csrf: String,
    id: String,
    decision: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::db;

    use crate::services::*;
    let form = is_form_post().await;
    let admin = crate::guards::require_admin(Some(&csrf)).await?;
    let back = "/staff/orgs";
    let verified = decision == "verify";
    let reason = reason
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect::<String>();
    if !verified && reason.is_empty() {
        return refuse(form, back, &["reason"]);
    }
    let database = database()?;
    let org = db::org_by_id(&database, &id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let mut tx = database.begin_write().await.map_err(internal)?;
    if !db::decide_org(&mut tx, &id, verified, &admin.staff_id, &reason)
        .await
        .map_err(internal)?
    {
        drop(tx);
        return refuse(form, back, &["decided"]);
    }
    db::audit(
        &mut tx,
        &db::AuditEntry {
            actor: &admin.staff_id,
            role: &admin.role,
            action: if verified { "org_verify" } else { "org_reject" },
            before: "pending",
            after: &format!(
                "{} {}",
                org.credit_code,
                if verified { "verified" } else { "rejected" }
            ),
            reason: &reason,
            ..Default::default()
        },
    )
    .await
    .map_err(internal)?;
    db::enqueue(
        &mut tx,
        db::Channel::Sms,
        &org.contact_mobile,
        if verified {
            "org_verified"
        } else {
            "org_rejected"
        },
        &serde_json::json!({ "org": org.name, "reason": reason, "kind": org.kind }),
        crate::domain::Lang::Zh,
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    services()?.outbox_wake.notify_one();
    if form {
        redirect("/staff/orgs?ok=decided");
    }
    Ok(())
}

//! The people of a case (issue 15): each named party confirms or objects to
//! what was filed in their name, a clerk records a confirmation given at the
//! window, and the visit with the parties present.
//!
//! Authorisation: a party confirms only the entries that carry the mobile
//! number they signed in with (anyone else: 404); staff act only on cases of
//! their sites (404), clerks and supervisors only (403 for reviewers).

use crate::domain::people::Standing;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where one named party stands, as the filer, the parties and the clerk
/// see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyStanding {
    pub idx: i64,
    pub role: String,
    pub name: String,
    pub standing: Standing,
    /// When they last confirmed or objected (China time), and how.
    pub at: Option<String>,
    pub channel: String,
    /// An objection's reason.
    pub note: String,
}

/// What the signed-in person, if named on the application, may confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPart {
    pub parties: Vec<i64>,
    pub standing: Standing,
    /// The content they read: posted back with their answer, so a change
    /// made meanwhile is never confirmed unseen.
    pub hash: String,
    /// Confirmations are still taken (before acceptance).
    pub open: bool,
}

/// A recorded visit, for the clerk and the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitView {
    pub at: String,
    pub staff: String,
    pub present: Vec<String>,
    pub from_booking: bool,
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::db::{self, Db};
    use crate::domain::people::{content_hash, standing, Recorded};

    fn internal(ctx: &'static str) -> impl Fn(sqlx::Error) -> AppError {
        move |e| AppError::internal(ctx, e)
    }

    /// The people of one case: the current content's hash, every party's
    /// standing, and the filer's mobile number.
    pub struct People {
        pub hash: String,
        pub standings: Vec<PartyStanding>,
        pub parties: Vec<db::PartyRow>,
        pub filer_mobile: String,
        /// How each entry may confirm (same order as `parties`).
        pub confirmers: Vec<crate::domain::people::Confirmer>,
    }

    impl People {
        pub fn all_agree(&self) -> bool {
            self.standings.iter().all(|s| s.standing.agrees())
        }

        pub fn waiting_names(&self) -> Vec<String> {
            self.standings
                .iter()
                .filter(|s| !s.standing.agrees())
                .map(|s| s.name.clone())
                .collect()
        }

        /// The entries this mobile number may confirm online: those naming
        /// it that are theirs alone (see `domain::people::confirmers`).
        pub fn mine(&self, mobile: &str) -> Vec<i64> {
            use crate::domain::people::Confirmer;
            self.parties
                .iter()
                .zip(&self.confirmers)
                .filter(|(p, c)| p.mobile == mobile && **c == Confirmer::Online)
                .map(|(p, _)| p.idx)
                .collect()
        }
    }

    pub async fn people(database: &Db, application_id: &str) -> Result<People, AppError> {
        let row = db::application_row(database, application_id)
            .await
            .map_err(internal("application"))?
            .ok_or(AppError::NotFound)?;
        let draft: crate::domain::application::Draft =
            serde_json::from_str(&row.draft).unwrap_or_default();
        let parties = db::parties(database, application_id)
            .await
            .map_err(internal("parties"))?;
        let docs = db::documents_of(database, application_id)
            .await
            .map_err(internal("documents"))?;
        let filer_mobile = db::citizen_mobile(database, &row.filer_id)
            .await
            .map_err(internal("filer"))?
            .unwrap_or_default();
        let hash = content_hash(
            &row.matter_code,
            &draft.property,
            &parties
                .iter()
                .map(|p| {
                    [
                        p.role.as_str(),
                        p.name.as_str(),
                        p.id_type.as_str(),
                        p.id_number.as_str(),
                        p.mobile.as_str(),
                        p.share.as_str(),
                    ]
                })
                .collect::<Vec<_>>(),
            &docs
                .iter()
                .map(|d| (d.material.as_str(), d.sha256.as_str()))
                .collect::<Vec<_>>(),
        );
        let rows = db::confirmations(database, application_id)
            .await
            .map_err(internal("confirmations"))?;
        let recorded: Vec<Recorded> = rows
            .iter()
            .map(|r| Recorded {
                party_idx: r.party_idx,
                kind: &r.kind,
                content_hash: &r.content_hash,
                at: r.at,
            })
            .collect();
        let confirmers = crate::domain::people::confirmers(
            &parties
                .iter()
                .map(|p| (p.id_type.as_str(), p.id_number.as_str(), p.mobile.as_str()))
                .collect::<Vec<_>>(),
            &filer_mobile,
        );
        let standings = parties
            .iter()
            .zip(&confirmers)
            .map(|(p, c)| {
                let last = rows.iter().rev().find(|r| r.party_idx == p.idx);
                PartyStanding {
                    idx: p.idx,
                    role: p.role.clone(),
                    name: p.name.clone(),
                    standing: standing(
                        p.idx,
                        *c == crate::domain::people::Confirmer::Filer,
                        &recorded,
                        &hash,
                    ),
                    at: last.map(|r| crate::api::applications::local_time(r.at)),
                    channel: last.map(|r| r.channel.clone()).unwrap_or_default(),
                    note: last
                        .filter(|r| r.kind == "objected")
                        .map(|r| r.note.clone())
                        .unwrap_or_default(),
                }
            })
            .collect();
        Ok(People {
            hash,
            standings,
            parties,
            filer_mobile,
            confirmers,
        })
    }

    pub async fn visit_views(
        database: &Db,
        application_id: &str,
        parties: &[db::PartyRow],
    ) -> Result<Vec<VisitView>, AppError> {
        Ok(db::case_visits(database, application_id)
            .await
            .map_err(internal("visits"))?
            .into_iter()
            .map(|v| VisitView {
                at: crate::api::applications::local_time(v.recorded_at),
                staff: v.staff_name,
                present: crate::domain::people::present_from_column(&v.present)
                    .into_iter()
                    .filter_map(|i| parties.get(i).map(|p| p.name.clone()))
                    .collect(),
                from_booking: v.booked == 1,
            })
            .collect())
    }

    /// The parties not yet seen at a recorded visit (their names).
    pub async fn missing_at_visit(
        database: &Db,
        application_id: &str,
        parties: &[db::PartyRow],
    ) -> Result<Vec<String>, AppError> {
        let visits: Vec<Vec<usize>> = db::case_visits(database, application_id)
            .await
            .map_err(internal("visits"))?
            .iter()
            .map(|v| crate::domain::people::present_from_column(&v.present))
            .collect();
        Ok(
            crate::domain::people::missing_at_visit(parties.len(), &visits)
                .into_iter()
                .filter_map(|i| parties.get(i).map(|p| p.name.clone()))
                .collect(),
        )
    }
}

/// A named party confirms the application as they read it
/// (`decision = "confirm"`) or objects with a reason (`"object"`).
#[server(endpoint = "applications/confirm")]
pub async fn confirm_application(
    id: String,
    csrf: String,
    hash: String,
    decision: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::api::applications::server::{form_session, visible};
    use crate::db::{Confirm, ConfirmOutcome};
    use crate::services::*;
    use server::*;
    let back = format!("/applications/{}", q(&id));
    let session = form_session(&csrf, &back).await?;
    let row = visible(&id, &session).await?;
    let database = database()?;
    let p = people(&database, &id).await?;
    let mine = p.mine(&session.mobile);
    if mine.is_empty() || row.status != "submitted" {
        return Err(AppError::NotFound);
    }
    let form = is_form_post().await;
    let refuse = |code: &str| -> Result<(), AppError> {
        if form {
            redirect(&format!("{back}?error={code}#confirm"));
            Ok(())
        } else {
            Err(AppError::Conflict { code: code.into() })
        }
    };
    // An objection stands until the centre has dealt with it.
    if p.standings
        .iter()
        .any(|s| mine.contains(&s.idx) && s.standing == Standing::Objected)
    {
        return refuse("already_objected");
    }
    if hash != p.hash {
        return refuse("changed");
    }
    let kind = match decision.as_str() {
        "confirm" => "confirmed",
        "object" => "objected",
        _ => return Err(AppError::BadRequest),
    };
    let reason = reason.unwrap_or_default().trim().to_string();
    if kind == "objected" && (reason.is_empty() || reason.chars().count() > 500) {
        if form {
            redirect(&format!("{back}?error=objection_reason#objection"));
            return Ok(());
        }
        return Err(AppError::Validation(vec![crate::error::FieldError::new(
            "reason",
            "reason_required",
            "异议原因：请写明原因（不超过 500 字）".into(),
            "Reason for objecting: please write it (at most 500 characters)".into(),
        )]));
    }
    // No NUL, control or bidirectional-override characters in what the
    // supervisors will read.
    if crate::domain::has_hidden_chars(&reason) {
        return refuse("objection_reason");
    }
    let supervisors = crate::db::site_supervisors(&database, &row_site(&database, &id).await?)
        .await
        .map_err(|e| AppError::internal("supervisors", e))?;
    let today = crate::api::cases::server::today()
        .format("%Y-%m-%d")
        .to_string();
    let outcome = crate::db::record_confirmation(
        &database,
        &Confirm {
            application_id: &id,
            parties: &mine,
            kind,
            content_hash: &p.hash,
            channel: "online",
            actor_id: &session.citizen_id,
            actor_role: None,
            note: &reason,
            supervisors: &supervisors,
            today: &today,
            lang: request_lang().await,
        },
    )
    .await
    .map_err(|e| AppError::internal("confirm", e))?;
    match outcome {
        ConfirmOutcome::Done => {
            services()?.outbox_wake.notify_one();
            if form {
                redirect(&format!("{back}?ok={kind}#confirm"));
            }
            Ok(())
        }
        ConfirmOutcome::Already => refuse("already"),
        ConfirmOutcome::Closed => refuse("closed"),
    }
}

#[cfg(feature = "ssr")]
async fn row_site(database: &crate::db::Db, id: &str) -> Result<String, AppError> {
    crate::db::case_row(database, id)
        .await
        .map_err(|e| AppError::internal("case", e))?
        .map(|r| r.site_code)
        .ok_or(AppError::NotFound)
}

/// A clerk records that a party confirmed the application in person at the
/// window, having checked their identity document (`id_checked` = "1").
#[server(endpoint = "cases/confirm_at_window")]
pub async fn confirm_at_window(
    id: String,
    csrf: String,
    party: i64,
    id_checked: Option<String>,
) -> Result<(), AppError> {
    use crate::api::cases::server::{case_of, case_worker};
    use crate::db::{Confirm, ConfirmOutcome};
    use crate::services::*;
    use server::*;
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    let row = case_of(&id, &s).await?;
    if s.role == "reviewer" {
        return Err(AppError::Forbidden);
    }
    let back = format!("/staff/cases/{}", q(&id));
    let form = is_form_post().await;
    let refuse = |code: &str| -> Result<(), AppError> {
        if form {
            redirect(&format!("{back}?error={code}#people"));
            Ok(())
        } else {
            Err(AppError::Conflict { code: code.into() })
        }
    };
    if id_checked.as_deref() != Some("1") {
        return refuse("id_unchecked");
    }
    let database = database()?;
    let p = people(&database, &id).await?;
    let Some(who) = p.standings.iter().find(|x| x.idx == party) else {
        return Err(AppError::NotFound);
    };
    // The filer's own entries stand by filing; an objection stands until
    // the centre has dealt with it (a clerk cannot turn it into consent).
    if who.standing == Standing::Filer {
        return refuse("filer");
    }
    if who.standing == Standing::Objected {
        return refuse("already_objected");
    }
    let today = crate::api::cases::server::today()
        .format("%Y-%m-%d")
        .to_string();
    let outcome = crate::db::record_confirmation(
        &database,
        &Confirm {
            application_id: &row.id,
            parties: &[party],
            kind: "confirmed",
            content_hash: &p.hash,
            channel: "window",
            actor_id: &s.staff_id,
            actor_role: Some(&s.role),
            note: "",
            supervisors: &[],
            today: &today,
            lang: request_lang().await,
        },
    )
    .await
    .map_err(|e| AppError::internal("confirm", e))?;
    match outcome {
        ConfirmOutcome::Done => {
            if form {
                redirect(&format!("{back}?ok=confirmed#people"));
            }
            Ok(())
        }
        ConfirmOutcome::Already => refuse("already"),
        ConfirmOutcome::Closed => refuse("closed"),
    }
}

/// A clerk records the applicants' visit with the parties present
/// (`f`: `present-<index>` = 1): from their booking, or as a walk-in.
#[server(endpoint = "cases/record_visit")]
pub async fn record_visit(
    id: String,
    csrf: String,
    f: Option<std::collections::HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::api::cases::server::{case_of, case_worker};
    use crate::db::VisitOutcome;
    use crate::services::*;
    let s = case_worker().await?;
    check_staff_csrf(&s, &csrf)?;
    case_of(&id, &s).await?;
    if s.role == "reviewer" {
        return Err(AppError::Forbidden);
    }
    let back = format!("/staff/cases/{}", q(&id));
    let form = is_form_post().await;
    let database = database()?;
    let parties = crate::db::parties(&database, &id)
        .await
        .map_err(|e| AppError::internal("parties", e))?;
    let f = f.unwrap_or_default();
    let present: Vec<usize> = (0..parties.len())
        .filter(|i| {
            f.get(&format!("present-{i}"))
                .is_some_and(|v| !v.is_empty())
        })
        .collect();
    if present.is_empty() {
        if form {
            redirect(&format!("{back}?error=present_required#visit"));
            return Ok(());
        }
        return Err(AppError::Validation(vec![crate::error::FieldError::new(
            "present-0",
            "present_required",
            "到场人员：请勾选到场并已核验身份的当事人".into(),
            "Present: tick the parties who came and whose ID you checked".into(),
        )]));
    }
    let outcome = crate::db::record_visit(&database, &id, &s.staff_id, &s.role, &present)
        .await
        .map_err(|e| AppError::internal("visit", e))?;
    match outcome {
        VisitOutcome::Done(_) => {
            if form {
                redirect(&format!("{back}?ok=visit#visit"));
            }
            Ok(())
        }
        VisitOutcome::NotWaiting => {
            if form {
                redirect(&format!("{back}?error=not_waiting#visit"));
                return Ok(());
            }
            Err(AppError::Conflict {
                code: "not_waiting".into(),
            })
        }
    }
}

//! The people of a case: every party's standing on the current content,
//! who may confirm online, visits recorded, who is still missing at a visit.

use crate::db::{self, Db};
use crate::domain::people::{content_hash, standing, Recorded};
use crate::error::internal;
use crate::error::AppError;
use crate::views::*;

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
    let mut confirmers = crate::domain::people::confirmers(
        &parties
            .iter()
            .map(|p| (p.id_type.as_str(), p.id_number.as_str(), p.mobile.as_str()))
            .collect::<Vec<_>>(),
        &filer_mobile,
    );
    // A matter done without a visit, where the centre has an identity
    // service: the filer's own entry is signed like everyone else's (an
    // identity check at the matter's level, then a confirmation), since
    // nobody will see them sign at a window.
    if filer_signs_online(&row.matter_code).await? {
        for c in confirmers.iter_mut() {
            if *c == crate::domain::people::Confirmer::Filer {
                *c = crate::domain::people::Confirmer::Online;
            }
        }
    }
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
                at: last.map(|r| crate::views::local_time(r.at)),
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

/// Does the filer of this matter sign online with an identity check? Only
/// for a matter done without a visit that asks for a check, and only where
/// the centre has an identity service (otherwise every party is seen at a
/// window, and the filing stands as the filer's confirmation).
async fn filer_signs_online(matter_code: &str) -> Result<bool, AppError> {
    let service = crate::services::services()
        .map(|s| s.policy.identity_service)
        .unwrap_or(false);
    if !service {
        return Ok(false);
    }
    // The catalogue is cached: no query on every page that shows a case.
    Ok(crate::ops::case_facts::load_matter(matter_code)
        .await
        .is_ok_and(|m| !m.visit_required && m.identity_level > 0))
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
            at: crate::views::local_time(v.recorded_at),
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

#[cfg(feature = "ssr")]
/// The site of a case (for the alert a confirmation raises).
pub async fn row_site(database: &crate::db::Db, id: &str) -> Result<String, AppError> {
    crate::db::case_row(database, id)
        .await
        .map_err(|e| AppError::internal("case", e))?
        .map(|r| r.site_code)
        .ok_or(AppError::NotFound)
}

/// The keyed hash an ID number is kept as in identity checks.
pub fn identity_hash(services: &crate::services::Services, id_number: &str) -> String {
    services.keyed_hash(&["identity", id_number.trim()])
}

/// Which of `mine` (party entries of the signed-in citizen) are not yet
/// verified at `level`, and the latest check that covers the others.
#[derive(Debug, Default)]
pub struct Unverified {
    pub missing: Vec<i64>,
    pub latest: Option<crate::db::identity::CheckRow>,
}

pub async fn unverified(
    database: &Db,
    services: &crate::services::Services,
    application_id: &str,
    citizen_id: &str,
    mine: &[i64],
    level: i64,
) -> Result<Unverified, AppError> {
    let parties = crate::db::parties(database, application_id)
        .await
        .map_err(internal("parties"))?;
    let mut out = Unverified::default();
    for idx in mine {
        let Some(p) = parties.iter().find(|p| p.idx == *idx) else {
            continue;
        };
        let hash = identity_hash(services, &p.id_number);
        match crate::db::identity::verified(database, citizen_id, &hash, level)
            .await
            .map_err(internal("identity"))?
        {
            Some(c) => out.latest = Some(c),
            None => out.missing.push(*idx),
        }
    }
    Ok(out)
}

//! The pre-application: start, save each wizard step (autosave), submit once,
//! list, read, withdraw; and the public progress lookup.
//!
//! Authorisation is checked here, on the server, for every call: a citizen
//! reaches an application only as its filer or (once submitted) as a party
//! named on it by their verified mobile number. Anything else is `NotFound`.

use crate::domain::application::Draft;
#[cfg(feature = "ssr")]
use crate::domain::application::Step;
use crate::domain::catalogue::Matter;
#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::AppError;
use crate::views::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One document in the viewer, with its neighbours in the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentPage {
    pub doc: DocumentView,
    pub application_id: String,
    /// Still a draft (the way back is the materials step).
    pub draft: bool,
    /// Seen by staff (the way back is the case page).
    pub staff: bool,
    pub material_zh: String,
    pub material_en: String,
    /// 1-based place among all the application's documents, and their number.
    pub index: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// One application as its filer or a named party sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationView {
    pub id: String,
    pub status: Status,
    pub receipt_no: Option<String>,
    pub matter: Matter,
    pub draft: Draft,
    pub is_filer: bool,
    /// The signed-in citizen's mobile number (to validate "filing for myself").
    pub my_mobile: String,
    pub csrf: String,
    pub submitted_at: Option<String>,
    pub updated_at: String,
    pub events: Vec<EventView>,
    pub parties: Vec<PartyView>,
    pub documents: Vec<DocumentView>,
    /// The largest file the server accepts, in MB (shown next to the upload).
    pub max_file_mb: i64,
    /// The case's stage once submitted (`pre_review`, `returned`, …).
    pub stage: String,
    /// The latest correction notice (open while `stage` is `returned`).
    pub notice: Option<crate::views::NoticeView>,
    /// The printable letters the case has now.
    pub letters: Vec<crate::domain::letter::LetterKind>,
    /// The electronic certificates and proofs issued for the case.
    #[serde(default)]
    pub ecerts: Vec<crate::views::EcertLine>,
    /// The case's payment order (fees paid online), if one was opened.
    #[serde(default)]
    pub payment: Option<crate::views::PaymentView>,
    /// The signed-in person's rating of the case, once given.
    #[serde(default)]
    pub rating: Option<crate::views::RatingView>,
    /// The case has ended and this person has not rated it yet.
    #[serde(default)]
    pub can_rate: bool,
    /// How the paper certificate is collected (once chosen), and whether
    /// the filer may choose or change it now.
    #[serde(default)]
    pub delivery: Option<crate::views::DeliveryView>,
    #[serde(default)]
    pub can_choose_delivery: bool,
    /// The utilities asked to move (登记+X), those this centre is connected
    /// to, and whether the filer may ask now.
    #[serde(default)]
    pub utilities: Vec<crate::views::UtilityView>,
    #[serde(default)]
    pub utilities_offered: Vec<String>,
    #[serde(default)]
    pub can_request_utilities: bool,
    /// Materials the applicant promised to bring (容缺) and whether they came.
    pub owed: Vec<crate::views::OwedView>,
    /// The formal case number and promised deadline, once accepted.
    pub case_no: Option<String>,
    pub due: Option<String>,
    /// The clock stands still, waiting for the applicant.
    pub paused: bool,
    /// The case's live appointment, and whether one can be booked now.
    pub booking: Option<crate::views::BookingView>,
    pub bookable: bool,
    /// The open home-visit request or scheduled visit, if any.
    pub home_visit: Option<crate::views::HomeVisitLine>,
    /// Every named party and whether they have confirmed (once submitted).
    pub people: Vec<crate::views::PartyStanding>,
    /// What the signed-in person, named on it, may confirm.
    pub my_part: Option<crate::views::MyPart>,
    /// The visits recorded at the window.
    pub visits: Vec<crate::views::VisitView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSummary {
    pub id: String,
    pub status: Status,
    pub receipt_no: Option<String>,
    pub matter_zh: String,
    pub matter_en: String,
    pub updated_at: String,
    pub is_filer: bool,
    /// For drafts: the wizard page to continue on (the first with errors).
    pub resume: String,
    /// The case's stage once submitted.
    pub stage: String,
}

/// Start an application for a matter; answers the new draft's id (a form post
/// is redirected to the wizard's first page).
#[server(endpoint = "applications/start")]
pub async fn start_application(matter: String, csrf: String) -> Result<String, AppError> {
    use crate::domain::catalogue::Filer;
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::case_facts::*;
    let code = matter.trim().to_ascii_uppercase();
    let session = form_session(&csrf, &format!("/matters/{}", q(&code))).await?;
    let m = load_matter(&code).await?;
    if !m
        .filers
        .iter()
        .any(|f| matches!(f, Filer::Citizen | Filer::Agent))
    {
        return Err(AppError::Conflict {
            code: "not_for_citizens".into(),
        });
    }
    let draft =
        serde_json::to_string(&Draft::new_for(&m)).map_err(|e| AppError::internal("draft", e))?;
    let database = database()?;
    let id = crate::db::create_draft(&database, &session.citizen_id, &m.code, &draft)
        .await
        .map_err(internal("create_draft"))?;
    if is_form_post().await {
        redirect(&format!("/apply/{id}/{}", Step::Property.slug()));
    }
    Ok(id)
}

/// One application with everything its pages show.
#[server(endpoint = "applications/get")]
pub async fn get_application(id: String) -> Result<ApplicationView, AppError> {
    use crate::db;
    use crate::domain::application::{check_id_number, IdType};
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::case_facts::*;
    let session = require_session().await?;
    let row = visible(&id, &session).await?;
    let matter = load_matter(&row.matter_code).await?;
    let database = database()?;
    let rating = crate::db::ratings::mine(&database, &row.id, &session.citizen_id)
        .await
        .map_err(internal("rating"))?
        .map(|(r, f)| crate::views::RatingView {
            reasons: r.reason_codes(),
            level: r.level,
            comment: r.comment,
            at: local_time(r.created_at),
            due_on: f.as_ref().map(|f| f.due_on.clone()),
            action: f
                .as_ref()
                .filter(|f| f.status == "done")
                .map(|f| f.action.clone()),
            done_at: f.and_then(|f| f.done_at).map(local_time),
        });
    let events = db::events(&database, &row.id)
        .await
        .map_err(internal("events"))?
        .into_iter()
        .map(|e| EventView {
            kind: e.kind,
            at: local_time(e.at),
            note: e.note,
        })
        .collect();
    let parties = db::parties(&database, &row.id)
        .await
        .map_err(internal("parties"))?
        .into_iter()
        .map(|p| {
            let masked = IdType::from_code(&p.id_type)
                .and_then(|t| check_id_number(t, &p.id_number).ok())
                .map(|n| mask_id(&n))
                .unwrap_or_default();
            PartyView {
                role: p.role,
                name: p.name,
                id_masked: masked,
                share: p.share,
            }
        })
        .collect();
    let documents = document_views(&database, &row.id).await?;
    let max_file_mb = services()?.policy.max_file_bytes / (1024 * 1024);
    let notice = if row.stage == "returned" {
        crate::ops::case_facts::notice_view(&database, &row.id, &matter, &documents).await?
    } else {
        None
    };
    let has_notice = notice.is_some()
        || (row.status == "submitted"
            && db::latest_notice(&database, &row.id)
                .await
                .map_err(internal("notice"))?
                .is_some());
    let owed = if row.status == "submitted" {
        crate::ops::case_facts::owed_views(&database, &row.id, &matter).await?
    } else {
        Vec::new()
    };
    let (people, my_part, visits) = if row.status == "submitted" {
        let p = crate::ops::people::people(&database, &row.id).await?;
        let mine = p.mine(&session.mobile);
        let unverified = if mine.is_empty() || matter.identity_level == 0 {
            Vec::new()
        } else {
            crate::ops::people::unverified(
                &database,
                &services()?,
                &row.id,
                &session.citizen_id,
                &mine,
                matter.identity_level,
            )
            .await?
            .missing
        };
        let last_check = if mine.is_empty() || unverified.is_empty() {
            String::new()
        } else {
            crate::db::identity::latest(&database, &session.citizen_id, &row.id)
                .await
                .map_err(|e| AppError::internal("identity", e))?
                .map(|c| c.status)
                .unwrap_or_default()
        };
        let my_part = if mine.is_empty() {
            None
        } else {
            Some(crate::views::MyPart {
                last_check,
                identity_level: matter.identity_level,
                unverified,
                identity_service: services()?.policy.identity_service,
                standing: p
                    .standings
                    .iter()
                    .filter(|s| mine.contains(&s.idx))
                    .map(|s| s.standing)
                    .find(|s| !s.agrees())
                    .unwrap_or(crate::domain::people::Standing::Confirmed),
                parties: mine,
                hash: p.hash.clone(),
                open: matches!(
                    row.stage.as_str(),
                    "pre_review" | "returned" | "pre_accepted"
                ),
            })
        };
        let visits = crate::ops::people::visit_views(&database, &row.id, &p.parties).await?;
        (p.standings, my_part, visits)
    } else {
        (Vec::new(), None, Vec::new())
    };
    let visited = !visits.is_empty();
    Ok(ApplicationView {
        people,
        my_part,
        visits,
        owed,
        case_no: row.case_no.clone(),
        due: due_label(&row),
        paused: row.paused_at.is_some(),
        booking: crate::ops::booking::booking_view(&database, &row.id).await?,
        home_visit: if row.stage == "pre_accepted" {
            crate::db::case_home_visit(&database, &row.id)
                .await
                .map_err(|e| AppError::internal("home_visit", e))?
                .filter(|v| matches!(v.status.as_str(), "requested" | "scheduled"))
                .map(crate::views::HomeVisitLine::from)
        } else {
            None
        },
        bookable: row.filer_id == session.citizen_id
            && matter.visit_required
            && row.status == "submitted"
            && row.stage == "pre_accepted"
            && !visited,
        letters: crate::domain::letter::available(&row.stage, has_notice),
        ecerts: crate::db::ecerts::of_application(&database, &row.id)
            .await
            .map_err(|e| AppError::internal("ecerts", e))?
            .into_iter()
            .filter_map(|r| {
                Some(crate::views::EcertLine {
                    kind: crate::domain::ecert::EcertKind::from_code(&r.kind)?,
                    status: crate::domain::ecert::EcertStatus::from_code(&r.status)?,
                    number: r.number,
                    code: r.code,
                })
            })
            .collect(),
        delivery: crate::db::aftercare::delivery(&database, &row.id)
            .await
            .map_err(internal("delivery"))?
            .as_ref()
            .map(crate::ops::aftercare::delivery_view),
        can_choose_delivery: row.filer_id == session.citizen_id
            && row.status == "submitted"
            && matches!(
                row.stage.as_str(),
                "accepted" | "review" | "register" | "certificate" | "fee_paid"
            ),
        utilities: crate::db::aftercare::utilities(&database, &row.id)
            .await
            .map_err(internal("utilities"))?
            .iter()
            .map(crate::ops::aftercare::utility_view)
            .collect(),
        utilities_offered: crate::services::services()?.policy.utilities.clone(),
        can_request_utilities: row.filer_id == session.citizen_id
            && crate::ops::aftercare::utilities_apply(&row.status, &row.stage, &matter),
        rating: rating.clone(),
        can_rate: rating.is_none() && crate::domain::rating::may_rate(&row.status, &row.stage),
        payment: crate::ops::payments::latest_view(
            &database,
            &row.id,
            &crate::services::services()?.policy.public_url,
        )
        .await
        .map_err(|e| AppError::internal("payment", e))?,
        stage: row.stage.clone(),
        notice,
        documents,
        max_file_mb,
        id: row.id.clone(),
        status: Status::from_code(&row.status),
        receipt_no: row.receipt_no.clone(),
        draft: draft_of(&row),
        matter,
        is_filer: row.filer_id == session.citizen_id,
        my_mobile: session.mobile.clone(),
        csrf: session.csrf_token.clone(),
        submitted_at: row.submitted_at.map(local_time),
        updated_at: local_time(row.updated_at),
        events,
        parties,
    })
}

/// An ID number with only its first 3 and last 4 characters shown.
pub fn mask_id(n: &str) -> String {
    let c: Vec<char> = n.chars().collect();
    if c.len() <= 7 {
        return "*".repeat(c.len());
    }
    let mut s: String = c[..3].iter().collect();
    s.push_str(&"*".repeat(c.len() - 7));
    s.extend(&c[c.len() - 4..]);
    s
}

/// One document for the viewer: only for those who may see its application
/// (otherwise `NotFound`, as if it did not exist).
#[server(endpoint = "documents/view")]
pub async fn view_document(id: String) -> Result<DocumentPage, AppError> {
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::case_facts::*;
    let database = database()?;
    let staff = current_staff().await?.filter(|s| s.role != "admin");
    let row = match &staff {
        Some(_) => crate::db::document(&database, &id)
            .await
            .map_err(internal("document"))?,
        None => {
            require_session().await?;
            crate::db::document(&database, &id)
                .await
                .map_err(internal("document"))?
        }
    }
    .ok_or(AppError::NotFound)?;
    let app = match &staff {
        Some(s) => {
            crate::db::case_for_staff(&database, &row.application_id, &s.staff_id)
                .await
                .map_err(internal("case"))?
                .ok_or(AppError::NotFound)?;
            crate::db::application_row(&database, &row.application_id)
                .await
                .map_err(internal("application"))?
                .ok_or(AppError::NotFound)?
        }
        None => visible(&row.application_id, &require_session().await?).await?,
    };
    let matter = load_matter(&app.matter_code).await?;
    let docs = document_views(&database, &app.id).await?;
    // Checklist order, then the order within each item.
    let order = |m: &str| matter.checklist.iter().position(|i| i.material == m);
    let mut docs = docs;
    docs.sort_by_key(|d| order(&d.material));
    let at = docs
        .iter()
        .position(|d| d.id == id)
        .ok_or(AppError::NotFound)?;
    let item = matter.checklist.iter().find(|i| i.material == row.material);
    Ok(DocumentPage {
        staff: staff.is_some(),
        draft: app.status == "draft",
        application_id: app.id,
        material_zh: item.map(|i| i.name_zh.clone()).unwrap_or_default(),
        material_en: item.map(|i| i.name_en.clone()).unwrap_or_default(),
        index: at + 1,
        total: docs.len(),
        prev: at.checked_sub(1).map(|i| docs[i].id.clone()),
        next: docs.get(at + 1).map(|d| d.id.clone()),
        doc: docs[at].clone(),
    })
}

/// After a return for correction: send the application back to pre-review.
/// Only its filer; every item of the notice must have a new file.
#[server(endpoint = "applications/resubmit")]
pub async fn resubmit_application(id: String, csrf: String) -> Result<(), AppError> {
    use crate::db::MoveOutcome;
    use crate::error::FieldError;
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::case_facts::*;
    let back = format!("/applications/{}", q(&id));
    let session = form_session(&csrf, &back).await?;
    let row = visible(&id, &session).await?;
    if row.filer_id != session.citizen_id {
        return Err(AppError::NotFound);
    }
    let form = is_form_post().await;
    if row.stage != "returned" {
        if form {
            redirect(&back);
            return Ok(());
        }
        return Err(AppError::Conflict {
            code: "not_returned".into(),
        });
    }
    let database = database()?;
    let matter = load_matter(&row.matter_code).await?;
    let documents = document_views(&database, &row.id).await?;
    let notice =
        crate::ops::case_facts::notice_view(&database, &row.id, &matter, &documents).await?;
    let unfixed: Vec<FieldError> = notice
        .map(|n| n.items)
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i.added.is_empty())
        .map(|i| {
            FieldError::new(
                &format!("material_{}", i.material),
                "not_fixed",
                format!("“{}”还没有上传新的文件", i.material_zh),
                format!("“{}” has no new file yet", i.material_en),
            )
        })
        .collect();
    if !unfixed.is_empty() {
        if form {
            redirect(&format!("{back}?error=not_fixed"));
            return Ok(());
        }
        return Err(AppError::Validation(unfixed));
    }
    let m = crate::db::Move {
        action: "resubmit",
        from_stage: "returned",
        to_stage: "pre_review",
        version: row.version,
        note: "",
        event: "resubmitted",
        items: &[],
        deadline: None,
        clock: "keep",
        owed: &[],
        hand_over: false,
        ecert: None,
        fee: None,
        no_visit: false,
        register: None,
    };
    let actor = crate::db::Actor {
        id: &session.citizen_id,
        role: "applicant",
    };
    match crate::db::apply_move(&database, &id, actor, &m, request_lang().await)
        .await
        .map_err(internal("resubmit"))?
    {
        MoveOutcome::Done { .. } => {
            if form {
                redirect(&format!("{back}?ok=resubmitted"));
            }
            Ok(())
        }
        // Resubmitted twice: the second finds the case already moved on.
        MoveOutcome::Stale
        | MoveOutcome::Owed
        | MoveOutcome::Objected
        | MoveOutcome::RegisterRefused(_) => {
            if form {
                redirect(&back);
                return Ok(());
            }
            Err(AppError::Conflict {
                code: "stale".into(),
            })
        }
    }
}

#[server(endpoint = "applications/save_step")]
pub async fn save_step(
    id: String,
    step: String,
    csrf: String,
    op: Option<String>,
    f: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::domain::catalogue::PartyRole;
    use crate::error::field_errors;
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::case_facts::*;
    let step = Step::from_slug(&step).ok_or(AppError::BadRequest)?;
    let here = format!("/apply/{}/{}", q(&id), step.slug());
    let session = form_session(&csrf, &here).await?;
    let row = own_draft(&id, &session).await?;
    let matter = load_matter(&row.matter_code).await?;
    let mut draft = draft_of(&row);
    let f = f.unwrap_or_default();
    let op = op.unwrap_or_else(|| "next".into());
    draft.apply(step, &f);
    let mut target = here.clone();
    let mut errors = Vec::new();
    match op.as_str() {
        "back" => {
            if let Some(prev) = step.prev() {
                target = format!("/apply/{}/{}", q(&id), prev.slug());
            }
        }
        "save" => target = "/me?saved=1".into(),
        // The browser's check kept the person on this page: save what was
        // typed, errors shown as they were (the browser has them already).
        "stay" => draft.mark_attempted(step),
        // Leaving by the header's language or large-text switch: save what
        // was typed, unchecked, so the page comes back with it.
        "keep" => {}
        "next" => {
            draft.mark_attempted(step);
            errors = draft.validate(step, &matter, &session.mobile);
            if errors.is_empty() {
                if let Some(next) = step.next() {
                    target = format!("/apply/{}/{}", q(&id), next.slug());
                }
            }
        }
        other => {
            if let Some(role) = other.strip_prefix("add:").and_then(PartyRole::from_code) {
                if matter.parties.contains(&role) {
                    draft.add_party(role);
                }
                target = format!("{here}#party{}", draft.parties.len().saturating_sub(1));
            } else if other == "add_self" {
                let role = matter
                    .parties
                    .first()
                    .copied()
                    .unwrap_or(PartyRole::RightHolder);
                if draft.add_party(role) {
                    if let Some(p) = draft.parties.last_mut() {
                        p.mobile = session.mobile.clone();
                    }
                }
                target = format!("{here}#party{}", draft.parties.len().saturating_sub(1));
            } else if let Some(i) = other
                .strip_prefix("remove:")
                .and_then(|i| i.parse::<usize>().ok())
            {
                draft.remove_party(i);
                target = format!("{here}#parties");
            } else {
                return Err(AppError::BadRequest);
            }
        }
    }
    let json = serde_json::to_string(&draft).map_err(|e| AppError::internal("draft", e))?;
    let database = database()?;
    if !crate::db::save_draft(&database, &id, &session.citizen_id, &json)
        .await
        .map_err(internal("save_draft"))?
    {
        return Err(AppError::NotFound);
    }
    if is_form_post().await {
        redirect(&target);
        return Ok(());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(field_errors(&errors)))
    }
}

/// Submit: validates everything once more, then exactly once assigns the
/// receipt number. Repeating the call answers the same receipt.
#[server(endpoint = "applications/submit")]
pub async fn submit_application(id: String, csrf: String) -> Result<String, AppError> {
    use crate::db::{self, ReceiptNotice, SubmitOutcome};
    use crate::domain::application::format_receipt;
    use crate::error::field_errors;
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::case_facts::*;
    let session = form_session(&csrf, &format!("/apply/{}/review", q(&id))).await?;
    let row = visible(&id, &session).await?;
    if row.filer_id != session.citizen_id {
        return Err(AppError::NotFound);
    }
    let done = format!("/apply/{}/done", q(&id));
    if let Some(receipt) = row.receipt_no.clone() {
        if is_form_post().await {
            redirect(&done);
        }
        return Ok(receipt);
    }
    let matter = load_matter(&row.matter_code).await?;
    let mut draft = draft_of(&row);
    let errors = draft.validate(Step::Review, &matter, &session.mobile);
    if !errors.is_empty() {
        if is_form_post().await {
            for s in Step::ALL {
                draft.mark_attempted(s);
            }
            let first = draft
                .first_invalid_step(&matter, &session.mobile)
                .unwrap_or(Step::Review);
            let json = serde_json::to_string(&draft).map_err(|e| AppError::internal("draft", e))?;
            let database = database()?;
            crate::db::save_draft(&database, &id, &session.citizen_id, &json)
                .await
                .map_err(internal("save_draft"))?;
            redirect(&format!("/apply/{}/{}", q(&id), first.slug()));
            return Ok(String::new());
        }
        return Err(AppError::Validation(field_errors(&errors)));
    }
    let services = services()?;
    let database = database()?;
    // Filed by its certificate alone: the unit number comes from the
    // register, so the case is found with the unit's other cases, and its
    // certificate names the unit.
    if draft.property.unit_number.trim().is_empty() {
        let cert = draft.property.certificate_number.trim().to_string();
        if let Some(unit) = crate::db::register::unit_of_certificate(&database, &cert)
            .await
            .map_err(internal("register"))?
        {
            draft.property.unit_number = unit;
            let json = serde_json::to_string(&draft).map_err(|e| AppError::internal("draft", e))?;
            crate::db::save_draft(&database, &id, &session.citizen_id, &json)
                .await
                .map_err(internal("save_draft"))?;
        }
    }
    let lang = request_lang().await;
    let today = chrono::Utc::now()
        .with_timezone(&crate::domain::calendar::china())
        .date_naive();
    let priority = crate::domain::application::priority_lane(&draft.parties, today);
    let filer_name = if draft.agent.filing_for == "others" {
        draft.agent.name.clone()
    } else {
        draft
            .parties
            .iter()
            .find(|p| {
                crate::domain::MobileNumber::parse(&p.mobile)
                    .is_ok_and(|m| m.as_str() == session.mobile)
            })
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let link = format!("{}/applications/{}", services.policy.public_url, id);
    let org_link = format!("{}/developer/cases/{}", services.policy.public_url, id);
    let notice = ReceiptNotice {
        filer_mobile: &session.mobile,
        matter_zh: &matter.name_zh,
        matter_en: &matter.name_en,
        lang,
        filer_name: &filer_name,
        unit: if draft.property.unit_number.trim().is_empty() {
            draft.property.certificate_number.trim()
        } else {
            draft.property.unit_number.trim()
        },
        address: draft.property.address.trim(),
        link: &link,
        org_link: &org_link,
    };
    // A receipt number collision (about 1 in 10^11 per pair on one day) is
    // refused by the UNIQUE constraint; try again with a fresh number.
    let mut outcome = None;
    for _ in 0..3 {
        let mut random = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut random);
        let receipt = format_receipt(today, &random);
        match db::submit(
            &database,
            &id,
            &session.citizen_id,
            &receipt,
            &draft.parties,
            priority,
            &notice,
        )
        .await
        {
            Ok(o) => {
                outcome = Some(o);
                break;
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
            Err(e) => return Err(AppError::internal("submit", e)),
        }
    }
    let receipt = match outcome.ok_or(AppError::Internal)? {
        SubmitOutcome::Submitted(r) => {
            services.outbox_wake.notify_one();
            r
        }
        SubmitOutcome::AlreadySubmitted(r) => r,
        SubmitOutcome::NotFound => return Err(AppError::NotFound),
    };
    if is_form_post().await {
        redirect(&done);
    }
    Ok(receipt)
}

/// The citizen's applications: drafts, submitted, withdrawn; filed by them
/// or naming them.
#[server(endpoint = "applications/mine")]
pub async fn my_applications() -> Result<Vec<ApplicationSummary>, AppError> {
    use crate::guards::*;
    use crate::services::*;

    use crate::ops::case_facts::*;
    let session = require_session().await?;
    let database = database()?;
    let rows = crate::db::applications_for(&database, &session.citizen_id, &session.mobile)
        .await
        .map_err(internal("applications_for"))?;
    let matters = crate::ops::case_facts::matters().await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let m = matters.iter().find(|m| m.code == r.matter_code);
            let resume = m
                .and_then(|m| draft_of(&r).first_invalid_step(m, &session.mobile))
                .unwrap_or(Step::Review)
                .slug()
                .to_string();
            ApplicationSummary {
                stage: r.stage.clone(),
                resume,
                is_filer: r.filer_id == session.citizen_id,
                status: Status::from_code(&r.status),
                receipt_no: r.receipt_no,
                matter_zh: m.map(|m| m.name_zh.clone()).unwrap_or_default(),
                matter_en: m.map(|m| m.name_en.clone()).unwrap_or_default(),
                updated_at: local_time(r.updated_at),
                id: r.id,
            }
        })
        .collect())
}

/// Withdraw a submitted application (its filer, before acceptance), or
/// discard a draft.
#[server(endpoint = "applications/withdraw")]
pub async fn withdraw_application(id: String, csrf: String) -> Result<(), AppError> {
    use crate::guards::*;
    use crate::services::*;

    let session = form_session(&csrf, &format!("/applications/{}", q(&id))).await?;
    let row = visible(&id, &session).await?;
    if row.filer_id != session.citizen_id {
        return Err(AppError::NotFound);
    }
    let database = database()?;
    let ok = match row.status.as_str() {
        "draft" => crate::db::delete_draft(&database, &id, &session.citizen_id)
            .await
            .map_err(internal("delete_draft"))?,
        "submitted" => {
            let lang = request_lang().await;
            let ok =
                crate::db::withdraw(&database, &id, &session.citizen_id, &session.mobile, lang)
                    .await
                    .map_err(internal("withdraw"))?;
            services()?.outbox_wake.notify_one();
            ok
        }
        _ => false,
    };
    if !ok {
        return Err(AppError::Conflict {
            code: "cannot_withdraw".into(),
        });
    }
    if is_form_post().await {
        let target = if row.status == "draft" {
            "/me?discarded=1".to_string()
        } else {
            format!("/applications/{}", q(&id))
        };
        redirect(&target);
    }
    Ok(())
}

//! Who is asking: the request guards every server function starts with.
//! A citizen (signed in by SMS code), a clerk or supervisor (by password,
//! with the sites they serve), an administrator, a member of an organisation.
//! Anything a caller may not see answers `NotFound`; a role that may not act
//! answers `Forbidden`.

use crate::db::{self, ApplicationRow, OrgSession, SessionRow, StaffSession};
use crate::error::internal;
use crate::error::AppError;
use crate::services::*;

/// The signed-in member of a verified organisation, or 404 for anyone
/// else (a pending organisation has nothing to see yet).
pub async fn verified_org() -> Result<OrgSession, AppError> {
    let s = crate::guards::require_org().await?;
    if !s.verified() {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

pub async fn visible(id: &str, session: &db::SessionRow) -> Result<ApplicationRow, AppError> {
    let database = database()?;
    db::application_for(&database, id, &session.citizen_id, &session.mobile)
        .await
        .map_err(internal("application_for"))?
        .ok_or(AppError::NotFound)
}

/// The draft if this citizen filed it and it is still a draft.
pub async fn own_draft(id: &str, session: &db::SessionRow) -> Result<ApplicationRow, AppError> {
    let row = visible(id, session).await?;
    if row.filer_id != session.citizen_id {
        return Err(AppError::NotFound);
    }
    if row.status != "draft" {
        return Err(AppError::Conflict {
            code: "already_submitted".into(),
        });
    }
    Ok(row)
}

/// Session + CSRF for a form post; a form post without a session goes to
/// the sign-in page and comes back.
pub async fn form_session(csrf: &str, back: &str) -> Result<db::SessionRow, AppError> {
    let session = match current_session().await? {
        Some(s) => s,
        None => {
            if is_form_post().await {
                redirect(&format!("/signin?next={}", q(back)));
            }
            return Err(AppError::Unauthorized);
        }
    };
    if let Err(e) = check_csrf(&session, csrf) {
        if is_form_post().await {
            let sep = if back.contains('?') { '&' } else { '?' };
            redirect(&format!("{back}{sep}error=csrf"));
        }
        return Err(e);
    }
    Ok(session)
}

/// Staff who work cases (not administrators).
pub async fn case_worker() -> Result<StaffSession, AppError> {
    let s = crate::guards::require_staff().await?;
    if s.role == "admin" {
        return Err(AppError::Forbidden);
    }
    Ok(s)
}

pub async fn case_of(id: &str, s: &StaffSession) -> Result<db::CaseRow, AppError> {
    db::case_for_staff(&crate::services::database()?, id, &s.staff_id)
        .await
        .map_err(internal("case"))?
        .ok_or(AppError::NotFound)
}

/// The signed-in citizen of this request, if any.
pub async fn current_session() -> Result<Option<SessionRow>, AppError> {
    let headers = request_headers().await;
    let Some(hash) = session_token_hash(&headers) else {
        return Ok(None);
    };
    let services = services()?;
    let db = database()?;
    db::live_session(&db, &hash, services.policy.session_idle_ms)
        .await
        .map_err(|e| AppError::internal("session", e))
}

pub async fn require_session() -> Result<SessionRow, AppError> {
    current_session().await?.ok_or(AppError::Unauthorized)
}

pub async fn current_staff() -> Result<Option<db::StaffSession>, AppError> {
    let headers = request_headers().await;
    let services = services()?;
    let db = database()?;
    staff_for_headers(&db, &services, &headers)
        .await
        .map_err(|e| AppError::internal("staff session", e))
}

pub async fn require_staff() -> Result<db::StaffSession, AppError> {
    current_staff().await?.ok_or(AppError::Unauthorized)
}

pub async fn current_org() -> Result<Option<db::OrgSession>, AppError> {
    let headers = request_headers().await;
    let services = services()?;
    let db = database()?;
    org_for_headers(&db, &services, &headers)
        .await
        .map_err(|e| AppError::internal("org session", e))
}

pub async fn require_org() -> Result<db::OrgSession, AppError> {
    current_org().await?.ok_or(AppError::Unauthorized)
}

#[cfg(feature = "ssr")]
pub(crate) async fn require_admin(csrf: Option<&str>) -> Result<crate::db::StaffSession, AppError> {
    let s = crate::guards::require_staff().await?;
    if s.role != "admin" {
        return Err(AppError::Forbidden);
    }
    if let Some(token) = csrf {
        crate::services::check_staff_csrf(&s, token)?;
    }
    Ok(s)
}

#[cfg(feature = "ssr")]
pub async fn reviewer() -> Result<crate::db::StaffSession, AppError> {
    let s = crate::guards::require_staff().await?;
    if matches!(s.role.as_str(), "clerk" | "supervisor") {
        Ok(s)
    } else {
        Err(AppError::Forbidden)
    }
}

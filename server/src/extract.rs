//! Who is asking, for the server's own handlers (uploads, downloads,
//! spreadsheets, the dashboard's CSV): the sessions the server functions
//! read (`app::guards`), as axum extractors. A request without one is
//! answered before the handler runs — 401 as JSON, or for a developer's
//! browser the sign-in page — and a database that does not answer is 503.

use crate::AppState;
use app::db::{OrgSession, SessionRow, StaffSession};
use app::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A signed-in citizen.
pub struct Citizen(pub SessionRow);

/// A signed-in member of the centre's staff (any role).
pub struct Staff(pub StaffSession);

/// A signed-in member of an organisation (verified or not).
pub struct Member(pub OrgSession);

fn unavailable(ctx: &'static str, e: impl std::fmt::Display + 'static) -> Response {
    AppError::internal(ctx, e).into_response()
}

/// A browser asked for a page (not JSON).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// `303 See Other` to `location`.
pub fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

impl Citizen {
    /// The same check, for a handler that must answer something else first
    /// (a tus request without its protocol header).
    pub async fn from_headers(st: &AppState, headers: &HeaderMap) -> Result<SessionRow, Response> {
        match app::services::session_for_headers(&st.db, &st.services, headers).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(AppError::Unauthorized.into_response()),
            Err(e) => Err(unavailable("session", e)),
        }
    }
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        Citizen::from_headers(st, &parts.headers).await.map(Citizen)
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        match app::services::staff_for_headers(&st.db, &st.services, &parts.headers).await {
            Ok(Some(s)) => Ok(Staff(s)),
            Ok(None) => Err(AppError::Unauthorized.into_response()),
            Err(e) => Err(unavailable("staff session", e)),
        }
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        match app::services::org_for_headers(&st.db, &st.services, &parts.headers).await {
            Ok(Some(s)) => Ok(Member(s)),
            Ok(None) if wants_html(&parts.headers) => Err(see_other("/developer/signin")),
            Ok(None) => Err(AppError::Unauthorized.into_response()),
            Err(e) => Err(unavailable("org session", e)),
        }
    }
}

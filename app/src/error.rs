//! The one error type every server function returns.
//!
//! Variants say what the user can do about it; none carries internals. Database
//! and I/O failures are logged on the server with context and become
//! `Internal`, so the browser never sees a SQL message or a file path.

use crate::domain::{DomainError, Lang};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A message for one input field, in both languages, keyed by the field name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub zh: String,
    pub en: String,
}

impl FieldError {
    pub fn from_domain(field: impl Into<String>, err: &DomainError) -> Self {
        FieldError {
            field: field.into(),
            code: err.code().to_string(),
            zh: err.message(Lang::Zh),
            en: err.message(Lang::En),
        }
    }

    pub fn new(field: &str, code: &str, zh: String, en: String) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            zh,
            en,
        }
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Field errors from the domain's `(field, error)` pairs.
pub fn field_errors(issues: &[(String, DomainError)]) -> Vec<FieldError> {
    issues
        .iter()
        .map(|(f, e)| FieldError::from_domain(f.clone(), e))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Input was understood but some fields are invalid.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The request itself could not be decoded (malformed body or arguments).
    #[error("bad request")]
    BadRequest,
    #[error("sign-in required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// Also the answer when a resource exists but belongs to someone else.
    #[error("not found")]
    NotFound,
    #[error("conflict")]
    Conflict { code: String },
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// The browser could not reach the server.
    #[error("network")]
    Network,
    /// The database did not answer in time (or is down): try again shortly.
    /// Never answered as "not found" — a wrong answer is worse than none.
    #[error("temporarily unavailable")]
    Unavailable { retry_after_secs: u64 },
    /// Anything else; details are in the server log under the request id.
    #[error("internal error")]
    Internal,
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::BadRequest => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Network => 503,
            AppError::Unavailable { .. } => 503,
            AppError::Internal => 500,
        }
    }

    /// Log an unexpected failure with context and return the opaque variant;
    /// a database that is down or does not answer in time is
    /// [`AppError::Unavailable`] instead (503 with Retry-After).
    #[cfg(feature = "ssr")]
    pub fn internal(context: &'static str, err: impl std::fmt::Display + 'static) -> Self {
        if let Some(e) = (&err as &dyn std::any::Any).downcast_ref::<sqlx::Error>() {
            if database_unavailable(e) {
                tracing::warn!(context, error = %e, "database unavailable");
                return AppError::Unavailable {
                    retry_after_secs: 5,
                };
            }
        }
        tracing::error!(context, error = %err, "internal error");
        AppError::Internal
    }

    /// Seconds to wait before trying again, for the answers that have them.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited { retry_after_secs }
            | AppError::Unavailable { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

/// Is this the database being away (down, restarting, out of connections
/// for longer than the pool waits) rather than a fault of ours?
#[cfg(feature = "ssr")]
pub fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL: connection exceptions (08…), shutting down or
        // starting up (57P01–57P03).
        // SQLite: the disk is full (13, SQLITE_FULL); PostgreSQL:
        // disk full (53100) — also away until an operator makes room.
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            c.starts_with("08")
                || matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "53100" | "13")
        }),
        _ => false,
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => AppError::BadRequest,
            ServerFnErrorErr::Request(_) => AppError::Network,
            _ => AppError::Internal,
        }
    }
}

/// `map_err(internal("what"))`: a database error logged with its context
/// and answered opaquely (see [`AppError::internal`]).
#[cfg(feature = "ssr")]
pub fn internal(context: &'static str) -> impl Fn(sqlx::Error) -> AppError {
    move |e| AppError::internal(context, e)
}

/// The one way an axum handler answers an error: its status, the error as
/// JSON (the same body server functions answer with), and `Retry-After`
/// when waiting helps.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let retry = self.retry_after();
        let mut res = (status, axum::Json(self)).into_response();
        if let Some(secs) = retry {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs),
            );
        }
        res
    }
}

/// So that `?` on an `AppError` works in a handler whose errors are
/// responses (some of its refusals are redirects or carry headers of their
/// own).
#[cfg(feature = "ssr")]
impl From<AppError> for axum::response::Response {
    fn from(e: AppError) -> Self {
        axum::response::IntoResponse::into_response(e)
    }
}

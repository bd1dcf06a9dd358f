//! Server functions by audience, one file per page or per closely related
//! set of calls. Each takes plain data, converts it to domain types, checks
//! who is asking ([`crate::guards`]) and answers with
//! [`crate::error::AppError`]. Server functions never call each other: what
//! two areas share is a view type ([`crate::views`]) or an operation
//! ([`crate::ops`]).

pub mod citizen;
pub mod clerk;
pub mod developer;
pub mod public;

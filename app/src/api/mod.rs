//! Server functions, one file per area. Each takes plain data, converts it to
//! domain types, and answers with [`crate::error::AppError`].

pub mod applications;
pub mod auth;
pub mod batch_review;
pub mod bookings;
pub mod cases;
pub mod catalogue;
pub mod filings;
#[cfg(feature = "ssr")]
pub mod letters;
pub mod org_cases;
pub mod orgs;
pub mod people;
pub mod sites;
pub mod staff;
pub mod stats;
pub mod visits;

//! For citizens signed in by SMS code: pre-applications, confirmations, bookings and visits.

pub mod aftercare;
pub mod applications;
pub mod booking;
pub mod confirm;
pub mod ratings;
pub mod signin;
pub mod visits;

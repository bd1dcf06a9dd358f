//! Server-side operations that more than one door calls: the server
//! functions (pages) and the server crate (REST API, commands, jobs). Plain
//! async functions taking a database: no request context, no `#[server]`.

pub mod aftercare;
pub mod batches;
pub mod booking;
pub mod case_facts;
pub mod ecerts;
pub mod letters;
pub mod org_cases;
pub mod payments;
pub mod people;
pub mod register;
pub mod seal;
pub mod stats;

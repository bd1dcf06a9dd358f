//! Pure domain types shared by the browser (wasm) and the server.
//!
//! Every value that crosses a trust boundary is parsed into one of these types
//! once; code that holds a `ResidentId` never checks it again. Nothing here does
//! I/O, so the browser shows exactly the message the server would return.

pub mod aftercare;
pub mod application;
pub mod booking;
pub mod calendar;
pub mod case;
pub mod catalogue;
mod certificate_number;
pub mod credentials;
mod credit_code;
pub mod document;
pub mod ecert;
mod error;
pub mod fees;
pub mod filing;
pub mod help;
pub mod hours;
pub mod letter;
mod mobile;
pub mod normalize;
pub mod notify;
pub mod people;
pub mod rating;
pub mod register;
mod resident_id;
pub mod stats;
mod unit_number;

pub use certificate_number::{CertificateKind, CertificateNumber};
pub use credit_code::CreditCode;
pub use error::{DomainError, Lang};
pub use mobile::MobileNumber;
pub use normalize::{has_hidden_chars, normalize_compact, to_half_width};
pub use resident_id::ResidentId;
pub use unit_number::UnitNumber;

//! For citizens: sign-in by SMS code, the pre-application wizard, an application, bookings, consultations and home visits, documents.

mod application;
mod apply;
mod booking;
mod me;
mod signin;
mod viewer;
mod visits;

pub use application::ApplicationPage;
pub use apply::WizardPage;
pub use booking::BookingPage;
pub use me::MePage;
pub use signin::{SignInPage, VerifyPage};
pub use viewer::ViewerPage;
pub use visits::{ConsultPage, HomeVisitPage};

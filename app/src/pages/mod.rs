//! Pages, one module per audience plus shared pages.

mod apply;
pub mod booking;
pub mod citizen;
mod coming_soon;
mod dashboard;
mod home;
mod matters;
pub mod not_found;
mod signin;
mod sites;
pub mod staff;
mod viewer;
mod visits;

pub use apply::WizardPage;
pub use booking::{BookingPage, StaffBookingsPage};
pub use citizen::{ApplicationPage, MePage, TrackPage};
pub use coming_soon::{Audience, ComingSoon};
pub use dashboard::DashboardPage;
pub use home::HomePage;
pub use matters::{MatterPage, MattersPage};
pub use not_found::NotFound;
pub use signin::{SignInPage, VerifyPage};
pub use sites::SitesPage;
pub use staff::{AdminPage, AuditPage, CalendarPage, CasePage, StaffSignInPage, WorkbenchPage};
pub use viewer::ViewerPage;
pub use visits::{ConsultPage, HomeVisitPage, SiteAdminPage};

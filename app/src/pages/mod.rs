//! Pages, one module per audience plus shared pages.

mod apply;
mod batch_review;
pub mod booking;
pub mod citizen;
mod dashboard;
mod developer;
pub mod fees;
mod home;
mod matters;
pub mod not_found;
mod org_case;
mod signin;
mod sites;
pub mod staff;
mod viewer;
mod visits;

pub use apply::WizardPage;
pub use batch_review::{StaffBatchPage, StaffBatchesPage};
pub use booking::{BookingPage, StaffBookingsPage};
pub use citizen::{ApplicationPage, MePage, TrackPage};
pub use dashboard::DashboardPage;
pub use developer::{
    DevBatchPage, DevInvitePage, DevProjectPage, DevRegisterPage, DevSignInPage, DevVerifyPage,
    DeveloperPage, StaffOrgsPage,
};
pub use fees::FeesPage;
pub use home::HomePage;
pub use matters::{MatterPage, MattersPage};
pub use not_found::NotFound;
pub use org_case::OrgCasePage;
pub use signin::{SignInPage, VerifyPage};
pub use sites::SitesPage;
pub use staff::{AdminPage, AuditPage, CalendarPage, CasePage, StaffSignInPage, WorkbenchPage};
pub use viewer::ViewerPage;
pub use visits::{ConsultPage, HomeVisitPage, SiteAdminPage};

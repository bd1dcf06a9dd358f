//! For the centre's staff: sign-in, the workbench and the case, the window's day, batches, organisations, calendar, accounts, sites, fees, audit and the dashboard.

mod admin;
mod audit;
mod batches;
mod bookings;
mod calendar;
mod case;
mod dashboard;
mod fees;
mod help;
mod orgs;
mod ratings;
mod signin;
mod sites;
mod workbench;

pub use admin::AdminPage;
pub use audit::AuditPage;
pub use batches::{StaffBatchPage, StaffBatchesPage};
pub use bookings::StaffBookingsPage;
pub use calendar::CalendarPage;
pub use case::CasePage;
pub use dashboard::DashboardPage;
pub use fees::FeesPage;
pub use help::StaffHelpPage;
pub use orgs::StaffOrgsPage;
pub use ratings::RatingsPage;
pub use signin::StaffSignInPage;
pub use sites::SiteAdminPage;
pub use workbench::WorkbenchPage;

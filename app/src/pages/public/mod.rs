//! For anyone: the home page, the service guide, the sites, the progress lookup.

pub mod help;
mod home;
mod matters;
mod register;
mod sites;
mod track;
mod verify;

pub use help::{HelpArticlePage, HelpPage};
pub use home::HomePage;
pub use matters::{MatterPage, MattersPage};
pub use register::{BankMortgagesPage, MyRegisterPage, StaffRegisterPage};
pub use sites::SitesPage;
pub use track::TrackPage;
pub use verify::EcertCheckPage;

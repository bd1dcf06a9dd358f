//! Pages, one module per audience plus shared pages.

mod coming_soon;
mod home;
mod matters;
mod not_found;
mod sites;

pub use coming_soon::{Audience, ComingSoon};
pub use home::HomePage;
pub use matters::{MatterPage, MattersPage};
pub use not_found::NotFound;
pub use sites::SitesPage;

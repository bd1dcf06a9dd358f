//! For organisations (developers, banks): account, home, projects, batches, the cases that name them.

mod account;
mod batch;
mod case;
mod home;
mod project;

pub use account::{DevInvitePage, DevRegisterPage, DevSignInPage, DevVerifyPage};
pub use batch::DevBatchPage;
pub use case::OrgCasePage;
pub use home::DeveloperPage;
pub use project::DevProjectPage;

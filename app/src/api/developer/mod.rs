//! For organisations (developers and banks): registration and sign-in,
//! members and tokens, projects, batches and the cases that name them.

pub mod account;
pub mod batches;
pub mod case;
pub mod home;
pub mod members;
pub mod messages;
pub mod tokens;

//! For anyone, signed in or not: the service guide, the sites, the progress lookup.

pub mod help;
pub mod matters;
pub mod register;
pub mod sites;
pub mod track;
pub mod verify;

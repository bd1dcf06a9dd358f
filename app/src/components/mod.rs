pub mod documents;
pub mod forms;
pub mod language;
pub mod layout;
pub mod pager;
pub mod upload;

pub mod documents;
pub mod elder;
pub mod forms;
pub mod islands;
pub mod language;
pub mod layout;
pub mod pager;
pub mod upload;

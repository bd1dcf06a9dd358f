//! Widgets that pages of more than one file share: the layout, forms and
//! their messages, the language and large-text switches, documents and the
//! upload widget, labels, prompts, the timeline, the booking card and slot
//! picker, the fee table, the staff bar, the developer pages' fields, and
//! the 404 page with the status it sets. Islands (`#[island]`) and their
//! browser-side helpers live here too.

pub mod aftercare;
pub mod booking;
#[cfg(feature = "hydrate")]
pub mod browser;
pub mod documents;
pub mod elder;
pub mod fees;
pub mod forms;
pub mod islands;
pub mod labels;
pub mod language;
pub mod layout;
pub mod org;
pub mod page_data;
pub mod pager;
pub mod prompts;
pub mod respond;
pub mod staff;
pub mod timeline;
pub mod upload;

//! For the centre's staff (clerks, supervisors, administrators): sign-in and
//! accounts, the queues and the case, the window's day, batches, organisations,
//! the calendar, sites and fees, the audit and the dashboard.

pub mod admin;
pub mod aftercare;
pub mod audit;
pub mod batches;
pub mod bookings;
pub mod bookings_visits;
pub mod calendar;
pub mod case;
pub mod case_act;
pub mod case_window;
pub mod dashboard;
pub mod fees;
pub mod help;
pub mod orgs;
pub mod payments;
pub mod ratings;
pub mod signin;
pub mod sites;
pub mod workbench;

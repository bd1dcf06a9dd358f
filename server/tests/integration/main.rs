//! One integration binary: every test starts the whole app on a fresh
//! database (a temporary SQLite file, or a new PostgreSQL database that is
//! dropped afterwards) and talks HTTP to it.

mod helpers;

mod binary;
mod bookings;
mod catalogue;
mod citizen;
mod database;
mod documents;
mod ecerts;
mod filings;
mod hardening;
mod health;
mod help;
mod letters;
mod operations;
mod outbox;
mod pages;
mod payments;
mod people;
mod previews;
mod ratings;
mod register;
mod s3;
mod server_functions;
mod visits;
mod workbench;

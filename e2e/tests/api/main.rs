//! API journeys through the real server binary: one fresh server and database per test.

mod access;
mod accounts;
mod bookings;
mod calendar;
mod canteen;
mod carts;
mod channels;
mod emissions;
mod forms;
mod fuzz;
mod gate;
mod hardening;
mod letters;
mod notices;
mod operations;
mod outbox;
mod public;
mod rankings;
mod receipts;
mod recharges;
mod reconciliation;
mod records;
mod review;
mod spid_federation;
mod statement;
mod tenancy;

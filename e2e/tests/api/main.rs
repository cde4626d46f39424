//! API journeys through the real server binary: one fresh server and database per test.

mod accounts;
mod payments;
mod public;
mod tenancy;

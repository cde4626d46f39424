//! API journeys through the real server binary: one fresh server and database per test.

mod accounts;
mod public;
mod tenancy;

//! The Sportello server: JSON API under `/api/v1`, the SPA, and the development identity
//! provider, in one actix-web application. Organised by capability; shared plumbing
//! (`config`, `db`, `auth`, `error`, `http`, `startup`) sits beside the capabilities.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod bookings;
pub mod canteen;
pub mod children;
pub mod communications;
pub mod config;
pub mod content;
pub mod db;
pub mod demo;
pub mod dev_idp;
pub mod entes;
pub mod error;
pub mod families;
pub mod forms;
pub mod http;
pub mod idempotency;
pub mod integrations;
pub mod jobs;
pub mod openapi;
pub mod operations;
pub mod payments;
pub mod pdf;
pub mod reports;
pub mod retry;
pub mod schools;
pub mod startup;
pub mod telemetry;
pub mod test_clock;

//! Entes (tenants): the public list, their settings and services, and the comune's
//! set-up by its administrators (`setup`, `setup_routes`).

pub mod entity;
pub mod routes;
pub mod service;
pub mod setup;
pub mod setup_routes;

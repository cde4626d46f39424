//! Registro attività: every change the comune's staff make is recorded by the middleware
//! of `record.rs` around the whole API (a handler adds the record as it was before
//! through a [`record::Trail`]), and read by the comune's administrators through
//! `routes.rs` (`service.rs`).

pub mod entity;
pub mod record;
pub mod routes;
pub mod service;

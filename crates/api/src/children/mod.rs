//! Children (utenti): who may see which child, their personal data and enrolment cards.

pub mod enrolments;
pub mod entity;
pub mod routes;
pub mod service;

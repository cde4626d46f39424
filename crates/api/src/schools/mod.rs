//! Schools and classes (Scuole e classi): the comune's schools and each school year's
//! classes, the records an enrolment names (`service.rs`, `routes.rs` under
//! `/office/schools…`), and [`service::Places`], how every reader finds a card's school
//! and class and how an import or an accepted form finds or makes them by name.

pub mod entity;
pub mod routes;
pub mod service;

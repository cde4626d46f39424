//! Public content of an ente: news (Notizie) and documents (Documenti), readable
//! without login.

pub mod entity;
pub mod routes;
pub mod service;

//! Content of an ente: news (Notizie) and documents (Documenti), public without login
//! once published, and the office's publishing of them (Notizie e documenti).

pub mod entity;
pub mod office_routes;
pub mod routes;
pub mod service;

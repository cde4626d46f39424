//! Entes (tenants): the public list, their settings and services.

pub mod entity;
pub mod routes;
pub mod service;

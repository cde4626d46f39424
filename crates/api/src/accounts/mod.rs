//! Accounts and login: codice fiscale + password, SPID/CIE through OpenID Connect,
//! refresh-token sessions, login throttling, password reset, and the user's contacts and
//! channels (Contatti e preferenze).

pub mod contacts;
pub mod devices;
pub mod entity;
pub mod federation;
pub mod oidc;
pub mod routes;
pub mod secrets;
pub mod service;
pub mod sessions;
pub mod staff;
pub mod staff_routes;
pub mod throttle;

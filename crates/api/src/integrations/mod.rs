//! Integrazioni: the comune's API clients — the programs of its software houses — made,
//! changed, given a new secret and revoked by its administrators (`clients.rs`,
//! `routes.rs` under `/office/api-clients…`), and the OAuth 2.0 client-credentials
//! token endpoint (`POST /oauth/token`, `token.rs`) that gives a client a short-lived
//! access token bound to its comune and scopes. What each scope opens is
//! `sportello_model::access::Action::scope`, checked by `crate::auth::Allowed`.

pub mod clients;
pub mod entity;
pub mod rate_limit;
pub mod routes;
pub mod token;

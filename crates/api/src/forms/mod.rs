//! Moduli online: forms the comune defines (`definitions`), families fill in and send
//! (`submissions`), operators review and accept into an enrolment (`review`).

pub mod definitions;
pub mod entity;
pub mod review;
pub mod routes;
pub mod submissions;

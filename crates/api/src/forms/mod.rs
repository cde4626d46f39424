//! Moduli online: forms the comune defines (`definitions`), families fill in and send
//! (`submissions`), operators review and accept into an enrolment (`review`) and rank
//! them in a graduatoria (`ranking`).

pub mod definitions;
pub mod entity;
pub mod ranking;
pub mod review;
pub mod routes;
pub mod submissions;

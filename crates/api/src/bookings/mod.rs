//! Meal bookings: the school calendar of a service and each child's month, changed by
//! the guardian or the delegate within the ente's cutoff rule (one function in `model`,
//! shared with the SPA).

pub mod calendar;
pub mod calendar_routes;
pub mod entity;
pub mod routes;
pub mod service;

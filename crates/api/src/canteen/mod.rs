//! The canteen: who is expected on a day (roster), staff attendance on the tablet,
//! kitchen counts, and the daily charging of the meals eaten to the families' prepaid
//! accounts (on the server's schedule, on an operator's request, and credited back when
//! a day is later closed).

pub mod attendance;
pub mod charging;
pub mod routes;

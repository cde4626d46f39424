//! Report for the comune's office: Incassi (receipts per day and channel), Morosi (the
//! debts the reminders read, `payments::reminders::debts`), the meals served per month,
//! school and band, and the prepaid accounts' balances at a date, each also as CSV.

pub mod routes;
pub mod service;

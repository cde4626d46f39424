//! Payments: the prepaid family account (ledger), recharges through pagoPA, payment
//! notices, receipts (delivered, or fetched from pagoPA for comuni that use only GPD),
//! the reconciliation with the treasury, the Detrazione fiscale (a year's payments per
//! child, the families' certificates and the CSV), the reminders of debts (Solleciti), and the built-in pagoPA simulator (checkout and
//! counter).
//! Only the guardian (intestatario) sees a family's money (`Action::ReadPayments`,
//! `Action::Pay`): another role gets 403, another family's record 404.

pub mod batches;
pub mod carts;
pub mod corrections;
pub mod emissions;
pub mod entity;
pub mod ledger;
pub mod low_balance;
pub mod notices;
pub mod receipt_polling;
pub mod receipts;
pub mod reconciliation;
pub mod reminders;
pub mod routes;
pub mod service;
pub mod simulator;
pub mod tax_deductions;
pub mod year_end;

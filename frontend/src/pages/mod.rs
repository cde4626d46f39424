//! One module per area of the portal.

pub mod account;
pub mod bookings;
pub mod canteen;
pub mod children;
pub mod contacts;
pub mod content;
pub mod enrolments;
pub mod entes;
pub mod families;
pub mod family_account;
pub mod forms;
pub mod home;
pub mod letters;
pub mod login;
pub mod office_forms;
pub mod outbox;
pub mod password;
pub mod payments;
pub mod publishing;
pub mod reconciliation;
pub mod registry_import;
pub mod reminders;
pub mod reports;
pub mod rette;
pub mod setup;
pub mod tax_deductions;

//! One module per area of the portal.

pub mod account;
pub mod bookings;
pub mod canteen;
pub mod children;
pub mod content;
pub mod entes;
pub mod family_account;
pub mod forms;
pub mod forms_admin;
pub mod home;
pub mod letters;
pub mod login;
pub mod office_forms;
pub mod outbox;
pub mod password;
pub mod payments;
pub mod reconciliation;
pub mod reminders;

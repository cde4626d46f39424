//! Types shared by the Sportello server and the SPA.
//!
//! Nothing here does I/O: it compiles for `wasm32-unknown-unknown` and native alike, so
//! every domain rule the browser checks while the user types is the very function the
//! API enforces.

#[macro_use]
mod text_enum;

pub mod access;
pub mod app_io;
pub mod audit;
pub mod auth;
pub mod bookings;
pub mod children;
#[cfg(feature = "sea-orm")]
mod column;
pub mod communications;
pub mod contacts;
pub mod content;
pub mod dates;
pub mod entes;
pub mod family_edit;
pub mod fee_bands;
pub mod fiscal_code;
pub mod format;
pub mod forms;
pub mod holidays;
pub mod integrations;
pub mod letters;
pub mod limits;
pub mod low_balance;
pub mod money;
pub mod page;
pub mod paths;
pub mod payments;
pub mod problem;
pub mod reconciliation;
pub mod registry;
pub mod reminders;
pub mod reports;
pub mod rette;
pub mod rome;
pub mod school_year;
pub mod schools;
pub mod sms;
pub mod spa;
pub mod staff;
pub mod tax_deduction;
pub mod weekdays;
pub mod year_end;

pub use fiscal_code::FiscalCode;
pub use page::{Page, PageQuery};
pub use problem::{FieldError, Problem};
#[cfg(feature = "sea-orm")]
#[doc(hidden)]
pub use sea_orm;
pub use weekdays::Weekdays;

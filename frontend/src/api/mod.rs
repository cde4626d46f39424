//! The one way the SPA talks to the server: typed calls to `/api/v1`, one module per
//! capability on top of [`client`] (tokens, request ids, problems) and [`files`]
//! (downloads).

mod accounts;
mod audit;
mod bookings;
mod canteen;
mod children;
mod client;
mod contacts;
mod content;
mod entes;
mod families;
mod files;
mod forms;
mod integrations;
mod letters;
mod office_forms;
mod outbox;
mod payments;
mod reconciliation;
mod reminders;
mod reports;
mod review;
mod schools;
mod setup;
mod tax_deductions;
mod year_end;

pub use accounts::*;
pub use audit::*;
pub use bookings::*;
pub use canteen::*;
pub use children::*;
pub(crate) use client::set_access_token;
pub use client::{is_transient, new_request_id, not_found, refresh, url_encode, ApiResult};
pub use contacts::*;
pub use content::*;
pub use entes::*;
pub use families::*;
pub use files::{download_pdf, Download};
pub use forms::*;
pub use integrations::*;
pub use letters::*;
pub use office_forms::*;
pub use outbox::*;
pub use payments::*;
pub use reconciliation::*;
pub use reminders::*;
pub use reports::*;
pub use review::*;
pub use schools::*;
pub use setup::*;
pub use tax_deductions::*;
pub use year_end::*;

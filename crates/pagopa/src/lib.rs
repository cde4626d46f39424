//! pagoPA rules for Sportello, free of any HTTP framework: notice numbers and IUVs with
//! their mod-93 check digits, and the QR code payload.
//!
//! Amounts are integer euro cents (`i64`) throughout. Every error's `Display` is Italian.

mod error;
mod notice;
mod qr;

pub use error::Error;
pub use notice::{AuxDigit, Iuv, NoticeConfig, NoticeNumber, MAX_SEQUENCE};
pub use qr::{EnteFiscalCode, QrPayload};

//! pagoPA rules for Sportello, free of any HTTP framework: notice numbers and IUVs with
//! their mod-93 check digits.
//!
//! Every error's `Display` is Italian.

mod error;
mod notice;

pub use error::Error;
pub use notice::{AuxDigit, Iuv, NoticeConfig, NoticeNumber, MAX_SEQUENCE};

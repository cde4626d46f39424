//! pagoPA rules for Sportello, free of any HTTP framework: notice numbers and IUVs with
//! their mod-93 check digits, the QR code payload, the notice and receipt PDFs, and the
//! [`PaymentGateway`] trait with its two implementations, the built-in
//! [`SimulatorGateway`] and the [`GpdClient`] for pagoPA's GPD service, the
//! comune's station as pagoPA's node calls it ([`node`]: receipts over SOAP), the
//! [`CheckoutClient`] of pagoPA Checkout's carts, the [`GpdReceiptsClient`] that fetches
//! receipts from GPD-payments, and the flussi di rendicontazione ([`FdrClient`]).
//!
//! Amounts are integer euro cents (`i64`) throughout. Every error's `Display` is Italian.

mod checkout;
mod error;
mod fdr;
mod gateway;
mod gpd;
mod gpd_receipts;
pub mod node;
mod notice;
mod pdf;
mod qr;
mod simulator;

pub use checkout::{CartNotice, CartRequest, CheckoutClient, CheckoutConfig, ReturnUrls};
pub use error::Error;
pub use fdr::{parse_flow_xml, FdrClient, Flow, FlowPayment, PublishedFlow};
pub use gateway::{DebtPosition, Payer, PaymentGateway, PaymentMethod, Receipt};
pub use gpd::{iupd, GpdClient, GpdConfig, SUBSCRIPTION_KEY_HEADER};
pub use gpd_receipts::GpdReceiptsClient;
pub use notice::{AuxDigit, Iuv, NoticeConfig, NoticeNumber, MAX_SEQUENCE};
pub use pdf::{NoticeDocument, Payment, ReceiptDocument};
pub use qr::{EnteFiscalCode, QrPayload};
pub use simulator::{SimulatorGateway, SIMULATED_PSP};

/// Codes kept as their checked digits: shown as they are, read from text with `parse`.
macro_rules! digit_codes {
    ($($code:ident),+) => {$(
        impl std::fmt::Display for $code {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $code {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }
    )+};
}

digit_codes!(NoticeNumber, EnteFiscalCode);

/// Notice numbers and ente fiscal codes as database columns, parsed when read.
#[cfg(feature = "sea-orm")]
mod columns {
    use crate::{EnteFiscalCode, NoticeNumber};

    sportello_model::string_column!(NoticeNumber, NoticeNumber::parse);
    sportello_model::string_column!(EnteFiscalCode, EnteFiscalCode::parse);
}

/// Refuses a text that is empty or only spaces; `what` names it in Italian.
fn require(text: &str, what: &'static str) -> Result<(), Error> {
    if text.trim().is_empty() {
        Err(Error::Required(what))
    } else {
        Ok(())
    }
}

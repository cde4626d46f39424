//! Reconciliation with the treasury: the flussi di rendicontazione (FdR) in which the PSPs
//! report what they paid to the comune, matched against the receipts the comune holds.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Weekday};

use crate::holidays::national_holiday;

/// Working days a receipt may wait for its flow before the report lists it, when the
/// comune sets no other number.
pub const DEFAULT_FLOW_GRACE_DAYS: u32 = 3;

text_enum! {
    /// What a flow says of one payment (`codiceEsitoSingoloPagamento` of the XML, `payStatus`
    /// of the FdR API).
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum FlowPaymentOutcome {
        /// `0`, `EXECUTED`: paid.
        Executed = "executed" => "Eseguito",
        /// `3`, `REVOKED`: the payment was revoked.
        Revoked = "revoked" => "Revocato",
        /// `4`, `STAND_IN`: paid while the node was in stand-in.
        StandIn = "stand_in" => "Eseguito in stand-in",
        /// `8`, `STAND_IN_NO_RPT`: paid in stand-in without a payment request.
        StandInNoRpt = "stand_in_no_rpt" => "Eseguito in stand-in senza RPT",
        /// `9`, `NO_RPT`: paid without a payment request.
        NoRpt = "no_rpt" => "Eseguito senza RPT",
    }
}

impl FlowPaymentOutcome {
    /// The outcome of a `codiceEsitoSingoloPagamento`.
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "0" => Some(Self::Executed),
            "3" => Some(Self::Revoked),
            "4" => Some(Self::StandIn),
            "8" => Some(Self::StandInNoRpt),
            "9" => Some(Self::NoRpt),
            _ => None,
        }
    }

    /// The outcome of a `payStatus` of the FdR API.
    pub fn from_status(status: &str) -> Option<Self> {
        match status.trim() {
            "EXECUTED" => Some(Self::Executed),
            "REVOKED" => Some(Self::Revoked),
            "STAND_IN" => Some(Self::StandIn),
            "STAND_IN_NO_RPT" => Some(Self::StandInNoRpt),
            "NO_RPT" => Some(Self::NoRpt),
            _ => None,
        }
    }
}

text_enum! {
    /// Where a flow was imported from.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum FlowSource {
        /// Read from pagoPA's FdR service on schedule.
        Api = "api" => "Servizio FdR di pagoPA",
        /// An XML file an operator uploaded.
        Upload = "upload" => "File caricato",
    }
}

text_enum! {
    /// A difference between the receipts and the flows.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum DiscrepancyKind {
        /// A receipt whose payment no flow has reported after the comune's grace days.
        ReceiptWithoutFlow = "receipt_without_flow" => "Ricevuta senza flusso",
        /// A payment reported by a flow for which the comune holds no receipt.
        PaymentWithoutReceipt = "payment_without_receipt" => "Pagamento senza ricevuta",
        /// A payment whose amount in the flow differs from its receipt's.
        AmountMismatch = "amount_mismatch" => "Importo diverso",
    }
}

/// Whether `day` is a working day: Monday to Friday and not a national holiday.
pub fn is_working_day(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && national_holiday(day).is_none()
}

/// The first day whose receipts are still waiting for their flow on `today` with
/// `grace_days` working days of grace: receipts paid before it and reported by no flow
/// are listed. Today counts when it is a working day.
pub fn flow_due_before(today: Date, grace_days: u32) -> Date {
    let mut day = today;
    let mut left = grace_days;
    while left > 0 {
        if is_working_day(day) {
            left -= 1;
        }
        match day.previous_day() {
            Some(previous) => day = previous,
            None => return day,
        }
    }
    day.next_day().unwrap_or(day)
}

/// A flow the comune holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowSummary {
    pub id: i64,
    /// `identificativoFlusso`, pagoPA's `fdr`.
    pub flow_id: String,
    pub revision: i64,
    /// The PSP that sent it.
    pub psp_id: String,
    /// When the PSP made it.
    pub flow_at: OffsetDateTime,
    /// `identificativoUnivocoRegolamento`: the bank transfer paying it to the treasury.
    pub regulation_id: String,
    pub regulation_date: Date,
    pub payments: i64,
    /// Sum of its payments, in euro.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub total: Decimal,
    pub source: FlowSource,
    pub imported_at: OffsetDateTime,
    /// Replaced by a later revision: its payments no longer count.
    pub superseded: bool,
}

/// The answer to an import: the flow, and whether it was new.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowImported {
    pub flow: FlowSummary,
    /// False when the same flow and revision had already been imported: nothing changed.
    pub created: bool,
}

/// One line of the reconciliation report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discrepancy {
    pub kind: DiscrepancyKind,
    pub iuv: String,
    /// The notice paid, when the comune holds it.
    pub notice_number: Option<String>,
    /// pagoPA's receipt identifier, when there is a receipt.
    pub receipt_id: Option<String>,
    /// The amount of the receipt, in euro.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "47.60"))]
    pub receipt_amount: Option<Decimal>,
    /// When the receipt says it was paid.
    pub paid_at: Option<OffsetDateTime>,
    /// The flow reporting the payment, when there is one.
    pub flow_id: Option<String>,
    /// `identificativoUnivocoRiscossione`.
    pub iur: Option<String>,
    /// The amount in the flow, in euro.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "47.60"))]
    pub flow_amount: Option<Decimal>,
    pub flow_outcome: Option<FlowPaymentOutcome>,
    /// `dataEsitoSingoloPagamento`.
    pub flow_day: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn grace_counts_working_days_only() {
        // Thursday 25 April 2024 is a national holiday (Liberazione).
        assert_eq!(
            flow_due_before(date!(2024 - 04 - 29), 3),
            date!(2024 - 04 - 24)
        );
        // A Wednesday with three days of grace: Monday and later still wait.
        assert_eq!(
            flow_due_before(date!(2024 - 05 - 08), 3),
            date!(2024 - 05 - 06)
        );
        assert_eq!(
            flow_due_before(date!(2024 - 05 - 08), 0),
            date!(2024 - 05 - 09)
        );
        assert!(!is_working_day(date!(2024 - 05 - 04)));
        assert!(is_working_day(date!(2024 - 05 - 06)));
    }

    #[test]
    fn outcomes_read_from_codes_and_statuses() {
        assert_eq!(
            FlowPaymentOutcome::from_code("0"),
            Some(FlowPaymentOutcome::Executed)
        );
        assert_eq!(
            FlowPaymentOutcome::from_code("9"),
            Some(FlowPaymentOutcome::NoRpt)
        );
        assert_eq!(FlowPaymentOutcome::from_code("1"), None);
        assert_eq!(
            FlowPaymentOutcome::from_status("REVOKED"),
            Some(FlowPaymentOutcome::Revoked)
        );
    }
}

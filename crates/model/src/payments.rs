//! Payments: prepaid accounts and their statement, recharges, payment notices, emissions
//! (rette), receipts. Money is a two-decimal `Decimal` on the wire (`"47.60"`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::entes::{RechargeRule, ServiceKind};
use crate::format::{euro, euro_cents};
use crate::money::{
    decimal_to_cents, parse_cents, AmountError, Sign, MAX_CORRECTION_CENTS,
    MAX_EMISSION_LINE_CENTS, MAX_EMISSION_TOTAL_CENTS, MAX_RECHARGE_CENTS,
};
use crate::problem::FieldError;
use crate::Page;

/// Why a recharge amount is refused; `Display` is the Italian message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RechargeAmountError {
    Unreadable(AmountError),
    NotPositive,
    BelowMinimum(String),
    AboveMaximum(String),
    NotAMultiple(String),
}

impl std::fmt::Display for RechargeAmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RechargeAmountError::Unreadable(error) => error.fmt(f),
            RechargeAmountError::NotPositive => {
                f.write_str("L'importo deve essere maggiore di zero.")
            }
            RechargeAmountError::BelowMinimum(min) => {
                write!(f, "L'importo minimo di una ricarica è {min}.")
            }
            RechargeAmountError::AboveMaximum(max) => {
                write!(f, "L'importo massimo di una ricarica è {max}.")
            }
            RechargeAmountError::NotAMultiple(step) => {
                write!(f, "L'importo deve essere un multiplo di {step}.")
            }
        }
    }
}

impl std::error::Error for RechargeAmountError {}

/// The recharge `typed` by the family, in cents, if the ente's rule allows it (and never
/// above [`MAX_RECHARGE_CENTS`]). The SPA calls this as the user types; the API enforces it.
pub fn check_recharge_amount(rule: &RechargeRule, typed: &str) -> Result<i64, RechargeAmountError> {
    let max = decimal_to_cents(rule.max)
        .unwrap_or(MAX_RECHARGE_CENTS)
        .min(MAX_RECHARGE_CENTS);
    let above = || RechargeAmountError::AboveMaximum(euro_cents(max));
    let cents = match parse_cents(typed, Sign::Unsigned, max) {
        Ok(cents) => cents,
        Err(AmountError::TooLarge(_)) => return Err(above()),
        Err(error) => return Err(RechargeAmountError::Unreadable(error)),
    };
    if cents <= 0 {
        return Err(RechargeAmountError::NotPositive);
    }
    let min = decimal_to_cents(rule.min).unwrap_or(0);
    if cents < min {
        return Err(RechargeAmountError::BelowMinimum(euro(rule.min)));
    }
    if let Some(step) = rule.step.and_then(decimal_to_cents).filter(|s| *s > 0) {
        if cents % step != 0 {
            return Err(RechargeAmountError::NotAMultiple(euro_cents(step)));
        }
    }
    Ok(cents)
}

text_enum! {
    /// Kind of a ledger movement.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum MovementKind {
        /// Credit from a pagoPA payment.
        Recharge = "recharge" => "Ricarica",
        /// Debit of a meal.
        Meal = "meal" => "Pasto",
        /// Credit of a meal charged for a day the canteen was then closed (storno).
        MealReversal = "meal_reversal" => "Storno pasto",
        /// Credit returned to the family.
        Refund = "refund" => "Rimborso",
        /// Correction by an operator, with a reason.
        Adjustment = "adjustment" => "Rettifica",
        /// The balance the family had in the comune's previous system, imported once.
        OpeningBalance = "opening_balance" => "Saldo iniziale",
        /// Credit moved between two accounts of the family at the end of a school year
        /// (debit on one, credit on the other).
        Transfer = "transfer" => "Trasferimento",
    }
}

/// What an operator's correction is: the movements an operator may make by hand.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CorrectionKind {
    /// Credit paid back to the family outside the portal (it debits the account).
    Refund,
    /// A correction either way.
    Adjustment,
}

/// Asked of an operator who has not chosen the kind of a correction yet.
pub const CORRECTION_KIND_MISSING: &str = "Scegli se si tratta di un rimborso o di una rettifica.";

impl From<CorrectionKind> for MovementKind {
    fn from(kind: CorrectionKind) -> MovementKind {
        match kind {
            CorrectionKind::Refund => MovementKind::Refund,
            CorrectionKind::Adjustment => MovementKind::Adjustment,
        }
    }
}

impl CorrectionKind {
    pub fn as_str(self) -> &'static str {
        MovementKind::from(self).as_str()
    }

    pub fn label(self) -> &'static str {
        MovementKind::from(self).label()
    }
}

/// One line of the statement (stato contabile).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Movement {
    pub id: i64,
    pub kind: MovementKind,
    /// Positive for credits, negative for debits.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "-5.00"))]
    pub amount: Decimal,
    pub description: String,
    /// The child a meal was for.
    pub child_name: Option<String>,
    /// The school day of a meal.
    pub day: Option<Date>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// A prepaid service of the family with its balance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    pub service_id: i64,
    pub service_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "884.70"))]
    pub balance: Decimal,
    /// When the balance was computed ("Saldo aggiornato al …").
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub balance_at: OffsetDateTime,
}

/// A service in the Pagamenti page: prepaid with its balance, or emissions with what is
/// still to pay.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentService {
    pub service_id: i64,
    pub service_name: String,
    pub kind: ServiceKind,
    /// Balance of the prepaid account (prepaid services only).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub balance: Option<Decimal>,
    /// Number of emissions still to pay (emission services only).
    pub open_emissions: Option<u64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub amount_due: Option<Decimal>,
}

/// An operator's correction to a family's prepaid account, with its reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountCorrection {
    /// `refund`: credit paid back to the family outside the portal (it debits the
    /// account); `adjustment`: a correction either way.
    pub kind: CorrectionKind,
    /// Euro. A refund is positive; an adjustment is negative to debit (`"-5,00"`).
    #[cfg_attr(feature = "openapi", schema(example = "4.20", max_length = 32))]
    pub amount: String,
    /// Why, in words the family will read on the statement.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub reason: String,
    /// Made once per correction by the client (e.g. a UUID) and sent again on a retry:
    /// a repeated request appends nothing more.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub request_id: String,
}

/// Longest reason of a correction, in characters.
pub const MAX_REASON_CHARS: usize = 200;
/// Longest request id (the idempotency key of a correction), in characters.
pub const MAX_REQUEST_ID_CHARS: usize = 64;

impl AccountCorrection {
    /// The signed movement in cents (a refund debits), or Italian errors per field.
    pub fn movement_cents(&self) -> Result<i64, Vec<FieldError>> {
        let mut errors = Vec::new();
        let cents = match parse_cents(&self.amount, Sign::Signed, MAX_CORRECTION_CENTS) {
            Err(AmountError::TooLarge(_)) => {
                errors.push(FieldError::new(
                    "amount",
                    format!(
                        "Una correzione non può superare {}.",
                        euro_cents(MAX_CORRECTION_CENTS)
                    ),
                ));
                None
            }
            Err(error) => {
                errors.push(FieldError::new("amount", error.to_string()));
                None
            }
            Ok(0) => {
                errors.push(FieldError::new("amount", "L'importo non può essere zero."));
                None
            }
            Ok(c) if self.kind == CorrectionKind::Refund && c < 0 => {
                errors.push(FieldError::new(
                    "amount",
                    "Il rimborso si indica con un importo positivo.",
                ));
                None
            }
            Ok(c) => Some(c),
        };
        let reason = self.reason.trim();
        if reason.is_empty() {
            errors.push(FieldError::new(
                "reason",
                "Scrivi il motivo: la famiglia lo leggerà nello stato contabile.",
            ));
        } else if reason.chars().count() > MAX_REASON_CHARS {
            errors.push(FieldError::new(
                "reason",
                format!("Il motivo può contenere al massimo {MAX_REASON_CHARS} caratteri."),
            ));
        }
        let request = self.request_id.trim();
        if request.is_empty() || request.len() > MAX_REQUEST_ID_CHARS {
            errors.push(FieldError::new(
                "request_id",
                format!(
                    "Identificativo della richiesta mancante o troppo lungo (massimo {MAX_REQUEST_ID_CHARS} caratteri)."
                ),
            ));
        }
        match cents {
            Some(c) if errors.is_empty() => Ok(if self.kind == CorrectionKind::Refund {
                -c
            } else {
                c
            }),
            _ => Err(errors),
        }
    }
}

/// Ask for a recharge of a prepaid service.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RechargeRequest {
    /// Amount in euro, e.g. `"54.00"` (a comma is accepted too: `"54,00"`).
    #[cfg_attr(feature = "openapi", schema(example = "54.00", max_length = 32))]
    pub amount: String,
}

/// Where to send the browser to pay online.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutStarted {
    pub notice: Notice,
    /// pagoPA checkout page for this payment.
    pub checkout_url: String,
}

/// Most notices paid together in one pagoPA Checkout cart (Checkout's own limit).
pub const MAX_CART_NOTICES: usize = 5;

/// Pay several open notices at once, in one pagoPA Checkout cart.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCart {
    /// The notices to pay: one to five, each once.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 5))]
    pub notice_ids: Vec<i64>,
    /// Made once per "Paga" by the client (e.g. a UUID) and sent again on a retry: a
    /// repeated request answers the cart the first one opened.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub request_id: String,
}

/// Why a selection of notices cannot go into one cart: at least one, at most
/// [`MAX_CART_NOTICES`], none twice. Italian errors on `notice_ids`.
pub fn check_cart_selection(notice_ids: &[i64]) -> Result<(), FieldError> {
    let refusal = if notice_ids.is_empty() {
        "Seleziona almeno un avviso da pagare.".to_string()
    } else if notice_ids.len() > MAX_CART_NOTICES {
        format!("Puoi pagare al massimo {MAX_CART_NOTICES} avvisi insieme.")
    } else if notice_ids
        .iter()
        .enumerate()
        .any(|(i, id)| notice_ids[..i].contains(id))
    {
        "Lo stesso avviso è stato selezionato più volte.".to_string()
    } else {
        return Ok(());
    };
    Err(FieldError::new("notice_ids", refusal))
}

/// A cart of notices being paid through pagoPA Checkout.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cart {
    pub id: i64,
    /// The notices of the cart, with their status now.
    pub notices: Vec<Notice>,
    /// What the cart costs in all.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "95.20"))]
    pub total: Decimal,
    /// pagoPA Checkout's page for this cart: send the browser there.
    pub checkout_url: String,
}

impl Cart {
    /// Every notice of the cart is paid: the receipts have arrived.
    pub fn paid(&self) -> bool {
        self.notices.iter().all(|n| n.status == NoticeStatus::Paid)
    }
}

text_enum! {
    /// State of a payment notice.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum NoticeStatus {
        Open = "open" => "Da pagare",
        Paid = "paid" => "Pagato",
        Cancelled = "cancelled" => "Annullato",
        Expired = "expired" => "Scaduto",
    }
}

text_enum! {
    /// What the database records of a payment notice; [`NoticeStatus`] adds the expiry seen
    /// on a given day.
    pub enum NoticeState {
        Open = "open",
        Paid = "paid",
        Cancelled = "cancelled",
    }
}

impl NoticeState {
    /// The status shown on `today` of a notice in this state with this `deadline`.
    pub fn seen_on(self, deadline: NoticeDeadline, today: Date) -> NoticeStatus {
        match self {
            NoticeState::Paid => NoticeStatus::Paid,
            NoticeState::Cancelled => NoticeStatus::Cancelled,
            NoticeState::Open if deadline.expired_on(today) => NoticeStatus::Expired,
            NoticeState::Open => NoticeStatus::Open,
        }
    }
}

text_enum! {
    /// What a payment notice is for, and so what its payment does.
    pub enum NoticePurpose {
        /// A recharge of a prepaid account: its payment credits the account.
        Recharge = "recharge",
        /// An emission (retta): its payment settles the emission.
        Emission = "emission",
    }
}

text_enum! {
    /// State of a visit to the pagoPA checkout.
    pub enum CheckoutStatus {
        Open = "open",
        Paid = "paid",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// What was done with a receipt (the `esito` answered to whoever delivered it).
    pub enum ReceiptOutcome {
        /// Recorded while the receipt is applied, in the transaction that stores it: never
        /// committed, never answered.
        Processing = "processing",
        /// The notice is now paid (and a recharge credited).
        Accepted = "accepted",
        /// This very receipt was processed before: nothing changed.
        AlreadyProcessed = "already_processed",
        /// Another payment of a notice already paid: refused, to be refunded.
        DuplicatePayment = "duplicate_payment",
        /// The amount paid differs from the notice: refused.
        AmountMismatch = "amount_mismatch",
        /// The notice had expired: refused.
        Expired = "expired",
        /// The notice was cancelled: refused.
        Cancelled = "cancelled",
        /// No such notice at that ente.
        UnknownNotice = "unknown_notice",
    }
}

impl ReceiptOutcome {
    /// Italian explanation of a refusal.
    pub fn refusal(self) -> Option<&'static str> {
        match self {
            ReceiptOutcome::Processing
            | ReceiptOutcome::Accepted
            | ReceiptOutcome::AlreadyProcessed => None,
            ReceiptOutcome::DuplicatePayment => Some("Questo avviso risulta già pagato."),
            ReceiptOutcome::AmountMismatch => {
                Some("L'importo pagato non corrisponde a quello dell'avviso.")
            }
            ReceiptOutcome::Expired => Some("L'avviso è scaduto e non può più essere pagato."),
            ReceiptOutcome::Cancelled => Some("L'avviso è stato annullato."),
            ReceiptOutcome::UnknownNotice => Some("Avviso di pagamento non trovato."),
        }
    }
}

/// A pagoPA payment notice (avviso di pagamento).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub id: i64,
    pub service_id: i64,
    /// 18 digits.
    pub notice_number: String,
    pub iuv: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "54.00"))]
    pub amount: Decimal,
    pub description: String,
    pub due_date: Option<Date>,
    pub expires_on: Option<Date>,
    pub status: NoticeStatus,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// The notice as PDF, to print or show at a counter.
    pub pdf_url: String,
}

/// How long a recharge notice stays payable after the day it is made.
pub const RECHARGE_NOTICE_DAYS: i64 = 90;

/// The last day a recharge notice made on `today` can be paid.
pub fn recharge_notice_expiry(today: Date) -> Date {
    today + time::Duration::days(RECHARGE_NOTICE_DAYS)
}

/// The date a payment notice carries: the one the portal shows and the notice PDF prints,
/// and the one pagoPA is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeDeadline {
    /// To pay by this day (a retta), still payable afterwards.
    DueBy(Date),
    /// Payable up to and including this day, then no longer (a recharge).
    ValidUntil(Date),
    /// Neither due nor expiring.
    Open,
}

impl NoticeDeadline {
    /// A notice's deadline from its two dates: an expiry wins over a due date, since
    /// after it nothing can be paid.
    pub fn of(due_date: Option<Date>, expires_on: Option<Date>) -> NoticeDeadline {
        match (expires_on, due_date) {
            (Some(day), _) => NoticeDeadline::ValidUntil(day),
            (None, Some(day)) => NoticeDeadline::DueBy(day),
            (None, None) => NoticeDeadline::Open,
        }
    }

    /// The day it names, if any.
    pub fn day(self) -> Option<Date> {
        match self {
            NoticeDeadline::DueBy(day) | NoticeDeadline::ValidUntil(day) => Some(day),
            NoticeDeadline::Open => None,
        }
    }

    /// Whether the notice can no longer be paid after [`NoticeDeadline::day`].
    pub fn expires(self) -> bool {
        matches!(self, NoticeDeadline::ValidUntil(_))
    }

    /// Whether the notice can no longer be paid on `day`: it is past its last valid day.
    /// A due date never stops payment.
    pub fn expired_on(self, day: Date) -> bool {
        matches!(self, NoticeDeadline::ValidUntil(last) if day > last)
    }

    /// "entro il 27/04/2027", "valido fino al 28/02/2027" or "senza scadenza".
    pub fn text(self) -> String {
        match self {
            NoticeDeadline::DueBy(day) => format!("entro il {}", crate::format::date(day)),
            NoticeDeadline::ValidUntil(day) => {
                format!("valido fino al {}", crate::format::date(day))
            }
            NoticeDeadline::Open => "senza scadenza".to_string(),
        }
    }
}

#[cfg(test)]
mod deadline_tests {
    use super::NoticeDeadline;
    use time::macros::date;

    #[test]
    fn a_notice_reads_its_one_date_the_same_everywhere() {
        let recharge = NoticeDeadline::of(None, Some(date!(2027 - 02 - 28)));
        assert_eq!(recharge.text(), "valido fino al 28/02/2027");
        assert!(recharge.expires());
        let retta = NoticeDeadline::of(Some(date!(2027 - 04 - 27)), None);
        assert_eq!(retta.text(), "entro il 27/04/2027");
        assert!(!retta.expires());
        assert_eq!(retta.day(), Some(date!(2027 - 04 - 27)));
        assert_eq!(NoticeDeadline::of(None, None).text(), "senza scadenza");
        assert_eq!(NoticeDeadline::of(None, None).day(), None);
    }

    #[test]
    fn a_recharge_notice_is_payable_up_to_its_last_day_a_retta_always() {
        let made = date!(2026 - 11 - 30);
        let last = super::recharge_notice_expiry(made);
        assert_eq!(last, date!(2027 - 02 - 28));
        let recharge = NoticeDeadline::of(None, Some(last));
        assert!(!recharge.expired_on(made));
        assert!(!recharge.expired_on(last));
        assert!(recharge.expired_on(date!(2027 - 03 - 01)));
        let retta = NoticeDeadline::of(Some(made), None);
        assert!(!retta.expired_on(date!(2030 - 01 - 01)));
        assert!(!NoticeDeadline::Open.expired_on(date!(2030 - 01 - 01)));
    }
}

impl Notice {
    /// What the portal shows and the PDF prints as the notice's date.
    pub fn deadline(&self) -> NoticeDeadline {
        NoticeDeadline::of(self.due_date, self.expires_on)
    }
}

/// Statement of a prepaid account: balance and movements.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statement {
    pub account: AccountSummary,
    pub movements: Page<Movement>,
}

text_enum! {
    /// State of an emission as families read it.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum EmissionStatus {
        /// DA PAGARE.
        ToPay = "to_pay" => "DA PAGARE",
        /// PAGATO.
        Paid = "paid" => "PAGATO",
        /// ANNULLATA: withdrawn by the office, with its reason; its notice is cancelled.
        Cancelled = "cancelled" => "ANNULLATA",
    }
}

/// An emission (retta) in the list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmissionSummary {
    pub id: i64,
    pub service_id: i64,
    pub service_name: String,
    /// e.g. "Retta Marzo 2024".
    pub title: String,
    pub due_date: Date,
    /// Documento n°: the notice number.
    pub document_number: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub amount: Decimal,
    pub status: EmissionStatus,
    /// The payment notice of the emission: what "Paga" pays, alone or in a cart.
    pub notice_id: i64,
    /// Why the office cancelled it, for the family to read (cancelled ones only).
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

/// A line of detail of an emission.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmissionLine {
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub amount: Decimal,
}

/// An emission with its detail.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmissionDetail {
    #[serde(flatten)]
    pub summary: EmissionSummary,
    pub iuv: String,
    pub lines: Vec<EmissionLine>,
    /// The payment document (avviso pagoPA) as PDF.
    pub document_url: String,
    /// The receipt as PDF, once paid.
    pub receipt_url: Option<String>,
}

/// A new emission, issued by an operator (or an integrator) to a guardian.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewEmission {
    /// Codice fiscale of the guardian (intestatario).
    pub guardian_fiscal_code: String,
    pub service_id: i64,
    /// Codice fiscale of the child the emission is for, when it is for one: the notice
    /// and the receipt name them.
    #[serde(default)]
    pub child_fiscal_code: Option<String>,
    pub title: String,
    pub due_date: Date,
    pub lines: Vec<NewEmissionLine>,
    /// Optional caller key: sending the same one again returns the emission already made.
    pub external_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewEmissionLine {
    pub description: String,
    /// Amount in euro, e.g. `"47.60"`.
    pub amount: String,
}

/// Longest title of an emission, in characters.
pub const MAX_EMISSION_TITLE_CHARS: usize = 100;
/// Longest description of an emission line, in characters.
pub const MAX_EMISSION_LINE_CHARS: usize = 140;
/// Most lines of detail in one emission.
pub const MAX_EMISSION_LINES: usize = 50;
/// Longest `external_ref`, in characters.
pub const MAX_EXTERNAL_REF_CHARS: usize = 64;
/// Longest payment description (causale) pagoPA accepts, in characters.
pub const MAX_NOTICE_DESCRIPTION_CHARS: usize = 140;

/// The parts of a [`NewEmission`] that need no lookup, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedEmission {
    pub title: String,
    /// Description and amount in cents of each line.
    pub lines: Vec<(String, i64)>,
    pub total_cents: i64,
    pub external_ref: Option<String>,
}

impl NewEmission {
    /// Title, lines, amounts and their sum within the limits, or Italian errors per
    /// field (`lines[2].amount`). The guardian, service and due date are the caller's.
    pub fn check(&self) -> Result<CheckedEmission, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() {
            errors.push(FieldError::new("title", "Il titolo è obbligatorio."));
        } else if title.chars().count() > MAX_EMISSION_TITLE_CHARS {
            errors.push(FieldError::new(
                "title",
                format!("Il titolo può contenere al massimo {MAX_EMISSION_TITLE_CHARS} caratteri."),
            ));
        }
        let external_ref = self
            .external_ref
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if external_ref.is_some_and(|r| r.chars().count() > MAX_EXTERNAL_REF_CHARS) {
            errors.push(FieldError::new(
                "external_ref",
                format!(
                    "Il riferimento può contenere al massimo {MAX_EXTERNAL_REF_CHARS} caratteri."
                ),
            ));
        }
        let mut lines = Vec::new();
        if self.lines.is_empty() {
            errors.push(FieldError::new(
                "lines",
                "Indica almeno una voce di dettaglio.",
            ));
        } else if self.lines.len() > MAX_EMISSION_LINES {
            errors.push(FieldError::new(
                "lines",
                format!(
                    "Un'emissione può avere al massimo {MAX_EMISSION_LINES} voci di dettaglio."
                ),
            ));
        } else {
            for (i, line) in self.lines.iter().enumerate() {
                let description = line.description.trim();
                if description.is_empty() {
                    errors.push(FieldError::new(
                        format!("lines[{i}].description"),
                        "La descrizione della voce è obbligatoria.",
                    ));
                } else if description.chars().count() > MAX_EMISSION_LINE_CHARS {
                    errors.push(FieldError::new(
                        format!("lines[{i}].description"),
                        format!("La descrizione della voce può contenere al massimo {MAX_EMISSION_LINE_CHARS} caratteri."),
                    ));
                }
                match parse_cents(&line.amount, Sign::Unsigned, MAX_EMISSION_LINE_CENTS) {
                    Ok(0) => errors.push(FieldError::new(
                        format!("lines[{i}].amount"),
                        "L'importo deve essere maggiore di zero.",
                    )),
                    Ok(cents) => lines.push((description.to_string(), cents)),
                    Err(error) => errors.push(FieldError::new(
                        format!("lines[{i}].amount"),
                        error.to_string(),
                    )),
                }
            }
        }
        let total = lines
            .iter()
            .try_fold(0i64, |sum, (_, cents)| sum.checked_add(*cents))
            .filter(|total| *total <= MAX_EMISSION_TOTAL_CENTS);
        match total {
            None => errors.push(FieldError::new(
                "lines",
                format!(
                    "Il totale di un'emissione non può superare {}.",
                    euro_cents(MAX_EMISSION_TOTAL_CENTS)
                ),
            )),
            Some(total_cents) if errors.is_empty() => {
                return Ok(CheckedEmission {
                    title: title.to_string(),
                    lines,
                    total_cents,
                    external_ref: external_ref.map(str::to_string),
                })
            }
            Some(_) => {}
        }
        Err(errors)
    }
}

/// The payment description (causale) of an emission's notice, as the notice, its PDF
/// and its receipt show it: the title, the service, and the child when there is one;
/// cut to the length pagoPA accepts.
pub fn emission_description(title: &str, service_name: &str, child_name: Option<&str>) -> String {
    let mut text = format!("{title} - {service_name}");
    if let Some(child) = child_name {
        text.push_str(" - ");
        text.push_str(child);
    }
    text.chars().take(MAX_NOTICE_DESCRIPTION_CHARS).collect()
}

/// A completed payment (ricevuta).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptSummary {
    pub id: i64,
    pub receipt_id: String,
    pub notice_number: String,
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "54.00"))]
    pub amount: Decimal,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub paid_at: OffsetDateTime,
    /// How it was paid, in Italian.
    pub method: String,
    pub pdf_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn a_cart_holds_one_to_five_notices_each_once() {
        assert_eq!(check_cart_selection(&[4, 9, 2]), Ok(()));
        assert_eq!(check_cart_selection(&[1, 2, 3, 4, 5]), Ok(()));
        let refusal = |ids: &[i64]| check_cart_selection(ids).unwrap_err().message;
        assert_eq!(refusal(&[]), "Seleziona almeno un avviso da pagare.");
        assert_eq!(
            refusal(&[1, 2, 3, 4, 5, 6]),
            "Puoi pagare al massimo 5 avvisi insieme."
        );
        assert_eq!(
            refusal(&[7, 8, 7]),
            "Lo stesso avviso è stato selezionato più volte."
        );
    }

    fn correction(kind: CorrectionKind, amount: &str, reason: &str) -> AccountCorrection {
        AccountCorrection {
            kind,
            amount: amount.into(),
            reason: reason.into(),
            request_id: "7d1c5a0e-2f4b-4c1e-9a43-0f5b1b6f2a10".into(),
        }
    }

    #[test]
    fn a_refund_debits_and_an_adjustment_keeps_its_sign() {
        let refund = correction(CorrectionKind::Refund, "12,40", "Rimborso credito residuo");
        assert_eq!(refund.movement_cents(), Ok(-1240));
        let credit = correction(
            CorrectionKind::Adjustment,
            "4.20",
            "Pasto del 20/11 non consumato",
        );
        assert_eq!(credit.movement_cents(), Ok(420));
        let debit = correction(
            CorrectionKind::Adjustment,
            "-5,00",
            "Ricarica registrata due volte",
        );
        assert_eq!(debit.movement_cents(), Ok(-500));
    }

    #[test]
    fn a_bad_correction_names_each_field_in_italian() {
        let errors = correction(CorrectionKind::Refund, "-3", " ")
            .movement_cents()
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["amount", "reason"]);
        assert_eq!(
            errors[0].message,
            "Il rimborso si indica con un importo positivo."
        );
        let errors = correction(CorrectionKind::Adjustment, "0,001", "x")
            .movement_cents()
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["amount"]);
        let errors = correction(CorrectionKind::Adjustment, "0", "x")
            .movement_cents()
            .unwrap_err();
        assert_eq!(errors[0].message, "L'importo non può essere zero.");
        for huge in ["-10000,01", "99999999999999999999"] {
            let errors = correction(CorrectionKind::Adjustment, huge, "x")
                .movement_cents()
                .unwrap_err();
            assert_eq!(
                errors[0].message,
                "Una correzione non può superare 10.000,00 €."
            );
        }
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn rule(min: &str, max: &str, step: Option<&str>) -> RechargeRule {
        RechargeRule {
            min: d(min),
            max: d(max),
            step: step.map(d),
        }
    }

    #[test]
    fn mozzecane_only_multiples_of_5_40() {
        let r = rule("5.40", "540", Some("5.40"));
        assert_eq!(check_recharge_amount(&r, "54"), Ok(5400));
        assert_eq!(check_recharge_amount(&r, "10,80"), Ok(1080));
        let err = check_recharge_amount(&r, "5").unwrap_err();
        assert_eq!(
            err.to_string(),
            "L'importo minimo di una ricarica è 5,40 €."
        );
        let err = check_recharge_amount(&r, "50").unwrap_err();
        assert_eq!(
            err.to_string(),
            "L'importo deve essere un multiplo di 5,40 €."
        );
    }

    #[test]
    fn bounds_and_decimals() {
        let r = rule("5", "500", None);
        assert_eq!(check_recharge_amount(&r, "50"), Ok(5000));
        assert_eq!(
            check_recharge_amount(&r, "0"),
            Err(RechargeAmountError::NotPositive)
        );
        assert_eq!(
            check_recharge_amount(&r, "-10"),
            Err(RechargeAmountError::Unreadable(AmountError::Negative))
        );
        assert_eq!(
            check_recharge_amount(&r, "10,001"),
            Err(RechargeAmountError::Unreadable(
                AmountError::TooManyDecimals
            ))
        );
        for typed in ["1E2", "1_0", "+50", "5 0"] {
            assert_eq!(
                check_recharge_amount(&r, typed),
                Err(RechargeAmountError::Unreadable(AmountError::NotANumber)),
                "{typed}"
            );
        }
        for typed in ["500,01", "1.000", "1000000000000,00"] {
            assert_eq!(
                check_recharge_amount(&r, typed).unwrap_err().to_string(),
                "L'importo massimo di una ricarica è 500,00 €.",
                "{typed}"
            );
        }
        assert_eq!(
            check_recharge_amount(&r, "4,99").unwrap_err().to_string(),
            "L'importo minimo di una ricarica è 5,00 €."
        );
        // A comune's own maximum never lifts the portal's bound.
        let generous = rule("5", "100000", None);
        assert_eq!(check_recharge_amount(&generous, "1.000"), Ok(100_000));
        assert_eq!(
            check_recharge_amount(&generous, "1.000,01")
                .unwrap_err()
                .to_string(),
            "L'importo massimo di una ricarica è 1.000,00 €."
        );
    }

    fn emission(lines: Vec<(&str, &str)>) -> NewEmission {
        NewEmission {
            guardian_fiscal_code: "LBRMRA80E12F205M".into(),
            service_id: 1,
            child_fiscal_code: None,
            title: "Retta Marzo 2027".into(),
            due_date: time::macros::date!(2027 - 03 - 31),
            lines: lines
                .into_iter()
                .map(|(description, amount)| NewEmissionLine {
                    description: description.into(),
                    amount: amount.into(),
                })
                .collect(),
            external_ref: None,
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect()
    }

    #[test]
    fn an_emission_adds_up_its_lines() {
        let checked = emission(vec![("Trasporto marzo", "40,00"), ("Quota fissa", "7.60")])
            .check()
            .unwrap();
        assert_eq!(checked.total_cents, 4760);
        assert_eq!(checked.lines[1], ("Quota fissa".to_string(), 760));
    }

    #[test]
    fn an_emission_is_bounded_in_amounts_sums_lines_and_texts() {
        let errors = emission(vec![("Retta", "1000000000000,00"), ("Quota", "1E2")])
            .check()
            .unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                ("lines[0].amount", "L'importo non può superare 5.000,00 €."),
                (
                    "lines[1].amount",
                    "Scrivi l'importo in cifre, con la virgola per i decimali (ad esempio 54,00 o 1.234,50)."
                ),
            ]
        );
        let errors = emission(vec![("Retta", "5.000"); 3]).check().unwrap_err();
        assert_eq!(
            fields(&errors),
            [(
                "lines",
                "Il totale di un'emissione non può superare 10.000,00 €."
            )]
        );
        let errors = emission(vec![("Retta", "1"); 3000]).check().unwrap_err();
        assert_eq!(
            fields(&errors),
            [(
                "lines",
                "Un'emissione può avere al massimo 50 voci di dettaglio."
            )]
        );
        let long = "x".repeat(100_000);
        let mut too_long = emission(vec![(long.as_str(), "10")]);
        too_long.title = long.clone();
        too_long.external_ref = Some(long.clone());
        let errors = too_long.check().unwrap_err();
        let named: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["title", "external_ref", "lines[0].description"]);
    }

    #[test]
    fn an_emission_notice_names_the_service_and_the_child() {
        assert_eq!(
            emission_description(
                "Retta Dicembre 2026",
                "Trasporto Scolastico",
                Some("Greta Albertini")
            ),
            "Retta Dicembre 2026 - Trasporto Scolastico - Greta Albertini"
        );
        assert_eq!(
            emission_description("Retta Dicembre 2026", "Trasporto Scolastico", None),
            "Retta Dicembre 2026 - Trasporto Scolastico"
        );
        let title = "R".repeat(MAX_EMISSION_TITLE_CHARS);
        assert_eq!(
            emission_description(&title, "Trasporto Scolastico", Some("Greta Albertini"))
                .chars()
                .count(),
            MAX_NOTICE_DESCRIPTION_CHARS
        );
    }
}

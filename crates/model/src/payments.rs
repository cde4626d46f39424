//! Payments: prepaid accounts and their statement, recharges, payment notices, emissions
//! (rette), receipts. Money is a two-decimal `Decimal` on the wire (`"47.60"`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::entes::{RechargeRule, ServiceKind};
use crate::format::euro;
use crate::money::decimal_to_cents;
use crate::problem::FieldError;
use crate::Page;

/// Why a recharge amount is refused; `Display` is the Italian message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RechargeAmountError {
    NotPositive,
    FractionOfCent,
    BelowMinimum(String),
    AboveMaximum(String),
    NotAMultiple(String),
}

impl std::fmt::Display for RechargeAmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RechargeAmountError::NotPositive => {
                f.write_str("L'importo deve essere maggiore di zero.")
            }
            RechargeAmountError::FractionOfCent => {
                f.write_str("L'importo può avere al massimo due decimali.")
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

/// Whether `amount` is an allowed recharge under the ente's rule. The SPA calls this as
/// the user types; the API enforces it.
pub fn check_recharge_amount(
    rule: &RechargeRule,
    amount: Decimal,
) -> Result<i64, RechargeAmountError> {
    let cents = decimal_to_cents(amount).ok_or(RechargeAmountError::FractionOfCent)?;
    if cents <= 0 {
        return Err(RechargeAmountError::NotPositive);
    }
    let min = decimal_to_cents(rule.min).unwrap_or(0);
    let max = decimal_to_cents(rule.max).unwrap_or(i64::MAX);
    if cents < min {
        return Err(RechargeAmountError::BelowMinimum(euro(rule.min)));
    }
    if cents > max {
        return Err(RechargeAmountError::AboveMaximum(euro(rule.max)));
    }
    if let Some(step) = rule.step.and_then(decimal_to_cents).filter(|s| *s > 0) {
        if cents % step != 0 {
            return Err(RechargeAmountError::NotAMultiple(euro(
                rule.step.unwrap_or_default(),
            )));
        }
    }
    Ok(cents)
}

/// Kind of a ledger movement.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Credit from a pagoPA payment.
    Recharge,
    /// Debit of a meal.
    Meal,
    /// Credit returned to the family.
    Refund,
    /// Correction by an operator, with a reason.
    Adjustment,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Recharge => "recharge",
            MovementKind::Meal => "meal",
            MovementKind::Refund => "refund",
            MovementKind::Adjustment => "adjustment",
        }
    }

    pub fn parse(value: &str) -> Option<MovementKind> {
        [
            MovementKind::Recharge,
            MovementKind::Meal,
            MovementKind::Refund,
            MovementKind::Adjustment,
        ]
        .into_iter()
        .find(|k| k.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            MovementKind::Recharge => "Ricarica",
            MovementKind::Meal => "Pasto",
            MovementKind::Refund => "Rimborso",
            MovementKind::Adjustment => "Rettifica",
        }
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

/// Parses an amount as a person types it: `54`, `54.00`, `54,00`, `1.234,50`.
pub fn parse_amount(input: &str) -> Result<Decimal, &'static str> {
    let trimmed = input.trim().trim_end_matches('€').trim();
    if trimmed.is_empty() {
        return Err("Inserisci l'importo.");
    }
    let normalized = if trimmed.contains(',') {
        trimmed.replace('.', "").replace(',', ".")
    } else {
        trimmed.to_string()
    };
    normalized
        .parse::<Decimal>()
        .map_err(|_| "L'importo non è un numero valido (ad esempio 54,00).")
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

/// Largest correction, either way, in cents (10 000,00 €).
pub const MAX_CORRECTION_CENTS: i64 = 1_000_000;

/// Longest reason of a correction, in characters.
pub const MAX_REASON_CHARS: usize = 200;

impl AccountCorrection {
    /// The signed movement in cents (a refund debits), or Italian errors per field.
    pub fn movement_cents(&self) -> Result<i64, Vec<FieldError>> {
        let mut errors = Vec::new();
        let cents = match parse_amount(&self.amount) {
            Err(message) => {
                errors.push(FieldError::new("amount", message));
                None
            }
            Ok(amount) => match decimal_to_cents(amount) {
                None if amount.normalize().scale() > 2 => {
                    errors.push(FieldError::new(
                        "amount",
                        "L'importo può avere al massimo due decimali.",
                    ));
                    None
                }
                None => {
                    errors.push(FieldError::new(
                        "amount",
                        "Una correzione non può superare 10.000,00 €.",
                    ));
                    None
                }
                Some(0) => {
                    errors.push(FieldError::new("amount", "L'importo non può essere zero."));
                    None
                }
                Some(c) if self.kind == CorrectionKind::Refund && c < 0 => {
                    errors.push(FieldError::new(
                        "amount",
                        "Il rimborso si indica con un importo positivo.",
                    ));
                    None
                }
                Some(c) if c.abs() > MAX_CORRECTION_CENTS => {
                    errors.push(FieldError::new(
                        "amount",
                        "Una correzione non può superare 10.000,00 €.",
                    ));
                    None
                }
                Some(c) => Some(c),
            },
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
                "Il motivo può contenere al massimo 200 caratteri.",
            ));
        }
        let request = self.request_id.trim();
        if request.is_empty() || request.len() > 64 {
            errors.push(FieldError::new(
                "request_id",
                "Identificativo della richiesta mancante o troppo lungo (massimo 64 caratteri).",
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

/// State of a payment notice.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    Open,
    Paid,
    Cancelled,
    Expired,
}

impl NoticeStatus {
    pub fn label(self) -> &'static str {
        match self {
            NoticeStatus::Open => "Da pagare",
            NoticeStatus::Paid => "Pagato",
            NoticeStatus::Cancelled => "Annullato",
            NoticeStatus::Expired => "Scaduto",
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

/// Statement of a prepaid account: balance and movements.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statement {
    pub account: AccountSummary,
    pub movements: Page<Movement>,
}

/// State of an emission as families read it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmissionStatus {
    /// DA PAGARE.
    ToPay,
    /// PAGATO.
    Paid,
}

impl EmissionStatus {
    pub fn label(self) -> &'static str {
        match self {
            EmissionStatus::ToPay => "DA PAGARE",
            EmissionStatus::Paid => "PAGATO",
        }
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
    pub notice_id: i64,
}

/// A new emission, issued by an operator (or an integrator) to a guardian.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewEmission {
    /// Codice fiscale of the guardian (intestatario).
    pub guardian_fiscal_code: String,
    pub service_id: i64,
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
        assert_eq!(check_recharge_amount(&r, d("54")), Ok(5400));
        assert_eq!(check_recharge_amount(&r, d("10.80")), Ok(1080));
        let err = check_recharge_amount(&r, d("5")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "L'importo minimo di una ricarica è 5,40 €."
        );
        let err = check_recharge_amount(&r, d("50")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "L'importo deve essere un multiplo di 5,40 €."
        );
    }

    #[test]
    fn parses_amounts_as_typed() {
        assert_eq!(parse_amount("54"), Ok(d("54")));
        assert_eq!(parse_amount(" 54,00 € "), Ok(d("54.00")));
        assert_eq!(parse_amount("1.234,50"), Ok(d("1234.50")));
        assert_eq!(parse_amount("10.80"), Ok(d("10.80")));
        assert!(parse_amount("").is_err());
        assert!(parse_amount("dieci").is_err());
    }

    #[test]
    fn bounds_and_decimals() {
        let r = rule("5", "500", None);
        assert_eq!(check_recharge_amount(&r, d("50")), Ok(5000));
        assert_eq!(
            check_recharge_amount(&r, d("0")),
            Err(RechargeAmountError::NotPositive)
        );
        assert_eq!(
            check_recharge_amount(&r, d("-10")),
            Err(RechargeAmountError::NotPositive)
        );
        assert_eq!(
            check_recharge_amount(&r, d("10.001")),
            Err(RechargeAmountError::FractionOfCent)
        );
        assert_eq!(
            check_recharge_amount(&r, d("500.01"))
                .unwrap_err()
                .to_string(),
            "L'importo massimo di una ricarica è 500,00 €."
        );
        assert_eq!(
            check_recharge_amount(&r, d("4.99"))
                .unwrap_err()
                .to_string(),
            "L'importo minimo di una ricarica è 5,00 €."
        );
    }
}

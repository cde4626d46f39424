//! The end of a school year: balances carry over on their own (a prepaid account is the
//! family's, not the year's), but a family whose children have no enrolment in a
//! service next year and who has credit left on it chooses what happens to the credit —
//! keep it, move it to a sibling's service or have it refunded to an IBAN in their name —
//! within the comune's minimum refund and deadline; the office records the refund.
//!
//! In May the office may ask ahead the families of children leaving (the last class of
//! a school's order, no renewal): their choice is pre-filled with the refund, and what
//! they choose applies when the year is closed and the credit is known.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::format::{date, euro_cents};
use crate::money::{parse_cents, AmountError, Sign};
use crate::school_year::SchoolYear;
use crate::FieldError;

/// The highest minimum refund a comune may set.
pub const MAX_MINIMUM_REFUND_CENTS: i64 = 10_000;
/// The longest an IBAN is typed (with spaces).
pub const IBAN_MAX_CHARS: usize = 42;

text_enum! {
    /// What the family chose for the credit left.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum CreditChoice {
        /// The credit stays on the account for a later year.
        CarryOver = "carry_over" => "Mantenere il credito",
        /// The credit moves to the account of a sibling's service.
        Transfer = "transfer" => "Trasferire al servizio di un fratello o una sorella",
        /// The comune pays the credit back to an IBAN in the guardian's name.
        Refund = "refund" => "Rimborso sul conto corrente",
    }
}

text_enum! {
    /// Where a credit left at the end of a year stands.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum CreditStatus {
        /// The family has not chosen yet (or was asked ahead and has not answered).
        Awaiting = "awaiting" => "In attesa della scelta",
        /// The credit stays on the account.
        CarriedOver = "carried_over" => "Credito mantenuto",
        /// Chosen ahead of the closing: applied when the year is closed.
        Chosen = "chosen" => "Scelta registrata",
        /// Moved to the sibling's service.
        Transferred = "transferred" => "Trasferito",
        /// The family asked for the refund: the office pays it.
        RefundRequested = "refund_requested" => "Rimborso richiesto",
        /// The office recorded the refund.
        Refunded = "refunded" => "Rimborsato",
    }
}

impl CreditStatus {
    /// Whether the family may still choose (or change its choice): nothing has been moved
    /// or paid yet.
    pub fn open(self) -> bool {
        matches!(
            self,
            CreditStatus::Awaiting
                | CreditStatus::CarriedOver
                | CreditStatus::Chosen
                | CreditStatus::RefundRequested
        )
    }
}

/// What the office sets when it asks ahead or closes a year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearEndTerms {
    /// Euro: credits below it are not refunded (they stay or move to a sibling).
    #[cfg_attr(feature = "openapi", schema(example = "5.00", max_length = 32))]
    pub minimum_refund: String,
    /// The last day the families choose; later the credit simply stays on the account.
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub choice_deadline: Date,
}

impl YearEndTerms {
    /// The minimum refund in cents, with the deadline after `today`, or Italian errors per
    /// field.
    pub fn check(&self, today: Date) -> Result<i64, Vec<FieldError>> {
        let mut errors = Vec::new();
        let minimum = match parse_cents(
            &self.minimum_refund,
            Sign::Unsigned,
            MAX_MINIMUM_REFUND_CENTS,
        ) {
            Ok(cents) => Some(cents),
            Err(AmountError::TooLarge(_)) => {
                errors.push(FieldError::new(
                    "minimum_refund",
                    format!(
                        "Il rimborso minimo non può superare {}.",
                        euro_cents(MAX_MINIMUM_REFUND_CENTS)
                    ),
                ));
                None
            }
            Err(error) => {
                errors.push(FieldError::new("minimum_refund", error.to_string()));
                None
            }
        };
        if self.choice_deadline <= today {
            errors.push(FieldError::new(
                "choice_deadline",
                "Il termine per scegliere deve essere dopo oggi.",
            ));
        }
        match minimum {
            Some(cents) if errors.is_empty() => Ok(cents),
            _ => Err(errors),
        }
    }
}

/// The family's choice for a credit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditChoiceRequest {
    pub choice: CreditChoice,
    /// For a refund: the IBAN of an Italian account in the guardian's name.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(example = "IT60X0542811101000000123456", max_length = 42)
    )]
    pub iban: Option<String>,
    /// For a refund: the guardian confirms the account is in their name.
    #[serde(default)]
    pub holder_confirmed: bool,
    /// For a transfer: the service of the sibling's account (one of `transfer_targets`).
    #[serde(default)]
    pub target_service_id: Option<i64>,
}

/// What a family's choice is checked against.
pub struct ChoiceContext<'a> {
    pub today: Date,
    pub deadline: Date,
    pub minimum_refund_cents: i64,
    /// The credit, once the year is closed; `None` when asked ahead.
    pub credit_cents: Option<i64>,
    /// The services a transfer may go to.
    pub transfer_targets: &'a [i64],
}

/// Refused when a refund is asked for a credit below the minimum.
pub fn below_minimum(minimum_cents: i64) -> String {
    format!(
        "Il Comune rimborsa crediti da {} in su: puoi mantenere il credito o trasferirlo.",
        euro_cents(minimum_cents)
    )
}

impl CreditChoiceRequest {
    /// The IBAN without spaces and in capitals, for a refund; Italian errors per field
    /// otherwise. The deadline is the caller's (a conflict, not a field).
    pub fn check(&self, context: &ChoiceContext<'_>) -> Result<Option<String>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut iban = None;
        match self.choice {
            CreditChoice::CarryOver => {}
            CreditChoice::Transfer => match self.target_service_id {
                Some(id) if context.transfer_targets.contains(&id) => {}
                _ if context.transfer_targets.is_empty() => errors.push(FieldError::new(
                    "choice",
                    "Nessun fratello o sorella è iscritto a un altro servizio il prossimo anno: il credito può restare o essere rimborsato.",
                )),
                _ => errors.push(FieldError::new(
                    "target_service_id",
                    "Scegli il servizio a cui trasferire il credito.",
                )),
            },
            CreditChoice::Refund => {
                if context
                    .credit_cents
                    .is_some_and(|credit| credit < context.minimum_refund_cents)
                {
                    errors.push(FieldError::new(
                        "choice",
                        below_minimum(context.minimum_refund_cents),
                    ));
                }
                let typed = self.iban.as_deref().unwrap_or("").trim();
                if typed.is_empty() {
                    errors.push(FieldError::new(
                        "iban",
                        "Scrivi l'IBAN del conto su cui ricevere il rimborso.",
                    ));
                } else if typed.chars().count() > IBAN_MAX_CHARS {
                    errors.push(FieldError::new("iban", crate::forms::IBAN_MESSAGE));
                } else if let Err(message) = crate::forms::check_italian_iban(typed) {
                    errors.push(FieldError::new("iban", message));
                } else {
                    iban = Some(typed.replace(' ', "").to_uppercase());
                }
                if !self.holder_confirmed {
                    errors.push(FieldError::new(
                        "holder_confirmed",
                        "Conferma che il conto è intestato a te: il Comune rimborsa solo sul conto di chi ha pagato.",
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(iban)
        } else {
            Err(errors)
        }
    }
}

/// Refused when the family chooses after the deadline.
pub fn deadline_passed(deadline: Date) -> String {
    format!(
        "Il termine per scegliere era il {}: il credito resta sul conto. Per un rimborso scrivi all'ufficio scuola.",
        date(deadline)
    )
}

/// The IBAN as shown back: its country, check digits and last four characters.
pub fn masked_iban(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().collect();
    if chars.len() <= 8 {
        return iban.to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head} •••• {tail}")
}

/// A school year's closing, as the office reads it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearEndSummary {
    /// `2025/2026`.
    pub school_year: String,
    /// Euro, once set.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "23.40"))]
    pub minimum_refund: Option<Decimal>,
    pub choice_deadline: Option<Date>,
    /// When the families of the children leaving were asked ahead.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub asked_at: Option<time::OffsetDateTime>,
    /// When the year was closed.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<time::OffsetDateTime>,
    /// Credits per status: how many and how much (euro; what is known).
    pub statuses: Vec<StatusCount>,
    /// Before the closing: the accounts the closing would list, and their credit (euro).
    pub to_list: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "23.40"))]
    pub to_list_total: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: CreditStatus,
    pub count: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "23.40"))]
    pub total: Decimal,
}

/// A credit left at the end of a year, as the office lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeCredit {
    pub id: i64,
    pub guardian_id: i64,
    pub guardian: String,
    pub service: String,
    /// Euro, once the year is closed.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "23.40"))]
    pub credit: Option<Decimal>,
    pub status: CreditStatus,
    pub choice: Option<CreditChoice>,
    /// For a refund: the whole IBAN, for the payment order.
    pub iban: Option<String>,
    /// For a transfer: the service it goes (or went) to.
    pub target_service: Option<String>,
    /// Asked ahead in May.
    pub asked_ahead: bool,
}

/// A credit left at the end of a year, as the family reads it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyCredit {
    pub id: i64,
    /// `2025/2026`.
    pub school_year: String,
    pub service_id: i64,
    pub service: String,
    /// Euro, once the year is closed; before, the balance today.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "23.40"))]
    pub credit: Decimal,
    /// Whether `credit` is final (the year is closed).
    pub closed: bool,
    pub status: CreditStatus,
    pub choice: Option<CreditChoice>,
    /// The IBAN given, masked.
    pub iban: Option<String>,
    pub target_service_id: Option<i64>,
    pub choice_deadline: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "23.40"))]
    pub minimum_refund: Decimal,
    /// The sibling's services the credit may move to.
    pub transfer_targets: Vec<TransferTarget>,
    /// Asked ahead: the refund is pre-filled.
    pub asked_ahead: bool,
    /// Whether the family may still choose.
    pub open: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferTarget {
    pub service_id: i64,
    pub service: String,
    /// The children enrolled in it next year.
    pub children: String,
}

/// The school year the office closes, from its first calendar year in a path
/// (`2025` for 2025/2026), refused when it has not ended by `today`.
pub fn closable_year(start_year: i32, today: Date) -> Result<SchoolYear, String> {
    let current = SchoolYear::containing(today);
    if !(2000..=current.start_year()).contains(&start_year) {
        return Err(format!("Scegli un anno scolastico fino al {current}."));
    }
    Ok(SchoolYear::starting(start_year))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn context(credit: Option<i64>, targets: &[i64]) -> ChoiceContext<'_> {
        ChoiceContext {
            today: date!(2027 - 06 - 20),
            deadline: date!(2027 - 07 - 31),
            minimum_refund_cents: 500,
            credit_cents: credit,
            transfer_targets: targets,
        }
    }

    fn request(choice: CreditChoice) -> CreditChoiceRequest {
        CreditChoiceRequest {
            choice,
            iban: None,
            holder_confirmed: false,
            target_service_id: None,
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_refund_needs_an_italian_iban_in_the_guardians_name_and_the_minimum() {
        let refund = CreditChoiceRequest {
            iban: Some("it60 x054 2811 1010 0000 0123 456".into()),
            holder_confirmed: true,
            ..request(CreditChoice::Refund)
        };
        assert_eq!(
            refund.check(&context(Some(2340), &[])).unwrap().as_deref(),
            Some("IT60X0542811101000000123456")
        );
        let below = refund.check(&context(Some(499), &[])).unwrap_err();
        assert_eq!(below[0].message, below_minimum(500));
        assert_eq!(
            below[0].message,
            "Il Comune rimborsa crediti da 5,00 € in su: puoi mantenere il credito o trasferirlo."
        );
        // Asked ahead, the credit is not known yet: the minimum applies at the closing.
        assert!(refund.check(&context(None, &[])).is_ok());
        let bare = request(CreditChoice::Refund).check(&context(Some(2340), &[]));
        assert_eq!(fields(bare.unwrap_err()), ["iban", "holder_confirmed"]);
        let foreign = CreditChoiceRequest {
            iban: Some("DE89370400440532013000".into()),
            holder_confirmed: true,
            ..request(CreditChoice::Refund)
        };
        assert_eq!(
            fields(foreign.check(&context(Some(2340), &[])).unwrap_err()),
            ["iban"]
        );
    }

    #[test]
    fn a_transfer_goes_to_a_siblings_service() {
        let transfer = CreditChoiceRequest {
            target_service_id: Some(7),
            ..request(CreditChoice::Transfer)
        };
        assert!(transfer.check(&context(Some(100), &[7])).is_ok());
        assert_eq!(
            fields(transfer.check(&context(Some(100), &[8])).unwrap_err()),
            ["target_service_id"]
        );
        assert_eq!(
            fields(transfer.check(&context(Some(100), &[])).unwrap_err()),
            ["choice"]
        );
        assert!(request(CreditChoice::CarryOver)
            .check(&context(Some(100), &[]))
            .is_ok());
    }

    #[test]
    fn terms_need_a_deadline_after_today_and_a_bounded_minimum() {
        let today = date!(2027 - 06 - 20);
        let terms = YearEndTerms {
            minimum_refund: "5,00".into(),
            choice_deadline: date!(2027 - 07 - 31),
        };
        assert_eq!(terms.check(today), Ok(500));
        let late = YearEndTerms {
            minimum_refund: "500".into(),
            choice_deadline: today,
        };
        assert_eq!(
            fields(late.check(today).unwrap_err()),
            ["minimum_refund", "choice_deadline"]
        );
    }

    #[test]
    fn a_year_is_closed_once_it_has_begun() {
        let today = date!(2027 - 06 - 20);
        assert_eq!(closable_year(2026, today).unwrap().to_string(), "2026/2027");
        assert!(closable_year(2027, today).is_err());
    }

    #[test]
    fn an_iban_is_shown_masked() {
        assert_eq!(masked_iban("IT60X0542811101000000123456"), "IT60 •••• 3456");
    }
}

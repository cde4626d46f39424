//! Rette in one batch: a month's retta of every active enrolment of an emissions
//! service, each its band's monthly quota (pro rata of the days the service runs in the
//! month, when the service says so), previewed with count and total before issuing;
//! and the cancellation of an unpaid retta with the reason the family reads.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::dates::{parse_month, MONTH_MESSAGE};
use crate::format::month_year;
use crate::payments::MAX_REASON_CHARS;
use crate::FieldError;

/// The month of a batch (`2026-12`), held as its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RettaMonth(Date);

impl RettaMonth {
    /// `2026-12`, with the Italian message of a month field otherwise.
    pub fn parse(text: &str) -> Result<RettaMonth, &'static str> {
        let (year, month) = parse_month(text.trim())?;
        Date::from_calendar_date(year, month, 1)
            .map(RettaMonth)
            .map_err(|_| MONTH_MESSAGE)
    }

    pub fn first_day(self) -> Date {
        self.0
    }

    pub fn last_day(self) -> Date {
        self.0 + Duration::days(i64::from(self.days()) - 1)
    }

    /// How many days the month has.
    pub fn days(self) -> u8 {
        self.0.month().length(self.0.year())
    }

    /// `2026-12`: the month as the unique key of a batch's rette stores it.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.0.year(), u8::from(self.0.month()))
    }

    /// `Retta Dicembre 2026`: the title of every retta of the batch.
    pub fn title(self) -> String {
        format!("Retta {}", month_year(self.0.month(), self.0.year()))
    }
}

/// Which service and month a batch is for: what the preview is asked with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetteBatchQuery {
    /// An emissions service of the comune.
    pub service_id: i64,
    /// `AAAA-MM`.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 16, example = "2026-12", pattern = r"^[0-9]{4}-[0-9]{2}$")
    )]
    pub month: String,
}

/// Issue the rette of a service and month.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRetteBatch {
    pub service_id: i64,
    /// `AAAA-MM`.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 16, example = "2026-12", pattern = r"^[0-9]{4}-[0-9]{2}$")
    )]
    pub month: String,
    /// The due date of every retta: today or later.
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub due_date: Date,
    /// Made once per «Emetti» by the client (e.g. a UUID) and sent again on a retry; a
    /// retry issues nothing twice in any case (one retta per enrolment and month).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub request_id: String,
}

/// Longest month field as typed.
pub const MONTH_MAX_CHARS: usize = 16;

/// Refused when a due date is before today: a new retta, or a batch's.
pub const PAST_DUE_DATE: &str = "La scadenza non può essere una data passata.";

/// The due date of a new retta, refused on `field` when before `today`.
pub fn check_due_date(field: &str, due_date: Date, today: Date) -> Result<(), FieldError> {
    if due_date < today {
        return Err(FieldError::new(field, PAST_DUE_DATE));
    }
    Ok(())
}

/// The month of a batch, or its Italian error on `month`.
pub fn check_month(month: &str) -> Result<RettaMonth, FieldError> {
    RettaMonth::parse(month).map_err(|message| FieldError::new("month", message))
}

impl NewRetteBatch {
    /// The month, with the due date checked against `today` and the request id present,
    /// or Italian errors per field.
    pub fn check(&self, today: Date) -> Result<RettaMonth, Vec<FieldError>> {
        let mut errors = Vec::new();
        let month = check_month(&self.month).map_err(|e| errors.push(e)).ok();
        if let Err(error) = check_due_date("due_date", self.due_date, today) {
            errors.push(error);
        }
        if self.request_id.trim().is_empty() {
            errors.push(FieldError::new(
                "request_id",
                "Identificativo della richiesta mancante.",
            ));
        }
        match month {
            Some(month) if errors.is_empty() => Ok(month),
            _ => Err(errors),
        }
    }
}

text_enum! {
    /// Why an active enrolment gets no retta in a batch.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum SkipReason {
        /// Its quota is zero (an exempt band): nothing to pay.
        NoQuota = "no_quota" => "Quota pari a zero",
        /// The service does not run on any day of the month.
        OutsidePeriod = "outside_period" => "Il servizio non è attivo nel mese",
        /// Its retta of the month was issued before.
        AlreadyIssued = "already_issued" => "Retta del mese già emessa",
    }
}

/// What an enrolment owes for a month: the quota, and the days it pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthQuota {
    pub amount_cents: i64,
    /// Days of the month the service runs (all of them without pro rata).
    pub days: u8,
    pub month_days: u8,
}

impl MonthQuota {
    /// Whether the amount is a part of the quota.
    pub fn is_part(self) -> bool {
        self.days < self.month_days
    }
}

/// The retta of one enrolment for `month`: its monthly quota, or with `pro_rata` the
/// quota times the days of the month inside the service's `period` (first and last day,
/// both included) over the days of the month, rounded to the cent (half up). No retta
/// for a zero quota or a month the service does not run in.
pub fn month_quota(
    quota_cents: i64,
    pro_rata: bool,
    month: RettaMonth,
    period: (Date, Date),
) -> Result<MonthQuota, SkipReason> {
    if quota_cents <= 0 {
        return Err(SkipReason::NoQuota);
    }
    let first = month.first_day().max(period.0);
    let last = month.last_day().min(period.1);
    if first > last {
        return Err(SkipReason::OutsidePeriod);
    }
    let month_days = month.days();
    if !pro_rata {
        return Ok(MonthQuota {
            amount_cents: quota_cents,
            days: month_days,
            month_days,
        });
    }
    let days = (last - first).whole_days() as u8 + 1;
    let (covered, all) = (i128::from(days), i128::from(month_days));
    let amount = (i128::from(quota_cents) * covered * 2 + all) / (all * 2);
    match i64::try_from(amount) {
        Ok(amount_cents) if amount_cents > 0 => Ok(MonthQuota {
            amount_cents,
            days,
            month_days,
        }),
        _ => Err(SkipReason::NoQuota),
    }
}

/// A retta the batch issues (or would): one enrolment's.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetteBatchLine {
    pub enrolment_id: i64,
    pub child_name: String,
    pub guardian_name: String,
    pub fee_band: String,
    /// The band's monthly quota.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "30.00"))]
    pub quota: Decimal,
    /// What the retta asks: the quota, or its part for the days the service runs.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "16.00"))]
    pub amount: Decimal,
    /// Days of the month paid for, of `month_days`.
    pub days: u8,
    pub month_days: u8,
}

/// An active enrolment the batch leaves out, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkippedEnrolment {
    pub enrolment_id: i64,
    pub child_name: String,
    pub guardian_name: String,
    pub fee_band: String,
    pub reason: SkipReason,
}

/// What issuing the batch would do now.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetteBatchPreview {
    pub service_name: String,
    /// The title of each retta: `Retta Dicembre 2026`.
    pub title: String,
    /// Whether the service charges part of the quota for part of a month.
    pub pro_rata: bool,
    /// Rette to issue.
    pub count: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1250.00"))]
    pub total: Decimal,
    pub lines: Vec<RetteBatchLine>,
    pub skipped: Vec<SkippedEnrolment>,
}

/// What issuing did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetteBatchIssued {
    pub title: String,
    /// Rette issued now, each with its pagoPA notice.
    pub issued: u64,
    /// Their total.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1250.00"))]
    pub total: Decimal,
    /// Rette of the month issued before: not issued again.
    pub already_issued: u64,
    /// Enrolments with nothing to pay (zero quota, or the service not running).
    pub not_due: u64,
}

/// Cancel an unpaid retta: the family reads the reason on it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmissionCancellation {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub reason: String,
}

impl EmissionCancellation {
    /// The reason as stored, or its Italian error.
    pub fn check(&self) -> Result<String, FieldError> {
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err(FieldError::new(
                "reason",
                "Scrivi il motivo dell'annullamento: la famiglia lo leggerà sulla retta.",
            ));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(FieldError::new(
                "reason",
                format!("Il motivo può contenere al massimo {MAX_REASON_CHARS} caratteri."),
            ));
        }
        Ok(reason.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn december() -> RettaMonth {
        RettaMonth::parse("2026-12").unwrap()
    }

    const SCHOOL_YEAR: (Date, Date) = (date!(2026 - 09 - 01), date!(2027 - 06 - 30));

    #[test]
    fn a_month_names_its_days_key_and_title() {
        let month = december();
        assert_eq!(month.days(), 31);
        assert_eq!(month.first_day(), date!(2026 - 12 - 01));
        assert_eq!(month.last_day(), date!(2026 - 12 - 31));
        assert_eq!(month.key(), "2026-12");
        assert_eq!(month.title(), "Retta Dicembre 2026");
        assert_eq!(RettaMonth::parse("2028-02").unwrap().days(), 29);
        assert!(RettaMonth::parse("2026-13").is_err());
        assert!(RettaMonth::parse("dicembre").is_err());
    }

    #[test]
    fn a_whole_month_pays_the_whole_quota_with_or_without_pro_rata() {
        for pro_rata in [false, true] {
            let quota = month_quota(3000, pro_rata, december(), SCHOOL_YEAR).unwrap();
            assert_eq!(quota.amount_cents, 3000);
            assert!(!quota.is_part());
        }
    }

    #[test]
    fn pro_rata_pays_the_days_the_service_runs_rounded_to_the_cent() {
        let september = RettaMonth::parse("2026-09").unwrap();
        let period = (date!(2026 - 09 - 15), date!(2027 - 06 - 09));
        let part = month_quota(3000, true, september, period).unwrap();
        assert_eq!((part.days, part.month_days), (16, 30));
        assert_eq!(part.amount_cents, 1600);
        assert!(part.is_part());
        // 25,00 € × 9/30 = 7,50 €; 33,33 € × 9/30 = 9,999 € → 10,00 €.
        let june = RettaMonth::parse("2027-06").unwrap();
        assert_eq!(
            month_quota(2500, true, june, period).unwrap().amount_cents,
            750
        );
        assert_eq!(
            month_quota(3333, true, june, period).unwrap().amount_cents,
            1000
        );
        // 10,00 € × 1/31 = 0,3225… → 0,32 €.
        let one_day = (date!(2026 - 12 - 31), date!(2027 - 06 - 30));
        assert_eq!(
            month_quota(1000, true, december(), one_day)
                .unwrap()
                .amount_cents,
            32
        );
        // Without pro rata the part month pays the whole quota.
        let whole = month_quota(3000, false, september, period).unwrap();
        assert_eq!((whole.amount_cents, whole.days), (3000, 30));
    }

    #[test]
    fn no_retta_for_a_zero_quota_or_a_month_without_service() {
        assert_eq!(
            month_quota(0, true, december(), SCHOOL_YEAR),
            Err(SkipReason::NoQuota)
        );
        let july = RettaMonth::parse("2027-07").unwrap();
        for pro_rata in [false, true] {
            assert_eq!(
                month_quota(3000, pro_rata, july, SCHOOL_YEAR),
                Err(SkipReason::OutsidePeriod)
            );
        }
        let one_day = (date!(2026 - 12 - 31), date!(2027 - 06 - 30));
        assert_eq!(
            month_quota(1, true, december(), one_day),
            Err(SkipReason::NoQuota)
        );
    }

    fn batch(month: &str, due_date: Date, request_id: &str) -> NewRetteBatch {
        NewRetteBatch {
            service_id: 2,
            month: month.into(),
            due_date,
            request_id: request_id.into(),
        }
    }

    #[test]
    fn a_batch_needs_a_month_a_due_date_not_past_and_a_request_id() {
        let today = date!(2026 - 12 - 01);
        assert_eq!(
            batch("2026-12", date!(2026 - 12 - 01), "r1").check(today),
            Ok(december())
        );
        let errors = batch("12/2026", date!(2026 - 11 - 30), " ")
            .check(today)
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["month", "due_date", "request_id"]);
        assert_eq!(errors[1].message, PAST_DUE_DATE);
    }

    #[test]
    fn a_cancellation_needs_a_reason_the_family_can_read() {
        let cancel = |reason: &str| {
            EmissionCancellation {
                reason: reason.into(),
            }
            .check()
        };
        assert_eq!(
            cancel("  Iscrizione ritirata a novembre "),
            Ok("Iscrizione ritirata a novembre".into())
        );
        assert_eq!(
            cancel(" ").unwrap_err().message,
            "Scrivi il motivo dell'annullamento: la famiglia lo leggerà sulla retta."
        );
        assert_eq!(
            cancel(&"è".repeat(201)).unwrap_err().message,
            "Il motivo può contenere al massimo 200 caratteri."
        );
    }
}

//! Meal bookings: the school calendar, the states of a day, and the cutoff rule deciding
//! whether a family may still change a day. The SPA uses these functions to show which
//! days are editable; the API enforces the very same ones.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

use crate::entes::{CutoffRule, EnteSettings};
use crate::format;
use crate::holidays::national_holidays_between;
use crate::problem::FieldError;
use crate::rome;
use crate::school_year::SchoolYear;
use crate::Weekdays;

text_enum! {
    /// What a child does on a school day. `Present` is the default and needs no record.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum MealChoice {
        /// Presente: the base meal (or the child's diet).
        Present = "present" => "Presente",
        /// Assente: meal cancelled (disdetta).
        Absent = "absent" => "Assente",
        /// Pasto bianco, for a child feeling unwell.
        BlankMeal = "blank_meal" => "Pasto bianco",
        /// P.Pers: personal meal.
        PersonalMeal = "personal_meal" => "P.Pers",
    }
}

impl MealChoice {
    /// Whether the family eats a meal that is charged.
    pub fn eats(self) -> bool {
        !matches!(self, MealChoice::Absent)
    }

    /// Whether the ente lets families choose this.
    pub fn allowed_by(self, settings: &EnteSettings) -> bool {
        match self {
            MealChoice::Present | MealChoice::Absent => true,
            MealChoice::BlankMeal => settings.blank_meal_enabled,
            MealChoice::PersonalMeal => settings.personal_meal_enabled,
        }
    }
}

/// The days a service runs: its period, the weekdays the canteen serves, and closures
/// (holidays, festivi) set by operators.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolCalendar {
    pub first_day: Date,
    pub last_day: Date,
    /// ISO weekdays (1 = Monday … 7 = Sunday) the canteen serves.
    pub serving_weekdays: Vec<u8>,
    /// Days without service inside the period.
    pub closures: Vec<Date>,
}

impl SchoolCalendar {
    /// The calendar of a period with the closures operators set; the national holidays
    /// inside the period are closed too, whether or not an operator set them.
    pub fn new(
        first_day: Date,
        last_day: Date,
        serving_weekdays: Vec<u8>,
        mut closures: Vec<Date>,
    ) -> SchoolCalendar {
        closures.extend(
            national_holidays_between(first_day, last_day)
                .into_iter()
                .map(|(day, _)| day),
        );
        closures.sort_unstable();
        closures.dedup();
        SchoolCalendar {
            first_day,
            last_day,
            serving_weekdays,
            closures,
        }
    }

    pub fn is_school_day(&self, day: Date) -> bool {
        day >= self.first_day
            && day <= self.last_day
            && self
                .serving_weekdays
                .contains(&day.weekday().number_from_monday())
            && !self.closures.contains(&day)
    }

    /// The school day before `day`, if any within the period.
    pub fn previous_school_day(&self, day: Date) -> Option<Date> {
        let mut d = day.previous_day()?;
        while d >= self.first_day {
            if self.is_school_day(d) {
                return Some(d);
            }
            d = d.previous_day()?;
        }
        None
    }
}

/// The ente's rule for changing bookings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutoffPolicy {
    pub time: Time,
    pub rule: CutoffRule,
    /// ISO weekdays whose meals families may change (Mozzecane: 2..=5).
    pub bookable_weekdays: Vec<u8>,
}

impl CutoffPolicy {
    /// From the ente's public settings; `None` when the cutoff time is not `HH:MM`.
    pub fn from_settings(settings: &EnteSettings) -> Option<CutoffPolicy> {
        Some(CutoffPolicy {
            time: crate::entes::parse_cutoff_time(&settings.booking_cutoff_time)?,
            rule: settings.booking_cutoff_rule,
            bookable_weekdays: settings.bookable_weekdays.clone(),
        })
    }

    /// "La modifica del pasto può essere effettuata entro le ore 15:00 del giorno stesso.",
    /// naming the weekdays too when some school weekday cannot be changed: "… entro le
    /// ore 09:30 del giorno stesso, dal martedì al venerdì."
    pub fn message(&self) -> String {
        let when = match self.rule {
            CutoffRule::SameDay => "del giorno stesso",
            CutoffRule::PreviousSchoolDay => "del giorno di servizio precedente",
        };
        let weekdays = if (1..=5).all(|d| self.bookable_weekdays.contains(&d)) {
            String::new()
        } else {
            format!(", {}", weekdays_text(&self.bookable_weekdays))
        };
        format!(
            "La modifica del pasto può essere effettuata entro le ore {} {when}{weekdays}.",
            format::hour_minute(self.time)
        )
    }

    /// The school days from `from` to `to` that may be changed at `now`, and those that
    /// may not, each with its reason. Days without service in between are neither.
    pub fn split_range(
        &self,
        calendar: &SchoolCalendar,
        from: Date,
        to: Date,
        now: OffsetDateTime,
    ) -> (Vec<Date>, Vec<SkippedDay>) {
        let mut applied = Vec::new();
        let mut skipped = Vec::new();
        let mut day = from;
        while day <= to {
            if calendar.is_school_day(day) {
                match self.check(calendar, day, now) {
                    Ok(()) => applied.push(day),
                    Err(refusal) => skipped.push(SkippedDay {
                        date: day,
                        reason: refusal.to_string(),
                    }),
                }
            }
            match day.next_day() {
                Some(next) => day = next,
                None => break,
            }
        }
        (applied, skipped)
    }

    /// The last instant (UTC) at which the meal of `day` may be changed.
    pub fn deadline(&self, calendar: &SchoolCalendar, day: Date) -> OffsetDateTime {
        let anchor = match self.rule {
            CutoffRule::SameDay => day,
            CutoffRule::PreviousSchoolDay => calendar
                .previous_school_day(day)
                .or_else(|| day.previous_day())
                .unwrap_or(day),
        };
        rome::to_utc(PrimitiveDateTime::new(anchor, self.time))
    }

    /// Whether a family may change the meal of `day` at `now`, or why not (Italian).
    pub fn check(
        &self,
        calendar: &SchoolCalendar,
        day: Date,
        now: OffsetDateTime,
    ) -> Result<(), BookingRefusal> {
        if !calendar.is_school_day(day) {
            return Err(BookingRefusal::NotASchoolDay(day));
        }
        if day < rome::today(now) {
            return Err(BookingRefusal::Past(day));
        }
        if !self
            .bookable_weekdays
            .contains(&day.weekday().number_from_monday())
        {
            return Err(BookingRefusal::WeekdayNotBookable(weekdays_text(
                &self.bookable_weekdays,
            )));
        }
        if now > self.deadline(calendar, day) {
            return Err(BookingRefusal::AfterCutoff(self.message()));
        }
        Ok(())
    }
}

/// Why a day cannot be changed; `Display` is the Italian message for the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingRefusal {
    NotASchoolDay(Date),
    Past(Date),
    WeekdayNotBookable(String),
    AfterCutoff(String),
    /// The child has no card of the service for the school year of the day.
    NotEnrolled(SchoolYear),
}

impl std::fmt::Display for BookingRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BookingRefusal::NotASchoolDay(day) => write!(
                f,
                "Il {} il servizio mensa non è attivo (festivo o chiusura).",
                format::date(*day)
            ),
            BookingRefusal::Past(day) => write!(
                f,
                "Il {} è già passato: il pasto non può più essere modificato.",
                format::date(*day)
            ),
            BookingRefusal::WeekdayNotBookable(days) => {
                write!(f, "Il pasto può essere modificato solo {days}.")
            }
            BookingRefusal::AfterCutoff(message) => f.write_str(message),
            BookingRefusal::NotEnrolled(year) => write!(
                f,
                "Per l'anno scolastico {year} non c'è l'iscrizione al servizio: il pasto non può essere prenotato."
            ),
        }
    }
}

/// The name of weekday `n`, 1 (Monday) to 7 (Sunday).
fn weekday_name(n: u8) -> &'static str {
    format::weekday_name(Weekday::Sunday.nth_next(n))
}

/// "dal martedì al venerdì" for a contiguous range, else "il lunedì, il mercoledì".
fn weekdays_text(days: &[u8]) -> String {
    let mut sorted = days.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    match sorted.as_slice() {
        [] => "in nessun giorno".into(),
        [one] => format!("il {}", weekday_name(*one)),
        [first, .., last] if (*last - *first) as usize + 1 == sorted.len() => {
            format!("dal {} al {}", weekday_name(*first), weekday_name(*last))
        }
        many => many
            .iter()
            .map(|d| format!("il {}", weekday_name(*d)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// One day of the month calendar of a child.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarDay {
    pub date: Date,
    /// Whether the canteen serves that day (false: weekend, holiday, outside the period).
    pub school_day: bool,
    /// The family's choice on a school day (`present` when nothing was changed).
    pub choice: Option<MealChoice>,
    /// Whether the family may still change it now.
    pub editable: bool,
    /// Why it cannot be changed, in Italian (school days only).
    pub locked_reason: Option<String>,
    /// Why the canteen is closed that day ("Sciopero del personale mensa", "Natale"):
    /// a closure set by the comune or a national holiday.
    pub closure: Option<String>,
}

/// A month of a child's bookings for one service.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthCalendar {
    pub child_id: i64,
    pub child_name: String,
    pub service_id: i64,
    pub service_name: String,
    pub calendar: SchoolCalendar,
    /// "La modifica del pasto può essere effettuata entro le ore …".
    pub cutoff_message: String,
    /// Choices the ente offers families.
    pub choices: Vec<MealChoice>,
    pub days: Vec<CalendarDay>,
}

/// Change the meal of one day.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingChange {
    pub service_id: i64,
    pub choice: MealChoice,
}

/// Change every school day from `from` to `to` (e.g. absent for a week of illness).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingRange {
    pub service_id: i64,
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub from: Date,
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub to: Date,
    pub choice: MealChoice,
}

/// At most this many days in one range change.
pub const MAX_RANGE_DAYS: i64 = 62;

impl BookingRange {
    /// Italian errors per field, empty when the range is acceptable. The SPA shows them
    /// as the family types; the API refuses a request that has any.
    pub fn problems(&self) -> Vec<FieldError> {
        if self.to < self.from {
            vec![FieldError::new(
                "to",
                "La data finale non può precedere quella iniziale.",
            )]
        } else if (self.to - self.from).whole_days() >= MAX_RANGE_DAYS {
            vec![FieldError::new(
                "to",
                format!("Si possono modificare al massimo {MAX_RANGE_DAYS} giorni alla volta."),
            )]
        } else {
            Vec::new()
        }
    }
}

/// What a booking change did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingResult {
    pub choice: MealChoice,
    /// The school days changed.
    pub days: Vec<Date>,
    /// School days of the range left as they were, because they can no longer be changed.
    pub skipped: Vec<SkippedDay>,
}

/// A school day of a range that was not changed, and why (Italian).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkippedDay {
    pub date: Date,
    /// "Il pasto può essere modificato solo dal martedì al venerdì."
    pub reason: String,
}

impl SkippedDay {
    /// "Lunedì 30/11/2026: il pasto può essere modificato solo dal martedì al venerdì."
    pub fn text(&self) -> String {
        let mut reason = self.reason.chars();
        let reason = match reason.next() {
            Some(first) => first.to_lowercase().chain(reason).collect::<String>(),
            None => String::new(),
        };
        format!("{}: {reason}", format::long_date_capitalised(self.date))
    }
}

/// A child expected (or not) at the canteen on a day, for staff taking attendance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceRow {
    pub child_id: i64,
    pub child_name: String,
    pub school: String,
    pub class_name: String,
    /// Tipologia pasto / dieta.
    pub meal_type: String,
    /// What the family booked.
    pub booked: MealChoice,
    /// Whether the child eats: what staff recorded, else what the family booked.
    pub present: bool,
    /// Whether staff recorded it (overriding the booking).
    pub recorded: bool,
}

/// Staff mark a child present or absent on a day.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceMark {
    pub service_id: i64,
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub day: Date,
    pub present: bool,
}

/// Charge the meals of a closed day.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChargeRequest {
    pub service_id: i64,
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub day: Date,
}

/// What charging a day did. Running it again charges nothing more.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChargeReport {
    pub service_id: i64,
    pub day: Date,
    /// Meals debited by this run.
    pub charged: u64,
    /// Meals that had been debited before (an earlier run or another server).
    pub already_charged: u64,
    /// Children who did not eat.
    pub absent: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "250.00"))]
    pub amount: rust_decimal::Decimal,
}

/// Meals of a day for the kitchen, per school, class and meal type.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KitchenCount {
    pub school: String,
    pub class_name: String,
    pub meal_type: String,
    pub meals: u64,
}

/// Days without service inside the period (a break, a strike), set by operators as one
/// range and removed as one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Closure {
    pub id: i64,
    /// First closed day of the range.
    pub from: Date,
    /// Last closed day of the range (equal to `from` for one day).
    pub to: Date,
    /// "Vacanze di Natale", "Sciopero del personale mensa".
    pub description: String,
}

/// A national holiday inside the service period: always closed, with its name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holiday {
    pub day: Date,
    /// "Lunedì dell'Angelo", "Immacolata Concezione".
    pub name: String,
}

/// What adding a closure did: the calendar, and the meals already charged for its days
/// that were credited back (one "Storno pasto" movement each).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosureAdded {
    pub calendar: ServiceCalendar,
    /// Meals credited back by this request (none when they had been already).
    pub reversed_meals: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "12.60"))]
    pub reversed_amount: rust_decimal::Decimal,
}

/// A service's school calendar as operators manage it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceCalendar {
    pub service_id: i64,
    pub service_name: String,
    pub first_day: Date,
    pub last_day: Date,
    /// ISO weekdays (1 = Monday … 7 = Sunday) the canteen serves.
    pub serving_weekdays: Vec<u8>,
    /// Whether an operator set it (otherwise the school year, Monday to Friday).
    pub configured: bool,
    /// Closures set by operators, as the ranges they were added as, in date order.
    pub closures: Vec<Closure>,
    /// National holidays inside the period, closed without an operator's closure.
    pub national_holidays: Vec<Holiday>,
}

/// The service period and the weekdays the canteen serves.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarSettings {
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub first_day: Date,
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub last_day: Date,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 7))]
    pub serving_weekdays: Vec<u8>,
}

/// Longest service period an operator may set, in days (a school year and some).
pub const MAX_PERIOD_DAYS: i64 = 366;
/// Longest closure an operator may add at once, in days (the summer break fits).
pub const MAX_CLOSURE_DAYS: i64 = 120;
/// Longest description of a closure, in characters.
pub const MAX_CLOSURE_DESCRIPTION_CHARS: usize = 120;

impl CalendarSettings {
    /// Italian errors per field, empty when the settings are acceptable. The SPA shows
    /// them as the operator types; the API refuses a request that has any.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.last_day < self.first_day {
            errors.push(FieldError::new(
                "last_day",
                "La data di fine non può precedere quella di inizio.",
            ));
        } else if (self.last_day - self.first_day).whole_days() >= MAX_PERIOD_DAYS {
            errors.push(FieldError::new(
                "last_day",
                "Il periodo di servizio non può superare un anno.",
            ));
        }
        if self.serving_weekdays.is_empty() {
            errors.push(FieldError::new(
                "serving_weekdays",
                "Scegli almeno un giorno della settimana in cui la mensa è attiva.",
            ));
        } else if Weekdays::from_iso(&self.serving_weekdays).is_none() {
            errors.push(FieldError::new(
                "serving_weekdays",
                "I giorni della settimana vanno da 1 (lunedì) a 7 (domenica).",
            ));
        }
        errors
    }
}

impl NewClosure {
    /// Italian errors per field, empty when the closure is acceptable.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.to < self.from {
            errors.push(FieldError::new(
                "to",
                "La data finale non può precedere quella iniziale.",
            ));
        } else if (self.to - self.from).whole_days() >= MAX_CLOSURE_DAYS {
            errors.push(FieldError::new(
                "to",
                format!("Una chiusura può durare al massimo {MAX_CLOSURE_DAYS} giorni."),
            ));
        }
        let description = self.description.trim();
        if description.is_empty() {
            errors.push(FieldError::new(
                "description",
                "Scrivi il motivo della chiusura, ad esempio «Vacanze di Natale».",
            ));
        } else if description.chars().count() > MAX_CLOSURE_DESCRIPTION_CHARS {
            errors.push(FieldError::new(
                "description",
                format!(
                    "La descrizione può contenere al massimo {MAX_CLOSURE_DESCRIPTION_CHARS} caratteri."
                ),
            ));
        }
        errors
    }
}

/// Close the canteen on every day from `from` to `to` (one day when equal).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewClosure {
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub from: Date,
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub to: Date,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    fn calendar() -> SchoolCalendar {
        SchoolCalendar {
            first_day: date!(2023 - 09 - 08),
            last_day: date!(2024 - 06 - 07),
            serving_weekdays: vec![1, 2, 3, 4, 5],
            closures: vec![date!(2023 - 11 - 01), date!(2024 - 03 - 29)],
        }
    }

    #[test]
    fn a_range_ends_after_it_starts_and_spans_at_most_62_days() {
        let range = |from, to| BookingRange {
            service_id: 1,
            from,
            to,
            choice: MealChoice::Absent,
        };
        assert!(range(date!(2026 - 11 - 25), date!(2026 - 11 - 27))
            .problems()
            .is_empty());
        let backwards = range(date!(2026 - 11 - 27), date!(2026 - 11 - 25)).problems();
        assert_eq!(
            backwards[0].message,
            "La data finale non può precedere quella iniziale."
        );
        let too_long = range(date!(2026 - 11 - 01), date!(2027 - 01 - 02)).problems();
        assert_eq!(too_long[0].field, "to");
    }

    fn mozzecane() -> CutoffPolicy {
        CutoffPolicy {
            time: time!(9:30),
            rule: CutoffRule::SameDay,
            bookable_weekdays: vec![2, 3, 4, 5],
        }
    }

    fn previous_day_15() -> CutoffPolicy {
        CutoffPolicy {
            time: time!(15:00),
            rule: CutoffRule::PreviousSchoolDay,
            bookable_weekdays: vec![1, 2, 3, 4, 5],
        }
    }

    #[test]
    fn same_day_cutoff_in_winter_and_summer_time() {
        let p = mozzecane();
        let c = calendar();
        // Wednesday 15/11/2023, winter time: 09:30 in Rome is 08:30 UTC.
        let day = date!(2023 - 11 - 15);
        assert_eq!(p.check(&c, day, datetime!(2023-11-15 08:29 UTC)), Ok(()));
        let late = p
            .check(&c, day, datetime!(2023-11-15 08:31 UTC))
            .unwrap_err();
        assert_eq!(
            late.to_string(),
            "La modifica del pasto può essere effettuata entro le ore 09:30 del giorno stesso, dal martedì al venerdì."
        );
        // Wednesday 20/09/2023, summer time: 09:30 in Rome is 07:30 UTC.
        let day = date!(2023 - 09 - 20);
        assert_eq!(p.check(&c, day, datetime!(2023-09-20 07:29 UTC)), Ok(()));
        assert!(p.check(&c, day, datetime!(2023-09-20 07:31 UTC)).is_err());
    }

    #[test]
    fn cutoff_right_after_the_dst_changes() {
        let c = SchoolCalendar {
            first_day: date!(2024 - 01 - 08),
            last_day: date!(2024 - 12 - 20),
            serving_weekdays: vec![1, 2, 3, 4, 5],
            closures: vec![],
        };
        let p = CutoffPolicy {
            bookable_weekdays: vec![1, 2, 3, 4, 5],
            ..mozzecane()
        };
        // Monday 01/04/2024, the first school day in summer time (clocks moved 31/03).
        assert_eq!(
            p.deadline(&c, date!(2024 - 04 - 01)),
            datetime!(2024-04-01 07:30 UTC)
        );
        // Monday 28/10/2024, the first school day back in winter time (clocks moved 27/10).
        assert_eq!(
            p.deadline(&c, date!(2024 - 10 - 28)),
            datetime!(2024-10-28 08:30 UTC)
        );
    }

    #[test]
    fn previous_school_day_rule_skips_weekends_and_holidays() {
        let p = previous_day_15();
        let c = calendar();
        // Monday 13/11/2023: the previous school day is Friday 10/11, 15:00 (14:00 UTC).
        assert_eq!(
            p.deadline(&c, date!(2023 - 11 - 13)),
            datetime!(2023-11-10 14:00 UTC)
        );
        assert_eq!(
            p.check(&c, date!(2023 - 11 - 13), datetime!(2023-11-10 13:59 UTC)),
            Ok(())
        );
        let refused = p
            .check(&c, date!(2023 - 11 - 13), datetime!(2023-11-11 09:00 UTC))
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "La modifica del pasto può essere effettuata entro le ore 15:00 del giorno di servizio precedente."
        );
        // Thursday 02/11/2023 follows the 01/11 holiday: the deadline is Tuesday 31/10.
        assert_eq!(
            p.deadline(&c, date!(2023 - 11 - 02)),
            datetime!(2023-10-31 14:00 UTC)
        );
    }

    #[test]
    fn weekends_holidays_and_days_outside_the_period_are_not_bookable() {
        let p = previous_day_15();
        let c = calendar();
        let early = datetime!(2023-09-01 06:00 UTC);
        for day in [
            date!(2023 - 11 - 11),
            date!(2023 - 11 - 12),
            date!(2023 - 11 - 01),
            date!(2024 - 06 - 10),
            date!(2023 - 09 - 07),
        ] {
            let refused = p.check(&c, day, early).unwrap_err();
            assert!(
                matches!(refused, BookingRefusal::NotASchoolDay(_)),
                "{day}: {refused}"
            );
            assert!(refused.to_string().contains("non è attivo"));
        }
    }

    #[test]
    fn mozzecane_only_tuesday_to_friday() {
        let p = mozzecane();
        let c = calendar();
        let monday = date!(2023 - 11 - 13);
        let refused = p
            .check(&c, monday, datetime!(2023-11-01 06:00 UTC))
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Il pasto può essere modificato solo dal martedì al venerdì."
        );
        assert_eq!(
            p.check(&c, date!(2023 - 11 - 14), datetime!(2023-11-01 06:00 UTC)),
            Ok(())
        );
    }

    #[test]
    fn past_days_are_locked() {
        let p = previous_day_15();
        let c = calendar();
        let refused = p
            .check(&c, date!(2023 - 11 - 13), datetime!(2023-11-20 06:00 UTC))
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Il 13/11/2023 è già passato: il pasto non può più essere modificato."
        );
    }

    #[test]
    fn mozzecane_message_names_the_tuesday_to_friday_rule() {
        assert_eq!(
            mozzecane().message(),
            "La modifica del pasto può essere effettuata entro le ore 09:30 del giorno stesso, dal martedì al venerdì."
        );
        assert_eq!(
            previous_day_15().message(),
            "La modifica del pasto può essere effettuata entro le ore 15:00 del giorno di servizio precedente."
        );
    }

    #[test]
    fn a_range_applies_to_the_days_that_can_change_and_lists_the_others() {
        let p = mozzecane();
        let c = calendar();
        // Tuesday 14/11/2023 at 10:00 in Rome: past the cutoff of that day.
        let now = datetime!(2023-11-14 09:00 UTC);
        let (applied, skipped) =
            p.split_range(&c, date!(2023 - 11 - 13), date!(2023 - 11 - 19), now);
        assert_eq!(
            applied,
            [
                date!(2023 - 11 - 15),
                date!(2023 - 11 - 16),
                date!(2023 - 11 - 17)
            ]
        );
        let texts: Vec<String> = skipped.iter().map(SkippedDay::text).collect();
        assert_eq!(
            texts,
            [
                "Lunedì 13/11/2023: il 13/11/2023 è già passato: il pasto non può più essere modificato.",
                "Martedì 14/11/2023: la modifica del pasto può essere effettuata entro le ore 09:30 del giorno stesso, dal martedì al venerdì.",
            ]
        );
        // A Monday still to come is skipped for its weekday.
        let (_, skipped) = p.split_range(&c, date!(2023 - 11 - 20), date!(2023 - 11 - 24), now);
        assert_eq!(skipped.len(), 1);
        assert_eq!(
            skipped[0].reason,
            "Il pasto può essere modificato solo dal martedì al venerdì."
        );
    }

    #[test]
    fn national_holidays_close_every_calendar() {
        let c = SchoolCalendar::new(
            date!(2026 - 09 - 14),
            date!(2027 - 06 - 08),
            vec![1, 2, 3, 4, 5],
            vec![date!(2026 - 11 - 26), date!(2026 - 12 - 08)],
        );
        assert!(!c.is_school_day(date!(2027 - 03 - 29)), "Easter Monday");
        assert!(!c.is_school_day(date!(2026 - 11 - 26)), "a closure");
        assert!(c.is_school_day(date!(2027 - 03 - 30)));
        assert_eq!(
            c.closures
                .iter()
                .filter(|d| **d == date!(2026 - 12 - 08))
                .count(),
            1
        );
    }

    #[test]
    fn policy_from_settings_and_weekday_texts() {
        assert_eq!(weekdays_text(&[1, 3]), "il lunedì, il mercoledì");
        assert_eq!(weekdays_text(&[5, 4, 3, 2, 1]), "dal lunedì al venerdì");
        assert!(MealChoice::parse("absent").is_some_and(|c| !c.eats()));
    }
}

//! Solleciti: the reminders a comune sends to families with a debt — a prepaid account
//! negative for some days, a retta unpaid some days after its due date. The comune's
//! schedule says after how many days each step goes ([`check_steps`]); which step a debt
//! is due for on a day is [`due_step`]. The server sends each step of a debt once.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::FieldError;

/// The steps of a comune that has not chosen its own: a week, then three.
pub const DEFAULT_STEPS: [i32; 2] = [7, 21];
/// Most steps a schedule may have.
pub const MAX_STEPS: usize = 5;
/// Longest wait of a step, in days.
pub const MAX_STEP_DAYS: i32 = 365;

text_enum! {
    /// What a reminder is about.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum DebtKind {
        /// A prepaid account below zero.
        NegativeBalance = "negative_balance" => "Conto negativo",
        /// A retta (emission) not paid by its due date.
        OverdueEmission = "overdue_emission" => "Retta scaduta",
    }
}

/// The comune's schedule of reminders.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReminderSchedule {
    /// Whether reminders are sent at all.
    pub enabled: bool,
    /// After how many days of debt each step goes, ascending: `[7, 21]`.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 5))]
    pub steps: Vec<i32>,
}

impl Default for ReminderSchedule {
    /// Off, with the default steps ready to be turned on.
    fn default() -> Self {
        ReminderSchedule {
            enabled: false,
            steps: DEFAULT_STEPS.to_vec(),
        }
    }
}

impl ReminderSchedule {
    /// Italian errors on `steps`, empty when the schedule is acceptable.
    pub fn problems(&self) -> Vec<FieldError> {
        check_steps(&self.steps).err().into_iter().collect()
    }
}

/// The one rule of a schedule's steps: one to [`MAX_STEPS`] steps, each of 1 to
/// [`MAX_STEP_DAYS`] days, strictly ascending.
pub fn check_steps(steps: &[i32]) -> Result<(), FieldError> {
    let refuse = |message: String| Err(FieldError::new("steps", message));
    if steps.is_empty() {
        return refuse("Indica almeno un sollecito (dopo quanti giorni inviarlo).".into());
    }
    if steps.len() > MAX_STEPS {
        return refuse(format!(
            "Si possono prevedere al massimo {MAX_STEPS} solleciti."
        ));
    }
    if let Some(day) = steps.iter().find(|d| !(1..=MAX_STEP_DAYS).contains(*d)) {
        return refuse(format!(
            "Ogni sollecito va inviato tra 1 e {MAX_STEP_DAYS} giorni dopo l'inizio del debito: {day} non è ammesso."
        ));
    }
    if steps.windows(2).any(|pair| pair[0] >= pair[1]) {
        return refuse(
            "I giorni dei solleciti vanno in ordine crescente, senza ripetizioni (ad esempio 7, 21)."
                .into(),
        );
    }
    Ok(())
}

/// The steps as an operator types them: numbers separated by commas or spaces
/// ("7, 21"); a word that is not a number is the field's error.
pub fn parse_steps(input: &str) -> Result<Vec<i32>, FieldError> {
    input
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .map(|word| {
            word.parse::<i32>().map_err(|_| {
                FieldError::new(
                    "steps",
                    format!("«{word}» non è un numero di giorni: scrivi ad esempio 7, 21."),
                )
            })
        })
        .collect()
}

/// The step (numbered from 1) a debt that began on `since` is due for on `today`: the
/// latest whose days have passed, if it is later than `last_sent` (the latest step
/// already sent, 0 for none). Steps passed meanwhile and never sent are not sent late: a
/// family gets the latest one only.
pub fn due_step(steps: &[i32], since: Date, today: Date, last_sent: i32) -> Option<i32> {
    let days = (today - since).whole_days();
    let reached = steps.iter().filter(|&&d| i64::from(d) <= days).count();
    let reached = i32::try_from(reached).ok()?;
    (reached > last_sent).then_some(reached)
}

/// A debt and the step of the comune's schedule it is due for now.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueReminder {
    pub kind: DebtKind,
    /// `Conto negativo`, `Retta scaduta`.
    pub kind_label: String,
    pub guardian_id: i64,
    /// The family, by its guardian's name.
    pub family: String,
    /// What is owed: the account's service, or the retta's title.
    pub debt: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "23.40"))]
    pub amount: Decimal,
    /// Since when: the day the account went negative, or the retta's due date.
    pub since: Date,
    /// The step due (from 1).
    pub step: i32,
}

/// A reminder sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentReminder {
    pub id: i64,
    pub kind: DebtKind,
    pub kind_label: String,
    pub guardian_id: i64,
    pub family: String,
    pub debt: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "23.40"))]
    pub amount: Decimal,
    pub since: Date,
    pub step: i32,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub sent_at: OffsetDateTime,
    /// The 18-digit number of the pagoPA notice the letter asks to pay.
    pub notice_number: String,
    /// Whether that debt is settled now.
    pub paid: bool,
}

/// Solleciti for operators: what is due now and what was sent, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemindersOverview {
    pub schedule: ReminderSchedule,
    pub due: Vec<DueReminder>,
    pub sent: Vec<SentReminder>,
}

/// What a run of the reminders did.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemindersRun {
    /// Reminders sent by this run (none sent twice: a step already sent is skipped).
    pub sent: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn steps_ascend_within_a_year_and_are_at_most_five() {
        assert!(check_steps(&[7, 21]).is_ok());
        assert!(check_steps(&[1, 2, 3, 4, 365]).is_ok());
        let message = |steps: &[i32]| check_steps(steps).unwrap_err().message;
        assert!(message(&[]).contains("almeno un sollecito"));
        assert!(message(&[1, 2, 3, 4, 5, 6]).contains("al massimo 5"));
        assert!(message(&[0, 7]).contains("0 non è ammesso"));
        assert!(message(&[7, 366]).contains("366 non è ammesso"));
        assert!(message(&[21, 7]).contains("ordine crescente"));
        assert!(message(&[7, 7]).contains("senza ripetizioni"));
        assert_eq!(check_steps(&[21, 7]).unwrap_err().field, "steps");
    }

    #[test]
    fn typed_steps_are_read_or_refused_in_italian() {
        assert_eq!(parse_steps("7, 21").unwrap(), [7, 21]);
        assert_eq!(parse_steps(" 3 10;30 ").unwrap(), [3, 10, 30]);
        assert!(parse_steps("7, tre")
            .unwrap_err()
            .message
            .contains("«tre» non è un numero"));
    }

    #[test]
    fn the_latest_step_reached_and_not_sent_is_due() {
        let since = date!(2026 - 11 - 01);
        let steps = [7, 21];
        assert_eq!(due_step(&steps, since, date!(2026 - 11 - 07), 0), None);
        assert_eq!(due_step(&steps, since, date!(2026 - 11 - 08), 0), Some(1));
        assert_eq!(due_step(&steps, since, date!(2026 - 11 - 09), 1), None);
        assert_eq!(due_step(&steps, since, date!(2026 - 11 - 22), 1), Some(2));
        // Both passed and none sent: only the latest goes.
        assert_eq!(due_step(&steps, since, date!(2026 - 12 - 30), 0), Some(2));
        assert_eq!(due_step(&steps, since, date!(2026 - 12 - 30), 2), None);
    }
}

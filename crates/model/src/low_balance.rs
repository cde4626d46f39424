//! The low-balance alert of a prepaid account: the threshold the family sets, how many
//! school days the balance still covers, and the top-up suggested when it runs low.
//! The server writes the alert with these functions; the SPA shows the same figures.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::entes::RechargeRule;
use crate::format;
use crate::money::{decimal_to_cents, parse_cents, AmountError, Sign, MAX_RECHARGE_CENTS};
use crate::payments::Notice;
use crate::FieldError;

/// Largest threshold a family may set (the largest recharge: 1.000,00 €).
pub const MAX_THRESHOLD_CENTS: i64 = MAX_RECHARGE_CENTS;
/// Calendar days looked at ahead of today for what the balance covers.
pub const HORIZON_DAYS: i64 = 120;
/// School days of meals the suggested top-up pays for.
pub const TOP_UP_SCHOOL_DAYS: usize = 20;
/// The suggested top-up is a multiple of this (5,00 €), unless the comune asks for
/// multiples of its own step.
pub const TOP_UP_ROUNDING_CENTS: i64 = 500;

/// The threshold `typed` by the family, in cents; empty or zero turns the alert off
/// (`0`). The SPA calls this as the user types; the API enforces it.
pub fn check_threshold(typed: &str) -> Result<i64, FieldError> {
    if typed.trim().is_empty() {
        return Ok(0);
    }
    parse_cents(typed, Sign::Unsigned, MAX_THRESHOLD_CENTS).map_err(|error| {
        let message = match error {
            AmountError::TooLarge(max) => {
                format!("La soglia non può superare {}.", format::euro_cents(max))
            }
            AmountError::Negative => "La soglia non può essere negativa.".to_string(),
            other => other.to_string(),
        };
        FieldError::new("threshold", message)
    })
}

/// A school day ahead and what the family's meals of that day cost (the children
/// enrolled and booked to eat, each at their meal price).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MealDay {
    pub day: Date,
    /// In euro, e.g. `"4.80"`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "4.80"))]
    pub cost: Decimal,
}

impl MealDay {
    fn cents(&self) -> i64 {
        decimal_to_cents(self.cost).unwrap_or_default()
    }
}

/// How far the balance goes over the meal days ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// Meal days the balance pays in full, one after the other.
    pub days: u32,
    /// The last of them.
    pub last_covered: Option<Date>,
    /// The first meal day the balance no longer pays: the day the money runs out.
    pub runs_out_on: Option<Date>,
}

/// How many of the meal days ahead (in date order; days without a meal to pay are
/// skipped) `balance_cents` pays in full, one after the other.
pub fn coverage(balance_cents: i64, upcoming: &[MealDay]) -> Coverage {
    let mut left = balance_cents;
    let mut covered = Coverage {
        days: 0,
        last_covered: None,
        runs_out_on: None,
    };
    for meal in upcoming.iter().filter(|m| m.cents() > 0) {
        if meal.cents() > left {
            covered.runs_out_on = Some(meal.day);
            break;
        }
        left -= meal.cents();
        covered.days += 1;
        covered.last_covered = Some(meal.day);
    }
    covered
}

impl Coverage {
    /// "Il saldo copre ancora 3 giorni di mensa (fino al 27/04/2027)."
    pub fn line(&self) -> String {
        match (self.last_covered, self.runs_out_on) {
            (Some(last), _) => format!(
                "Il saldo copre ancora {} (fino al {}).",
                if self.days == 1 {
                    "1 giorno di mensa".to_string()
                } else {
                    format!("{} giorni di mensa", self.days)
                },
                format::date(last)
            ),
            (None, Some(_)) => "Il saldo non copre più nessun giorno di mensa.".to_string(),
            (None, None) => "Non ci sono giorni di mensa da pagare in programma.".to_string(),
        }
    }
}

/// The recharge suggested with the alert, in cents: what the next
/// [`TOP_UP_SCHOOL_DAYS`] meal days cost beyond the balance, rounded up to the comune's
/// step (else to 5,00 €), at least the comune's minimum recharge and at most its
/// maximum. `None` when nothing needs paying.
pub fn suggested_top_up(
    balance_cents: i64,
    upcoming: &[MealDay],
    rule: &RechargeRule,
) -> Option<i64> {
    let needed: i64 = upcoming
        .iter()
        .map(MealDay::cents)
        .filter(|cents| *cents > 0)
        .take(TOP_UP_SCHOOL_DAYS)
        .sum::<i64>()
        - balance_cents;
    if needed <= 0 {
        return None;
    }
    let step = rule
        .step
        .and_then(decimal_to_cents)
        .filter(|s| *s > 0)
        .unwrap_or(TOP_UP_ROUNDING_CENTS);
    let max = decimal_to_cents(rule.max)
        .unwrap_or(MAX_RECHARGE_CENTS)
        .min(MAX_RECHARGE_CENTS);
    let min = decimal_to_cents(rule.min).unwrap_or(0);
    let round_up = |cents: i64| (cents.max(0) + step - 1) / step * step;
    let rounded = round_up(needed);
    let at_least = round_up(min);
    let capped = rounded.max(at_least).min(max / step * step);
    (capped > 0).then_some(capped)
}

/// Set the low-balance alert: the threshold in euro (`"10.00"`); empty or `"0"` turns
/// it off.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LowBalanceSettings {
    #[cfg_attr(feature = "openapi", schema(example = "10.00", max_length = 32))]
    pub threshold: String,
}

/// The low-balance alert of a prepaid account as the family reads it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LowBalanceAlert {
    pub service_id: i64,
    /// The threshold in euro; absent when the alert is off.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "10.00"))]
    pub threshold: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "7.40"))]
    pub balance: Decimal,
    /// The alert was sent and waits for the balance to rise to the threshold again.
    pub alerted: bool,
    /// The meal days ahead with what they cost, for [`coverage`].
    pub upcoming: Vec<MealDay>,
    /// The recharge notice sent with the last alert, while it can be paid.
    pub notice: Option<Notice>,
}

impl LowBalanceAlert {
    /// What the balance covers now.
    pub fn coverage(&self) -> Coverage {
        coverage(
            decimal_to_cents(self.balance).unwrap_or_default(),
            &self.upcoming,
        )
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::money::cents_to_decimal;

    fn days(costs: &[(Date, i64)]) -> Vec<MealDay> {
        costs
            .iter()
            .map(|&(day, cents)| MealDay {
                day,
                cost: cents_to_decimal(cents),
            })
            .collect()
    }

    fn rule(min: i64, max: i64, step: Option<i64>) -> RechargeRule {
        RechargeRule {
            min: cents_to_decimal(min),
            max: cents_to_decimal(max),
            step: step.map(cents_to_decimal),
        }
    }

    #[test]
    fn the_balance_covers_the_meal_days_it_pays_in_full() {
        let ahead = days(&[
            (date!(2027 - 04 - 26), 480),
            (date!(2027 - 04 - 27), 0),
            (date!(2027 - 04 - 28), 960),
            (date!(2027 - 04 - 29), 480),
        ]);
        let c = coverage(1500, &ahead);
        assert_eq!(c.days, 2);
        assert_eq!(c.last_covered, Some(date!(2027 - 04 - 28)));
        assert_eq!(c.runs_out_on, Some(date!(2027 - 04 - 29)));
        assert_eq!(
            c.line(),
            "Il saldo copre ancora 2 giorni di mensa (fino al 28/04/2027)."
        );
        let one = coverage(480, &ahead);
        assert_eq!(
            one.line(),
            "Il saldo copre ancora 1 giorno di mensa (fino al 26/04/2027)."
        );
    }

    #[test]
    fn a_balance_short_of_the_first_meal_covers_nothing() {
        let ahead = days(&[(date!(2027 - 04 - 26), 480)]);
        for balance in [479, 0, -1200] {
            let c = coverage(balance, &ahead);
            assert_eq!(c.days, 0);
            assert_eq!(c.runs_out_on, Some(date!(2027 - 04 - 26)));
            assert_eq!(c.line(), "Il saldo non copre più nessun giorno di mensa.");
        }
    }

    #[test]
    fn with_no_meals_ahead_nothing_runs_out() {
        let c = coverage(1000, &days(&[(date!(2027 - 06 - 30), 0)]));
        assert_eq!(c.runs_out_on, None);
        assert_eq!(
            c.line(),
            "Non ci sono giorni di mensa da pagare in programma."
        );
        let all = coverage(10_000, &days(&[(date!(2027 - 06 - 30), 480)]));
        assert_eq!((all.days, all.runs_out_on), (1, None));
    }

    #[test]
    fn the_top_up_pays_twenty_meal_days_rounded_up_within_the_rule() {
        let start = date!(2027 - 03 - 01);
        let ahead: Vec<MealDay> = (0..30)
            .map(|i| MealDay {
                day: start + time::Duration::days(i),
                cost: cents_to_decimal(480),
            })
            .collect();
        // 20 × 4,80 € = 96,00 €, less 7,40 € = 88,60 € → 90,00 €.
        assert_eq!(
            suggested_top_up(740, &ahead, &rule(500, 50_000, None)),
            Some(9000)
        );
        // The comune's step wins over 5 €: 88,60 € → 17 × 5,40 € = 91,80 €.
        assert_eq!(
            suggested_top_up(740, &ahead, &rule(500, 50_000, Some(540))),
            Some(9180)
        );
        // At least the minimum recharge, at most the maximum.
        assert_eq!(
            suggested_top_up(9500, &ahead, &rule(2000, 50_000, None)),
            Some(2000)
        );
        assert_eq!(
            suggested_top_up(-100_000, &ahead, &rule(500, 5000, None)),
            Some(5000)
        );
        assert_eq!(
            suggested_top_up(10_000, &ahead, &rule(500, 50_000, None)),
            None
        );
    }

    #[test]
    fn the_threshold_is_an_amount_or_nothing() {
        assert_eq!(check_threshold(""), Ok(0));
        assert_eq!(check_threshold("0"), Ok(0));
        assert_eq!(check_threshold("10,50"), Ok(1050));
        assert_eq!(check_threshold("10.00 €"), Ok(1000));
        let error = |typed| check_threshold(typed).unwrap_err();
        assert_eq!(error("dieci").field, "threshold");
        assert_eq!(error("-5").message, "La soglia non può essere negativa.");
        assert_eq!(
            error("1.000,01").message,
            "La soglia non può superare 1.000,00 €."
        );
        assert_eq!(
            error("1,234").message,
            "L'importo può avere al massimo due decimali."
        );
    }
}

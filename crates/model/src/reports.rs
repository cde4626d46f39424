//! Report for the comune's office, each as a page and as CSV: Incassi (the receipts per
//! day and channel, to reconcile with the treasury), Morosi (the families with a negative
//! account or an overdue retta), the meals served per month, school and band, and the
//! balances of the prepaid accounts at a date. The rules of the requests (a period of at
//! most a year) and the sums of the rows live here; the server reads the rows.
//!
//! The CSV files are plain data like the Detrazione fiscale's: `;` between columns,
//! amounts with a decimal point (`1234.50`), days as `2026-11-24`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use crate::money::cents_to_decimal;
use crate::FieldError;

/// The longest period of the Incassi report, in days, both ends included.
pub const MAX_RANGE_DAYS: i64 = 366;

/// Italian errors of an Incassi period, on `from` or `to`; empty when it is acceptable:
/// `from` not after `to`, at most [`MAX_RANGE_DAYS`] days.
pub fn check_range(from: Date, to: Date) -> Vec<FieldError> {
    if from > to {
        return vec![FieldError::new(
            "to",
            "La data finale non può precedere quella iniziale.",
        )];
    }
    if (to - from).whole_days() + 1 > MAX_RANGE_DAYS {
        return vec![FieldError::new(
            "to",
            format!("Il periodo può durare al massimo un anno ({MAX_RANGE_DAYS} giorni)."),
        )];
    }
    Vec::new()
}

/// The first and the last day of a month.
pub fn month_days(year: i32, month: Month) -> Option<(Date, Date)> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let last = Date::from_calendar_date(year, month, month.length(year)).ok()?;
    Some((first, last))
}

/// How many days a debt that began on `since` is overdue on `today` (0 the same day).
pub fn days_overdue(since: Date, today: Date) -> i64 {
    (today - since).whole_days().max(0)
}

/// The sum of `amounts`, with two decimals even when there are none (`0.00`).
fn total(amounts: impl Iterator<Item = Decimal>) -> Decimal {
    amounts.fold(cents_to_decimal(0), |sum, amount| sum + amount)
}

/// The last day before `today`: a retta is overdue when its due date is before today.
pub fn overdue_by(today: Date) -> Date {
    today - Duration::days(1)
}

text_enum! {
    /// How a payment reached pagoPA.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum ReceiptChannel {
        /// Paid online: pagoPA Checkout, the app IO, home banking.
        Online = "online" => "Online",
        /// Paid at a PSP's counter: bank, post office, tobacconist.
        Counter = "counter" => "Sportello",
    }
}

/// The receipts of one day, channel, method and PSP.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptsRow {
    /// The Europe/Rome day it was paid.
    pub day: Date,
    pub channel: ReceiptChannel,
    /// `Online`, `Sportello`.
    pub channel_label: String,
    /// How it was paid: `Carta di pagamento`, `Pagamento allo sportello`…
    pub method: String,
    /// The payment service provider that collected the money.
    pub psp: String,
    pub count: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub amount: Decimal,
}

/// The receipts of a channel over the period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelTotal {
    pub channel: ReceiptChannel,
    pub channel_label: String,
    pub count: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub amount: Decimal,
}

/// Incassi: the accepted receipts of a period per day and channel, with totals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptsReport {
    pub from: Date,
    pub to: Date,
    /// By day, then channel, method and PSP.
    pub rows: Vec<ReceiptsRow>,
    /// Per channel, online first.
    pub channels: Vec<ChannelTotal>,
    pub count: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub amount: Decimal,
}

/// One accepted receipt, as the Incassi report adds it up.
#[derive(Debug, Clone, PartialEq)]
pub struct PaidReceipt {
    pub day: Date,
    pub channel: ReceiptChannel,
    pub method: String,
    pub psp: String,
    pub amount_cents: i64,
}

/// Incassi of `receipts` from `from` to `to`: one row per day, channel, method and PSP,
/// the totals per channel and the grand total.
pub fn receipts_report(from: Date, to: Date, receipts: Vec<PaidReceipt>) -> ReceiptsReport {
    let mut rows: BTreeMap<(Date, ReceiptChannel, String, String), (u64, i64)> = BTreeMap::new();
    let mut channels: BTreeMap<ReceiptChannel, (u64, i64)> = BTreeMap::new();
    for r in receipts {
        let row = rows.entry((r.day, r.channel, r.method, r.psp)).or_default();
        row.0 += 1;
        row.1 += r.amount_cents;
        let channel = channels.entry(r.channel).or_default();
        channel.0 += 1;
        channel.1 += r.amount_cents;
    }
    let (count, cents) = channels
        .values()
        .fold((0, 0), |(n, c), (count, cents)| (n + count, c + cents));
    ReceiptsReport {
        from,
        to,
        rows: rows
            .into_iter()
            .map(
                |((day, channel, method, psp), (count, cents))| ReceiptsRow {
                    day,
                    channel,
                    channel_label: channel.label().into(),
                    method,
                    psp,
                    count,
                    amount: cents_to_decimal(cents),
                },
            )
            .collect(),
        channels: channels
            .into_iter()
            .map(|(channel, (count, cents))| ChannelTotal {
                channel,
                channel_label: channel.label().into(),
                count,
                amount: cents_to_decimal(cents),
            })
            .collect(),
        count,
        amount: cents_to_decimal(cents),
    }
}

impl PartialOrd for ReceiptChannel {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ReceiptChannel {
    /// Online first, as the channels are listed.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let position = |c: &ReceiptChannel| ReceiptChannel::ALL.iter().position(|a| a == c);
        position(self).cmp(&position(other))
    }
}

/// The CSV columns of Incassi.
pub const RECEIPTS_CSV_HEADER: [&str; 6] =
    ["Giorno", "Canale", "Metodo", "PSP", "Pagamenti", "Importo"];

/// A family in debt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Debtor {
    pub guardian_id: i64,
    /// The guardian (intestatario), by name.
    pub family: String,
    /// The guardian's codice fiscale.
    pub fiscal_code: String,
    /// The sum of the family's prepaid accounts below zero (negative), `0.00` for none.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "-12.50"))]
    pub balance: Decimal,
    /// The rette unpaid after their due date.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "80.00"))]
    pub overdue: Decimal,
    /// Days since the oldest of the family's debts began.
    pub days_overdue: i64,
    /// The latest reminder step sent for any of the family's debts, if one was.
    pub last_reminder_step: Option<i32>,
}

/// Morosi: the families with a prepaid account below zero or a retta unpaid after its
/// due date, on a day, by name, with totals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DebtorsReport {
    pub on: Date,
    pub rows: Vec<Debtor>,
    /// The sum of the negative balances (negative).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "-12.50"))]
    pub balance: Decimal,
    /// The sum of the overdue rette.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "80.00"))]
    pub overdue: Decimal,
}

/// A debt of a family, as the Morosi report adds it up.
#[derive(Debug, Clone, PartialEq)]
pub struct DebtLine {
    pub guardian_id: i64,
    pub family: String,
    pub fiscal_code: String,
    /// A negative account (`true`: `amount_cents` is what it is below zero) or a retta.
    pub negative_balance: bool,
    pub amount_cents: i64,
    pub since: Date,
    pub last_step: Option<i32>,
}

/// Morosi on `today`: one row per family, by name, with the family's negative balance,
/// overdue rette, the oldest debt's days and the latest reminder step.
pub fn debtors_report(today: Date, debts: Vec<DebtLine>) -> DebtorsReport {
    let mut families: BTreeMap<i64, (DebtLine, i64, i64)> = BTreeMap::new();
    for d in debts {
        let (negative, overdue) = if d.negative_balance {
            (d.amount_cents, 0)
        } else {
            (0, d.amount_cents)
        };
        match families.get_mut(&d.guardian_id) {
            Some((first, negative_sum, overdue_sum)) => {
                *negative_sum += negative;
                *overdue_sum += overdue;
                first.since = first.since.min(d.since);
                first.last_step = first.last_step.max(d.last_step);
            }
            None => {
                families.insert(d.guardian_id, (d, negative, overdue));
            }
        }
    }
    let mut rows: Vec<Debtor> = families
        .into_values()
        .map(|(d, negative, overdue)| Debtor {
            guardian_id: d.guardian_id,
            family: d.family,
            fiscal_code: d.fiscal_code,
            balance: cents_to_decimal(-negative),
            overdue: cents_to_decimal(overdue),
            days_overdue: days_overdue(d.since, today),
            last_reminder_step: d.last_step,
        })
        .collect();
    rows.sort_by(|a, b| (&a.family, a.guardian_id).cmp(&(&b.family, b.guardian_id)));
    DebtorsReport {
        on: today,
        balance: total(rows.iter().map(|r| r.balance)),
        overdue: total(rows.iter().map(|r| r.overdue)),
        rows,
    }
}

/// "2° sollecito", or "Nessuno".
pub fn reminder_step_label(step: Option<i32>) -> String {
    match step {
        Some(step) => format!("{step}° sollecito"),
        None => "Nessuno".into(),
    }
}

/// The CSV columns of Morosi.
pub const DEBTORS_CSV_HEADER: [&str; 6] = [
    "Intestatario",
    "Codice fiscale",
    "Saldo negativo",
    "Rette scadute",
    "Giorni di ritardo",
    "Ultimo sollecito",
];

/// The meals served (charged, net of the credited ones) of a service, school and band.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MealsRow {
    pub service: String,
    pub school: String,
    /// The fee band (fascia) of the child's enrolment.
    pub band: String,
    pub meals: i64,
    /// What the meals cost the families.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub amount: Decimal,
}

/// Pasti serviti of a month per service, school and band, with totals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MealsReport {
    /// `2026-11`.
    pub month: String,
    pub rows: Vec<MealsRow>,
    pub meals: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub amount: Decimal,
}

/// A meal movement of the ledger: a charge (`meals` 1, `amount_cents` negative) or its
/// credit (`meals` -1, positive).
#[derive(Debug, Clone, PartialEq)]
pub struct MealLine {
    pub service: String,
    pub school: String,
    pub band: String,
    pub meals: i64,
    pub amount_cents: i64,
}

/// The meals of `month` (`2026-11`) per service, school and band, in that order.
pub fn meals_report(month: String, lines: Vec<MealLine>) -> MealsReport {
    let mut rows: BTreeMap<(String, String, String), (i64, i64)> = BTreeMap::new();
    for l in lines {
        let row = rows.entry((l.service, l.school, l.band)).or_default();
        row.0 += l.meals;
        row.1 -= l.amount_cents;
    }
    let rows: Vec<MealsRow> = rows
        .into_iter()
        .filter(|(_, (meals, cents))| *meals != 0 || *cents != 0)
        .map(|((service, school, band), (meals, cents))| MealsRow {
            service,
            school,
            band,
            meals,
            amount: cents_to_decimal(cents),
        })
        .collect();
    MealsReport {
        month,
        meals: rows.iter().map(|r| r.meals).sum(),
        amount: total(rows.iter().map(|r| r.amount)),
        rows,
    }
}

/// The CSV columns of the meals served.
pub const MEALS_CSV_HEADER: [&str; 5] = ["Servizio", "Scuola", "Fascia", "Pasti", "Importo"];

/// A prepaid account's balance at the end of a day.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountBalance {
    pub account_id: i64,
    pub guardian_id: i64,
    pub family: String,
    pub fiscal_code: String,
    pub service: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub balance: Decimal,
}

/// Saldi: every prepaid account's balance at the end of a day (the sum of its ledger's
/// movements dated up to it), by family, with the total.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalancesReport {
    pub on: Date,
    pub rows: Vec<AccountBalance>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub total: Decimal,
}

/// The balances report of `rows`, sorted by family and service.
pub fn balances_report(on: Date, mut rows: Vec<AccountBalance>) -> BalancesReport {
    rows.sort_by(|a, b| {
        (&a.family, &a.service, a.account_id).cmp(&(&b.family, &b.service, b.account_id))
    });
    BalancesReport {
        on,
        total: total(rows.iter().map(|r| r.balance)),
        rows,
    }
}

/// The CSV columns of the balances.
pub const BALANCES_CSV_HEADER: [&str; 5] = [
    "Data",
    "Intestatario",
    "Codice fiscale",
    "Servizio",
    "Saldo",
];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_period_runs_forward_for_at_most_a_year() {
        assert!(check_range(date!(2026 - 11 - 01), date!(2026 - 11 - 01)).is_empty());
        assert!(check_range(date!(2026 - 01 - 01), date!(2026 - 12 - 31)).is_empty());
        assert!(check_range(date!(2028 - 01 - 01), date!(2028 - 12 - 31)).is_empty());
        let backwards = check_range(date!(2026 - 11 - 02), date!(2026 - 11 - 01));
        assert_eq!(backwards[0].field, "to");
        assert!(backwards[0].message.contains("non può precedere"));
        let long = check_range(date!(2026 - 01 - 01), date!(2027 - 01 - 02));
        assert_eq!(long[0].field, "to");
        assert!(long[0].message.contains("al massimo un anno"));
    }

    #[test]
    fn months_and_days_overdue() {
        assert_eq!(
            month_days(2028, Month::February),
            Some((date!(2028 - 02 - 01), date!(2028 - 02 - 29)))
        );
        assert_eq!(
            days_overdue(date!(2026 - 11 - 01), date!(2026 - 11 - 24)),
            23
        );
        assert_eq!(
            days_overdue(date!(2026 - 11 - 25), date!(2026 - 11 - 24)),
            0
        );
        assert_eq!(overdue_by(date!(2026 - 12 - 01)), date!(2026 - 11 - 30));
    }

    #[test]
    fn receipts_add_up_per_day_channel_and_psp() {
        let paid = |day, channel, psp: &str, cents| PaidReceipt {
            day,
            channel,
            method: "Carta di pagamento".into(),
            psp: psp.into(),
            amount_cents: cents,
        };
        let report = receipts_report(
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 30),
            vec![
                paid(
                    date!(2026 - 11 - 24),
                    ReceiptChannel::Counter,
                    "Banca",
                    1000,
                ),
                paid(date!(2026 - 11 - 23), ReceiptChannel::Online, "Nexi", 2500),
                paid(date!(2026 - 11 - 23), ReceiptChannel::Online, "Nexi", 2260),
            ],
        );
        assert_eq!(report.rows.len(), 2);
        assert_eq!(report.rows[0].day, date!(2026 - 11 - 23));
        assert_eq!(
            (report.rows[0].count, report.rows[0].amount.to_string()),
            (2, "47.60".into())
        );
        assert_eq!(report.rows[1].channel_label, "Sportello");
        assert_eq!(report.channels[0].channel, ReceiptChannel::Online);
        assert_eq!(
            (report.count, report.amount.to_string()),
            (3, "57.60".into())
        );
    }

    #[test]
    fn a_family_is_one_debtor_with_its_oldest_debt_and_latest_reminder() {
        let debt = |guardian_id, family: &str, negative, cents, since, step| DebtLine {
            guardian_id,
            family: family.into(),
            fiscal_code: "CLMNNA85M52F205M".into(),
            negative_balance: negative,
            amount_cents: cents,
            since,
            last_step: step,
        };
        let report = debtors_report(
            date!(2026 - 11 - 24),
            vec![
                debt(2, "Mario Rossi", false, 8000, date!(2026 - 11 - 10), None),
                debt(
                    1,
                    "Anna Colombo",
                    true,
                    1250,
                    date!(2026 - 11 - 17),
                    Some(1),
                ),
                debt(1, "Anna Colombo", false, 3000, date!(2026 - 10 - 31), None),
            ],
        );
        assert_eq!(report.rows.len(), 2);
        let anna = &report.rows[0];
        assert_eq!(anna.family, "Anna Colombo");
        assert_eq!(anna.balance.to_string(), "-12.50");
        assert_eq!(anna.overdue.to_string(), "30.00");
        assert_eq!(anna.days_overdue, 24);
        assert_eq!(anna.last_reminder_step, Some(1));
        assert_eq!(report.rows[1].balance.to_string(), "0.00");
        assert_eq!(report.balance.to_string(), "-12.50");
        assert_eq!(report.overdue.to_string(), "110.00");
        assert_eq!(reminder_step_label(Some(2)), "2° sollecito");
        assert_eq!(reminder_step_label(None), "Nessuno");
    }

    #[test]
    fn meals_are_counted_net_of_credits_per_school_and_band() {
        let line = |school: &str, band: &str, meals, cents| MealLine {
            service: "Refezione Scolastica".into(),
            school: school.into(),
            band: band.into(),
            meals,
            amount_cents: cents,
        };
        let report = meals_report(
            "2026-11".into(),
            vec![
                line("Pascoli", "A", 1, -450),
                line("Pascoli", "A", 1, -450),
                line("Pascoli", "A", -1, 450),
                line("Collodi", "B", 1, -380),
                line("Collodi", "C", 1, -500),
                line("Collodi", "C", -1, 500),
            ],
        );
        assert_eq!(report.rows.len(), 2, "{report:?}");
        assert_eq!(report.rows[0].school, "Collodi");
        assert_eq!(
            (report.rows[1].meals, report.rows[1].amount.to_string()),
            (1, "4.50".into())
        );
        assert_eq!(
            (report.meals, report.amount.to_string()),
            (2, "8.30".into())
        );
    }

    #[test]
    fn balances_are_listed_by_family_with_their_total() {
        let balance = |id, family: &str, cents| AccountBalance {
            account_id: id,
            guardian_id: id,
            family: family.into(),
            fiscal_code: String::new(),
            service: "Refezione Scolastica".into(),
            balance: cents_to_decimal(cents),
        };
        let report = balances_report(
            date!(2026 - 11 - 30),
            vec![
                balance(1, "Mario Rossi", 4760),
                balance(2, "Anna Colombo", -1250),
            ],
        );
        assert_eq!(report.rows[0].family, "Anna Colombo");
        assert_eq!(report.total.to_string(), "35.10");
    }
}

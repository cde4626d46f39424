//! Italian formats for everything a user reads: `47,60 €`, `27/04/2024`, `09:30`.

use rust_decimal::Decimal;
use time::{Date, Month, Time, Weekday};

/// `1234.5` → `1.234,50 €`; negative amounts keep their sign: `-3,00 €`.
pub fn euro(amount: Decimal) -> String {
    format!("{} €", amount_as_typed(amount))
}

/// `1234.5` → `1.234,50`: an amount as a person types it in a field.
pub fn amount_as_typed(amount: Decimal) -> String {
    let mut rounded = amount.round_dp(2);
    rounded.rescale(2);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = rounded.abs().to_string();
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, "00"));
    format!(
        "{}{},{}",
        if negative { "-" } else { "" },
        group_thousands(int_part),
        frac_part
    )
}

/// Digits with a dot between thousands: `1234567` → `1.234.567`.
fn group_thousands(digits: &str) -> String {
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    grouped
}

/// A count as Italians write it: `10000` → `10.000`.
pub fn count(n: usize) -> String {
    group_thousands(&n.to_string())
}

/// Cents → `47,60 €`.
pub fn euro_cents(cents: i64) -> String {
    euro(crate::money::cents_to_decimal(cents))
}

/// `27/04/2024`.
pub fn date(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// `09:30`.
pub fn hour_minute(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// An instant as read in Rome: `27/04/2024 alle 09:30`.
pub fn date_at_time(instant: time::OffsetDateTime) -> String {
    let (day, time) = rome_day_and_time(instant);
    format!("{day} alle {time}")
}

/// `27/04/2024 08:15`: an instant as read in Rome, for tables.
pub fn date_time(instant: time::OffsetDateTime) -> String {
    let (day, time) = rome_day_and_time(instant);
    format!("{day} {time}")
}

fn rome_day_and_time(instant: time::OffsetDateTime) -> (String, String) {
    let local = crate::rome::local(instant);
    (date(local.date()), hour_minute(local.time()))
}

/// `301000000000000144` → `3010 0000 0000 0001 44`: a notice number in groups of four
/// digits, as pagoPA prints it on notices.
pub fn notice_number(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// `SETTEMBRE 2023` style month title, capitalised: `Settembre 2023`.
pub fn month_year(month: Month, year: i32) -> String {
    format!("{} {}", month_name(month), year)
}

/// `mercoledì`.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "lunedì",
        Weekday::Tuesday => "martedì",
        Weekday::Wednesday => "mercoledì",
        Weekday::Thursday => "giovedì",
        Weekday::Friday => "venerdì",
        Weekday::Saturday => "sabato",
        Weekday::Sunday => "domenica",
    }
}

/// `Mer`, the heading of a calendar column.
pub fn weekday_short(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Lun",
        Weekday::Tuesday => "Mar",
        Weekday::Wednesday => "Mer",
        Weekday::Thursday => "Gio",
        Weekday::Friday => "Ven",
        Weekday::Saturday => "Sab",
        Weekday::Sunday => "Dom",
    }
}

/// `mercoledì 25/11/2026`.
pub fn long_date(day: Date) -> String {
    format!("{} {}", weekday_name(day.weekday()), date(day))
}

/// `Mercoledì 25/11/2026`, at the start of a sentence or as a heading.
pub fn long_date_capitalised(day: Date) -> String {
    capitalise(&long_date(day))
}

/// `Lunedì` from `lunedì`.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `Gennaio`.
pub fn month_name(month: Month) -> &'static str {
    match month {
        Month::January => "Gennaio",
        Month::February => "Febbraio",
        Month::March => "Marzo",
        Month::April => "Aprile",
        Month::May => "Maggio",
        Month::June => "Giugno",
        Month::July => "Luglio",
        Month::August => "Agosto",
        Month::September => "Settembre",
        Month::October => "Ottobre",
        Month::November => "Novembre",
        Month::December => "Dicembre",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use time::macros::{date, time};

    #[test]
    fn formats_euros_the_italian_way() {
        assert_eq!(euro(Decimal::from_str("47.6").unwrap()), "47,60 €");
        assert_eq!(euro(Decimal::from_str("0").unwrap()), "0,00 €");
        assert_eq!(euro(Decimal::from_str("884.70").unwrap()), "884,70 €");
        assert_eq!(
            euro(Decimal::from_str("1234567.891").unwrap()),
            "1.234.567,89 €"
        );
        assert_eq!(euro(Decimal::from_str("-3").unwrap()), "-3,00 €");
        assert_eq!(euro_cents(500), "5,00 €");
        assert_eq!(euro_cents(10000), "100,00 €");
    }

    #[test]
    fn groups_counts_by_thousands() {
        assert_eq!(count(120), "120");
        assert_eq!(count(10000), "10.000");
        assert_eq!(count(1234567), "1.234.567");
    }

    #[test]
    fn formats_dates_and_times() {
        assert_eq!(date(date!(2024 - 04 - 27)), "27/04/2024");
        assert_eq!(date(date!(2023 - 09 - 08)), "08/09/2023");
        assert_eq!(hour_minute(time!(9:30)), "09:30");
        // 08:30 UTC is 10:30 in Rome in summer.
        assert_eq!(
            date_at_time(time::macros::datetime!(2024-04-27 08:30 UTC)),
            "27/04/2024 alle 10:30"
        );
        assert_eq!(
            date_time(time::macros::datetime!(2024-04-27 06:15 UTC)),
            "27/04/2024 08:15"
        );
        assert_eq!(month_year(Month::September, 2023), "Settembre 2023");
        assert_eq!(long_date(date!(2026 - 11 - 25)), "mercoledì 25/11/2026");
        assert_eq!(
            long_date_capitalised(date!(2026 - 11 - 29)),
            "Domenica 29/11/2026"
        );
        assert_eq!(weekday_short(Weekday::Thursday), "Gio");
    }

    #[test]
    fn groups_notice_numbers_as_pagopa_prints_them() {
        assert_eq!(
            notice_number("301000000000000144"),
            "3010 0000 0000 0001 44"
        );
        assert_eq!(
            notice_number("002000000013037367"),
            "0020 0000 0013 0373 67"
        );
    }
}

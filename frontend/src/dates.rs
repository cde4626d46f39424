//! Days as the SPA reads and writes them: today in Rome by the browser's clock, the
//! `2026-11-25` of date fields and addresses, and Italian weekday names.

use sportello_model::{format, rome};
use time::macros::format_description;
use time::{Date, Duration, Month, OffsetDateTime, Weekday};

/// Today in Rome, by the browser's clock.
pub fn today() -> Date {
    let seconds = (js_sys::Date::now() / 1000.0) as i64;
    let now = OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    rome::today(now)
}

/// The day before today, the last one whose meals can be charged.
pub fn yesterday() -> Date {
    today() - Duration::days(1)
}

/// Years the portal deals with; a date field being typed passes through others (`0002`).
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// `2026-11-25`, the value of a date field or of a query parameter.
pub fn parse_day(value: &str) -> Option<Date> {
    Date::parse(value.trim(), format_description!("[year]-[month]-[day]"))
        .ok()
        .filter(|day| YEARS.contains(&day.year()))
}

/// `2026-11`, the month of a query parameter.
pub fn parse_month(value: &str) -> Option<(i32, Month)> {
    let (year, month) = value.trim().split_once('-')?;
    let year: i32 = year.parse().ok()?;
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    YEARS.contains(&year).then_some((year, month))
}

/// The weekdays from Monday, as the calendar's columns and the serving days list them.
pub const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

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
    format!("{} {}", weekday_name(day.weekday()), format::date(day))
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

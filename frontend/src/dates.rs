//! Days as the SPA reads and writes them: today in Rome by the browser's clock, the
//! `2026-11-25` of date fields and addresses, and Italian weekday names.

pub use sportello_model::format::{
    capitalise, long_date, long_date_capitalised, weekday_name, weekday_short,
};
use sportello_model::{dates, rome, FieldError};
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

/// `2026-11-25`, the value of a date field or of a query parameter.
pub fn parse_day(value: &str) -> Option<Date> {
    dates::parse_day(value.trim()).ok()
}

/// `2026-11`, the month of a query parameter.
pub fn parse_month(value: &str) -> Option<(i32, Month)> {
    dates::parse_month(value.trim()).ok()
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

/// The day of a date field, or the error `missing` for its API field `field`.
pub fn required_day(value: &str, field: &str, missing: &str) -> Result<Date, FieldError> {
    parse_day(value).ok_or_else(|| FieldError::new(field, missing))
}

//! The one reader of months (`YYYY-MM`) and days (`YYYY-MM-DD`) in requests: path and
//! query parameters and the dates of request bodies. Anything else is refused, with
//! the Italian message the API returns for the field.

use serde::{Deserialize, Deserializer};
use time::{Date, Month};

/// Years a month or a day of a request may fall in: school years, with room to spare,
/// and far from the ends of the calendar so date arithmetic never overflows.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

pub const MONTH_MESSAGE: &str =
    "Il mese deve essere nel formato AAAA-MM, ad esempio 2026-11, tra il 2000 e il 2100.";
pub const DAY_MESSAGE: &str =
    "La data deve essere nel formato AAAA-MM-GG, ad esempio 2026-11-24, tra il 2000 e il 2100.";

/// The shapes as OpenAPI patterns.
pub const MONTH_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}$";
pub const DAY_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// `digits` ASCII digits, read as a number.
fn number(part: &str, digits: usize) -> Option<u32> {
    (part.len() == digits && part.bytes().all(|b| b.is_ascii_digit()))
        .then(|| part.parse().ok())
        .flatten()
}

fn year_and_month(year: &str, month: &str) -> Option<(i32, Month)> {
    let year = i32::try_from(number(year, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(month, 2)?).ok()?).ok()?;
    YEARS.contains(&year).then_some((year, month))
}

/// `2026-11` → (2026, November).
pub fn parse_month(value: &str) -> Result<(i32, Month), &'static str> {
    let mut parts = value.split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(year), Some(month), None) => year_and_month(year, month),
        _ => None,
    }
    .ok_or(MONTH_MESSAGE)
}

/// `2026-11-24` → that day.
pub fn parse_day(value: &str) -> Result<Date, &'static str> {
    let mut parts = value.split('-');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(year), Some(month), Some(day), None) => {
            year_and_month(year, month).and_then(|(year, month)| {
                let day = u8::try_from(number(day, 2)?).ok()?;
                Date::from_calendar_date(year, month, day).ok()
            })
        }
        _ => None,
    }
    .ok_or(DAY_MESSAGE)
}

/// Serde reader of a day field of a request (`#[serde(deserialize_with = ...)]`).
pub fn deserialize_day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    let value = String::deserialize(deserializer)?;
    parse_day(&value).map_err(serde::de::Error::custom)
}

/// Serde reader of an optional day field of a request (with `#[serde(default)]`).
pub fn deserialize_optional_day<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Date>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        Some(value) if !value.trim().is_empty() => parse_day(value.trim())
            .map(Some)
            .map_err(serde::de::Error::custom),
        _ => Ok(None),
    }
}

/// Serde reader of a month field of a request (`#[serde(deserialize_with = ...)]`).
pub fn deserialize_month<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<(i32, Month), D::Error> {
    let value = String::deserialize(deserializer)?;
    parse_month(&value).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_are_exactly_yyyy_mm() {
        assert_eq!(parse_month("2026-11"), Ok((2026, Month::November)));
        assert_eq!(parse_month("2026-01"), Ok((2026, Month::January)));
        for bad in [
            "2026-1",
            "2026-13",
            "2026-00",
            "26-11",
            "2026-11-01",
            "+2026-11",
            "2026-+1",
            "2026 -11",
            "１２３４-11",
            "1999-12",
            "2101-01",
            "",
            "2026",
            "2026-11-",
        ] {
            assert_eq!(parse_month(bad), Err(MONTH_MESSAGE), "{bad:?}");
        }
    }

    #[test]
    fn days_are_exactly_yyyy_mm_dd() {
        assert_eq!(parse_day("2026-11-24"), Ok(date!(2026 - 11 - 24)));
        assert_eq!(parse_day("2028-02-29"), Ok(date!(2028 - 02 - 29)));
        for bad in [
            "2026-11-4",
            "2026-1-04",
            "2027-02-29",
            "2026-11-31",
            "2026-11-24T00:00",
            "+2026-11-24",
            "9999-12-31",
            "0000-01-01",
            "2026/11/24",
            "2026-11--4",
        ] {
            assert_eq!(parse_day(bad), Err(DAY_MESSAGE), "{bad:?}");
        }
    }

    #[test]
    fn request_days_deserialize_through_the_same_rule() {
        #[derive(Deserialize)]
        struct Body {
            #[serde(deserialize_with = "deserialize_day")]
            day: Date,
        }
        #[derive(Deserialize)]
        struct Monthly {
            #[serde(deserialize_with = "deserialize_month")]
            month: (i32, Month),
        }
        let monthly: Monthly = serde_json::from_str(r#"{"month":"2026-11"}"#).unwrap();
        assert_eq!(monthly.month, (2026, Month::November));
        assert!(serde_json::from_str::<Monthly>(r#"{"month":"2026-13"}"#).is_err());
        let ok: Body = serde_json::from_str(r#"{"day":"2026-11-24"}"#).unwrap();
        assert_eq!(ok.day, date!(2026 - 11 - 24));
        let err = serde_json::from_str::<Body>(r#"{"day":"2026-11-4"}"#)
            .err()
            .unwrap();
        assert!(err.to_string().starts_with(DAY_MESSAGE), "{err}");
    }
}

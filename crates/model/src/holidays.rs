//! The Italian national holidays (legge 27 maggio 1949, n. 260, as amended): the fixed
//! ones, Easter and Easter Monday, computed for any year. Schools are closed on them, so
//! every canteen calendar treats them as closed days with their names.

use time::{Date, Month};

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian computus
/// given by Meeus, after Gauss). `None` outside the years `time` can represent.
pub fn easter_sunday(year: i32) -> Option<Date> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// The national holidays of `year` in date order, with their Italian names.
pub fn national_holidays(year: i32) -> Vec<(Date, &'static str)> {
    let fixed: [(Month, u8, &'static str); 10] = [
        (Month::January, 1, "Capodanno"),
        (Month::January, 6, "Epifania"),
        (Month::April, 25, "Festa della Liberazione"),
        (Month::May, 1, "Festa del Lavoro"),
        (Month::June, 2, "Festa della Repubblica"),
        (Month::August, 15, "Assunzione (Ferragosto)"),
        (Month::November, 1, "Ognissanti"),
        (Month::December, 8, "Immacolata Concezione"),
        (Month::December, 25, "Natale"),
        (Month::December, 26, "Santo Stefano"),
    ];
    let mut days: Vec<(Date, &'static str)> = fixed
        .into_iter()
        .filter_map(|(month, day, name)| {
            Date::from_calendar_date(year, month, day)
                .ok()
                .map(|d| (d, name))
        })
        .collect();
    // Legge 8 ottobre 2025, n. 151, in force from 2026.
    if year >= 2026 {
        if let Ok(d) = Date::from_calendar_date(year, Month::October, 4) {
            days.push((d, "Festa di San Francesco d'Assisi"));
        }
    }
    if let Some(easter) = easter_sunday(year) {
        days.push((easter, "Pasqua"));
        if let Some(monday) = easter.next_day() {
            days.push((monday, "Lunedì dell'Angelo"));
        }
    }
    days.sort_unstable();
    days
}

/// The national holidays from `first` to `last`, both included, in date order.
pub fn national_holidays_between(first: Date, last: Date) -> Vec<(Date, &'static str)> {
    (first.year()..=last.year())
        .flat_map(national_holidays)
        .filter(|(day, _)| (first..=last).contains(day))
        .collect()
}

/// The name of the national holiday on `day`, if it is one.
pub fn national_holiday(day: Date) -> Option<&'static str> {
    national_holidays(day.year())
        .into_iter()
        .find(|(d, _)| *d == day)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn easter_sunday_in_known_years() {
        for (year, easter) in [
            (1961, date!(1961 - 04 - 02)),
            (2000, date!(2000 - 04 - 23)),
            (2008, date!(2008 - 03 - 23)),
            (2011, date!(2011 - 04 - 24)),
            (2019, date!(2019 - 04 - 21)),
            (2024, date!(2024 - 03 - 31)),
            (2025, date!(2025 - 04 - 20)),
            (2026, date!(2026 - 04 - 05)),
            (2027, date!(2027 - 03 - 28)),
            (2038, date!(2038 - 04 - 25)),
            (2285, date!(2285 - 03 - 22)),
        ] {
            assert_eq!(easter_sunday(year), Some(easter), "{year}");
        }
    }

    #[test]
    fn easter_monday_and_the_fixed_holidays_of_a_school_year() {
        assert_eq!(
            national_holiday(date!(2027 - 03 - 29)),
            Some("Lunedì dell'Angelo")
        );
        assert_eq!(
            national_holiday(date!(2025 - 04 - 21)),
            Some("Lunedì dell'Angelo")
        );
        assert_eq!(national_holiday(date!(2027 - 03 - 30)), None);
        let school_year = national_holidays_between(date!(2026 - 09 - 14), date!(2027 - 06 - 08));
        let days: Vec<Date> = school_year.iter().map(|(d, _)| *d).collect();
        assert_eq!(
            days,
            [
                date!(2026 - 10 - 04),
                date!(2026 - 11 - 01),
                date!(2026 - 12 - 08),
                date!(2026 - 12 - 25),
                date!(2026 - 12 - 26),
                date!(2027 - 01 - 01),
                date!(2027 - 01 - 06),
                date!(2027 - 03 - 28),
                date!(2027 - 03 - 29),
                date!(2027 - 04 - 25),
                date!(2027 - 05 - 01),
                date!(2027 - 06 - 02),
            ]
        );
        assert_eq!(school_year[2].1, "Immacolata Concezione");
    }

    #[test]
    fn san_francesco_is_a_national_holiday_from_2026() {
        assert_eq!(national_holiday(date!(2025 - 10 - 04)), None);
        assert_eq!(
            national_holiday(date!(2027 - 10 - 04)),
            Some("Festa di San Francesco d'Assisi")
        );
        assert_eq!(national_holidays(2025).len(), 12);
        assert_eq!(national_holidays(2027).len(), 13);
    }
}

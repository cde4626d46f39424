//! A set of ISO weekdays: the days a canteen serves, the days families may change.

use std::fmt;

/// A set of ISO weekdays (1 = Monday … 7 = Sunday), written and stored as `1,2,3,4,5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Weekdays(u8);

/// A text that is not a list of ISO weekdays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekdaysError(String);

impl fmt::Display for WeekdaysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a list of ISO weekdays (1 to 7)", self.0)
    }
}

impl std::error::Error for WeekdaysError {}

impl Weekdays {
    /// The school week: Monday to Friday.
    pub const MONDAY_TO_FRIDAY: Weekdays = Weekdays(0b0011_1110);
    /// Tuesday to Friday (Mozzecane lets families change these days only).
    pub const TUESDAY_TO_FRIDAY: Weekdays = Weekdays(0b0011_1100);

    /// The set of `days`; `None` when one is not between 1 and 7.
    pub fn from_iso(days: &[u8]) -> Option<Weekdays> {
        days.iter().try_fold(Weekdays::default(), |set, &day| {
            (1..=7).contains(&day).then(|| Weekdays(set.0 | 1 << day))
        })
    }

    /// The weekdays in order, 1 = Monday.
    pub fn iso(self) -> Vec<u8> {
        (1..=7).filter(|day| self.0 & 1 << day != 0).collect()
    }

    /// Reads `1,2,3,4,5` (the empty text is no day); anything else is refused.
    pub fn parse(text: &str) -> Result<Weekdays, WeekdaysError> {
        let refused = || WeekdaysError(text.to_owned());
        if text.is_empty() {
            return Ok(Weekdays::default());
        }
        let days = text
            .split(',')
            .map(|day| day.trim().parse::<u8>().map_err(|_| refused()))
            .collect::<Result<Vec<u8>, _>>()?;
        Weekdays::from_iso(&days).ok_or_else(refused)
    }
}

impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days: Vec<String> = self.iso().iter().map(u8::to_string).collect();
        f.write_str(&days.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_read_and_write_the_stored_text() {
        let week = Weekdays::parse("1,2,3,4,5").unwrap();
        assert_eq!(week, Weekdays::MONDAY_TO_FRIDAY);
        assert_eq!(Weekdays::TUESDAY_TO_FRIDAY.iso(), [2, 3, 4, 5]);
        assert_eq!(week.iso(), [1, 2, 3, 4, 5]);
        assert_eq!(week.to_string(), "1,2,3,4,5");
        let unordered = Weekdays::from_iso(&[5, 2, 2, 3]).unwrap();
        assert_eq!(unordered.to_string(), "2,3,5");
        assert_eq!(Weekdays::parse(" 2, 3 ,5").unwrap(), unordered);
        assert_eq!(Weekdays::parse("").unwrap().iso(), Vec::<u8>::new());
    }

    #[test]
    fn bad_weekdays_are_refused_not_dropped() {
        for bad in ["0", "8", "1,,2", "1,x", "1;2", "lun", "1,2,"] {
            assert!(Weekdays::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Weekdays::from_iso(&[1, 8]), None);
    }
}

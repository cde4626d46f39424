//! The school year (anno scolastico), from September to August: `2027/2028`.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::dates::YEARS;

/// A school year, named by the calendar year it starts in and written `2027/2028`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SchoolYear(i32);

pub const SCHOOL_YEAR_MESSAGE: &str =
    "L'anno scolastico deve essere nel formato AAAA/AAAA di due anni consecutivi, ad esempio 2027/2028.";

/// The shape of a school year as an OpenAPI pattern.
pub const SCHOOL_YEAR_PATTERN: &str = r"^[0-9]{4}/[0-9]{4}$";

impl SchoolYear {
    /// The school year starting in September of `year`.
    pub fn starting(year: i32) -> SchoolYear {
        SchoolYear(year)
    }

    /// The school year `day` belongs to: from September it is the one starting that year.
    pub fn containing(day: Date) -> SchoolYear {
        if u8::from(day.month()) >= 9 {
            SchoolYear(day.year())
        } else {
            SchoolYear(day.year() - 1)
        }
    }

    /// The calendar year it starts in.
    pub fn start_year(self) -> i32 {
        self.0
    }

    /// The school year after this one.
    pub fn next(self) -> SchoolYear {
        SchoolYear(self.0 + 1)
    }

    /// `2027/2028`, strictly: two consecutive years between 2000 and 2100.
    pub fn parse(text: &str) -> Result<SchoolYear, &'static str> {
        let year = |part: &str| {
            (part.len() == 4 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<i32>().ok())
                .flatten()
        };
        match text.trim().split_once('/') {
            Some((first, second)) => match (year(first), year(second)) {
                (Some(first), Some(second))
                    if second == first + 1 && YEARS.contains(&first) && YEARS.contains(&second) =>
                {
                    Ok(SchoolYear(first))
                }
                _ => Err(SCHOOL_YEAR_MESSAGE),
            },
            None => Err(SCHOOL_YEAR_MESSAGE),
        }
    }
}

/// The class a pupil moves up to in the next school year: `1A` → `2A`, `2a` → `3a`,
/// `3 B` → `4 B`. None after the last class of the school's order (the school's name
/// says it: infanzia has no numbered classes, primaria ends with the fifth, secondaria
/// di primo grado with the third, secondaria di secondo grado with the fifth) or when
/// the order or the class are not recognised: the office places the pupil.
pub fn next_class(school: &str, class_name: &str) -> Option<String> {
    let school = school.to_lowercase();
    let last = if school.contains("primaria") {
        5
    } else if school.contains("primo grado") || school.contains("media") {
        3
    } else if school.contains("secondo grado")
        || school.contains("liceo")
        || school.contains("istituto")
    {
        5
    } else {
        return None;
    };
    let class_name = class_name.trim();
    let digits = class_name
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(class_name.len());
    let year: u32 = class_name[..digits].parse().ok()?;
    (1..last)
        .contains(&year)
        .then(|| format!("{}{}", year + 1, &class_name[digits..]))
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.0, self.0 + 1)
    }
}

impl TryFrom<String> for SchoolYear {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        SchoolYear::parse(&value)
    }
}

impl From<SchoolYear> for String {
    fn from(value: SchoolYear) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_school_year_starts_in_september() {
        assert_eq!(
            SchoolYear::containing(date!(2027 - 08 - 31)).to_string(),
            "2026/2027"
        );
        assert_eq!(
            SchoolYear::containing(date!(2027 - 09 - 01)).to_string(),
            "2027/2028"
        );
        assert_eq!(
            SchoolYear::starting(2026).next(),
            SchoolYear::starting(2027)
        );
    }

    #[test]
    fn pupils_move_up_a_class_until_the_last_of_their_school() {
        let primaria = "Scuola Primaria Pascoli";
        assert_eq!(next_class(primaria, "1A").as_deref(), Some("2A"));
        assert_eq!(next_class(primaria, "2a").as_deref(), Some("3a"));
        assert_eq!(next_class(primaria, " 4 B ").as_deref(), Some("5 B"));
        assert_eq!(next_class(primaria, "5a"), None, "on to the secondaria");
        let media = "Scuola Secondaria di Primo Grado Manzoni";
        assert_eq!(next_class(media, "2C").as_deref(), Some("3C"));
        assert_eq!(next_class(media, "3C"), None);
        assert_eq!(
            next_class("Liceo Scientifico Volta", "4A").as_deref(),
            Some("5A")
        );
        assert_eq!(
            next_class("Scuola dell'Infanzia Arcobaleno", "Sezione A"),
            None
        );
        assert_eq!(next_class(primaria, "A"), None);
        assert_eq!(next_class("Asilo nido Girasole", "1A"), None);
    }

    #[test]
    fn only_two_consecutive_years_are_a_school_year() {
        assert_eq!(
            SchoolYear::parse("2027/2028"),
            Ok(SchoolYear::starting(2027))
        );
        for bad in ["2027/2029", "2027-2028", "27/28", "2027/", "1999/2000", ""] {
            assert_eq!(SchoolYear::parse(bad), Err(SCHOOL_YEAR_MESSAGE), "{bad}");
        }
        let year: SchoolYear = serde_json::from_str("\"2027/2028\"").unwrap();
        assert_eq!(serde_json::to_string(&year).unwrap(), "\"2027/2028\"");
    }
}

//! Italian codice fiscale: shape and check character.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A validated, upper-case codice fiscale of a person (16 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FiscalCode(String);

/// Why a string is not a codice fiscale; `Display` is the Italian message for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FiscalCodeError {
    Empty,
    Length,
    Shape,
    CheckCharacter,
}

impl fmt::Display for FiscalCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FiscalCodeError::Empty => "Il codice fiscale è obbligatorio.",
            FiscalCodeError::Length => "Il codice fiscale deve essere di 16 caratteri.",
            FiscalCodeError::Shape => {
                "Il codice fiscale non ha il formato corretto (6 lettere, 2 cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre, 1 lettera)."
            }
            FiscalCodeError::CheckCharacter => {
                "Il codice fiscale non è valido: il carattere di controllo non corrisponde. Verifica di averlo digitato correttamente."
            }
        })
    }
}

impl std::error::Error for FiscalCodeError {}

/// The refusal of a birth date the codice fiscale does not record (a child's, in the
/// office's form and in the registry import).
pub const BIRTH_DATE_MISMATCH: &str =
    "La data di nascita non corrisponde a quella del codice fiscale.";

/// Letters that replace digits in a codice fiscale when two people would share one
/// (omocodia): 0 → L, 1 → M, … 9 → V.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";

/// Value of a character in an odd position (1st, 3rd, … counting from 1).
fn odd_value(c: u8) -> u32 {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let index = if c.is_ascii_digit() {
        c - b'0'
    } else {
        c - b'A'
    };
    ODD[usize::from(index)]
}

/// Value of a character in an even position.
fn even_value(c: u8) -> u32 {
    u32::from(if c.is_ascii_digit() {
        c - b'0'
    } else {
        c - b'A'
    })
}

/// The check character (16th) for the first 15 characters, which must be upper-case
/// ASCII letters or digits.
pub fn check_character(first15: &[u8]) -> char {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i % 2 == 0 {
                odd_value(c)
            } else {
                even_value(c)
            }
        })
        .sum();
    char::from(b'A' + (sum % 26) as u8)
}

fn digit_or_omocodia(c: u8) -> bool {
    c.is_ascii_digit() || OMOCODIA.contains(&c)
}

impl FiscalCode {
    /// Parses user input: surrounding spaces are ignored and letters may be lower-case.
    pub fn parse(input: &str) -> Result<Self, FiscalCodeError> {
        let value = input.trim().to_ascii_uppercase();
        if value.is_empty() {
            return Err(FiscalCodeError::Empty);
        }
        let bytes = value.as_bytes();
        if bytes.len() != 16 {
            return Err(FiscalCodeError::Length);
        }
        let letters = [0, 1, 2, 3, 4, 5, 8, 11, 15];
        let digits = [6, 7, 9, 10, 12, 13, 14];
        let shape_ok = letters.iter().all(|&i| bytes[i].is_ascii_uppercase())
            && digits.iter().all(|&i| digit_or_omocodia(bytes[i]))
            && b"ABCDEHLMPRST".contains(&bytes[8]);
        if !shape_ok {
            return Err(FiscalCodeError::Shape);
        }
        if check_character(&bytes[..15]) != char::from(bytes[15]) {
            return Err(FiscalCodeError::CheckCharacter);
        }
        Ok(FiscalCode(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code of the account behind a comune's API client, which is no person: the
    /// reserved shape `APICLI` + two digits + `A00Z` + three digits + check character.
    /// Day `00` is no birth day, so it is never a person's code. `serial` picks the
    /// digits (modulo 100 000).
    pub fn of_api_client(serial: u32) -> FiscalCode {
        let serial = serial % 100_000;
        let first15 = format!("APICLI{:02}A00Z{:03}", serial / 1000, serial % 1000);
        let check = check_character(first15.as_bytes());
        FiscalCode(format!("{first15}{check}"))
    }

    /// The digit at `at`, read through omocodia.
    fn digit(&self, at: usize) -> u8 {
        let c = self.0.as_bytes()[at];
        match OMOCODIA.iter().position(|&o| o == c) {
            Some(value) => value as u8,
            None => c - b'0',
        }
    }

    /// Whether the code records `day` as the birth date: the year's last two digits,
    /// the month's letter, the day (plus 40 for women).
    pub fn records_birth_date(&self, day: time::Date) -> bool {
        const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
        let year = self.digit(6) * 10 + self.digit(7);
        let month = MONTHS[usize::from(u8::from(day.month())) - 1];
        let birth_day = (self.digit(9) * 10 + self.digit(10)) % 40;
        i32::from(year) == day.year().rem_euclid(100)
            && month == self.0.as_bytes()[8]
            && birth_day == day.day()
    }

    /// The sex the code records: women's birth day is written plus 40.
    pub fn sex(&self) -> crate::children::Sex {
        if self.digit(9) >= 4 {
            crate::children::Sex::Female
        } else {
            crate::children::Sex::Male
        }
    }
}

impl fmt::Display for FiscalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for FiscalCode {
    type Error = FiscalCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        FiscalCode::parse(&value)
    }
}

impl From<FiscalCode> for String {
    fn from(value: FiscalCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_known_good_codes() {
        // Published examples with a correct check character.
        for code in ["RSSMRA85T10A562S", "MRTMTT25D09F205Z", "LBRMRA80E12F205M"] {
            assert!(FiscalCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn an_api_clients_code_is_valid_and_no_birth_day() {
        let code = FiscalCode::of_api_client(1_234_567);
        assert_eq!(FiscalCode::parse(code.as_str()), Ok(code.clone()));
        assert!(code.as_str().starts_with("APICLI34A00Z567"));
        assert_ne!(code, FiscalCode::of_api_client(1_234_568));
    }

    #[test]
    fn normalises_case_and_spaces() {
        let code = FiscalCode::parse("  rssmra85t10a562s ").unwrap();
        assert_eq!(code.as_str(), "RSSMRA85T10A562S");
    }

    #[test]
    fn rejects_wrong_check_character_with_italian_message() {
        let err = FiscalCode::parse("RSSMRA85T10A562T").unwrap_err();
        assert_eq!(err, FiscalCodeError::CheckCharacter);
        assert!(err.to_string().contains("carattere di controllo"));
    }

    #[test]
    fn rejects_bad_length_and_shape() {
        assert_eq!(FiscalCode::parse(""), Err(FiscalCodeError::Empty));
        assert_eq!(FiscalCode::parse("RSSMRA85"), Err(FiscalCodeError::Length));
        assert_eq!(
            FiscalCode::parse("1SSMRA85T10A562S"),
            Err(FiscalCodeError::Shape)
        );
        // Month letter must be one of ABCDEHLMPRST.
        assert_eq!(
            FiscalCode::parse("RSSMRA85Z10A562S"),
            Err(FiscalCodeError::Shape)
        );
    }

    #[test]
    fn the_birth_day_tells_the_sex() {
        use crate::children::Sex;
        assert_eq!(
            FiscalCode::parse("RSSMRA85T10A562S").unwrap().sex(),
            Sex::Male
        );
        let first15 = b"RSSMRA85T50A562";
        let female = format!(
            "{}{}",
            std::str::from_utf8(first15).unwrap(),
            check_character(first15)
        );
        assert_eq!(FiscalCode::parse(&female).unwrap().sex(), Sex::Female);
    }

    #[test]
    fn accepts_omocodia() {
        // RSSMRA85T10A562S with its last digit replaced (2 → N) gets a new check character.
        let first15 = b"RSSMRA85T10A56N";
        let full = format!(
            "{}{}",
            std::str::from_utf8(first15).unwrap(),
            check_character(first15)
        );
        assert!(FiscalCode::parse(&full).is_ok());
    }

    #[test]
    fn deserialises_only_valid_codes() {
        let ok: Result<FiscalCode, _> = serde_json::from_str("\"RSSMRA85T10A562S\"");
        assert!(ok.is_ok());
        let bad: Result<FiscalCode, _> = serde_json::from_str("\"RSSMRA85T10A562X\"");
        assert!(bad.is_err());
    }
}

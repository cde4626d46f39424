//! Money: integer euro cents inside, `Decimal` with two decimals at the edges, and the
//! one parser of every amount a person or a client types.

use rust_decimal::Decimal;

use crate::format::euro_cents;

/// Largest recharge of a prepaid account, whatever the comune's own rule says (1.000,00 €).
pub const MAX_RECHARGE_CENTS: i64 = 100_000;
/// Largest line of an emission (5.000,00 €).
pub const MAX_EMISSION_LINE_CENTS: i64 = 500_000;
/// Largest total of an emission (10.000,00 €).
pub const MAX_EMISSION_TOTAL_CENTS: i64 = 1_000_000;
/// Largest operator's correction of a prepaid account, either way (10.000,00 €).
pub const MAX_CORRECTION_CENTS: i64 = 1_000_000;

/// Euro cents (the database representation) to a two-decimal `Decimal`.
pub fn cents_to_decimal(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// A `Decimal` amount to cents; `None` when it has more than two decimals or does not fit.
pub fn decimal_to_cents(amount: Decimal) -> Option<i64> {
    let normalized = amount.normalize();
    if normalized.scale() > 2 {
        return None;
    }
    let mut scaled = normalized;
    scaled.rescale(2);
    i64::try_from(scaled.mantissa()).ok()
}

/// Whether an amount may carry a minus sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// Only positive amounts (recharges, emission lines): a minus is refused.
    Unsigned,
    /// A leading minus is allowed (operators' corrections).
    Signed,
}

/// Why a typed amount is refused; `Display` is the Italian message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    NotANumber,
    Negative,
    TooManyDecimals,
    MisplacedThousands,
    /// Larger than the limit, given in cents.
    TooLarge(i64),
}

impl std::fmt::Display for AmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmountError::Empty => f.write_str("Inserisci l'importo."),
            AmountError::NotANumber => f.write_str(
                "Scrivi l'importo in cifre, con la virgola per i decimali (ad esempio 54,00 o 1.234,50).",
            ),
            AmountError::Negative => f.write_str("L'importo non può essere negativo."),
            AmountError::TooManyDecimals => {
                f.write_str("L'importo può avere al massimo due decimali.")
            }
            AmountError::MisplacedThousands => f.write_str(
                "Il punto separa le migliaia a gruppi di tre cifre (ad esempio 1.234,50).",
            ),
            AmountError::TooLarge(max) => {
                write!(f, "L'importo non può superare {}.", euro_cents(*max))
            }
        }
    }
}

impl std::error::Error for AmountError {}

/// Parses an amount in euro as a person types it, into cents: `54`, `54,00`, `54.00`,
/// `1.000` (one thousand: a dot followed by exactly three digits separates thousands),
/// `1.234,50`, an optional trailing `€`, and a leading minus where `sign` allows it.
/// Nothing else: no exponent, underscore, plus sign, inner space or stray separator.
/// Amounts whose size is above `max` cents are refused.
pub fn parse_cents(input: &str, sign: Sign, max: i64) -> Result<i64, AmountError> {
    let trimmed = input.trim();
    let trimmed = trimmed.strip_suffix('€').unwrap_or(trimmed).trim_end();
    if trimmed.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, unsigned) = match trimmed.strip_prefix('-') {
        Some(rest) if sign == Sign::Signed => (true, rest),
        Some(rest) if is_amount_text(rest) => return Err(AmountError::Negative),
        Some(_) => return Err(AmountError::NotANumber),
        None => (false, trimmed),
    };
    if !is_amount_text(unsigned) {
        return Err(AmountError::NotANumber);
    }
    let (whole, decimals) = split_decimals(unsigned)?;
    if decimals.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    let euros = whole_euros(whole)?
        .parse::<i64>()
        .map_err(|_| AmountError::TooLarge(max))?;
    let mut cents_text = decimals.to_string();
    while cents_text.len() < 2 {
        cents_text.push('0');
    }
    let cents = euros
        .checked_mul(100)
        .and_then(|c| c.checked_add(cents_text.parse::<i64>().ok()?))
        .filter(|c| *c <= max)
        .ok_or(AmountError::TooLarge(max))?;
    Ok(if negative { -cents } else { cents })
}

/// Only digits, dots and commas, starting and ending with a digit.
fn is_amount_text(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && text.starts_with(|c: char| c.is_ascii_digit())
        && text.ends_with(|c: char| c.is_ascii_digit())
}

/// Splits the whole part from the decimals. The comma is the decimal separator; without
/// one, a last dot followed by other than exactly three digits is a decimal point.
fn split_decimals(text: &str) -> Result<(&str, &str), AmountError> {
    match text.split_once(',') {
        Some((_, decimals)) if decimals.contains([',', '.']) => {
            Err(AmountError::MisplacedThousands)
        }
        Some((whole, decimals)) => Ok((whole, decimals)),
        None => match text.rsplit_once('.') {
            Some((whole, decimals)) if decimals.len() != 3 => {
                if whole.contains('.') {
                    Err(AmountError::MisplacedThousands)
                } else {
                    Ok((whole, decimals))
                }
            }
            _ => Ok((text, "")),
        },
    }
}

/// The digits of the whole euros: plain digits, or groups of three digits after a first
/// group of one to three, separated by dots.
fn whole_euros(whole: &str) -> Result<String, AmountError> {
    let mut groups = whole.split('.');
    let first = groups.next().unwrap_or_default();
    let mut digits = first.to_string();
    let mut grouped = false;
    for group in groups {
        grouped = true;
        if group.len() != 3 {
            return Err(AmountError::MisplacedThousands);
        }
        digits.push_str(group);
    }
    if first.is_empty() || (grouped && (first.len() > 3 || first.starts_with('0'))) {
        return Err(AmountError::MisplacedThousands);
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_trips_cents() {
        assert_eq!(cents_to_decimal(4760).to_string(), "47.60");
        assert_eq!(
            decimal_to_cents(Decimal::from_str("47.6").unwrap()),
            Some(4760)
        );
        assert_eq!(decimal_to_cents(Decimal::from_str("5").unwrap()), Some(500));
        assert_eq!(
            decimal_to_cents(Decimal::from_str("-1.05").unwrap()),
            Some(-105)
        );
    }

    #[test]
    fn refuses_fractions_of_a_cent() {
        assert_eq!(decimal_to_cents(Decimal::from_str("1.005").unwrap()), None);
        assert_eq!(
            decimal_to_cents(Decimal::from_str("1.500").unwrap()),
            Some(150)
        );
    }

    const MAX: i64 = MAX_CORRECTION_CENTS;

    #[test]
    fn reads_amounts_as_italians_type_them() {
        for (typed, cents) in [
            ("54", 5400),
            ("54,00", 5400),
            ("54.00", 5400),
            ("54,5", 5450),
            ("10.80", 1080),
            ("0,05", 5),
            (" 54,00 € ", 5400),
            ("54€", 5400),
            ("1.000", 100_000),
            ("1.000,00", 100_000),
            ("1.234,50", 123_450),
            ("1234,50", 123_450),
            ("1234.50", 123_450),
            ("1.5", 150),
            ("007", 700),
        ] {
            assert_eq!(
                parse_cents(typed, Sign::Unsigned, MAX),
                Ok(cents),
                "{typed}"
            );
        }
        assert_eq!(parse_cents("-5,00", Sign::Signed, MAX), Ok(-500));
        assert_eq!(parse_cents("-1.000", Sign::Signed, MAX), Ok(-100_000));
    }

    #[test]
    fn refuses_everything_else_with_a_reason() {
        use AmountError::*;
        for (typed, error) in [
            ("", Empty),
            ("  € ", Empty),
            ("1E2", NotANumber),
            ("1e3", NotANumber),
            ("1_0", NotANumber),
            ("+10", NotANumber),
            ("1 000", NotANumber),
            ("dieci", NotANumber),
            ("0x10", NotANumber),
            (",50", NotANumber),
            ("5,", NotANumber),
            ("5.", NotANumber),
            ("NaN", NotANumber),
            ("--5", NotANumber),
            ("-5", Negative),
            ("1,005", TooManyDecimals),
            ("1.0000", TooManyDecimals),
            ("1,000", TooManyDecimals),
            ("1,234.50", MisplacedThousands),
            ("1.23.45", MisplacedThousands),
            ("1.2345,00", MisplacedThousands),
            ("1000.000", MisplacedThousands),
            ("01.000", MisplacedThousands),
            ("1,2,3", MisplacedThousands),
            ("10.000,01", TooLarge(MAX)),
            ("99999999999999999999", TooLarge(MAX)),
        ] {
            assert_eq!(
                parse_cents(typed, Sign::Unsigned, MAX),
                Err(error),
                "{typed}"
            );
        }
        assert_eq!(
            parse_cents("-10.000,01", Sign::Signed, MAX),
            Err(AmountError::TooLarge(MAX))
        );
    }

    #[test]
    fn messages_are_italian() {
        assert_eq!(
            AmountError::TooLarge(MAX_EMISSION_LINE_CENTS).to_string(),
            "L'importo non può superare 5.000,00 €."
        );
        assert_eq!(
            AmountError::TooManyDecimals.to_string(),
            "L'importo può avere al massimo due decimali."
        );
    }
}

//! Money: integer euro cents inside, `Decimal` with two decimals at the edges.

use rust_decimal::Decimal;

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
}

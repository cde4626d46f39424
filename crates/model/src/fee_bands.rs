//! The comune's fee bands (fasce) of a service: which ISEE values each covers and what it
//! charges (meal price, monthly quota). The one rule that picks a family's band from its
//! ISEE value, used by the API when accepting an enrolment and by the SPA to pre-fill
//! the operator's form.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::format::euro;

/// A fee band of a service.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeBand {
    pub id: i64,
    pub service_id: i64,
    /// Fascia, e.g. `Fascia c.p. 3 q.f80`.
    pub name: String,
    /// The lowest ISEE value the band covers.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "5000.01"))]
    pub isee_from: Decimal,
    /// The highest ISEE value it covers; none: no upper bound.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "12000.00"))]
    pub isee_to: Option<Decimal>,
    /// Importo pasto.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "3.50"))]
    pub meal_price: Decimal,
    /// Importo quota (monthly).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "80.00"))]
    pub quota: Decimal,
}

impl FeeBand {
    /// Whether an ISEE value falls in the band.
    pub fn covers(&self, isee: Decimal) -> bool {
        self.isee_from <= isee && self.isee_to.is_none_or(|to| isee <= to)
    }

    /// `ISEE da 5.000,01 € a 12.000,00 €`, `ISEE da 12.000,01 €`.
    pub fn isee_range(&self) -> String {
        match self.isee_to {
            Some(to) => format!("ISEE da {} a {}", euro(self.isee_from), euro(to)),
            None => format!("ISEE da {}", euro(self.isee_from)),
        }
    }
}

/// The band of `bands` that covers `isee`, the first one when several do.
pub fn band_for_isee(bands: &[FeeBand], isee: Decimal) -> Option<&FeeBand> {
    bands.iter().find(|band| band.covers(isee))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(name: &str, from: i64, to: Option<i64>) -> FeeBand {
        FeeBand {
            id: 1,
            service_id: 1,
            name: name.into(),
            isee_from: Decimal::new(from, 2),
            isee_to: to.map(|to| Decimal::new(to, 2)),
            meal_price: Decimal::new(350, 2),
            quota: Decimal::new(8000, 2),
        }
    }

    #[test]
    fn the_isee_picks_the_band_that_covers_it_bounds_included() {
        let bands = [
            band("Fascia 1", 0, Some(500_000)),
            band("Fascia 2", 500_001, Some(1_200_000)),
            band("Fascia 3", 1_200_001, None),
        ];
        let pick = |cents| band_for_isee(&bands, Decimal::new(cents, 2)).map(|b| b.name.as_str());
        assert_eq!(pick(0), Some("Fascia 1"));
        assert_eq!(pick(500_000), Some("Fascia 1"));
        assert_eq!(pick(500_001), Some("Fascia 2"));
        assert_eq!(pick(1_200_000), Some("Fascia 2"));
        assert_eq!(pick(9_999_999), Some("Fascia 3"));
        assert_eq!(band_for_isee(&bands[..1], Decimal::new(600_000, 2)), None);
    }

    #[test]
    fn the_range_reads_in_italian() {
        assert_eq!(
            band("Fascia 2", 500_001, Some(1_200_000)).isee_range(),
            "ISEE da 5.000,01 € a 12.000,00 €"
        );
        assert_eq!(
            band("Fascia 3", 1_200_001, None).isee_range(),
            "ISEE da 12.000,01 €"
        );
    }
}

//! The comune's fee bands (fasce) of a service: which ISEE values each covers and what it
//! charges (meal price, monthly quota). The one rule that picks a family's band from its
//! ISEE value, used by the API when accepting an enrolment and by the SPA to pre-fill
//! the operator's form.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::format::{euro, euro_cents};
use crate::money::{parse_cents, Sign};
use crate::FieldError;

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

/// Highest ISEE value a band may name, in cents (one million euro).
pub const MAX_ISEE_CENTS: i64 = 100_000_000;
/// Highest meal price of a band, in cents.
pub const MAX_MEAL_PRICE_CENTS: i64 = 5_000;
/// Highest monthly quota of a band, in cents.
pub const MAX_QUOTA_CENTS: i64 = 100_000;
/// Longest name of a band, in characters.
pub const BAND_NAME_MAX_CHARS: usize = 80;
/// Most bands a service may have.
pub const MAX_BANDS: usize = 30;

/// A band as the administrator types it in the bands table: amounts as people write them
/// (`5.000,01`), an empty `isee_to` for no upper bound.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeBandRow {
    /// The band being edited; none for a new one.
    pub id: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(max_length = 80))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 32, example = "0"))]
    pub isee_from: String,
    /// Empty: no upper bound (only the last band).
    #[cfg_attr(feature = "openapi", schema(max_length = 32, example = "6.000,00"))]
    pub isee_to: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 32, example = "2,50"))]
    pub meal_price: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 32, example = "0"))]
    pub quota: String,
}

impl From<&FeeBand> for FeeBandRow {
    fn from(band: &FeeBand) -> Self {
        let typed = crate::format::amount_as_typed;
        FeeBandRow {
            id: Some(band.id),
            name: band.name.clone(),
            isee_from: typed(band.isee_from),
            isee_to: band.isee_to.map(typed).unwrap_or_default(),
            meal_price: typed(band.meal_price),
            quota: typed(band.quota),
        }
    }
}

/// The whole bands table of a service, saved at once: a band left out is deleted, one
/// without id is added.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeBandsForm {
    #[cfg_attr(feature = "openapi", schema(max_items = 30))]
    pub bands: Vec<FeeBandRow>,
}

/// A band once checked, in cents, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedBand {
    pub id: Option<i64>,
    pub name: String,
    pub isee_from_cents: i64,
    pub isee_to_cents: Option<i64>,
    pub meal_price_cents: i64,
    pub quota_cents: i64,
}

/// Checks a service's bands table: each band with a name (unique), amounts within their
/// bounds and an ISEE range that does not end before it starts; together, from the
/// lowest ISEE, they cover every value from 0,00 € up with neither overlaps nor gaps,
/// only the last one without an upper bound. Errors name `bands.<row>.<field>`.
pub fn check_fee_bands(form: &FeeBandsForm) -> Result<Vec<CheckedBand>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if form.bands.len() > MAX_BANDS {
        errors.push(FieldError::new(
            "bands",
            format!("Un servizio può avere al massimo {MAX_BANDS} fasce."),
        ));
        return Err(errors);
    }
    let mut checked = Vec::new();
    for (row, band) in form.bands.iter().enumerate() {
        let mut fail = |field: &str, message: String| {
            errors.push(FieldError::new(format!("bands.{row}.{field}"), message))
        };
        let name = band.name.trim().to_owned();
        if name.is_empty() {
            fail("name", "Scrivi il nome della fascia.".into());
        } else if name.chars().count() > BAND_NAME_MAX_CHARS {
            fail(
                "name",
                format!("Il nome può contenere al massimo {BAND_NAME_MAX_CHARS} caratteri."),
            );
        } else if form.bands[..row]
            .iter()
            .any(|other| other.name.trim().eq_ignore_ascii_case(&name))
        {
            fail("name", format!("C'è già una fascia di nome «{name}»."));
        }
        let mut amount = |field: &str, text: &str, max: i64| {
            parse_cents(text, Sign::Unsigned, max)
                .map_err(|e| fail(field, e.to_string()))
                .ok()
        };
        let from = amount("isee_from", &band.isee_from, MAX_ISEE_CENTS);
        let to = if band.isee_to.trim().is_empty() {
            Some(None)
        } else {
            amount("isee_to", &band.isee_to, MAX_ISEE_CENTS).map(Some)
        };
        let meal_price = amount("meal_price", &band.meal_price, MAX_MEAL_PRICE_CENTS);
        let quota = amount("quota", &band.quota, MAX_QUOTA_CENTS);
        if let (Some(from), Some(Some(to))) = (from, to) {
            if to < from {
                fail(
                    "isee_to",
                    format!(
                        "L'ISEE massimo non può essere minore del minimo ({}).",
                        euro_cents(from)
                    ),
                );
            }
        }
        if let (Some(from), Some(to), Some(meal_price), Some(quota)) = (from, to, meal_price, quota)
        {
            checked.push((
                row,
                CheckedBand {
                    id: band.id,
                    name,
                    isee_from_cents: from,
                    isee_to_cents: to,
                    meal_price_cents: meal_price,
                    quota_cents: quota,
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    checked.sort_by_key(|(_, band)| band.isee_from_cents);
    let mut fail = |row: usize, field: &str, message: String| {
        errors.push(FieldError::new(format!("bands.{row}.{field}"), message))
    };
    if let Some((row, first)) = checked.first() {
        if first.isee_from_cents != 0 {
            fail(
                *row,
                "isee_from",
                "La fascia con l'ISEE più basso deve partire da 0,00 €, perché ogni ISEE abbia la sua fascia.".into(),
            );
        }
    }
    for pair in checked.windows(2) {
        let ((below_row, below), (row, band)) = (&pair[0], &pair[1]);
        match below.isee_to_cents {
            None => fail(
                *below_row,
                "isee_to",
                format!(
                    "Solo l'ultima fascia può non avere un ISEE massimo: questa deve finire prima di «{}».",
                    band.name
                ),
            ),
            Some(to) if band.isee_from_cents <= to => fail(
                *row,
                "isee_from",
                format!(
                    "Si sovrappone alla fascia «{}», che arriva a {}: deve partire da {}.",
                    below.name,
                    euro_cents(to),
                    euro_cents(to + 1)
                ),
            ),
            Some(to) if band.isee_from_cents > to + 1 => fail(
                *row,
                "isee_from",
                format!(
                    "Restano senza fascia gli ISEE da {} a {}: dopo la fascia «{}» questa deve partire da {}.",
                    euro_cents(to + 1),
                    euro_cents(band.isee_from_cents - 1),
                    below.name,
                    euro_cents(to + 1)
                ),
            ),
            Some(_) => {}
        }
    }
    if let Some((row, last)) = checked.last() {
        if let Some(to) = last.isee_to_cents {
            fail(
                *row,
                "isee_to",
                format!(
                    "Restano senza fascia gli ISEE oltre {}: lascia vuoto l'ISEE massimo dell'ultima fascia.",
                    euro_cents(to)
                ),
            );
        }
    }
    if errors.is_empty() {
        Ok(checked.into_iter().map(|(_, band)| band).collect())
    } else {
        Err(errors)
    }
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

    fn row(name: &str, from: &str, to: &str) -> FeeBandRow {
        FeeBandRow {
            id: None,
            name: name.into(),
            isee_from: from.into(),
            isee_to: to.into(),
            meal_price: "3,50".into(),
            quota: "0".into(),
        }
    }

    fn fields(form: &FeeBandsForm) -> Vec<String> {
        check_fee_bands(form)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn bands_cover_every_isee_once_from_zero_up() {
        let bands = FeeBandsForm {
            bands: vec![
                row("Fascia 2", "6.000,01", ""),
                row("Fascia 1", "0", "6.000,00"),
            ],
        };
        let checked = check_fee_bands(&bands).expect("two bands that adjoin");
        assert_eq!(checked[0].name, "Fascia 1");
        assert_eq!(checked[0].isee_to_cents, Some(600_000));
        assert_eq!(checked[1].isee_from_cents, 600_001);
        assert_eq!(checked[1].isee_to_cents, None);
        assert_eq!(check_fee_bands(&FeeBandsForm::default()), Ok(vec![]));
    }

    #[test]
    fn overlaps_gaps_and_open_ends_are_refused_on_their_field() {
        let overlap = FeeBandsForm {
            bands: vec![row("A", "0", "6000"), row("B", "5000", "")],
        };
        assert_eq!(fields(&overlap), ["bands.1.isee_from"]);
        let message = check_fee_bands(&overlap).unwrap_err()[0].message.clone();
        assert_eq!(
            message,
            "Si sovrappone alla fascia «A», che arriva a 6.000,00 €: deve partire da 6.000,01 €."
        );
        let gap = FeeBandsForm {
            bands: vec![row("A", "0", "6000"), row("B", "7000", "")],
        };
        assert_eq!(fields(&gap), ["bands.1.isee_from"]);
        let open_middle = FeeBandsForm {
            bands: vec![row("A", "0", ""), row("B", "7000", "")],
        };
        assert_eq!(fields(&open_middle), ["bands.0.isee_to"]);
        let not_from_zero = FeeBandsForm {
            bands: vec![row("A", "100", "")],
        };
        assert_eq!(fields(&not_from_zero), ["bands.0.isee_from"]);
        let closed_top = FeeBandsForm {
            bands: vec![row("A", "0", "100")],
        };
        assert_eq!(fields(&closed_top), ["bands.0.isee_to"]);
    }

    #[test]
    fn each_band_has_a_unique_name_and_sensible_amounts() {
        let mut bad = row("", "abc", "");
        bad.meal_price = "-1".into();
        let twice = FeeBandsForm {
            bands: vec![row("A", "0", "10"), row("a", "10,01", ""), bad],
        };
        assert_eq!(
            fields(&twice),
            [
                "bands.1.name",
                "bands.2.name",
                "bands.2.isee_from",
                "bands.2.meal_price"
            ]
        );
        let reversed = FeeBandsForm {
            bands: vec![row("A", "10", "5")],
        };
        assert!(fields(&reversed).contains(&"bands.0.isee_to".to_string()));
    }
}

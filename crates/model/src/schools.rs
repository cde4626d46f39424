//! The comune's schools (plessi) and their classes of each school year, the records an
//! enrolment names; and the one rule that checks an enrolment the office adds or changes
//! ([`EnrolmentForm::check`]), shared by the API and the SPA's form.

use serde::{Deserialize, Serialize};

use crate::children::MealType;
use crate::entes::ServiceKind;
use crate::fee_bands::FeeBand;
use crate::money::decimal_to_cents;
use crate::school_year::SchoolYear;
use crate::FieldError;

text_enum! {
    /// The school cycle (grado) of a school: how many years its classes run.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum SchoolCycle {
        Infanzia = "infanzia" => "Scuola dell'infanzia",
        Primaria = "primaria" => "Scuola primaria",
        SecondariaPrimoGrado = "secondaria_primo_grado" => "Scuola secondaria di primo grado",
    }
}

impl SchoolCycle {
    /// How many years the cycle runs: the grade of its last class.
    pub fn years(self) -> u8 {
        match self {
            SchoolCycle::Infanzia | SchoolCycle::SecondariaPrimoGrado => 3,
            SchoolCycle::Primaria => 5,
        }
    }

    /// Whether a class of this grade is the cycle's last: its pupils leave the school
    /// at the end of the year.
    pub fn is_last(self, grade: u8) -> bool {
        grade >= self.years()
    }

    /// The cycle a school's name tells (a school known only by its name, from an imported
    /// registry or a form's answer): «infanzia» and «materna», «secondaria» and «media»,
    /// otherwise primaria.
    pub fn of_name(name: &str) -> SchoolCycle {
        let name = name.to_lowercase();
        if name.contains("infanzia") || name.contains("materna") {
            SchoolCycle::Infanzia
        } else if name.contains("secondaria") || name.contains("media") {
            SchoolCycle::SecondariaPrimoGrado
        } else {
            SchoolCycle::Primaria
        }
    }
}

/// The grade a class's name starts with (`3A` is in its third year), if it does.
pub fn grade_of_name(name: &str) -> Option<u8> {
    let digits: String = name
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What tells classes apart by name: `3a` and ` 3A ` are one class.
pub fn class_key(name: &str) -> String {
    name.trim().to_uppercase()
}

/// Longest name of a school, in characters.
pub const SCHOOL_NAME_MAX_CHARS: usize = 120;
/// Longest address of a school, in characters.
pub const SCHOOL_ADDRESS_MAX_CHARS: usize = 200;
/// The codice meccanografico of a school: 10 capital letters and digits.
pub const SCHOOL_CODE_CHARS: usize = 10;
/// Longest name of a class (`3A`, `Sezione Gialla`), in characters.
pub const CLASS_NAME_MAX_CHARS: usize = 30;
/// Longest badge (tessera), in characters.
pub const BADGE_MAX_CHARS: usize = 20;

/// A school of the comune.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct School {
    pub id: i64,
    /// E.g. `Scuola Primaria Giovanni Pascoli`.
    pub name: String,
    pub address: String,
    /// Codice meccanografico (e.g. `MIEE81201B`); empty: not given.
    pub code: String,
    pub cycle: SchoolCycle,
    /// Whether the school is in use: one no longer in use keeps its classes and cards
    /// but is not offered for new enrolments.
    pub active: bool,
}

/// A class of a school in a school year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolClass {
    pub id: i64,
    pub school_id: i64,
    #[cfg_attr(feature = "openapi", schema(example = "2026/2027"))]
    pub school_year: String,
    /// E.g. `3A`.
    pub name: String,
    /// The year of the cycle the class is in, from 1.
    pub grade: u8,
    /// Whether it is the last class of its school's cycle: its children leave the school
    /// at the end of the year.
    pub last_of_cycle: bool,
}

/// A school with its classes, the latest school year first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolDetail {
    pub school: School,
    pub classes: Vec<SchoolClass>,
}

/// A school as the office writes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolForm {
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 120, example = "Scuola Primaria Giovanni Pascoli")
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub address: String,
    /// Codice meccanografico; empty: none.
    #[cfg_attr(feature = "openapi", schema(max_length = 10))]
    pub code: String,
    pub cycle: SchoolCycle,
    pub active: bool,
}

/// A school form once checked: the texts as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSchool {
    pub name: String,
    pub address: String,
    pub code: String,
    pub cycle: SchoolCycle,
    pub active: bool,
}

/// A band's amount in cents (a band's amounts are whole cents).
fn cents(amount: rust_decimal::Decimal) -> i64 {
    decimal_to_cents(amount).unwrap_or_default()
}

fn too_long(errors: &mut Vec<FieldError>, field: &str, text: &str, max: usize) {
    if text.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("Può contenere al massimo {max} caratteri."),
        ));
    }
}

impl SchoolForm {
    /// Checks the school, each error in Italian on its field.
    pub fn check(&self) -> Result<CheckedSchool, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::new("name", "Scrivi il nome della scuola."));
        }
        too_long(&mut errors, "name", &name, SCHOOL_NAME_MAX_CHARS);
        let address = self.address.trim().to_owned();
        too_long(&mut errors, "address", &address, SCHOOL_ADDRESS_MAX_CHARS);
        let code = self.code.trim().to_ascii_uppercase();
        if !code.is_empty()
            && (code.len() != SCHOOL_CODE_CHARS || !code.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            errors.push(FieldError::new(
                "code",
                "Il codice meccanografico è di 10 lettere e cifre (ad esempio MIEE81201B); lascialo vuoto se non lo conosci.",
            ));
        }
        if errors.is_empty() {
            Ok(CheckedSchool {
                name,
                address,
                code,
                cycle: self.cycle,
                active: self.active,
            })
        } else {
            Err(errors)
        }
    }
}

/// A class as the office writes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolClassForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 16, example = "2026/2027"))]
    pub school_year: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 30, example = "3A"))]
    pub name: String,
    /// The year of the cycle, from 1 to the cycle's last (5 for a primaria).
    pub grade: u8,
}

/// A class form once checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedClass {
    pub school_year: SchoolYear,
    pub name: String,
    pub grade: u8,
}

impl SchoolClassForm {
    /// Checks the class of a school of `cycle`, each error in Italian on its field.
    pub fn check(&self, cycle: SchoolCycle) -> Result<CheckedClass, Vec<FieldError>> {
        let mut errors = Vec::new();
        let school_year = SchoolYear::parse(&self.school_year)
            .map_err(|message| errors.push(FieldError::new("school_year", message)))
            .ok();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::new(
                "name",
                "Scrivi il nome della classe (ad esempio 3A).",
            ));
        }
        too_long(&mut errors, "name", &name, CLASS_NAME_MAX_CHARS);
        if !(1..=cycle.years()).contains(&self.grade) {
            errors.push(FieldError::new(
                "grade",
                format!(
                    "L'anno di corso di una {} va da 1 a {}.",
                    cycle.label().to_lowercase(),
                    cycle.years()
                ),
            ));
        }
        match school_year {
            Some(school_year) if errors.is_empty() => Ok(CheckedClass {
                school_year,
                name,
                grade: self.grade,
            }),
            _ => Err(errors),
        }
    }
}

/// An enrolment (a child's card of a service) as the office adds or changes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentForm {
    /// The service; it cannot change once the card exists.
    pub service_id: i64,
    #[cfg_attr(feature = "openapi", schema(max_length = 16, example = "2026/2027"))]
    pub school_year: String,
    /// The school; required for a service that serves meals.
    pub school_id: Option<i64>,
    /// The class of that school in that school year; none: not known yet.
    pub class_id: Option<i64>,
    /// The name of one of the service's fee bands: the card takes its meal price and
    /// quota.
    #[cfg_attr(feature = "openapi", schema(max_length = 80))]
    pub fee_band: String,
    /// The diet; `—` for a service that serves no meals.
    pub meal_type: MealType,
    /// Tessera: unique in the comune (only the same child's cards share one).
    #[cfg_attr(feature = "openapi", schema(max_length = 20, example = "621490"))]
    pub badge: String,
}

/// What an enrolment is checked against: the service, its bands, and the school and class
/// the form names (as found in the comune; `None` when the form names none or one that is
/// not the comune's).
pub struct EnrolmentChoices<'a> {
    pub kind: ServiceKind,
    pub bands: &'a [FeeBand],
    pub school: Option<&'a School>,
    pub class: Option<&'a SchoolClass>,
}

/// An enrolment once checked: what the card stores.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedEnrolment {
    pub school_year: SchoolYear,
    pub school_id: Option<i64>,
    pub class_id: Option<i64>,
    pub fee_band: String,
    pub meal_price_cents: i64,
    pub quota_cents: i64,
    pub meal_type: MealType,
    pub badge: String,
}

impl EnrolmentForm {
    /// Checks the card against `choices`, each error in Italian on its field.
    pub fn check(&self, choices: &EnrolmentChoices) -> Result<CheckedEnrolment, Vec<FieldError>> {
        let mut errors = Vec::new();
        let school_year = SchoolYear::parse(&self.school_year)
            .map_err(|message| errors.push(FieldError::new("school_year", message)))
            .ok();
        let meals = choices.kind.serves_meals();
        match (self.school_id, choices.school) {
            (Some(_), None) => errors.push(FieldError::new(
                "school_id",
                "La scuola scelta non c'è: ricarica la pagina.",
            )),
            (None, _) if meals => errors.push(FieldError::new(
                "school_id",
                "Scegli la scuola: la mensa prepara i pasti per scuola e classe.",
            )),
            _ => {}
        }
        match (self.class_id, choices.class) {
            (Some(_), None) => errors.push(FieldError::new(
                "class_id",
                "La classe scelta non c'è: ricarica la pagina.",
            )),
            (Some(_), Some(class)) => {
                if Some(class.school_id) != self.school_id {
                    errors.push(FieldError::new(
                        "class_id",
                        "La classe scelta non è della scuola indicata.",
                    ));
                } else if school_year.is_some_and(|year| year.to_string() != class.school_year) {
                    errors.push(FieldError::new(
                        "class_id",
                        format!(
                            "La classe {} è dell'anno scolastico {}: scegli una classe del {}.",
                            class.name,
                            class.school_year,
                            self.school_year.trim()
                        ),
                    ));
                }
            }
            (None, _) => {}
        }
        let band = choices.bands.iter().find(|b| b.name == self.fee_band);
        if band.is_none() {
            errors.push(FieldError::new(
                "fee_band",
                if choices.bands.is_empty() {
                    "Il servizio non ha fasce: l'amministratore le imposta in Servizi e fasce."
                } else {
                    "Scegli una delle fasce del servizio."
                },
            ));
        }
        let meal_type = if meals {
            if self.meal_type == MealType::NoMeals {
                errors.push(FieldError::new(
                    "meal_type",
                    "Scegli la tipologia del pasto (pasto base o una dieta).",
                ));
            }
            self.meal_type
        } else {
            MealType::NoMeals
        };
        let badge = self.badge.trim().to_owned();
        if badge.is_empty()
            || badge.chars().count() > BADGE_MAX_CHARS
            || !badge.chars().all(|c| c.is_ascii_alphanumeric())
        {
            errors.push(FieldError::new(
                "badge",
                format!("La tessera è di 1-{BADGE_MAX_CHARS} lettere o cifre, senza spazi."),
            ));
        }
        match (school_year, band) {
            (Some(school_year), Some(band)) if errors.is_empty() => Ok(CheckedEnrolment {
                school_year,
                school_id: self.school_id,
                class_id: self.class_id,
                fee_band: band.name.clone(),
                meal_price_cents: if meals { cents(band.meal_price) } else { 0 },
                quota_cents: cents(band.quota),
                meal_type,
                badge,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_cycle_knows_its_last_class_and_a_name_its_cycle() {
        assert_eq!(SchoolCycle::Primaria.years(), 5);
        assert_eq!(SchoolCycle::SecondariaPrimoGrado.years(), 3);
        assert_eq!(
            SchoolCycle::of_name("Scuola dell'Infanzia Rodari"),
            SchoolCycle::Infanzia
        );
        assert_eq!(
            SchoolCycle::of_name("Scuola Media Manzoni"),
            SchoolCycle::SecondariaPrimoGrado
        );
        assert_eq!(
            SchoolCycle::of_name("Scuola Primaria Pascoli"),
            SchoolCycle::Primaria
        );
        assert_eq!(grade_of_name(" 3a"), Some(3));
        assert_eq!(grade_of_name("Sezione Gialla"), None);
    }

    #[test]
    fn a_school_and_a_class_are_checked_on_their_fields() {
        let form = SchoolForm {
            name: "  ".into(),
            address: "Via Roma 1".into(),
            code: "MIEE1".into(),
            cycle: SchoolCycle::Primaria,
            active: true,
        };
        assert_eq!(fields(form.check().unwrap_err()), ["name", "code"]);
        let good = SchoolForm {
            name: " Scuola Primaria Pascoli ".into(),
            code: "mIee81201b".into(),
            ..form
        };
        let checked = good.check().unwrap();
        assert_eq!(
            (checked.name.as_str(), checked.code.as_str()),
            ("Scuola Primaria Pascoli", "MIEE81201B")
        );

        let class = SchoolClassForm {
            school_year: "2026/2028".into(),
            name: "".into(),
            grade: 6,
        };
        assert_eq!(
            fields(class.check(SchoolCycle::Primaria).unwrap_err()),
            ["school_year", "name", "grade"]
        );
        let class = SchoolClassForm {
            school_year: "2026/2027".into(),
            name: "3a".into(),
            grade: 3,
        };
        assert_eq!(class.check(SchoolCycle::Primaria).unwrap().name, "3a");
        assert_eq!(class_key(" 3a "), class_key("3A"));
        assert!(class.check(SchoolCycle::Infanzia).is_ok());
        let fifth = SchoolClassForm { grade: 5, ..class };
        assert_eq!(
            fields(fifth.check(SchoolCycle::Infanzia).unwrap_err()),
            ["grade"]
        );
    }

    fn band() -> FeeBand {
        FeeBand {
            id: 1,
            service_id: 2,
            name: "Fascia 1".into(),
            isee_from: Decimal::ZERO,
            isee_to: None,
            meal_price: Decimal::new(450, 2),
            quota: Decimal::new(3000, 2),
        }
    }

    fn school() -> School {
        School {
            id: 7,
            name: "Scuola Primaria Pascoli".into(),
            address: String::new(),
            code: String::new(),
            cycle: SchoolCycle::Primaria,
            active: true,
        }
    }

    fn class() -> SchoolClass {
        SchoolClass {
            id: 9,
            school_id: 7,
            school_year: "2026/2027".into(),
            name: "3A".into(),
            grade: 3,
            last_of_cycle: false,
        }
    }

    fn form() -> EnrolmentForm {
        EnrolmentForm {
            service_id: 2,
            school_year: "2026/2027".into(),
            school_id: Some(7),
            class_id: Some(9),
            fee_band: "Fascia 1".into(),
            meal_type: MealType::Medical,
            badge: " 621490 ".into(),
        }
    }

    #[test]
    fn an_enrolment_takes_its_bands_amounts_and_a_class_of_its_school_and_year() {
        let bands = [band()];
        let (school, class) = (school(), class());
        let choices = EnrolmentChoices {
            kind: ServiceKind::Prepaid,
            bands: &bands,
            school: Some(&school),
            class: Some(&class),
        };
        let checked = form().check(&choices).unwrap();
        assert_eq!(
            (
                checked.meal_price_cents,
                checked.quota_cents,
                checked.badge.as_str()
            ),
            (450, 3000, "621490")
        );
        let next_year = EnrolmentForm {
            school_year: "2027/2028".into(),
            ..form()
        };
        assert_eq!(fields(next_year.check(&choices).unwrap_err()), ["class_id"]);
        let other = SchoolClass {
            school_id: 8,
            ..class.clone()
        };
        let wrong = EnrolmentChoices {
            class: Some(&other),
            ..choices
        };
        assert_eq!(fields(form().check(&wrong).unwrap_err()), ["class_id"]);
    }

    #[test]
    fn a_canteen_card_needs_a_school_a_band_a_diet_and_a_badge() {
        let bands = [band()];
        let choices = EnrolmentChoices {
            kind: ServiceKind::Prepaid,
            bands: &bands,
            school: None,
            class: None,
        };
        let bad = EnrolmentForm {
            school_year: "2026".into(),
            school_id: None,
            class_id: None,
            fee_band: "Fascia 9".into(),
            meal_type: MealType::NoMeals,
            badge: "62 14".into(),
            ..form()
        };
        assert_eq!(
            fields(bad.check(&choices).unwrap_err()),
            ["school_year", "school_id", "fee_band", "meal_type", "badge"]
        );
        // A transport card needs no school and serves no meals.
        let transport = EnrolmentChoices {
            kind: ServiceKind::Emissions,
            ..choices
        };
        let card = EnrolmentForm {
            school_id: None,
            class_id: None,
            ..form()
        }
        .check(&transport)
        .unwrap();
        assert_eq!(
            (card.meal_type, card.meal_price_cents, card.quota_cents),
            (MealType::NoMeals, 0, 3000)
        );
    }
}

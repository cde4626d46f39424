//! Children (utenti, alunni) and their enrolment cards.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::entes::ServiceKind;

text_enum! {
    /// Sex of a child as the codice fiscale and the registry record it.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Sex {
        Male = "M" => "Maschio",
        Female = "F" => "Femmina",
    }
}

text_enum! {
    /// Tipologia pasto: the diet the guardian asked for the child, sent and stored as the
    /// service card prints it ("Tipologia Pasto DIETA SANITARIA").
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum MealType {
        /// Pasto base: the meal of the menu.
        Base = "PASTO BASE",
        /// Dieta sanitaria: a diet for health reasons (allergies, intolerances, illness).
        Medical = "DIETA SANITARIA",
        /// Dieta etico-religiosa: a diet for ethical or religious reasons.
        EthicalReligious = "DIETA ETICO-RELIGIOSA",
        /// The enrolment's service serves no meals (Trasporto Scolastico).
        NoMeals = "—",
    }
}

/// A child in a list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildSummary {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
}

/// Personal data (anagrafica) of a child with the enrolment card of every service.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildDetail {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub fiscal_code: String,
    pub birth_date: Date,
    pub birth_place: String,
    pub sex: Sex,
    pub address: String,
    /// The guardian (intestatario) of the child: the family's account holder.
    pub guardian_id: i64,
    /// Name of the guardian (intestatario) of the child.
    pub guardian_name: String,
    pub enrolments: Vec<Enrolment>,
}

/// The child's card for one service (seed 000: "Dettagli per … sul servizio …").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolment {
    pub id: i64,
    pub service_id: i64,
    pub service_code: String,
    pub service_name: String,
    pub service_kind: ServiceKind,
    /// Tessera/Badge.
    pub badge: String,
    pub school_id: Option<i64>,
    /// The school's name, empty for none.
    pub school: String,
    pub class_id: Option<i64>,
    /// The class's name, empty for none.
    pub class_name: String,
    /// Fascia (tariff band); left out for users who do not see fee data (delegates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_band: Option<String>,
    /// Importo quota; left out for users who do not see fee data (delegates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "100.00"))]
    pub quota: Option<Decimal>,
    /// Importo pasto.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "5.00"))]
    pub meal_price: Decimal,
    pub meal_type: MealType,
    /// Stato: attivo or disattivo.
    pub active: bool,
    /// The school year of the card, e.g. `2026/2027`.
    #[cfg_attr(feature = "openapi", schema(example = "2026/2027"))]
    pub school_year: String,
}

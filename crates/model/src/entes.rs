//! The ente (municipality, tenant), its public settings and its services.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A comune in the list to choose from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnteSummary {
    /// Short name used in addresses, e.g. `demo`.
    pub slug: String,
    /// Display name, e.g. `Comune di Demo`.
    pub name: String,
}

text_enum! {
    /// How a booking cutoff is anchored.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum CutoffRule {
        /// Changes for day D are allowed until the cutoff time on D itself.
        SameDay = "same_day",
        /// Changes for day D are allowed until the cutoff time on the previous school day.
        PreviousSchoolDay = "previous_school_day",
    }
}

/// Recharge amount rule of an ente's prepaid services.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RechargeRule {
    /// Smallest allowed recharge, e.g. `"5.00"`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "5.00"))]
    pub min: Decimal,
    /// Largest allowed recharge, e.g. `"500.00"`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "500.00"))]
    pub max: Decimal,
    /// When set, only multiples of this amount are allowed (e.g. `"5.40"`).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "5.40"))]
    pub step: Option<Decimal>,
}

/// Settings of an ente that the portal and its users rely on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnteSettings {
    /// Cutoff time for meal changes, `HH:MM` in Europe/Rome time.
    pub booking_cutoff_time: String,
    pub booking_cutoff_rule: CutoffRule,
    /// ISO weekdays (1 = Monday … 7 = Sunday) on which families may change bookings.
    pub bookable_weekdays: Vec<u8>,
    pub recharge: RechargeRule,
    /// Whether a prepaid account may go below zero.
    pub negative_balance_allowed: bool,
    /// Whether families may ask for a blank meal (pasto bianco).
    pub blank_meal_enabled: bool,
    /// Whether families may ask for a personal meal (P.Pers).
    pub personal_meal_enabled: bool,
}

/// An identity provider offered on the login page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginProvider {
    /// Identifier used in the login address, e.g. `spid` or `cie`.
    pub id: String,
    /// Label on the button, e.g. `SPID`.
    pub label: String,
}

/// Public description of an ente.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnteDetail {
    pub slug: String,
    pub name: String,
    /// 11-digit fiscal code of the ente.
    pub fiscal_code: String,
    /// Whether guardians may log in with codice fiscale and password.
    pub password_login_enabled: bool,
    /// SPID/CIE providers offered on the login page.
    pub login_providers: Vec<LoginProvider>,
    pub settings: EnteSettings,
    pub services: Vec<Service>,
}

text_enum! {
    /// How a service is administered.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum ServiceKind {
        /// A prepaid family account, recharged by the family and debited per meal.
        Prepaid = "prepaid" => "Prepagato",
        /// Bills (rette) issued by the ente.
        Emissions = "emissions" => "Emissione retta",
    }
}

impl ServiceKind {
    /// Whether the service serves meals, so that a meal price and a meal type apply to
    /// its enrolments (the canteen's prepaid account; not a transport card).
    pub fn serves_meals(self) -> bool {
        self == ServiceKind::Prepaid
    }
}

/// A service of an ente, e.g. Refezione Scolastica.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: ServiceKind,
}

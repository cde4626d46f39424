//! The ente (municipality, tenant), its public settings and its services.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fee_bands::FeeBand;
use crate::format::euro_cents;
use crate::money::{parse_cents, Sign, MAX_RECHARGE_CENTS};
use crate::{FieldError, Weekdays};

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
    /// The comune's services, those no longer in force too (`active`).
    pub services: Vec<Service>,
    /// The school office's contacts, shown in the public pages.
    pub contacts: EnteContacts,
    /// Address of the comune's logo (PNG, JPEG or SVG) under `/api/v1`; none: no logo.
    pub logo: Option<String>,
}

/// How families reach the comune's school office.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnteContacts {
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Address and opening hours.
    pub address: Option<String>,
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
    /// Whether the service is in force: a deactivated one keeps its records but is no
    /// longer offered.
    pub active: bool,
    /// Emissions services: a month the service runs only in part (it starts or ends
    /// in it) asks that part of the monthly quota, by days.
    #[serde(default)]
    pub pro_rata: bool,
}

/// The comune's new logo.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogoSaved {
    /// Its address under `/api/v1`, as in `EnteDetail.logo`.
    pub logo: String,
}

/// A service with its fee bands, as the office sets it up.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceDetail {
    pub service: Service,
    /// From the lowest ISEE.
    pub bands: Vec<FeeBand>,
    /// Names of the bands some enrolment has: they cannot be deleted or renamed.
    pub bands_in_use: Vec<String>,
}

/// A service as the administrator creates or edits it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceForm {
    /// Short code, 2 to 10 capital letters or digits, unique in the comune, e.g. `NIDO`.
    #[cfg_attr(feature = "openapi", schema(max_length = 10, example = "NIDO"))]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 80, example = "Asilo Nido"))]
    pub name: String,
    /// Set when the service is created; it cannot change afterwards.
    pub kind: ServiceKind,
    pub active: bool,
    /// Rette pro rata of the days the service runs in a month (emissions services).
    #[serde(default)]
    pub pro_rata: bool,
}

/// Longest name of a service, in characters.
pub const SERVICE_NAME_MAX_CHARS: usize = 80;
/// Longest code of a service, in characters.
pub const SERVICE_CODE_MAX_CHARS: usize = 10;

impl ServiceForm {
    /// Checks the name and the code (upper-cased), each error in Italian on its field;
    /// `Ok` holds the code and the name as stored.
    pub fn check(&self) -> Result<(String, String), Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = self.code.trim().to_ascii_uppercase();
        if !(2..=SERVICE_CODE_MAX_CHARS).contains(&code.len())
            || !code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            errors.push(FieldError::new(
                "code",
                format!("Il codice è di 2-{SERVICE_CODE_MAX_CHARS} lettere o cifre, senza spazi (ad esempio NIDO)."),
            ));
        }
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::new("name", "Scrivi il nome del servizio."));
        } else if name.chars().count() > SERVICE_NAME_MAX_CHARS {
            errors.push(FieldError::new(
                "name",
                format!("Il nome può contenere al massimo {SERVICE_NAME_MAX_CHARS} caratteri."),
            ));
        }
        if errors.is_empty() {
            Ok((code, name))
        } else {
            Err(errors)
        }
    }
}

/// The comune's settings as its administrators read and change them (Impostazioni del
/// comune): one request type, checked whole by [`EnteSettingsForm::check`]. Amounts are
/// typed as people write them (`5`, `5,40`); empty optional texts mean none.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnteSettingsForm {
    /// Display name, e.g. `Comune di Demo`.
    #[cfg_attr(feature = "openapi", schema(max_length = 120))]
    pub name: String,
    /// The school office's e-mail address, shown to families.
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub contact_email: String,
    /// The school office's telephone number; empty: none.
    #[cfg_attr(feature = "openapi", schema(max_length = 30))]
    pub contact_phone: String,
    /// The school office's address and opening hours; empty: none.
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub contact_address: String,
    /// Whether guardians may log in with codice fiscale and password (SPID and CIE are
    /// always offered).
    pub password_login_enabled: bool,
    /// Cutoff time for meal changes, `HH:MM` in Europe/Rome time.
    #[cfg_attr(feature = "openapi", schema(max_length = 5, example = "09:30"))]
    pub booking_cutoff_time: String,
    pub booking_cutoff_rule: CutoffRule,
    /// ISO weekdays (1 = Monday … 7 = Sunday) on which families may change bookings.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 7))]
    pub bookable_weekdays: Vec<u8>,
    /// Smallest recharge, e.g. `5,00`.
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub recharge_min: String,
    /// Largest recharge, e.g. `500,00`.
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub recharge_max: String,
    /// Recharges only in multiples of this amount; empty: any amount.
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub recharge_step: String,
    /// Whether a prepaid account may go below zero.
    pub negative_balance_allowed: bool,
    /// Whether families may ask for a blank meal (pasto bianco).
    pub blank_meal_enabled: bool,
    /// Whether families may ask for a personal meal (P.Pers).
    pub personal_meal_enabled: bool,
    /// The comune's 11-digit fiscal code (codice fiscale dell'ente creditore).
    #[cfg_attr(feature = "openapi", schema(max_length = 16, example = "80012340156"))]
    pub fiscal_code: String,
    /// pagoPA aux digit of the notice numbers: 0 (with an application code) or 3 (with a
    /// segregation code).
    pub pagopa_aux_digit: u8,
    /// Two-digit application code (aux digit 0); empty with aux digit 3.
    #[cfg_attr(feature = "openapi", schema(max_length = 2))]
    pub pagopa_application_code: String,
    /// Two-digit segregation code (aux digit 3); empty with aux digit 0.
    #[cfg_attr(feature = "openapi", schema(max_length = 2))]
    pub pagopa_segregation_code: String,
    /// The Italian IBAN pagoPA payments are credited to.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub pagopa_iban: String,
    /// pagoPA taxonomy of the school services, e.g. `9/0101108TS/`.
    #[cfg_attr(feature = "openapi", schema(max_length = 140))]
    pub pagopa_taxonomy: String,
    /// The comune uses only GPD, with no station of its own: receipts are fetched from
    /// GPD-payments.
    pub pagopa_gpd_only: bool,
    /// Working days a receipt may wait for its flusso di rendicontazione before the
    /// reconciliation lists it (0 to 30).
    pub flow_grace_days: u8,
}

/// Longest name of a comune, in characters.
pub const ENTE_NAME_MAX_CHARS: usize = 120;
/// Longest e-mail address (RFC 5321).
pub const EMAIL_MAX_CHARS: usize = 254;
/// Longest telephone number, in characters.
pub const PHONE_MAX_CHARS: usize = 30;
/// Longest address and opening hours, in characters.
pub const ADDRESS_MAX_CHARS: usize = 300;
/// Longest pagoPA taxonomy code, in characters.
pub const TAXONOMY_MAX_CHARS: usize = 140;
/// Largest logo, in bytes (512 KB).
pub const LOGO_MAX_BYTES: u32 = 512 * 1024;
/// Most working days a receipt may wait for its flusso di rendicontazione.
pub const MAX_FLOW_GRACE_DAYS: u8 = 30;

/// The settings of [`EnteSettingsForm`] once checked, as they are stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedEnteSettings {
    pub name: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_address: Option<String>,
    pub password_login_enabled: bool,
    pub booking_cutoff_time: String,
    pub booking_cutoff_rule: CutoffRule,
    pub bookable_weekdays: Weekdays,
    pub recharge_min_cents: i64,
    pub recharge_max_cents: i64,
    pub recharge_step_cents: Option<i64>,
    pub negative_balance_allowed: bool,
    pub blank_meal_enabled: bool,
    pub personal_meal_enabled: bool,
    /// The 11 digits.
    pub fiscal_code: String,
    pub pagopa_aux_digit: u8,
    pub pagopa_application_code: Option<String>,
    pub pagopa_segregation_code: Option<String>,
    /// Compact and upper case.
    pub pagopa_iban: String,
    pub pagopa_taxonomy: String,
    pub pagopa_gpd_only: bool,
    pub flow_grace_days: u8,
}

/// `HH:MM` (24 hours, `9:30` too) as a time of day; `None` for anything else.
pub fn parse_cutoff_time(text: &str) -> Option<time::Time> {
    let (h, m) = text.trim().split_once(':')?;
    let digits = |s: &str, max: usize| {
        (!s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u8>().ok())
            .flatten()
    };
    let (h, m) = (digits(h, 2)?, digits(m, 2).filter(|_| m.len() == 2)?);
    time::Time::from_hms(h, m, 0).ok()
}

/// Whether `digits` is a numeric codice fiscale (or partita IVA) of 11 digits whose last
/// digit is its check digit.
pub fn is_numeric_fiscal_code(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    if bytes.len() != 11 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = bytes[..10]
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                d
            } else if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        })
        .sum();
    (10 - sum % 10) % 10 == u32::from(bytes[10] - b'0')
}

/// A plausible e-mail address: one `@`, something before, a dotted domain after, no spaces.
pub fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

impl EnteSettingsForm {
    /// Checks every value, each error in Italian on its field: the name and the office's
    /// e-mail are required; the cutoff is `HH:MM`; some weekday is bookable; recharges
    /// are within the portal's bounds with the minimum not above the maximum (and both
    /// multiples of the step, if any); the fiscal code has its check digit; the aux digit
    /// is 0 or 3 with its two-digit code; the IBAN is Italian with its check digits; the
    /// taxonomy reads like `9/0101108TS/`.
    pub fn check(&self) -> Result<CheckedEnteSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| errors.push(FieldError::new(field, message));
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());

        let name = self.name.trim().to_owned();
        if name.is_empty() {
            fail("name", "Scrivi il nome del comune.".into());
        } else if name.chars().count() > ENTE_NAME_MAX_CHARS {
            fail(
                "name",
                format!("Il nome può contenere al massimo {ENTE_NAME_MAX_CHARS} caratteri."),
            );
        }
        let email = self.contact_email.trim().to_owned();
        if email.is_empty() {
            fail(
                "contact_email",
                "Scrivi l'indirizzo e-mail dell'ufficio a cui le famiglie possono scrivere.".into(),
            );
        } else if email.chars().count() > EMAIL_MAX_CHARS || !is_email(&email) {
            fail(
                "contact_email",
                "Scrivi un indirizzo e-mail valido (ad esempio ufficio.scuola@comune.it).".into(),
            );
        }
        let phone = optional(&self.contact_phone);
        if let Some(phone) = &phone {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let allowed = phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '/' | '-' | '.'));
            if !allowed || !(6..=15).contains(&digits) || phone.chars().count() > PHONE_MAX_CHARS {
                fail(
                    "contact_phone",
                    "Scrivi un numero di telefono valido (ad esempio 02 1234567).".into(),
                );
            }
        }
        let address = optional(&self.contact_address);
        if address
            .as_deref()
            .is_some_and(|a| a.chars().count() > ADDRESS_MAX_CHARS)
        {
            fail(
                "contact_address",
                format!("L'indirizzo può contenere al massimo {ADDRESS_MAX_CHARS} caratteri."),
            );
        }

        let cutoff = parse_cutoff_time(&self.booking_cutoff_time);
        if cutoff.is_none() {
            fail(
                "booking_cutoff_time",
                "Scrivi l'ora limite nel formato HH:MM (ad esempio 09:30).".into(),
            );
        }
        let weekdays = Weekdays::from_iso(&self.bookable_weekdays);
        match weekdays {
            None => fail(
                "bookable_weekdays",
                "I giorni della settimana vanno da 1 (lunedì) a 7 (domenica).".into(),
            ),
            Some(days) if days.iso().is_empty() => fail(
                "bookable_weekdays",
                "Scegli almeno un giorno in cui le famiglie possono modificare i pasti.".into(),
            ),
            Some(_) => {}
        }

        let mut amount =
            |field: &str, text: &str| match parse_cents(text, Sign::Unsigned, MAX_RECHARGE_CENTS) {
                Ok(0) => {
                    fail(field, "L'importo deve essere maggiore di zero.".into());
                    None
                }
                Ok(cents) => Some(cents),
                Err(e) => {
                    fail(field, e.to_string());
                    None
                }
            };
        let min = amount("recharge_min", &self.recharge_min);
        let max = amount("recharge_max", &self.recharge_max);
        let step = if self.recharge_step.trim().is_empty() {
            None
        } else {
            amount("recharge_step", &self.recharge_step)
        };
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                fail(
                    "recharge_max",
                    format!(
                        "La ricarica massima non può essere minore della minima ({}).",
                        euro_cents(min)
                    ),
                );
            }
        }
        if let Some(step) = step {
            for (field, value, what) in [
                ("recharge_min", min, "La ricarica minima"),
                ("recharge_max", max, "La ricarica massima"),
            ] {
                if value.is_some_and(|v| v % step != 0) {
                    fail(
                        field,
                        format!("{what} deve essere un multiplo di {}.", euro_cents(step)),
                    );
                }
            }
        }

        let fiscal_code: String = self
            .fiscal_code
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if fiscal_code.len() != 11 || !fiscal_code.bytes().all(|b| b.is_ascii_digit()) {
            fail(
                "fiscal_code",
                "Il codice fiscale del comune è di 11 cifre.".into(),
            );
        } else if !is_numeric_fiscal_code(&fiscal_code) {
            fail(
                "fiscal_code",
                "Il codice fiscale del comune non è valido: controlla le cifre (l'ultima è di controllo).".into(),
            );
        }
        let code = |text: &str| optional(text);
        let two_digits = |text: &Option<String>| {
            text.as_deref()
                .is_some_and(|t| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()))
        };
        let application = code(&self.pagopa_application_code);
        let segregation = code(&self.pagopa_segregation_code);
        match self.pagopa_aux_digit {
            0 => {
                if !two_digits(&application) {
                    fail(
                        "pagopa_application_code",
                        "Con il codice ausiliario 0 serve il codice applicazione di 2 cifre (ad esempio 01).".into(),
                    );
                }
                if segregation.is_some() {
                    fail(
                        "pagopa_segregation_code",
                        "Il codice di segregazione si usa solo con il codice ausiliario 3.".into(),
                    );
                }
            }
            3 => {
                if !two_digits(&segregation) {
                    fail(
                        "pagopa_segregation_code",
                        "Con il codice ausiliario 3 serve il codice di segregazione di 2 cifre (ad esempio 01).".into(),
                    );
                }
                if application.is_some() {
                    fail(
                        "pagopa_application_code",
                        "Il codice applicazione si usa solo con il codice ausiliario 0.".into(),
                    );
                }
            }
            _ => fail(
                "pagopa_aux_digit",
                "Il codice ausiliario degli avvisi pagoPA è 0 o 3.".into(),
            ),
        }
        let iban: String = self
            .pagopa_iban
            .split_whitespace()
            .collect::<String>()
            .to_ascii_uppercase();
        if let Err(message) = crate::forms::check_italian_iban(&iban) {
            fail("pagopa_iban", message.into());
        }
        let taxonomy = self.pagopa_taxonomy.trim().to_owned();
        if !is_taxonomy(&taxonomy) {
            fail(
                "pagopa_taxonomy",
                "Scrivi il codice della tassonomia pagoPA dei servizi scolastici (ad esempio 9/0101108TS/).".into(),
            );
        }
        if self.flow_grace_days > MAX_FLOW_GRACE_DAYS {
            fail(
                "flow_grace_days",
                format!(
                    "I giorni di attesa dei flussi di rendicontazione vanno da 0 a {MAX_FLOW_GRACE_DAYS}."
                ),
            );
        }

        match (cutoff, weekdays, min, max, errors.is_empty()) {
            (Some(cutoff), Some(weekdays), Some(min), Some(max), true) => Ok(CheckedEnteSettings {
                name,
                contact_email: Some(email),
                contact_phone: phone,
                contact_address: address,
                password_login_enabled: self.password_login_enabled,
                booking_cutoff_time: crate::format::hour_minute(cutoff),
                booking_cutoff_rule: self.booking_cutoff_rule,
                bookable_weekdays: weekdays,
                recharge_min_cents: min,
                recharge_max_cents: max,
                recharge_step_cents: step,
                negative_balance_allowed: self.negative_balance_allowed,
                blank_meal_enabled: self.blank_meal_enabled,
                personal_meal_enabled: self.personal_meal_enabled,
                fiscal_code,
                pagopa_aux_digit: self.pagopa_aux_digit,
                pagopa_application_code: application,
                pagopa_segregation_code: segregation,
                pagopa_iban: iban,
                pagopa_taxonomy: taxonomy,
                pagopa_gpd_only: self.pagopa_gpd_only,
                flow_grace_days: self.flow_grace_days,
            }),
            _ => Err(errors),
        }
    }
}

/// A pagoPA taxonomy code as the comune's settings hold it: the kind digit (0, 1, 2 or
/// 9), a slash, then the code with no spaces, e.g. `9/0101108TS/`.
fn is_taxonomy(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some('0' | '1' | '2' | '9'))
        && chars.next() == Some('/')
        && (3..=TAXONOMY_MAX_CHARS - 2).contains(&chars.clone().count())
        && chars.all(|c| c.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> EnteSettingsForm {
        EnteSettingsForm {
            name: "Comune di Demo".into(),
            contact_email: "ufficio.scuola@comune.demo.it".into(),
            contact_phone: "02 1234567".into(),
            contact_address: "Piazza del Municipio 1".into(),
            password_login_enabled: true,
            booking_cutoff_time: "9:30".into(),
            booking_cutoff_rule: CutoffRule::SameDay,
            bookable_weekdays: vec![1, 2, 3, 4, 5],
            recharge_min: "5,40".into(),
            recharge_max: "540".into(),
            recharge_step: "5,40".into(),
            negative_balance_allowed: true,
            blank_meal_enabled: true,
            personal_meal_enabled: false,
            fiscal_code: "800 1234 0156".into(),
            pagopa_aux_digit: 3,
            pagopa_application_code: String::new(),
            pagopa_segregation_code: "01".into(),
            pagopa_iban: "it60 x054 2811 1010 0000 0123 456".into(),
            pagopa_taxonomy: "9/0101108TS/".into(),
            pagopa_gpd_only: false,
            flow_grace_days: 5,
        }
    }

    fn fields(form: &EnteSettingsForm) -> Vec<String> {
        form.check()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn good_settings_are_stored_in_their_canonical_form() {
        let checked = demo().check().expect("the demo settings");
        assert_eq!(checked.booking_cutoff_time, "09:30");
        assert_eq!(checked.fiscal_code, "80012340156");
        assert_eq!(checked.pagopa_iban, "IT60X0542811101000000123456");
        assert_eq!(checked.recharge_min_cents, 540);
        assert_eq!(checked.recharge_step_cents, Some(540));
        assert_eq!(checked.pagopa_application_code, None);
        assert_eq!(checked.bookable_weekdays, Weekdays::MONDAY_TO_FRIDAY);
    }

    #[test]
    fn every_wrong_value_is_refused_on_its_field() {
        let wrong = EnteSettingsForm {
            name: " ".into(),
            contact_email: "ufficio".into(),
            contact_phone: "telefono".into(),
            booking_cutoff_time: "25:00".into(),
            bookable_weekdays: vec![],
            recharge_min: "600".into(),
            recharge_step: "7".into(),
            fiscal_code: "80012340155".into(),
            pagopa_segregation_code: "1".into(),
            pagopa_iban: "IT60X0542811101000000123457".into(),
            pagopa_taxonomy: "scuola".into(),
            flow_grace_days: 31,
            ..demo()
        };
        assert_eq!(
            fields(&wrong),
            [
                "name",
                "contact_email",
                "contact_phone",
                "booking_cutoff_time",
                "bookable_weekdays",
                "recharge_max",
                "recharge_min",
                "recharge_max",
                "fiscal_code",
                "pagopa_segregation_code",
                "pagopa_iban",
                "pagopa_taxonomy",
                "flow_grace_days",
            ]
        );
        let aux = EnteSettingsForm {
            pagopa_aux_digit: 0,
            ..demo()
        };
        assert_eq!(
            fields(&aux),
            ["pagopa_application_code", "pagopa_segregation_code"]
        );
        let two = EnteSettingsForm {
            pagopa_aux_digit: 2,
            ..demo()
        };
        assert_eq!(fields(&two), ["pagopa_aux_digit"]);
    }

    #[test]
    fn numeric_fiscal_codes_carry_their_check_digit() {
        assert!(is_numeric_fiscal_code("80012340156"));
        assert!(is_numeric_fiscal_code("00412340234"));
        assert!(!is_numeric_fiscal_code("80012340155"));
        assert!(!is_numeric_fiscal_code("8001234015"));
    }

    #[test]
    fn the_cutoff_is_hours_and_minutes() {
        assert_eq!(parse_cutoff_time("09:30"), Some(time::macros::time!(09:30)));
        assert_eq!(parse_cutoff_time("9:05"), Some(time::macros::time!(09:05)));
        for wrong in ["9", "9:5", "24:00", "12:60", "ore 9", "09:30:00"] {
            assert_eq!(parse_cutoff_time(wrong), None, "{wrong}");
        }
    }
}

//! Size limits of every text and list field of the API's requests, checked by the
//! server as it reads a request (one Italian field error per field too long) and shown
//! by the SPA in its forms. The OpenAPI document states the same numbers
//! (`maxLength`, `maxItems`); a test of the api crate holds the two together.
//!
//! Emissions bound their own fields with their validation (see `payments`).

use crate::auth::{LoginRequest, PasswordResetConfirm, PasswordResetRequest, RefreshRequest};
use crate::bookings::{
    AttendanceMark, BookingChange, BookingRange, CalendarSettings, ChargeRequest, NewClosure,
};
use crate::contacts::{ChannelPreferences, ContactChange, ContactConfirmation};
use crate::entes::{EnteSettingsForm, ServiceForm};
use crate::fee_bands::{check_fee_bands, FeeBandsForm};
use crate::forms::{
    AcceptRequest, BulkAcceptRequest, Decision, FormDefinition, SubmissionRequest,
    BULK_ACCEPT_MAX_ITEMS,
};
use crate::integrations::ApiClientForm;
use crate::letters::NewCommunication;
use crate::low_balance::LowBalanceSettings;
use crate::payments::{
    check_cart_selection, AccountCorrection, NewCart, NewEmission, RechargeRequest,
};
use crate::reminders::ReminderSchedule;
use crate::rette::{EmissionCancellation, NewRetteBatch, RetteBatchQuery, MONTH_MAX_CHARS};
use crate::schools::{
    EnrolmentForm, SchoolClassForm, SchoolForm, BADGE_MAX_CHARS, CLASS_NAME_MAX_CHARS,
};
use crate::staff::{StaffChange, StaffInvite};
use crate::year_end::{CreditChoiceRequest, YearEndTerms};
use crate::{FieldError, PageQuery};

/// A codice fiscale as typed: 16 characters, with some spaces around to spare.
pub const FISCAL_CODE_MAX_CHARS: usize = 32;
/// The shape of a codice fiscale as the server reads it (letters in either case,
/// omocodia digits, spaces around), for the OpenAPI document.
pub const FISCAL_CODE_PATTERN: &str = r"^\s*[A-Za-z]{6}[0-9LMNP-Vlmnp-v]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNP-Vlmnp-v]{2}[A-Za-z][0-9LMNP-Vlmnp-v]{3}[A-Za-z]\s*$";
/// Passwords, old and new (a new one has at least 10 characters).
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NEW_PASSWORD_MIN_CHARS: usize = 10;
/// Refresh and password-reset tokens (the server makes them of 43 characters).
pub const TOKEN_MAX_CHARS: usize = 256;
/// An amount in euro as typed (`"1.234,50"`).
pub const AMOUNT_MAX_CHARS: usize = 32;
/// A correction's request id (e.g. a UUID).
pub const REQUEST_ID_MAX_CHARS: usize = 64;
/// The reason of a closure.
pub const CLOSURE_DESCRIPTION_MAX_CHARS: usize = 120;
/// The weekdays of a calendar: at most the seven of a week.
pub const WEEKDAYS_MAX_ITEMS: usize = 7;
/// A school's name in a query.
pub const SCHOOL_MAX_CHARS: usize = 200;
/// A school year as typed (`2026/2027`), with some spaces to spare.
pub const SCHOOL_YEAR_MAX_CHARS: usize = 16;
/// The name of a fee band chosen for an enrolment.
pub const FEE_BAND_MAX_CHARS: usize = 80;
/// A file format asked for in a query (`csv`).
pub const FORMAT_MAX_CHARS: usize = 16;
/// What an identity provider sends back in a query (code, state, error).
pub const CODE_MAX_CHARS: usize = 512;
/// The portal path to return to after a login.
pub const REDIRECT_MAX_CHARS: usize = 2048;
/// An entity id of the SPID/CIE federation (an https address) in a query: two of them,
/// percent-encoded even as 4-byte characters, stay under the server's address limit, so
/// an overlong one is a field error (400), not a refused address (414).
pub const ENTITY_ID_MAX_CHARS: usize = 1024;

/// Too-long fields of a request, one Italian error each.
pub trait RequestLimits {
    fn limit_errors(&self) -> Vec<FieldError>;
}

/// Collects the fields over their limit.
#[derive(Default)]
pub struct Limits(Vec<FieldError>);

impl Limits {
    pub fn text(mut self, field: &str, value: &str, max_chars: usize) -> Self {
        if value.chars().count() > max_chars {
            self.0.push(FieldError::new(
                field,
                format!("Il campo può contenere al massimo {max_chars} caratteri."),
            ));
        }
        self
    }

    pub fn optional_text(self, field: &str, value: Option<&str>, max_chars: usize) -> Self {
        match value {
            Some(value) => self.text(field, value, max_chars),
            None => self,
        }
    }

    pub fn items<T>(mut self, field: &str, items: &[T], max_items: usize) -> Self {
        if items.len() > max_items {
            self.0.push(FieldError::new(
                field,
                format!("Si possono indicare al massimo {max_items} elementi."),
            ));
        }
        self
    }

    pub fn errors(self) -> Vec<FieldError> {
        self.0
    }
}

/// A field type with a size: the characters of a text, the items of a list.
pub trait Bounded {
    fn bound(&self, limits: Limits, field: &str, max: usize) -> Limits;
}

impl Bounded for String {
    fn bound(&self, limits: Limits, field: &str, max_chars: usize) -> Limits {
        limits.text(field, self, max_chars)
    }
}

impl Bounded for Option<String> {
    fn bound(&self, limits: Limits, field: &str, max_chars: usize) -> Limits {
        limits.optional_text(field, self.as_deref(), max_chars)
    }
}

impl<T> Bounded for Vec<T> {
    fn bound(&self, limits: Limits, field: &str, max_items: usize) -> Limits {
        limits.items(field, self, max_items)
    }
}

/// Implements [`RequestLimits`] for each request from its bounded fields (`field: max`),
/// each field error named as the field.
macro_rules! request_limits {
    ($($request:ty { $($field:ident: $max:expr),* $(,)? })*) => {$(
        impl RequestLimits for $request {
            fn limit_errors(&self) -> Vec<FieldError> {
                let limits = Limits::default();
                $(let limits = self.$field.bound(limits, stringify!($field), $max);)*
                limits.errors()
            }
        }
    )*};
}

/// A cart's selection is checked by its rule, so that a parent reads why (too many,
/// twice) and not only a count.
impl RequestLimits for NewCart {
    fn limit_errors(&self) -> Vec<FieldError> {
        let limits = Limits::default().text("request_id", &self.request_id, REQUEST_ID_MAX_CHARS);
        let mut errors = limits.errors();
        if self.request_id.trim().is_empty() {
            errors.push(FieldError::new(
                "request_id",
                "Identificativo della richiesta mancante.",
            ));
        }
        if let Err(selection) = check_cart_selection(&self.notice_ids) {
            errors.push(selection);
        }
        errors
    }
}

/// A communication is checked by its rule (title, text, audience, urgency) and its
/// request id.
impl RequestLimits for NewCommunication {
    fn limit_errors(&self) -> Vec<FieldError> {
        let mut errors = Limits::default()
            .text("request_id", &self.request_id, REQUEST_ID_MAX_CHARS)
            .errors();
        if self.request_id.trim().is_empty() {
            errors.push(FieldError::new(
                "request_id",
                "Identificativo della richiesta mancante.",
            ));
        }
        errors.extend(self.check().err().unwrap_or_default());
        errors
    }
}

/// The comune's settings, a service and a service's bands are checked whole by their
/// rules, which bound every field.
impl RequestLimits for EnteSettingsForm {
    fn limit_errors(&self) -> Vec<FieldError> {
        self.check().err().unwrap_or_default()
    }
}

impl RequestLimits for ApiClientForm {
    fn limit_errors(&self) -> Vec<FieldError> {
        self.check().err().unwrap_or_default()
    }
}

impl RequestLimits for ServiceForm {
    fn limit_errors(&self) -> Vec<FieldError> {
        self.check().err().unwrap_or_default()
    }
}

impl RequestLimits for SchoolForm {
    fn limit_errors(&self) -> Vec<FieldError> {
        self.check().err().unwrap_or_default()
    }
}

impl RequestLimits for FeeBandsForm {
    fn limit_errors(&self) -> Vec<FieldError> {
        check_fee_bands(self).err().unwrap_or_default()
    }
}

request_limits! {
    SchoolClassForm { school_year: SCHOOL_YEAR_MAX_CHARS, name: CLASS_NAME_MAX_CHARS }
    EnrolmentForm {
        school_year: SCHOOL_YEAR_MAX_CHARS,
        fee_band: FEE_BAND_MAX_CHARS,
        badge: BADGE_MAX_CHARS,
    }
    LoginRequest { fiscal_code: FISCAL_CODE_MAX_CHARS, password: PASSWORD_MAX_CHARS }
    RefreshRequest { refresh_token: TOKEN_MAX_CHARS }
    PasswordResetRequest { fiscal_code: FISCAL_CODE_MAX_CHARS }
    PasswordResetConfirm { token: TOKEN_MAX_CHARS, new_password: PASSWORD_MAX_CHARS }
    RechargeRequest { amount: AMOUNT_MAX_CHARS }
    LowBalanceSettings { threshold: AMOUNT_MAX_CHARS }
    AccountCorrection {
        amount: AMOUNT_MAX_CHARS,
        reason: crate::payments::MAX_REASON_CHARS,
        request_id: REQUEST_ID_MAX_CHARS,
    }
    NewClosure { description: CLOSURE_DESCRIPTION_MAX_CHARS }
    CalendarSettings { serving_weekdays: WEEKDAYS_MAX_ITEMS }
    ReminderSchedule { steps: crate::reminders::MAX_STEPS }
    // Requests without text or lists: nothing to bound beyond their types.
    BookingChange {}
    BookingRange {}
    AttendanceMark {}
    ChargeRequest {}
    PageQuery {}
    // Emissions bound their lines, amounts and texts in their own validation.
    NewEmission {}
    // Forms and answers are bounded by their own checks (`forms::check_definition`,
    // `forms::check_answers`).
    FormDefinition {}
    SubmissionRequest {}
    Decision { note: crate::forms::NOTE_MAX_CHARS }
    AcceptRequest {
        badge: crate::forms::BADGE_MAX_CHARS,
        fee_band: crate::forms::FEE_BAND_MAX_CHARS,
        quota: AMOUNT_MAX_CHARS,
        meal_price: AMOUNT_MAX_CHARS,
    }
    BulkAcceptRequest { ids: BULK_ACCEPT_MAX_ITEMS }
    ContactChange { value: crate::contacts::EMAIL_MAX_CHARS }
    ContactConfirmation { code: crate::contacts::CODE_MAX_CHARS }
    ChannelPreferences {}
    StaffInvite {
        fiscal_code: FISCAL_CODE_MAX_CHARS,
        first_name: crate::staff::NAME_MAX_CHARS,
        last_name: crate::staff::NAME_MAX_CHARS,
        email: crate::contacts::EMAIL_MAX_CHARS,
    }
    StaffChange {}
    RetteBatchQuery { month: MONTH_MAX_CHARS }
    NewRetteBatch { month: MONTH_MAX_CHARS, request_id: REQUEST_ID_MAX_CHARS }
    EmissionCancellation { reason: crate::payments::MAX_REASON_CHARS }
    YearEndTerms { minimum_refund: AMOUNT_MAX_CHARS }
    CreditChoiceRequest { iban: crate::year_end::IBAN_MAX_CHARS }
}

/// A family's records are bounded by their rules' length checks, which name each field.
impl RequestLimits for crate::family_edit::PersonForm {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("fiscal_code", &self.fiscal_code, FISCAL_CODE_MAX_CHARS)
            .text("first_name", &self.first_name, crate::staff::NAME_MAX_CHARS)
            .text("last_name", &self.last_name, crate::staff::NAME_MAX_CHARS)
            .text("email", &self.email, crate::contacts::EMAIL_MAX_CHARS)
            .text("mobile", &self.mobile, crate::contacts::MOBILE_MAX_CHARS)
            .errors()
    }
}

impl RequestLimits for crate::family_edit::DelegateForm {
    fn limit_errors(&self) -> Vec<FieldError> {
        let mut errors = self.person.limit_errors();
        errors.extend(
            Limits::default()
                .items(
                    "children",
                    &self.children,
                    crate::family_edit::DELEGATE_CHILDREN_MAX_ITEMS,
                )
                .errors(),
        );
        errors
    }
}

request_limits! {
    crate::family_edit::ChildForm {
        fiscal_code: FISCAL_CODE_MAX_CHARS,
        first_name: crate::staff::NAME_MAX_CHARS,
        last_name: crate::staff::NAME_MAX_CHARS,
        birth_date: crate::family_edit::BIRTH_DATE_MAX_CHARS,
        birth_place: crate::family_edit::PLACE_MAX_CHARS,
        address: crate::family_edit::PLACE_MAX_CHARS,
    }
    crate::family_edit::DelegateChildren {
        children: crate::family_edit::DELEGATE_CHILDREN_MAX_ITEMS,
    }
}

/// News items and documents are bounded by their rules' length checks (the publication
/// day is checked by the service against today).
impl RequestLimits for crate::content::NewsForm {
    fn limit_errors(&self) -> Vec<FieldError> {
        self.length_errors()
    }
}

impl RequestLimits for crate::content::DocumentForm {
    fn limit_errors(&self) -> Vec<FieldError> {
        self.length_errors()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_over_its_limit_is_named() {
        let login = LoginRequest {
            fiscal_code: "A".repeat(FISCAL_CODE_MAX_CHARS + 1),
            password: "è".repeat(PASSWORD_MAX_CHARS),
        };
        let errors = login.limit_errors();
        assert_eq!(errors.len(), 1, "characters, not bytes: {errors:?}");
        assert_eq!(errors[0].field, "fiscal_code");
        assert_eq!(
            errors[0].message,
            "Il campo può contenere al massimo 32 caratteri."
        );
        let settings = CalendarSettings {
            first_day: time::macros::date!(2026 - 09 - 14),
            last_day: time::macros::date!(2027 - 06 - 04),
            serving_weekdays: vec![1; 8],
        };
        assert_eq!(settings.limit_errors()[0].field, "serving_weekdays");
    }
}

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
use crate::payments::{AccountCorrection, NewEmission, RechargeRequest};
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
/// A file format asked for in a query (`csv`).
pub const FORMAT_MAX_CHARS: usize = 16;
/// What an identity provider sends back in a query (code, state, error).
pub const CODE_MAX_CHARS: usize = 512;
/// The portal path to return to after a login.
pub const REDIRECT_MAX_CHARS: usize = 2048;
/// An entity id of the SPID/CIE federation (an https address) in a query.
pub const ENTITY_ID_MAX_CHARS: usize = 2048;

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

impl RequestLimits for LoginRequest {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("fiscal_code", &self.fiscal_code, FISCAL_CODE_MAX_CHARS)
            .text("password", &self.password, PASSWORD_MAX_CHARS)
            .errors()
    }
}

impl RequestLimits for RefreshRequest {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .optional_text(
                "refresh_token",
                self.refresh_token.as_deref(),
                TOKEN_MAX_CHARS,
            )
            .errors()
    }
}

impl RequestLimits for PasswordResetRequest {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("fiscal_code", &self.fiscal_code, FISCAL_CODE_MAX_CHARS)
            .errors()
    }
}

impl RequestLimits for PasswordResetConfirm {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("token", &self.token, TOKEN_MAX_CHARS)
            .text("new_password", &self.new_password, PASSWORD_MAX_CHARS)
            .errors()
    }
}

impl RequestLimits for RechargeRequest {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("amount", &self.amount, AMOUNT_MAX_CHARS)
            .errors()
    }
}

impl RequestLimits for AccountCorrection {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("amount", &self.amount, AMOUNT_MAX_CHARS)
            .text("reason", &self.reason, crate::payments::MAX_REASON_CHARS)
            .text("request_id", &self.request_id, REQUEST_ID_MAX_CHARS)
            .errors()
    }
}

impl RequestLimits for NewClosure {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text(
                "description",
                &self.description,
                CLOSURE_DESCRIPTION_MAX_CHARS,
            )
            .errors()
    }
}

impl RequestLimits for CalendarSettings {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .items(
                "serving_weekdays",
                &self.serving_weekdays,
                WEEKDAYS_MAX_ITEMS,
            )
            .errors()
    }
}

/// Requests without text or lists: nothing to bound beyond their types.
macro_rules! no_limits {
    ($($t:ty),*) => {
        $(impl RequestLimits for $t {
            fn limit_errors(&self) -> Vec<FieldError> {
                Vec::new()
            }
        })*
    };
}

no_limits!(
    BookingChange,
    BookingRange,
    AttendanceMark,
    ChargeRequest,
    PageQuery
);

/// Emissions bound their lines, amounts and texts in their own validation.
impl RequestLimits for NewEmission {
    fn limit_errors(&self) -> Vec<FieldError> {
        Vec::new()
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

//! Accounts, roles, login and session DTOs.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// What a user may do inside their ente.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Intestatario: owns the family account, pays, sees money.
    Guardian,
    /// Delegato: may only change the meal bookings of delegated children.
    Delegate,
    /// Municipal or service-provider staff.
    Operator,
    /// Canteen staff taking attendance.
    CanteenStaff,
    /// Software house integrating through the API.
    Integrator,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Guardian,
        Role::Delegate,
        Role::Operator,
        Role::CanteenStaff,
        Role::Integrator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guardian => "guardian",
            Role::Delegate => "delegate",
            Role::Operator => "operator",
            Role::CanteenStaff => "canteen_staff",
            Role::Integrator => "integrator",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// Italian name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Role::Guardian => "Intestatario",
            Role::Delegate => "Delegato",
            Role::Operator => "Operatore",
            Role::CanteenStaff => "Addetto mensa",
            Role::Integrator => "Integratore",
        }
    }
}

/// Login with codice fiscale and password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = "LBRMRA80E12F205M",
            max_length = 32,
            pattern = r"^\s*[A-Za-z]{6}[0-9LMNP-Vlmnp-v]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNP-Vlmnp-v]{2}[A-Za-z][0-9LMNP-Vlmnp-v]{3}[A-Za-z]\s*$"
        )
    )]
    pub fiscal_code: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub password: String,
}

/// The authenticated user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: i64,
    pub ente_slug: String,
    pub ente_name: String,
    pub role: Role,
    pub first_name: String,
    pub last_name: String,
    pub fiscal_code: String,
    pub email: Option<String>,
}

/// Tokens issued at login and refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// Short-lived JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Opaque single-use token to obtain new tokens; also set as an HttpOnly cookie.
    pub refresh_token: String,
    pub user: Me,
}

/// Refresh or logout: the refresh token in the body, or the HttpOnly cookie set at login.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub refresh_token: Option<String>,
}

/// Ask for a password reset e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 32,
            pattern = r"^\s*[A-Za-z]{6}[0-9LMNP-Vlmnp-v]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNP-Vlmnp-v]{2}[A-Za-z][0-9LMNP-Vlmnp-v]{3}[A-Za-z]\s*$"
        )
    )]
    pub fiscal_code: String,
}

/// Set a new password with the token received by e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetConfirm {
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub token: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 128))]
    pub new_password: String,
}

/// Password policy: at least 10 characters with a letter and a digit.
pub fn validate_new_password(field: &str, password: &str) -> Result<(), FieldError> {
    let length = password.chars().count();
    if length < 10 {
        return Err(FieldError::new(
            field,
            "La password deve contenere almeno 10 caratteri.",
        ));
    }
    if length > 128 {
        return Err(FieldError::new(
            field,
            "La password può contenere al massimo 128 caratteri.",
        ));
    }
    if !password.chars().any(char::is_alphabetic) || !password.chars().any(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(
            field,
            "La password deve contenere almeno una lettera e una cifra.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn password_policy() {
        assert!(validate_new_password("p", "corta1").is_err());
        assert!(validate_new_password("p", "senzacifreaaaa").is_err());
        assert!(validate_new_password("p", "Sicura2024!").is_ok());
    }
}

//! The comune's staff accounts (Personale): administrators invite operators, other
//! administrators and canteen staff by e-mail, change their role, deactivate and
//! reactivate them. The rules of an invitation and of a change live here, once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::auth::Role;
use crate::contacts::valid_email;
use crate::fiscal_code::FiscalCode;
use crate::FieldError;

/// Longest first or last name.
pub const NAME_MAX_CHARS: usize = 100;
/// Days an invitation's link stays valid.
pub const INVITE_DAYS: i64 = 7;

/// The roles a staff account may have; families and integrators come in other ways.
pub const STAFF_ROLES: [Role; 3] = [Role::Administrator, Role::Operator, Role::CanteenStaff];

/// Whether `role` is a staff role.
pub fn is_staff(role: Role) -> bool {
    STAFF_ROLES.contains(&role)
}

/// A staff account as the administrators' page lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub fiscal_code: String,
    pub email: Option<String>,
    pub role: Role,
    /// `Operatore`, `Amministratore`, `Addetto mensa`.
    pub role_label: String,
    pub active: bool,
    /// Whether a password has been chosen (SPID and CIE id need none).
    pub password_set: bool,
    /// When the last invitation was sent, if any.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub invited_at: Option<OffsetDateTime>,
    /// The state in Italian: `Attivo`, `Invitato`, `Disattivato`.
    pub state_label: String,
}

/// The state of an account in Italian.
pub fn state_label(active: bool, password_set: bool, invited: bool) -> &'static str {
    match (active, password_set, invited) {
        (false, _, _) => "Disattivato",
        (true, false, true) => "Invitato",
        (true, _, _) => "Attivo",
    }
}

/// An invitation: a new staff account, and an e-mail with the link to choose its
/// password (SPID and CIE id work at once, by codice fiscale).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffInvite {
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub fiscal_code: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub first_name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub last_name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: String,
    pub role: Role,
}

/// An invitation as it is stored: every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedInvite {
    pub fiscal_code: FiscalCode,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: Role,
}

/// A name typed into a field: trimmed, required, within its length.
pub fn name(errors: &mut Vec<FieldError>, field: &str, value: &str, missing: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.push(FieldError::new(field, missing));
    } else if value.chars().count() > NAME_MAX_CHARS {
        errors.push(FieldError::new(
            field,
            format!("Il campo può contenere al massimo {NAME_MAX_CHARS} caratteri."),
        ));
    }
    value.to_owned()
}

/// A person's codice fiscale, first name and last name as typed, each checked (its
/// Italian error recorded in `errors`), in that order.
pub fn identity(
    errors: &mut Vec<FieldError>,
    fiscal_code: &str,
    first_name: &str,
    last_name: &str,
) -> (Option<FiscalCode>, String, String) {
    let code = FiscalCode::parse(fiscal_code)
        .map_err(|error| errors.push(FieldError::new("fiscal_code", error.to_string())))
        .ok();
    let first_name = name(errors, "first_name", first_name, "Scrivi il nome.");
    let last_name = name(errors, "last_name", last_name, "Scrivi il cognome.");
    (code, first_name, last_name)
}

/// The refusal of a role that is not a staff role.
fn role_error(role: Role) -> Option<FieldError> {
    (!is_staff(role)).then(|| {
        FieldError::new(
            "role",
            "Scegli un ruolo del personale: Amministratore, Operatore o Addetto mensa.",
        )
    })
}

impl StaffInvite {
    /// The invitation checked, or an Italian error on each field that is not right.
    pub fn check(&self) -> Result<CheckedInvite, Vec<FieldError>> {
        let mut errors = Vec::new();
        let (fiscal_code, first_name, last_name) = identity(
            &mut errors,
            &self.fiscal_code,
            &self.first_name,
            &self.last_name,
        );
        let email = self.email.trim();
        if email.is_empty() {
            errors.push(FieldError::new(
                "email",
                "Scrivi l'indirizzo e-mail a cui inviare l'invito.",
            ));
        } else if !valid_email(email) {
            errors.push(FieldError::new(
                "email",
                "Scrivi un indirizzo e-mail valido, ad esempio nome@comune.it.",
            ));
        }
        errors.extend(role_error(self.role));
        match fiscal_code {
            Some(fiscal_code) if errors.is_empty() => Ok(CheckedInvite {
                fiscal_code,
                first_name,
                last_name,
                email: email.to_owned(),
                role: self.role,
            }),
            _ => Err(errors),
        }
    }
}

/// A change of a staff account: its role, and whether it may log in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffChange {
    pub role: Role,
    pub active: bool,
}

impl StaffChange {
    /// The change checked against who makes it: an administrator keeps their own
    /// account active and an administrator's, so that the comune is never left without one.
    pub fn check(&self, own_account: bool) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = role_error(self.role).into_iter().collect();
        if own_account && !self.active {
            errors.push(FieldError::new(
                "active",
                "Non puoi disattivare il tuo account: chiedilo a un altro amministratore.",
            ));
        }
        if own_account && self.role != Role::Administrator {
            errors.push(FieldError::new(
                "role",
                "Non puoi togliere a te stesso il ruolo di amministratore: chiedilo a un altro amministratore.",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite() -> StaffInvite {
        StaffInvite {
            fiscal_code: " rssmra80a01f205x ".into(),
            first_name: " Mario ".into(),
            last_name: "Rossi".into(),
            email: "mario.rossi@comune.demo.it".into(),
            role: Role::Operator,
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<(String, String)> {
        errors.into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn an_invitation_is_trimmed_and_checked_field_by_field() {
        let checked = invite().check().expect("a good invitation");
        assert_eq!(checked.fiscal_code.as_str(), "RSSMRA80A01F205X");
        assert_eq!(checked.first_name, "Mario");
        let bad = StaffInvite {
            fiscal_code: "RSSMRA80".into(),
            first_name: " ".into(),
            last_name: "R".repeat(NAME_MAX_CHARS + 1),
            email: "mario.rossi".into(),
            role: Role::Guardian,
        };
        let errors = fields(bad.check().unwrap_err());
        let named: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            named,
            ["fiscal_code", "first_name", "last_name", "email", "role"]
        );
        assert_eq!(errors[1].1, "Scrivi il nome.");
        assert_eq!(
            errors[4].1,
            "Scegli un ruolo del personale: Amministratore, Operatore o Addetto mensa."
        );
    }

    #[test]
    fn an_administrator_cannot_lock_themselves_out() {
        let off = StaffChange {
            role: Role::Administrator,
            active: false,
        };
        assert!(off.check(false).is_ok());
        assert_eq!(fields(off.check(true).unwrap_err())[0].0, "active");
        let demoted = StaffChange {
            role: Role::Operator,
            active: true,
        };
        assert!(demoted.check(false).is_ok());
        assert_eq!(fields(demoted.check(true).unwrap_err())[0].0, "role");
        let family = StaffChange {
            role: Role::Delegate,
            active: true,
        };
        assert_eq!(fields(family.check(false).unwrap_err())[0].0, "role");
    }

    #[test]
    fn the_state_reads_in_italian() {
        assert_eq!(state_label(true, true, true), "Attivo");
        assert_eq!(state_label(true, false, true), "Invitato");
        assert_eq!(state_label(true, false, false), "Attivo");
        assert_eq!(state_label(false, true, true), "Disattivato");
    }
}

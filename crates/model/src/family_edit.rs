//! The office's edits of a family: a new family (its guardian, the intestatario), the
//! guardian's details, a child, a delegate with the children they may act for.
//!
//! Each record is checked by one function here, used by the server and by the SPA's
//! forms as they are typed: every value trimmed, the names, the codice fiscale (a
//! child's birth date and sex must be the ones it records), the e-mail and the mobile
//! number (an office edit is authoritative: no confirmation code), with an Italian error
//! on each field that is not right. What depends on the comune's records (a codice
//! fiscale it already has, the family's children) is the server's part of the check.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::children::Sex;
use crate::contacts::valid_email;
use crate::dates::parse_day;
use crate::fiscal_code::{FiscalCode, BIRTH_DATE_MISMATCH};
use crate::sms::MobileNumber;
use crate::staff::identity;
use crate::FieldError;

/// Longest birth place or address.
pub const PLACE_MAX_CHARS: usize = 200;
/// A birth date as typed (`AAAA-MM-GG`).
pub const BIRTH_DATE_MAX_CHARS: usize = 10;
/// Children a delegate may be given at once (a family's, with room to spare).
pub const DELEGATE_CHILDREN_MAX_ITEMS: usize = 50;

/// The field error of a codice fiscale the comune already has for a family.
pub const FAMILY_EXISTS: &str = "Esiste già una famiglia con questo codice fiscale.";

/// A guardian (new family or correction) or a delegate as the office types them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub fiscal_code: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub first_name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub last_name: String,
    /// Empty for none.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: String,
    /// An Italian mobile number (`333 123 4567`, `+39…`); empty for none.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub mobile: String,
    /// E-mail the link to choose a password (SPID and CIE id work without one).
    #[serde(default)]
    pub send_invitation: bool,
}

/// A person as stored: every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPerson {
    pub fiscal_code: FiscalCode,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub mobile: Option<MobileNumber>,
    pub send_invitation: bool,
}

/// A text that may be left empty: trimmed, within its length.
fn optional_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    max_chars: usize,
) -> String {
    let value = value.trim();
    if value.chars().count() > max_chars {
        errors.push(FieldError::new(
            field,
            format!("Il campo può contenere al massimo {max_chars} caratteri."),
        ));
    }
    value.to_owned()
}

impl PersonForm {
    /// The person checked, or an Italian error on each field that is not right.
    pub fn check(&self) -> Result<CheckedPerson, Vec<FieldError>> {
        let mut errors = Vec::new();
        let (fiscal_code, first_name, last_name) = identity(
            &mut errors,
            &self.fiscal_code,
            &self.first_name,
            &self.last_name,
        );
        let email = self.email.trim();
        if !email.is_empty() && !valid_email(email) {
            errors.push(FieldError::new(
                "email",
                "Scrivi un indirizzo e-mail valido, ad esempio nome@esempio.it, o lascia il campo vuoto.",
            ));
        }
        let mobile = if self.mobile.trim().is_empty() {
            None
        } else {
            MobileNumber::parse(&self.mobile)
                .map_err(|error| errors.push(FieldError::new("mobile", error.to_string())))
                .ok()
        };
        if self.send_invitation && email.is_empty() {
            errors.push(FieldError::new(
                "send_invitation",
                "Per inviare il collegamento per la password indica l'indirizzo e-mail.",
            ));
        }
        match fiscal_code {
            Some(fiscal_code) if errors.is_empty() => Ok(CheckedPerson {
                fiscal_code,
                first_name,
                last_name,
                email: (!email.is_empty()).then(|| email.to_owned()),
                mobile,
                send_invitation: self.send_invitation,
            }),
            _ => Err(errors),
        }
    }
}

/// A child as the office types them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub fiscal_code: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub first_name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub last_name: String,
    /// `AAAA-MM-GG`, the one the codice fiscale records.
    #[cfg_attr(feature = "openapi", schema(max_length = 10, example = "2018-04-27"))]
    pub birth_date: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub birth_place: String,
    /// The one the codice fiscale records.
    pub sex: Sex,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub address: String,
}

/// A child as stored: every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedChild {
    pub fiscal_code: FiscalCode,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Date,
    pub birth_place: String,
    pub sex: Sex,
    pub address: String,
}

impl ChildForm {
    /// The child checked, or an Italian error on each field that is not right; the
    /// birth date and the sex must be those of the codice fiscale.
    pub fn check(&self) -> Result<CheckedChild, Vec<FieldError>> {
        let mut errors = Vec::new();
        let (fiscal_code, first_name, last_name) = identity(
            &mut errors,
            &self.fiscal_code,
            &self.first_name,
            &self.last_name,
        );
        let birth_date = if self.birth_date.trim().is_empty() {
            errors.push(FieldError::new("birth_date", "Indica la data di nascita."));
            None
        } else {
            parse_day(self.birth_date.trim())
                .map_err(|message| errors.push(FieldError::new("birth_date", message)))
                .ok()
        };
        if let (Some(code), Some(day)) = (&fiscal_code, birth_date) {
            if !code.records_birth_date(day) {
                errors.push(FieldError::new("birth_date", BIRTH_DATE_MISMATCH));
            }
        }
        if fiscal_code
            .as_ref()
            .is_some_and(|code| code.sex() != self.sex)
        {
            errors.push(FieldError::new(
                "sex",
                "Il sesso non corrisponde a quello del codice fiscale.",
            ));
        }
        let birth_place = optional_text(
            &mut errors,
            "birth_place",
            &self.birth_place,
            PLACE_MAX_CHARS,
        );
        let address = optional_text(&mut errors, "address", &self.address, PLACE_MAX_CHARS);
        match (fiscal_code, birth_date) {
            (Some(fiscal_code), Some(birth_date)) if errors.is_empty() => Ok(CheckedChild {
                fiscal_code,
                first_name,
                last_name,
                birth_date,
                birth_place,
                sex: self.sex,
                address,
            }),
            _ => Err(errors),
        }
    }
}

/// A new delegate of the family: who, and the family's children they may act for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DelegateForm {
    #[serde(flatten)]
    pub person: PersonForm,
    /// Ids of the family's children.
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub children: Vec<i64>,
}

/// Which of the family's children a delegate may act for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DelegateChildren {
    /// Ids of the family's children.
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub children: Vec<i64>,
}

impl DelegateChildren {
    /// The children, each once, or the field error: at least one.
    pub fn check(&self) -> Result<Vec<i64>, Vec<FieldError>> {
        let mut children = self.children.clone();
        children.sort_unstable();
        children.dedup();
        if children.is_empty() {
            return Err(vec![FieldError::new(
                "children",
                "Scegli almeno un figlio o una figlia per cui il delegato può agire.",
            )]);
        }
        Ok(children)
    }
}

impl DelegateForm {
    /// The delegate and their children checked, or an Italian error on each field.
    pub fn check(&self) -> Result<(CheckedPerson, Vec<i64>), Vec<FieldError>> {
        let person = self.person.check();
        let children = DelegateChildren {
            children: self.children.clone(),
        }
        .check();
        match (person, children) {
            (Ok(person), Ok(children)) => Ok((person, children)),
            (person, children) => Err(person
                .err()
                .into_iter()
                .chain(children.err())
                .flatten()
                .collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    fn greta() -> ChildForm {
        ChildForm {
            fiscal_code: "lbrgrt15c50f205h ".into(),
            first_name: " Greta".into(),
            last_name: "Albertini".into(),
            birth_date: "2015-03-10".into(),
            birth_place: "Milano (MI)".into(),
            sex: Sex::Female,
            address: String::new(),
        }
    }

    #[test]
    fn a_person_is_trimmed_with_optional_contacts() {
        let form = PersonForm {
            fiscal_code: "lbrmra80e12f205m".into(),
            first_name: " Mario ".into(),
            last_name: "Albertini".into(),
            email: " mario@example.it ".into(),
            mobile: "333 123 4567".into(),
            send_invitation: true,
        };
        let checked = form.check().expect("a good person");
        assert_eq!(checked.fiscal_code.as_str(), "LBRMRA80E12F205M");
        assert_eq!(checked.first_name, "Mario");
        assert_eq!(checked.email.as_deref(), Some("mario@example.it"));
        assert_eq!(
            checked.mobile.as_ref().map(MobileNumber::as_str),
            Some("+393331234567")
        );
        let bare = PersonForm {
            email: String::new(),
            mobile: " ".into(),
            send_invitation: false,
            ..form.clone()
        };
        let checked = bare.check().expect("no contacts is fine");
        assert_eq!((checked.email, checked.mobile), (None, None));
        let bad = PersonForm {
            fiscal_code: "LBRMRA80E12F205X".into(),
            first_name: " ".into(),
            email: "mario".into(),
            mobile: "02 1234567".into(),
            ..form
        };
        assert_eq!(
            fields(bad.check().unwrap_err()),
            ["fiscal_code", "first_name", "email", "mobile"]
        );
        let no_mail = PersonForm {
            email: String::new(),
            send_invitation: true,
            ..PersonForm::default()
        };
        assert!(fields(no_mail.check().unwrap_err()).contains(&"send_invitation".into()));
    }

    #[test]
    fn a_childs_birth_date_and_sex_are_those_of_the_codice_fiscale() {
        let checked = greta().check().expect("Greta as her codice fiscale says");
        assert_eq!(checked.birth_date, time::macros::date!(2015 - 03 - 10));
        assert_eq!(checked.first_name, "Greta");
        let wrong = ChildForm {
            birth_date: "2015-03-11".into(),
            sex: Sex::Male,
            ..greta()
        };
        let errors = wrong.check().unwrap_err();
        assert_eq!(fields(errors.clone()), ["birth_date", "sex"]);
        assert_eq!(errors[0].message, BIRTH_DATE_MISMATCH);
        let bad = ChildForm {
            fiscal_code: "LBRGRT15C50F205X".into(),
            birth_date: "10/03/2015".into(),
            ..greta()
        };
        let errors = bad.check().unwrap_err();
        assert_eq!(fields(errors.clone()), ["fiscal_code", "birth_date"]);
        assert!(errors[0]
            .message
            .starts_with("Il codice fiscale non è valido"));
    }

    #[test]
    fn a_delegate_acts_for_at_least_one_child() {
        let form = DelegateForm {
            person: PersonForm {
                fiscal_code: "BNCLRA82P43F205R".into(),
                first_name: "Laura".into(),
                last_name: "Bianchi".into(),
                ..PersonForm::default()
            },
            children: vec![3, 1, 3],
        };
        let (person, children) = form.check().expect("a good delegate");
        assert_eq!(person.first_name, "Laura");
        assert_eq!(children, [1, 3]);
        let none = DelegateForm {
            children: vec![],
            ..form
        };
        assert_eq!(fields(none.check().unwrap_err()), ["children"]);
    }
}

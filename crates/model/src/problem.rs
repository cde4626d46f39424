//! RFC 7807 problem details, the body of every API error.

use serde::{Deserialize, Serialize};

/// `application/problem+json` body. `detail` is an Italian sentence for the user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// URI reference identifying the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short Italian summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Italian explanation for this occurrence.
    pub detail: String,
    /// Per-field validation errors, when the request had invalid fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The kind of the enrolment gate's refusal (409): the account to settle first.
pub const ACCOUNT_TO_SETTLE: &str = "account-to-settle";

/// The URI of the problem type `kind`.
pub fn problem_type(kind: &str) -> String {
    format!("https://sportello.dev/problemi/{kind}")
}

/// One invalid field: its name in the request and an Italian message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl Problem {
    /// The message for one field, if the problem names it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// What a person reads when the problem is shown on its own: the `detail`, then the
    /// message of every field error the detail does not already say, so that no field
    /// error is lost where its field is not on the screen.
    pub fn messages(&self) -> Vec<&str> {
        std::iter::once(self.detail.as_str())
            .chain(
                self.errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .filter(|message| !self.detail.contains(message)),
            )
            .collect()
    }

    /// Whether this is the enrolment gate's refusal: the family's account of the service
    /// must be settled first («Paga e invia» pays it with the submission).
    pub fn is_account_to_settle(&self) -> bool {
        self.kind == problem_type(ACCOUNT_TO_SETTLE)
    }

    /// Whether the problem says more than the field errors of the fields `shown` next to
    /// them (none, or one on another field): then it is shown whole, on its own.
    pub fn beyond_fields(&self, shown: &[&str]) -> bool {
        self.errors.is_empty()
            || self
                .errors
                .iter()
                .any(|e| !shown.contains(&e.field.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(detail: &str, errors: &[(&str, &str)]) -> Problem {
        Problem {
            kind: "https://sportello.dev/problemi/validation".into(),
            title: "Dati da correggere".into(),
            status: 400,
            detail: detail.into(),
            errors: errors
                .iter()
                .map(|(f, m)| FieldError::new(*f, *m))
                .collect(),
        }
    }

    #[test]
    fn messages_say_the_detail_and_every_field_error_it_does_not() {
        let one = problem("Data nel futuro.", &[("day", "Data nel futuro.")]);
        assert_eq!(one.messages(), ["Data nel futuro."]);
        let two = problem(
            "Alcuni dati non sono validi.",
            &[("title", "Titolo mancante."), ("lines", "Nessuna voce.")],
        );
        assert_eq!(
            two.messages(),
            [
                "Alcuni dati non sono validi.",
                "Titolo mancante.",
                "Nessuna voce."
            ]
        );
        let conflict = problem("Giorno chiuso.", &[]);
        assert_eq!(conflict.messages(), ["Giorno chiuso."]);
    }

    #[test]
    fn a_problem_goes_beyond_the_fields_shown_unless_they_hold_all_its_errors() {
        let on_amount = problem("Importo non valido.", &[("amount", "Importo non valido.")]);
        assert!(!on_amount.beyond_fields(&["amount"]));
        assert!(on_amount.beyond_fields(&["fiscal_code"]));
        let elsewhere = problem(
            "Alcuni dati non sono validi.",
            &[
                ("amount", "Importo non valido."),
                ("day", "Data nel futuro."),
            ],
        );
        assert!(elsewhere.beyond_fields(&["amount"]));
        assert!(!elsewhere.beyond_fields(&["amount", "day"]));
        assert!(
            problem("Codice fiscale o password non corretti.", &[]).beyond_fields(&["password"])
        );
    }
}

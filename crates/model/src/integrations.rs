//! Integrations: the comune's API clients (software houses' programs), the scopes they
//! are granted, and the OAuth 2.0 client-credentials exchange that gives them access
//! tokens. The rules of a client's form live here, once, for the server and the SPA.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::FieldError;

/// Longest name of an API client.
pub const CLIENT_NAME_MAX_CHARS: usize = 100;
/// Minutes an integrator's access token lasts.
pub const CLIENT_TOKEN_MINUTES: i64 = 15;

text_enum! {
    /// What an API client may do: reading or writing one capability. A token carries the
    /// scopes granted to its client (all of them, or those it asked for).
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Scope {
        /// Families, children and the registry.
        FamiliesRead = "families:read" => "Famiglie e alunni: lettura",
        /// Families, children and delegates written, the registry imported.
        FamiliesWrite = "families:write" => "Famiglie e alunni: scrittura",
        /// Enrolments (service cards) with their fee data.
        EnrolmentsRead = "enrolments:read" => "Iscrizioni: lettura",
        /// Enrolments added, changed and ended.
        EnrolmentsWrite = "enrolments:write" => "Iscrizioni: scrittura",
        /// Family accounts, statements and the office's reports.
        PaymentsRead = "payments:read" => "Pagamenti: lettura",
        /// Rette issued and cancelled, account corrections, the reconciliation.
        PaymentsWrite = "payments:write" => "Pagamenti: scrittura",
        /// The school calendar and its closures.
        BookingsWrite = "bookings:write" => "Calendario mensa: scrittura",
        /// The canteen's day: roster, attendance, kitchen counts, meal charging.
        CanteenWrite = "canteen:write" => "Mensa: presenze e addebiti",
        /// Moduli online: forms and the review of submissions.
        FormsWrite = "forms:write" => "Moduli online: gestione",
        /// Communications to families and the outbox.
        CommunicationsWrite = "communications:write" => "Comunicazioni: invio",
    }
}

/// The scopes of a space-separated list (OAuth's `scope` parameter, and how a client's
/// grant is stored), in the order of [`Scope::ALL`], without repeats; the unknown names
/// are returned apart.
pub fn parse_scopes(text: &str) -> (Vec<Scope>, Vec<String>) {
    let mut unknown = Vec::new();
    let mut found = Vec::new();
    for word in text.split_whitespace() {
        match Scope::parse(word) {
            Some(scope) => found.push(scope),
            None => unknown.push(word.to_owned()),
        }
    }
    (
        Scope::ALL
            .into_iter()
            .filter(|s| found.contains(s))
            .collect(),
        unknown,
    )
}

/// A list of scopes as OAuth writes it: space-separated.
pub fn scope_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An API client as the administrators' page lists it. Its secret is never shown again
/// after it is made.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClient {
    pub id: i64,
    pub name: String,
    /// The public identifier the program sends as `client_id`.
    pub client_id: String,
    pub scopes: Vec<Scope>,
    /// Whether it may still get tokens (not revoked).
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// When its secret was last replaced, if ever.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub rotated_at: Option<OffsetDateTime>,
    /// When it last got a token, if ever.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A new client, or the new secret of one: the only time the secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClientSecret {
    pub client: ApiClient,
    /// The secret the program sends as `client_secret`; stored only as its hash.
    pub client_secret: String,
}

/// A client's name and scopes, as the administrator types them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClientForm {
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 100, example = "Gestionale contabilità")
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub scopes: Vec<Scope>,
}

impl ApiClientForm {
    /// The name trimmed and the scopes in their order, or the Italian field errors.
    pub fn check(&self) -> Result<(String, Vec<Scope>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.push(FieldError::new(
                "name",
                "Scrivi un nome che dica quale programma usa il client.",
            ));
        } else if name.chars().count() > CLIENT_NAME_MAX_CHARS {
            errors.push(FieldError::new(
                "name",
                format!("Il nome può contenere al massimo {CLIENT_NAME_MAX_CHARS} caratteri."),
            ));
        }
        let scopes: Vec<Scope> = Scope::ALL
            .into_iter()
            .filter(|s| self.scopes.contains(s))
            .collect();
        if scopes.is_empty() {
            errors.push(FieldError::new(
                "scopes",
                "Scegli almeno un ambito: senza, il client non può fare nulla.",
            ));
        }
        if errors.is_empty() {
            Ok((name.to_owned(), scopes))
        } else {
            Err(errors)
        }
    }
}

/// The client-credentials request of RFC 6749 §4.4, sent form-encoded to the token
/// endpoint; the client may authenticate with HTTP Basic instead of the two fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientTokenRequest {
    /// Always `client_credentials`.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "client_credentials", max_length = 64)
    )]
    pub grant_type: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub client_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub client_secret: Option<String>,
    /// Space-separated scopes, a subset of the client's; all of them when absent.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "payments:read payments:write", max_length = 1000)
    )]
    pub scope: Option<String>,
}

/// The access token of an API client (RFC 6749 §5.1). There is no refresh token: the
/// program asks again with its credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientToken {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// The error of the token endpoint (RFC 6749 §5.2), with its description in Italian.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_scope` or `unsupported_grant_type`.
    pub error: String,
    pub error_description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_in_their_order_and_unknown_ones_apart() {
        let (scopes, unknown) = parse_scopes("payments:write  families:read payments:write boh");
        assert_eq!(scopes, [Scope::FamiliesRead, Scope::PaymentsWrite]);
        assert_eq!(unknown, ["boh"]);
        assert_eq!(scope_text(&scopes), "families:read payments:write");
    }

    #[test]
    fn a_client_needs_a_name_and_a_scope() {
        let errors = ApiClientForm::default().check().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "scopes"]);
        let form = ApiClientForm {
            name: "  Tesoreria ".into(),
            scopes: vec![
                Scope::PaymentsWrite,
                Scope::FamiliesRead,
                Scope::PaymentsWrite,
            ],
        };
        assert_eq!(
            form.check().unwrap(),
            (
                "Tesoreria".to_owned(),
                vec![Scope::FamiliesRead, Scope::PaymentsWrite]
            )
        );
        let long = ApiClientForm {
            name: "x".repeat(101),
            scopes: vec![Scope::FamiliesRead],
        };
        assert_eq!(long.check().unwrap_err()[0].field, "name");
    }
}

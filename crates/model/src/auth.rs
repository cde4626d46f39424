//! Accounts, roles, login and session DTOs.

use serde::{Deserialize, Serialize};

use crate::FieldError;

text_enum! {
    /// What a user may do inside their ente.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Role {
        /// Intestatario: owns the family account, pays, sees money.
        Guardian = "guardian" => "Intestatario",
        /// Delegato: may only change the meal bookings of delegated children.
        Delegate = "delegate" => "Delegato",
        /// Municipal or service-provider staff.
        Operator = "operator" => "Operatore",
        /// The comune's administrator: everything an operator does, and the comune's
        /// set-up (settings, services, fee bands).
        Administrator = "administrator" => "Amministratore",
        /// Canteen staff taking attendance.
        CanteenStaff = "canteen_staff" => "Addetto mensa",
        /// Software house integrating through the API.
        Integrator = "integrator" => "Integratore",
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

/// Shortest new password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Password policy: at least [`MIN_PASSWORD_CHARS`] characters with a letter and a digit.
pub fn validate_new_password(field: &str, password: &str) -> Result<(), FieldError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            format!("La password deve contenere almeno {MIN_PASSWORD_CHARS} caratteri."),
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            format!("La password può contenere al massimo {MAX_PASSWORD_CHARS} caratteri."),
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

/// Longest address (path and query) that a login may return to.
pub const RETURN_PATH_MAX_LEN: usize = 512;

/// Where a person goes after logging in to comune `slug`, by password or SPID/CIE:
/// `requested` when it is a page of that comune on this portal, otherwise the comune's
/// personal area. One rule for the SPA's `?ritorno=` and the server's `redirect_to`.
pub fn return_path(requested: Option<&str>, slug: &str) -> String {
    requested
        .filter(|path| is_portal_path(path) && is_comune_page(path, slug))
        .map_or_else(|| crate::spa::personal_area(slug), str::to_owned)
}

/// A path of this site that no browser can read as another host: a single `/` then a path
/// character, printable ASCII only, no backslash, and the same once percent-decoded (no
/// control characters, no backslash, no leading `//`), of bounded length.
fn is_portal_path(path: &str) -> bool {
    let printable = |b: u8| b.is_ascii_graphic() && b != b'\\';
    let mut form = path.as_bytes().to_vec();
    if form.len() > RETURN_PATH_MAX_LEN || !form.iter().all(|&b| printable(b)) {
        return false;
    }
    // Decode until nothing changes: `%252F` is `%2F` to a second reader.
    loop {
        if form.first() != Some(&b'/')
            || matches!(form.get(1), None | Some(b'/'))
            || form.iter().any(|&b| b.is_ascii_control() || b == b'\\')
        {
            return false;
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode(&form).collect();
        if decoded == form {
            return true;
        }
        form = decoded;
    }
}

/// The comune's home or a page under it, other than the login page itself.
fn is_comune_page(path: &str, slug: &str) -> bool {
    let page = path.split(['?', '#']).next().unwrap_or_default();
    let Some(rest) = page.strip_prefix('/').and_then(|p| p.strip_prefix(slug)) else {
        return false;
    };
    (rest.is_empty() || rest.starts_with('/'))
        && page.trim_end_matches('/') != crate::spa::login(slug)
}

/// Why a SPID/CIE login did not succeed. The server sends the browser back to the login
/// page with `?errore=<code>`; the login page shows the portal's own message for a known
/// code and nothing for any other text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    /// The person cancelled at the identity provider, or the provider denied the access
    /// (`access_denied`: credentials not valid or not adequate for the level asked for).
    Cancelled,
    /// The login took too long or did not start on this portal.
    Expired,
    /// The identity provider could not be reached, failed, or answered an error the rules
    /// do not list.
    ProviderFailed,
    /// The identity provider is temporarily unavailable (`temporarily_unavailable`).
    ProviderUnavailable,
    /// The identity carried no valid codice fiscale.
    NoFiscalCode,
    /// No active account with that codice fiscale in the comune.
    NotRegistered,
    /// Something failed on the portal's side.
    Unexpected,
    /// The identity provider's trust chain does not reach the federation's trust anchor,
    /// or a statement of it expired or is not validly signed.
    Untrusted,
    /// The identity provider's answer failed a check: signature, issuer, audience, nonce,
    /// expiry, decryption.
    InvalidResponse,
    /// The login's level of assurance is below SPID level 2.
    InsufficientLevel,
    /// The identity provider refused the portal's authentication request.
    RequestRefused,
    /// The identity provider asks the person to authenticate again (`login_required`).
    LoginRequired,
    /// The person did not consent to sending the attributes (`consent_required`).
    ConsentRequired,
}

/// The error codes the SPID and CIE id OpenID Connect rules list for the answers of the
/// identity provider — authorization (RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6),
/// token and UserInfo endpoints (RFC 6749 5.2, RFC 6750 3.1) — with the reason the
/// parent is told. The only place a provider's code is given a meaning.
pub const PROVIDER_ERRORS: [(&str, LoginError); 21] = [
    ("access_denied", LoginError::Cancelled),
    (
        "unmet_authentication_requirements",
        LoginError::InsufficientLevel,
    ),
    ("login_required", LoginError::LoginRequired),
    ("interaction_required", LoginError::LoginRequired),
    ("account_selection_required", LoginError::LoginRequired),
    ("consent_required", LoginError::ConsentRequired),
    ("invalid_request", LoginError::RequestRefused),
    ("invalid_request_object", LoginError::RequestRefused),
    ("invalid_request_uri", LoginError::RequestRefused),
    ("request_not_supported", LoginError::RequestRefused),
    ("request_uri_not_supported", LoginError::RequestRefused),
    ("registration_not_supported", LoginError::RequestRefused),
    ("unauthorized_client", LoginError::RequestRefused),
    ("invalid_scope", LoginError::RequestRefused),
    ("unsupported_response_type", LoginError::RequestRefused),
    ("invalid_client", LoginError::RequestRefused),
    ("unsupported_grant_type", LoginError::RequestRefused),
    ("invalid_grant", LoginError::Expired),
    ("invalid_token", LoginError::Expired),
    ("server_error", LoginError::ProviderFailed),
    ("temporarily_unavailable", LoginError::ProviderUnavailable),
];

impl LoginError {
    pub const ALL: [LoginError; 13] = [
        LoginError::Cancelled,
        LoginError::Expired,
        LoginError::ProviderFailed,
        LoginError::ProviderUnavailable,
        LoginError::NoFiscalCode,
        LoginError::NotRegistered,
        LoginError::Unexpected,
        LoginError::Untrusted,
        LoginError::InvalidResponse,
        LoginError::InsufficientLevel,
        LoginError::RequestRefused,
        LoginError::LoginRequired,
        LoginError::ConsentRequired,
    ];

    /// The value of `?errore=`.
    pub fn code(self) -> &'static str {
        match self {
            LoginError::Cancelled => "accesso_annullato",
            LoginError::Expired => "richiesta_scaduta",
            LoginError::ProviderFailed => "gestore_non_disponibile",
            LoginError::ProviderUnavailable => "gestore_temporaneamente_non_disponibile",
            LoginError::NoFiscalCode => "codice_fiscale_assente",
            LoginError::NotRegistered => "non_registrato",
            LoginError::Unexpected => "errore_interno",
            LoginError::Untrusted => "gestore_non_riconosciuto",
            LoginError::InvalidResponse => "risposta_non_valida",
            LoginError::InsufficientLevel => "livello_insufficiente",
            LoginError::RequestRefused => "richiesta_rifiutata",
            LoginError::LoginRequired => "autenticazione_richiesta",
            LoginError::ConsentRequired => "consenso_mancante",
        }
    }

    pub fn parse(code: &str) -> Option<LoginError> {
        LoginError::ALL.into_iter().find(|e| e.code() == code)
    }

    /// The reason for an identity provider's error code (`error` of its answer), and the
    /// code as the rules spell it; `None` for a code the rules do not list, which the
    /// parent is told as the provider's failure.
    pub fn from_provider(code: &str) -> (LoginError, Option<&'static str>) {
        PROVIDER_ERRORS
            .iter()
            .find(|(known, _)| *known == code)
            .map_or((LoginError::ProviderFailed, None), |(known, error)| {
                (*error, Some(*known))
            })
    }

    /// What the login page tells the person.
    pub fn message(self) -> &'static str {
        match self {
            LoginError::Cancelled => {
                "Accesso non completato: l'accesso è stato annullato o negato presso il gestore dell'identità digitale. Se hai annullato per errore, riprova; ricorda che serve SPID di livello 2 o superiore, oppure la CIE."
            }
            LoginError::Expired => "La richiesta di accesso è scaduta o non è valida: riprova.",
            LoginError::ProviderFailed => {
                "Non è stato possibile completare l'accesso con il gestore dell'identità digitale. Riprova."
            }
            LoginError::ProviderUnavailable => {
                "Il gestore dell'identità digitale non è al momento disponibile: riprova tra qualche minuto."
            }
            LoginError::NoFiscalCode => {
                "Il gestore dell'identità digitale non ha comunicato un codice fiscale valido."
            }
            LoginError::NotRegistered => {
                "Il tuo codice fiscale non risulta registrato presso questo Comune. Rivolgiti all'ufficio scuola del Comune."
            }
            LoginError::Unexpected => {
                "Si è verificato un errore imprevisto durante l'accesso. Riprova tra qualche minuto."
            }
            LoginError::Untrusted => {
                "Il gestore dell'identità digitale non risulta riconosciuto dalla federazione SPID/CIE: per sicurezza l'accesso non è stato avviato."
            }
            LoginError::InvalidResponse => {
                "La risposta del gestore dell'identità digitale non ha superato i controlli di sicurezza: l'accesso non è stato completato. Riprova."
            }
            LoginError::InsufficientLevel => {
                "Per accedere serve SPID di livello 2 o superiore, oppure la CIE: il livello di sicurezza usato non è sufficiente."
            }
            LoginError::RequestRefused => {
                "Il gestore dell'identità digitale ha rifiutato la richiesta di accesso. Riprova; se il problema continua, rivolgiti al Comune."
            }
            LoginError::LoginRequired => {
                "Il gestore dell'identità digitale chiede di autenticarti di nuovo: riprova ad accedere con SPID o CIE."
            }
            LoginError::ConsentRequired => {
                "Per accedere serve il tuo consenso a trasmettere al Comune i dati richiesti (codice fiscale, nome, cognome, e-mail): riprova e dai il consenso presso il gestore dell'identità digitale."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(validate_new_password("p", "corta1").is_err());
        assert!(validate_new_password("p", "senzacifreaaaa").is_err());
        assert!(validate_new_password("p", "Sicura2024!").is_ok());
    }

    #[test]
    fn login_returns_only_to_pages_of_the_comune() {
        for page in [
            "/demo",
            "/demo/",
            "/demo/utenti",
            "/demo/utenti/12?mese=2026-11",
            "/demo/pagamenti#ricevute",
            "/demo/cerca?q=caff%C3%A8",
        ] {
            assert_eq!(return_path(Some(page), "demo"), page, "{page:?}");
        }
        let hostile = [
            "",
            "/",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "/demo\\..\\..\\evil",
            "\\\\evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "\t",
            "/demo/utenti\r\nSet-Cookie: x=1",
            "/demo/utenti%0d%0aSet-Cookie:%20x=1",
            "/demo/%0a",
            "/demo/%7F",
            "/%2F%2Fevil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/demo/%5C",
            "/%252F%252Fevil.example",
            "/%2509/evil.example",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "demo/utenti",
            " /demo/utenti",
            "/demo/ utenti",
            "/démo/utenti",
            "/altro/utenti",
            "/demonio/utenti",
            "/demo/accedi",
            "/demo/accedi/?ritorno=/demo",
        ];
        for path in hostile {
            assert_eq!(
                return_path(Some(path), "demo"),
                "/demo/area-personale",
                "{path:?}"
            );
        }
        let long = format!("/demo/{}", "a".repeat(RETURN_PATH_MAX_LEN));
        assert_eq!(return_path(Some(&long), "demo"), "/demo/area-personale");
        assert_eq!(return_path(None, "demo"), "/demo/area-personale");
    }

    #[test]
    fn login_errors_are_known_codes_only() {
        for error in LoginError::ALL {
            assert_eq!(LoginError::parse(error.code()), Some(error));
            assert!(!error.message().is_empty());
        }
        assert_eq!(
            LoginError::parse("Il tuo conto è bloccato: chiama 0612345"),
            None
        );
        assert_eq!(LoginError::parse(""), None);
    }

    #[test]
    fn each_error_code_of_the_rules_has_one_reason() {
        assert_eq!(
            LoginError::from_provider("access_denied"),
            (LoginError::Cancelled, Some("access_denied"))
        );
        assert_eq!(
            LoginError::from_provider("temporarily_unavailable").0,
            LoginError::ProviderUnavailable
        );
        assert_eq!(
            LoginError::from_provider("consent_required").0,
            LoginError::ConsentRequired
        );
        // A code outside the rules is the provider's failure, and is not echoed back.
        assert_eq!(
            LoginError::from_provider("Mario Rossi RSSMRA85T10A562S"),
            (LoginError::ProviderFailed, None)
        );
        for (i, (code, _)) in PROVIDER_ERRORS.iter().enumerate() {
            assert!(
                PROVIDER_ERRORS[..i].iter().all(|(other, _)| other != code),
                "{code} listed once"
            );
        }
    }
}

//! The one error type of the API, rendered as RFC 7807 `application/problem+json`.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use sportello_model::{FieldError, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// One or more request fields are invalid.
    #[error("dati non validi")]
    Validation(Vec<FieldError>),
    /// The request itself cannot be understood (malformed JSON, bad query).
    #[error("{0}")]
    BadRequest(String),
    /// Missing, expired or invalid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// The principal may not do this, on a resource it is allowed to know about.
    #[error("{0}")]
    Forbidden(String),
    /// Unknown, or belonging to another ente or family: the same answer either way.
    #[error("risorsa non trovata")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// Something failed on our side; details go to the log, not to the user.
    #[error("errore interno: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn internal(err: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(err.to_string())
    }

    /// The problem's type, a title a parent understands and the Italian detail. A
    /// validation problem with one field error says that error's reason in its detail, so
    /// it is read even where the field is not on the screen.
    fn title_and_detail(&self) -> (&'static str, &'static str, String) {
        match self {
            ApiError::Validation(errors) => (
                "validation",
                "Dati da correggere",
                match errors.as_slice() {
                    [only] => only.message.clone(),
                    _ => "Alcuni dati inseriti non sono validi: correggi i campi indicati.".into(),
                },
            ),
            ApiError::BadRequest(d) => ("bad-request", "Richiesta non valida", d.clone()),
            ApiError::Unauthorized(d) => ("unauthorized", "Accesso non riuscito", d.clone()),
            ApiError::Forbidden(d) => ("forbidden", "Operazione non consentita", d.clone()),
            ApiError::NotFound => (
                "not-found",
                "Non trovato",
                "La risorsa richiesta non esiste o non è accessibile.".into(),
            ),
            ApiError::Conflict(d) => ("conflict", "Operazione non possibile", d.clone()),
            ApiError::TooManyRequests(d) => ("too-many-requests", "Troppi tentativi", d.clone()),
            ApiError::Internal(_) => (
                "internal",
                "Errore imprevisto",
                "Si è verificato un errore imprevisto. Riprova tra qualche minuto.".into(),
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title, detail) = self.title_and_detail();
        Problem {
            kind: format!("https://sportello.dev/problemi/{kind}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        if let ApiError::Unauthorized(_) = self {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        response.json(self.problem())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        ApiError::Internal(format!("database: {err}"))
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(err: sea_orm::TransactionError<ApiError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// Error handlers for actix's extractors, so malformed input answers problem+json in Italian.
pub mod extractors {
    use actix_web::{error, web, HttpRequest};

    use super::ApiError;

    pub fn json_config() -> web::JsonConfig {
        web::JsonConfig::default()
            .limit(256 * 1024)
            .error_handler(|err, _req: &HttpRequest| {
                let detail = match &err {
                    error::JsonPayloadError::ContentType => {
                        "Il corpo della richiesta deve essere JSON (Content-Type: application/json).".to_string()
                    }
                    error::JsonPayloadError::OverflowKnownLength { .. }
                    | error::JsonPayloadError::Overflow { .. } => {
                        "Il corpo della richiesta è troppo grande.".to_string()
                    }
                    error::JsonPayloadError::Deserialize(e) if e.is_data() => {
                        format!("Il corpo della richiesta ha un campo mancante o di tipo errato: {e}")
                    }
                    _ => "Il corpo della richiesta non è un JSON valido.".to_string(),
                };
                ApiError::BadRequest(detail).into()
            })
    }

    pub fn query_config() -> web::QueryConfig {
        web::QueryConfig::default().error_handler(|err, _req| {
            ApiError::BadRequest(format!("Parametri della richiesta non validi: {err}")).into()
        })
    }

    pub fn path_config() -> web::PathConfig {
        web::PathConfig::default().error_handler(|_err, _req| ApiError::NotFound.into())
    }

    pub fn form_config() -> web::FormConfig {
        web::FormConfig::default().error_handler(|err, _req| {
            ApiError::BadRequest(format!("Modulo non valido: {err}")).into()
        })
    }
}

//! The one error type of the API, rendered as RFC 7807 `application/problem+json`.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use sportello_model::problem::{problem_type, ACCOUNT_TO_SETTLE};
use sportello_model::{FieldError, Problem};

#[derive(thiserror::Error)]
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
    /// Well formed, but not what can be done with it: an `Idempotency-Key` sent again
    /// with another request.
    #[error("{0}")]
    Unprocessable(String),
    /// The enrolment gate: the family's account of the service must be settled first
    /// (409 with its own problem type; `detail` says the amount).
    #[error("{0}")]
    AccountToSettle(String),
    /// Refused for now; the client may try again after `retry_after` seconds.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    /// The database cannot serve now (connection lost, busy, read-only): the client may
    /// send the request again after `Retry-After`. `detail` is for the user, `cause` goes
    /// to the log; `interrupted` when the connection was lost under the request, so that
    /// the server sends an idempotent request again once by itself ([`crate::retry`]).
    #[error("servizio non disponibile: {cause}")]
    Unavailable {
        detail: &'static str,
        cause: String,
        interrupted: bool,
    },
    /// Something failed on our side; details go to the log, not to the user.
    #[error("errore interno: {0}")]
    Internal(String),
}

/// What the log shows of an error (tracing-actix-web logs the `Debug` of every error
/// answer): its kind, the names of the refused fields and our own causes of 500 and 503,
/// never a detail written for the user, which may repeat what a family typed or own data
/// (a name, a codice fiscale, an amount).
impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Validation(errors) => f
                .debug_tuple("Validation")
                .field(&errors.iter().map(|e| &e.field).collect::<Vec<_>>())
                .finish(),
            ApiError::Unavailable {
                cause, interrupted, ..
            } => f
                .debug_struct("Unavailable")
                .field("cause", cause)
                .field("interrupted", interrupted)
                .finish(),
            ApiError::Internal(cause) => f.debug_tuple("Internal").field(cause).finish(),
            other => f.write_str(other.title_and_detail().0),
        }
    }
}

/// Seconds a client waits before sending again a request refused with 503.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 2;
/// What a user reads when the database cannot serve the request.
pub const UNAVAILABLE_DETAIL: &str = "Il servizio è momentaneamente non disponibile: riprova tra \
     qualche secondo. Nessuna operazione è stata registrata.";

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// Refuses with every field error of `problems`, if there are any.
    pub fn check(problems: Vec<FieldError>) -> ApiResult<()> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(problems))
        }
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
            ApiError::Unprocessable(d) => ("unprocessable", "Richiesta non elaborabile", d.clone()),
            ApiError::AccountToSettle(d) => (ACCOUNT_TO_SETTLE, "Conto da saldare", d.clone()),
            ApiError::TooManyRequests { detail, .. } => {
                ("too-many-requests", "Troppi tentativi", detail.clone())
            }
            ApiError::Unavailable { detail, .. } => (
                "unavailable",
                "Servizio momentaneamente non disponibile",
                (*detail).into(),
            ),
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
            kind: problem_type(kind),
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
            ApiError::Conflict(_) | ApiError::AccountToSettle(_) => StatusCode::CONFLICT,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error"),
            ApiError::Unavailable { cause, .. } => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        if let ApiError::Unauthorized(_) = self {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        match self {
            ApiError::TooManyRequests { retry_after, .. } => {
                response.insert_header(("Retry-After", retry_after.to_string()));
            }
            ApiError::Unavailable { interrupted, .. } => {
                response.insert_header(("Retry-After", UNAVAILABLE_RETRY_AFTER.to_string()));
                if *interrupted {
                    response.extensions_mut().insert(crate::retry::Interrupted);
                }
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

/// What a request is told when the same record was written at the same moment by
/// another request (two imports creating one school, two closings of one year): the
/// unique key kept the data right, and trying again reads what the other wrote.
const CONCURRENT_CHANGE: &str =
    "Gli stessi dati sono stati modificati in questo momento da un'altra operazione: riprova.";

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        if matches!(
            err.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            tracing::warn!(cause = %err, "a unique key refused a concurrent write");
            return ApiError::Conflict(CONCURRENT_CHANGE.into());
        }
        match crate::db::unavailable(&err) {
            Some(why) => ApiError::Unavailable {
                detail: UNAVAILABLE_DETAIL,
                cause: format!("database: {err}"),
                interrupted: why == crate::db::Unavailable::Interrupted,
            },
            None => ApiError::Internal(format!("database: {err}")),
        }
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

/// Error handlers for actix's extractors, so malformed input answers problem+json in
/// Italian, without serde's English. The API's own bodies and queries go through
/// `http::Json` and `http::Query`, which name the field.
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
                        let status = actix_web::http::StatusCode::PAYLOAD_TOO_LARGE;
                        let response = actix_web::HttpResponse::build(status)
                            .content_type("application/problem+json")
                            .json(super::render::problem_for(status));
                        return error::InternalError::from_response(err, response).into();
                    }
                    _ => "Il corpo della richiesta non è un JSON valido.".to_string(),
                };
                ApiError::BadRequest(detail).into()
            })
    }

    pub fn query_config() -> web::QueryConfig {
        web::QueryConfig::default().error_handler(|err, _req| {
            tracing::debug!(%err, "query refused");
            ApiError::BadRequest(
                "I parametri dell'indirizzo non sono validi: controlla i valori indicati.".into(),
            )
            .into()
        })
    }

    pub fn path_config() -> web::PathConfig {
        web::PathConfig::default().error_handler(|_err, _req| ApiError::NotFound.into())
    }

    pub fn form_config() -> web::FormConfig {
        web::FormConfig::default().error_handler(|err, _req| {
            tracing::debug!(%err, "form refused");
            ApiError::BadRequest(
                "Il modulo inviato non è valido: controlla i campi e riprova.".into(),
            )
            .into()
        })
    }
}

/// Every error answer as problem+json in Italian, including those actix gives before a
/// handler runs (a body too large, a path it refuses, a method not allowed) with plain
/// text or no body. Answers already in problem+json, HTML pages and answers marked
/// [`OtherProtocol`] are left alone.
pub mod render {
    use actix_web::body::MessageBody;
    use actix_web::dev::ServiceResponse;
    use actix_web::http::{header, StatusCode};
    use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
    use actix_web::HttpResponse;
    use sportello_model::Problem;

    use super::ApiError;

    /// Marks an error answer that follows another protocol's format (the development
    /// identity provider's OAuth errors), which must reach its client as it is.
    pub struct OtherProtocol;

    pub fn error_handlers<B: MessageBody + 'static>() -> ErrorHandlers<B> {
        ErrorHandlers::new().default_handler(as_problem)
    }

    fn as_problem<B: MessageBody + 'static>(
        res: ServiceResponse<B>,
    ) -> actix_web::Result<ErrorHandlerResponse<B>> {
        let content_type = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if content_type.starts_with("application/problem+json")
            || content_type.starts_with("text/html")
            || res.response().extensions().get::<OtherProtocol>().is_some()
        {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let (req, old) = res.into_parts();
        let mut new = HttpResponse::build(status);
        for (name, value) in old.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                new.append_header((name.clone(), value.clone()));
            }
        }
        let new = new
            .content_type("application/problem+json")
            .json(problem_for(status));
        Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, new).map_into_right_body::<B>(),
        ))
    }

    /// What a bare status means, in Italian.
    pub fn problem_for(status: StatusCode) -> Problem {
        let error = match status {
            StatusCode::NOT_FOUND => ApiError::NotFound,
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized(
                "Per questa operazione devi accedere all'area personale.".into(),
            ),
            s if s.is_server_error() => ApiError::Internal(s.to_string()),
            _ => {
                let (title, detail) = match status {
                    StatusCode::PAYLOAD_TOO_LARGE => (
                        "Richiesta troppo grande",
                        "Il corpo della richiesta è troppo grande.",
                    ),
                    StatusCode::URI_TOO_LONG => (
                        "Indirizzo troppo lungo",
                        "L'indirizzo richiesto è troppo lungo.",
                    ),
                    StatusCode::METHOD_NOT_ALLOWED => (
                        "Operazione non prevista",
                        "Questo indirizzo non prevede l'operazione richiesta.",
                    ),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                        "Formato non supportato",
                        "Il formato del corpo della richiesta non è supportato.",
                    ),
                    _ => (
                        "Richiesta non valida",
                        "La richiesta non è valida: controlla l'indirizzo e i dati inviati.",
                    ),
                };
                return Problem {
                    kind: format!("https://sportello.dev/problemi/http-{}", status.as_u16()),
                    title: title.into(),
                    status: status.as_u16(),
                    detail: detail.into(),
                    errors: Vec::new(),
                };
            }
        };
        let mut problem = error.problem();
        problem.status = status.as_u16();
        problem
    }
}

/// The problem answers shared by every operation of the OpenAPI document, so that each
/// is described once (`response = crate::error::responses::NotFound`).
pub mod responses {
    use sportello_model::Problem;
    use utoipa::ToResponse;

    /// Declares each problem answer shared by the operations, its description the doc
    /// comment.
    macro_rules! problem_responses {
        ($($(#[doc = $doc:literal])+ $name:ident;)+) => {$(
            $(#[doc = $doc])+
            #[derive(ToResponse)]
            #[response(content_type = "application/problem+json")]
            pub struct $name(pub Problem);
        )+};
    }

    problem_responses! {
        /// Invalid request: a path, query or body field is missing, malformed or over its
        /// limit (`errors` names each field), or the body is not JSON.
        BadRequest;
        /// Missing, expired or invalid access token (`WWW-Authenticate: Bearer`).
        Unauthorized;
        /// The user's role may not do this.
        Forbidden;
        /// Unknown, or not visible to this user: the same answer either way.
        NotFound;
        /// The request conflicts with the current state; `detail` says why.
        Conflict;
        /// Too many attempts, or an API client over its rate limit (its
        /// `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`); `Retry-After`
        /// says when to try again.
        TooManyRequests;
        /// The `Idempotency-Key` was used before with another request.
        Unprocessable;
        /// The body is larger than the server accepts.
        PayloadTooLarge;
        /// The address (path and query) is longer than the server reads.
        UriTooLong;
    }

    /// The database cannot serve now (connection lost, busy, read-only); nothing was
    /// recorded. Send the same request again after `Retry-After` seconds (with the same
    /// `request_id` where the body has one).
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))
    )]
    pub struct ServiceUnavailable(pub Problem);
}

//! Small HTTP helpers shared by every capability.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    self, ContentDisposition, DispositionParam, DispositionType, HeaderValue,
};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use base64::Engine;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use sportello_model::limits::RequestLimits;
use sportello_model::page::PageRequest;
use sportello_model::{dates, FieldError, PageQuery};

use crate::error::{ApiError, ApiResult};

/// The page (from 1) and size of a list request, read from the query (`page`,
/// `per_page`, as [`Query`] reads) within their bounds, or a 400 naming the field.
pub struct Paging(pub PageRequest);

impl std::ops::Deref for Paging {
    type Target = PageRequest;

    fn deref(&self) -> &PageRequest {
        &self.0
    }
}

impl FromRequest for Paging {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(
            Query::<PageQuery>::from_request(req, payload)
                .into_inner()
                .and_then(|query| {
                    query
                        .resolve()
                        .map(Paging)
                        .map_err(|(field, message)| ApiError::field(field, message).into())
                }),
        )
    }
}

/// The client's address as seen by this server (the peer address; a proxy in front must
/// be configured to pass the real one in production).
pub fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "sconosciuto".into())
}

/// Text made safe to place in HTML, attribute values included (the server-rendered
/// pages of the development identity provider and the pagoPA simulator).
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A file in the response: shown by the browser (`inline`) or saved (`attachment`) with
/// its name.
pub fn file_response(
    content_type: &str,
    file_name: String,
    inline: bool,
    body: Vec<u8>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ContentDisposition {
            disposition: if inline {
                DispositionType::Inline
            } else {
                DispositionType::Attachment
            },
            parameters: vec![DispositionParam::Filename(file_name)],
        })
        .body(body)
}

/// The record a request made (201), or the one an earlier request with the same key
/// made (200).
pub fn created_or_ok(created: bool, body: impl serde::Serialize) -> HttpResponse {
    if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    }
}

/// A JSON request body, read with the app's `JsonConfig` (content type, size, syntax)
/// and then into `T` field by field: a wrong or missing field, or one over its size
/// limit, answers 400 with an Italian error naming it.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + RequestLimits + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            if carries_nul(&value) {
                return Err(ApiError::BadRequest(NUL_REFUSED.into()).into());
            }
            if !value.is_object() {
                return Err(ApiError::BadRequest(
                    "Il corpo della richiesta deve essere un oggetto JSON con i campi previsti."
                        .into(),
                )
                .into());
            }
            Ok(Json(checked(serde_path_to_error::deserialize(value))?))
        })
    }
}

/// A JSON body that may be left out entirely (no body, or an empty one); when present
/// it is read and checked like [`Json`], so a broken body is refused, not ignored.
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T: DeserializeOwned + RequestLimits + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let no_body = length == Some(0)
            || (length.is_none() && !headers.contains_key(header::TRANSFER_ENCODING));
        if no_body {
            return Box::pin(std::future::ready(Ok(OptionalJson(None))));
        }
        let body = Json::<T>::from_request(req, payload);
        Box::pin(async move { Ok(OptionalJson(Some(body.await?.into_inner()))) })
    }
}

/// The query string read into `T` field by field, like [`Json`].
pub struct Query<T>(pub T);

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + RequestLimits> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parser = serde_urlencoded::Deserializer::new(form_urlencoded::parse(
            req.query_string().as_bytes(),
        ));
        std::future::ready(
            checked(serde_path_to_error::deserialize(parser))
                .map(Query)
                .map_err(Into::into),
        )
    }
}

/// Whether any text of a JSON value, keys included, carries a NUL character.
fn carries_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(carries_nul),
        serde_json::Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key.contains('\0') || carries_nul(value)),
        _ => false,
    }
}

/// The deserialised request, or a 400 naming the field that could not be read or is
/// over its size limit.
fn checked<T: RequestLimits, E: std::fmt::Display>(
    parsed: Result<T, serde_path_to_error::Error<E>>,
) -> ApiResult<T> {
    let value = parsed.map_err(|err| {
        ApiError::Validation(vec![field_error(
            &err.path().to_string(),
            &err.inner().to_string(),
        )])
    })?;
    let errors = value.limit_errors();
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Serde's English message about a field, said in Italian. Messages of the model's own
/// readers (dates) are Italian already and pass through.
fn field_error(path: &str, message: &str) -> FieldError {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string();
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        let field = if path == "." {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        return FieldError::new(field, "Campo obbligatorio.");
    }
    let text = if [dates::DAY_MESSAGE, dates::MONTH_MESSAGE].contains(&message.as_str()) {
        message
    } else if message.starts_with("unknown variant") {
        let allowed: Vec<&str> = message
            .split_once("expected")
            .map(|(_, expected)| expected.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        format!("Valore non ammesso: scegli tra {}.", allowed.join(", "))
    } else if message.starts_with("invalid type") {
        "Tipo di valore errato.".into()
    } else if message.starts_with("invalid length") {
        "Numero di elementi non valido.".into()
    } else if message.contains("digit")
        || message.contains("number too")
        || message.contains("parse integer")
    {
        "Deve essere un numero intero.".into()
    } else {
        "Valore non valido.".into()
    };
    FieldError::new(path, text)
}

/// The browser security headers of every answer, set by [`security_headers`].
pub struct SecurityHeaders {
    content_security_policy: HeaderValue,
    strict_transport_security: bool,
}

impl SecurityHeaders {
    /// The policy for this server: scripts only from the portal itself, plus the SPA's
    /// inline loader (Trunk writes one into `index.html`) by its hash, and wasm;
    /// nothing may frame the portal. Styles may be inline (the server-rendered pages of
    /// the development identity provider and the pagoPA simulator carry theirs).
    /// `Strict-Transport-Security` is for production only, where the portal is HTTPS.
    pub fn new(spa_index_html: Option<&str>, production: bool) -> SecurityHeaders {
        let hashes: String = spa_index_html
            .map(inline_scripts)
            .unwrap_or_default()
            .into_iter()
            .map(|script| {
                format!(
                    " 'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script))
                )
            })
            .collect();
        let policy = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
             connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
             frame-ancestors 'none'"
        );
        SecurityHeaders {
            content_security_policy: HeaderValue::from_str(&policy)
                .expect("the policy is ASCII: base64 hashes and fixed text"),
            strict_transport_security: production,
        }
    }
}

/// The text of each `<script>` without `src` in an HTML page, as the browser hashes it.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(close) = rest[open_end..].find("</script>").map(|i| open_end + i) else {
            break;
        };
        if !rest[start..open_end].contains("src=") {
            scripts.push(&rest[open_end..close]);
        }
        rest = &rest[close..];
    }
    scripts
}

/// Longest address (path and query) the portal reads: room for every query parameter
/// at its documented maximum, percent-encoded. Beyond about 64 KiB actix's HTTP codec
/// refuses the request itself, with an empty 400, before any of this code runs.
pub const MAX_URI_BYTES: usize = 32 * 1024;

/// What the portal answers to text carrying a NUL character, which no field of it can
/// hold (PostgreSQL refuses it in any text column).
const NUL_REFUSED: &str = "La richiesta contiene un carattere non ammesso (NUL).";

/// Refuses an address longer than [`MAX_URI_BYTES`] with 414 problem+json, and one whose
/// path or query carries a NUL character (`%00`) with 400 problem+json.
pub async fn refuse_unreadable_uri(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let length = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if length > MAX_URI_BYTES {
        let status = actix_web::http::StatusCode::URI_TOO_LONG;
        let response = HttpResponse::build(status)
            .content_type("application/problem+json")
            .json(crate::error::render::problem_for(status));
        return Ok(req.into_response(response).map_into_right_body());
    }
    let raw = req.uri().path_and_query().map_or("", |p| p.as_str());
    if raw
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"%00"))
    {
        let response = ApiError::BadRequest(NUL_REFUSED.into()).error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Adds the security headers to every answer, and `Cache-Control: no-store` to every
/// API answer that says nothing about caching (they carry personal data).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let config = req.app_data::<web::Data<SecurityHeaders>>().cloned();
    let api = req.path().starts_with("/api/");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    if let Some(config) = config {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            config.content_security_policy.clone(),
        );
        if config.strict_transport_security {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            );
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// An uploaded file checked as every upload is (a form's attachment, a communication's):
/// a name of at most `FILE_NAME_MAX_CHARS`, at most `max_bytes`, and a PDF, JPEG or PNG
/// as its content says, whatever its name. Returns the trimmed name and the content type.
pub fn checked_upload(
    file_name: &str,
    content: &[u8],
    max_bytes: u32,
) -> ApiResult<(String, &'static str)> {
    let mut errors = Vec::new();
    let name = file_name.trim();
    if name.is_empty() || name.chars().count() > sportello_model::forms::FILE_NAME_MAX_CHARS {
        errors.push(FieldError::new(
            "name",
            "Indica il nome del file (al massimo 200 caratteri).",
        ));
    }
    if content.len() > max_bytes as usize {
        errors.push(FieldError::new(
            "file",
            sportello_model::forms::size_refusal(max_bytes),
        ));
    }
    let content_type = infer::get(content)
        .map(|kind| kind.mime_type())
        .filter(|mime| ["application/pdf", "image/jpeg", "image/png"].contains(mime));
    let Some(content_type) = content_type else {
        errors.push(FieldError::new(
            "file",
            "Il file deve essere un PDF o un'immagine JPEG o PNG: il contenuto di questo file non lo è.",
        ));
        return Err(ApiError::Validation(errors));
    };
    ApiError::check(errors)?;
    Ok((name.to_owned(), content_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spa_loader_is_allowed_by_its_hash_and_nothing_else_inline() {
        let html = r#"<html><head><script type="module">import init from '/app.js';await init();</script>
<script src="/other.js"></script></head></html>"#;
        assert_eq!(
            inline_scripts(html),
            ["import init from '/app.js';await init();"]
        );
        let headers = SecurityHeaders::new(Some(html), false);
        let policy = headers.content_security_policy.to_str().unwrap();
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest("import init from '/app.js';await init();"));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!SecurityHeaders::new(None, true)
            .content_security_policy
            .to_str()
            .unwrap()
            .contains("sha256"));
    }
}

//! Small HTTP helpers shared by every capability.

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse};
use sportello_model::PageQuery;

use crate::error::{ApiError, ApiResult};

/// Page number (from 1) and size of a list request, or a 400 naming the field.
pub fn resolve_page(query: &PageQuery) -> ApiResult<(u64, u64)> {
    query
        .resolve()
        .map_err(|(field, message)| ApiError::field(field, message))
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

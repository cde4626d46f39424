//! Files the API sends: the PDFs of notices and receipts, the kitchen's CSV.

use sportello_model::paths::BASE;

use super::client::{send_authed, unreadable_problem, ApiResult, Call, NO_RESPONSE};
use crate::session::Session;

const PDF: &str = "application/pdf, application/problem+json";
pub(super) const CSV: &str = "text/csv, application/problem+json";

/// A file sent by the server, such as the PDF of a notice or of a receipt.
pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// `avviso-301000000000000144.pdf` from `attachment; filename="avviso-301000000000000144.pdf"`.
fn attachment_name(disposition: &str) -> Option<String> {
    let (_, rest) = disposition.split_once("filename=")?;
    let name = rest.split(';').next()?.trim().trim_matches('"');
    (!name.is_empty() && !name.contains(['/', '\\'])).then(|| name.to_owned())
}

/// Fetches a PDF the API links to (`/api/v1/payments/notices/7/pdf`) with the access
/// token, which a plain link could not send. `fallback_name` names it when the server
/// does not.
pub async fn download_pdf(session: Session, url: &str, fallback_name: &str) -> ApiResult<Download> {
    let path = url
        .strip_prefix(BASE)
        .ok_or_else(|| unreadable_problem(NO_RESPONSE))?;
    let call = Call::<()> {
        accept: PDF,
        ..Call::get(path, &[])
    };
    download(session, &call, fallback_name, "application/pdf").await
}

/// A file the API sends for `call`, named by the server or else by `fallback_name`.
pub(super) async fn download(
    session: Session,
    call: &Call<'_, ()>,
    fallback_name: &str,
    fallback_type: &str,
) -> ApiResult<Download> {
    let response = send_authed(session, call).await?;
    let status = response.status();
    let headers = response.headers();
    let file_name = headers
        .get("content-disposition")
        .and_then(|value| attachment_name(&value))
        .unwrap_or_else(|| fallback_name.to_owned());
    let content_type = headers
        .get("content-type")
        .unwrap_or_else(|| fallback_type.into());
    let bytes = response
        .binary()
        .await
        .map_err(|_| unreadable_problem(status))?;
    Ok(Download {
        file_name,
        content_type,
        bytes,
    })
}

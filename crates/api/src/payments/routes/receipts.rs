//! Receipts: pagoPA's callback for a completed payment, and the guardian's ricevute.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use sportello_model::payments::ReceiptSummary;
use sportello_model::{Page, PageQuery, Problem};

use crate::accounts::secrets::same_secret;
use crate::auth::{can, Allowed};
use crate::error::{ApiError, ApiResult};
use crate::http::{file_response, Paging};
use crate::payments::receipts;
use crate::startup::AppState;

/// Receipt callback: pagoPA (or a PSP) reports a completed payment. Idempotent: the same
/// receipt delivered again changes nothing. Requires the shared `X-Callback-Key`.
#[utoipa::path(
    tag = "Pagamenti",
    request_body(content = Object, description = "pagoPA receipt (paSendRT) as JSON"),
    params(("X-Callback-Key" = String, Header, description = "Shared key configured as PAGOPA_CALLBACK_KEY")),
    responses(
        (status = 200, description = "Stored; `esito` says what was done", body = Object, example = json!({"esito": "accepted"})),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Unreadable receipt"),
        (status = 401, response = crate::error::responses::Unauthorized),
    )
)]
#[post("/pagopa/receipts")]
pub async fn receipt_callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let expected = state
        .config
        .pagopa_callback_key
        .as_ref()
        .ok_or(ApiError::NotFound)?
        .expose_secret();
    let presented = req
        .headers()
        .get("X-Callback-Key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !same_secret(presented, expected) {
        return Err(ApiError::Unauthorized(
            "Chiave di callback non valida.".into(),
        ));
    }
    let receipt = sportello_pagopa::parse_receipt_callback(&body)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let outcome = receipts::process(&state.db, &receipt, state.now()).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "esito": outcome })))
}

/// Ricevute: the guardian's completed payments, newest first.
#[utoipa::path(
    tag = "Pagamenti",
    params(PageQuery),
    responses(
        (status = 200, body = Page<ReceiptSummary>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/payments/receipts")]
pub async fn list_receipts(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(receipts::list_for_guardian(&state.db, &principal, *paging).await?))
}

/// The receipt (ricevuta) as PDF.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Receipt id")),
    responses(
        (status = 200, description = "The receipt", content_type = "application/pdf"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/payments/receipts/{id}/pdf")]
pub async fn receipt_pdf(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (file_name, pdf) = receipts::pdf_for_guardian(&state.db, &principal, *id).await?;
    Ok(file_response("application/pdf", file_name, false, pdf))
}

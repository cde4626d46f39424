//! Receipts: the pagoPA station to which the node delivers completed payments, and the
//! guardian's ricevute.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use sportello_model::payments::ReceiptSummary;
use sportello_model::{Page, PageQuery};
use sportello_pagopa::node;

use crate::auth::{can, Allowed};
use crate::error::{ApiError, ApiResult};
use crate::http::{file_response, Paging};
use crate::payments::receipts;
use crate::startup::AppState;

/// The comune's pagoPA station: pagoPA's node delivers a receipt (SOAP 1.1 `paSendRT`
/// or `paSendRTV2`, as `wsdl/paForNode.wsdl` of pagopa/pagopa-api defines them) and gets
/// `paSendRTRes` / `paSendRTV2Response`: `OK`, or `KO` with a fault (`PAA_SINTASSI_XSD`,
/// `PAA_ID_DOMINIO_ERRATO`, `PAA_RECEIPT_DUPLICATA`, `PAA_PAGAMENTO_SCONOSCIUTO`, …).
/// Idempotent: the same receipt delivered again changes nothing. Only pagoPA's node may
/// call: the TLS proxy passes the subject of its verified client certificate in the
/// header configured as `PAGOPA_NODE_SUBJECT_HEADER` (default `X-SSL-Client-S-DN`).
#[utoipa::path(
    tag = "Pagamenti",
    request_body(content = String, content_type = "text/xml", description = "SOAP envelope with paSendRTReq or paSendRTV2Request"),
    params(("SOAPAction" = Option<String>, Header, description = "paSendRT or paSendRTV2")),
    responses(
        (status = 200, description = "paSendRTRes or paSendRTV2Response, outcome OK or KO with a fault", content_type = "text/xml", body = String),
        (status = 401, response = crate::error::responses::Unauthorized),
    )
)]
#[post("/pagopa/station")]
pub async fn station_receipt(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let station = state
        .config
        .pagopa_station
        .as_ref()
        .ok_or(ApiError::NotFound)?;
    let presented = req
        .headers()
        .get(station.subject_header.as_str())
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if presented.trim() != station.subject {
        tracing::warn!("pagoPA station called without pagoPA's client certificate: refused");
        return Err(ApiError::Unauthorized(
            "Solo il nodo dei pagamenti pagoPA può consegnare ricevute.".into(),
        ));
    }
    let soap_action = req
        .headers()
        .get("SOAPAction")
        .and_then(|v| v.to_str().ok());
    let (primitive, fault) =
        receipts::from_node(&state.db, station, &body, soap_action, state.now()).await;
    Ok(HttpResponse::Ok()
        .content_type(node::SOAP_CONTENT_TYPE)
        .body(node::response(
            primitive,
            &station.broker_id,
            fault.as_ref(),
        )))
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

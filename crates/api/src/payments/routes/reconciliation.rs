//! Reconciliation with the treasury (`Action::Reconcile`, the comune's operators): the
//! flussi di rendicontazione, an operator's upload of one, and the report of differences
//! between flows and receipts.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use sportello_model::limits::RequestLimits;
use sportello_model::reconciliation::{
    Discrepancy, DiscrepancyKind, FlowImported, FlowSource, FlowSummary,
};
use sportello_model::{FieldError, Page, PageQuery};

use crate::auth::{can, Allowed};
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};
use crate::http::{created_or_ok, Paging, Query};
use crate::payments::reconciliation;
use crate::startup::AppState;

/// The comune's flussi di rendicontazione, newest first; a superseded revision is marked.
#[utoipa::path(
    tag = "Riconciliazione",
    params(PageQuery),
    responses(
        (status = 200, body = Page<FlowSummary>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:write"]))
)]
#[get("/reconciliation/flows")]
pub async fn list_flows(
    state: web::Data<AppState>,
    principal: Allowed<can::Reconcile>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(reconciliation::list_flows(&state.db, principal.ente_id, *paging).await?))
}

/// Carica flusso: imports a flusso di rendicontazione as the XML file (`FlussoRiversamento`,
/// pagoPA's `FlussoRiversamento_1_0_4.xsd`) the comune downloaded. The same flow sent again
/// changes nothing (200); a file that does not follow the XSD, whose totals differ from its
/// payments or addressed to another comune is refused with the reason in Italian.
#[utoipa::path(
    tag = "Riconciliazione",
    request_body(content = String, content_type = "application/xml", description = "A FlussoRiversamento XML document"),
    responses(
        (status = 201, body = FlowImported, description = "Imported"),
        (status = 200, body = FlowImported, description = "Imported before: nothing changed"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:write"]))
)]
#[post("/reconciliation/flows")]
pub async fn upload_flow(
    state: web::Data<AppState>,
    principal: Allowed<can::Reconcile>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let xml = std::str::from_utf8(&body).map_err(|_| {
        ApiError::BadRequest("Il file non è un flusso di rendicontazione XML in UTF-8.".into())
    })?;
    let flow =
        sportello_pagopa::parse_flow_xml(xml).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    let imported =
        reconciliation::import(&state.db, &ente, &flow, FlowSource::Upload, state.now()).await?;
    Ok(created_or_ok(imported.created, imported))
}

/// `?kind=` of the report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiscrepancyQuery {
    /// Which differences: receipts no flow has reported after the comune's grace days
    /// (`receipt_without_flow`), payments of a flow without receipt
    /// (`payment_without_receipt`), amounts that differ (`amount_mismatch`).
    pub kind: DiscrepancyKind,
}

impl RequestLimits for DiscrepancyQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// The reconciliation report: one kind of difference between the flows and the
/// receipts, page by page.
#[utoipa::path(
    tag = "Riconciliazione",
    params(DiscrepancyQuery, PageQuery),
    responses(
        (status = 200, body = Page<Discrepancy>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:write"]))
)]
#[get("/reconciliation/discrepancies")]
pub async fn list_discrepancies(
    state: web::Data<AppState>,
    principal: Allowed<can::Reconcile>,
    query: Query<DiscrepancyQuery>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    Ok(HttpResponse::Ok().json(
        reconciliation::discrepancies(&state.db, &ente, query.kind, *paging, state.now()).await?,
    ))
}

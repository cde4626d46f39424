//! The Pagamenti page and the Stato contabile of a prepaid service (guardian).

use actix_web::{get, web, HttpResponse};
use sportello_model::payments::{PaymentService, Statement};
use sportello_model::PageQuery;

use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::Paging;
use crate::payments::service;
use crate::startup::AppState;

/// The Pagamenti page: every service with its balance (prepaid) or what is due (emissions).
#[utoipa::path(
    tag = "Pagamenti",
    responses(
        (status = 200, body = Vec<PaymentService>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/payments/services")]
pub async fn overview(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::overview(&state.db, &principal).await?))
}

/// Stato contabile of a prepaid service: balance and movements, newest first.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Prepaid service id"), PageQuery),
    responses(
        (status = 200, body = Statement),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/payments/services/{id}/statement")]
pub async fn statement(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    id: web::Path<i64>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(service::statement(&state.db, &principal, *id, *paging, state.now()).await?))
}

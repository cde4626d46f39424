//! Recharges of the prepaid account: a notice to pay later, or online through the pagoPA
//! checkout.

use actix_web::{post, web, HttpResponse};
use sportello_model::payments::{CheckoutStarted, Notice, RechargeRequest};
use sportello_model::Problem;

use super::gateway;
use crate::auth::{can, Allowed, Principal};
use crate::error::ApiResult;
use crate::http::Json;
use crate::payments::entity::payment_notice;
use crate::payments::service;
use crate::startup::AppState;

/// Nuovo avviso di pagamento: a notice for the amount, payable later online or at any
/// pagoPA counter.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Prepaid service id")),
    request_body = RechargeRequest,
    responses(
        (status = 201, body = Notice),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Amount refused by the comune's rule"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/payments/services/{id}/notices")]
pub async fn create_notice(
    state: web::Data<AppState>,
    principal: Allowed<can::Pay>,
    id: web::Path<i64>,
    body: Json<RechargeRequest>,
) -> ApiResult<HttpResponse> {
    let notice = new_notice(&state, &principal, *id, &body, false).await?;
    Ok(HttpResponse::Created().json(service::notice_dto(notice, state.now())))
}

/// Ricarica online: creates the notice and opens a pagoPA Checkout cart of it; send the
/// browser to `checkout_url`. It comes back to the service's payment page with `esito`
/// (`ok`, `annullato`, `errore`) and `carrello`, the cart's id.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Prepaid service id")),
    request_body = RechargeRequest,
    responses(
        (status = 201, body = CheckoutStarted),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Amount refused by the comune's rule"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/payments/services/{id}/recharges")]
pub async fn recharge_online(
    state: web::Data<AppState>,
    principal: Allowed<can::Pay>,
    id: web::Path<i64>,
    body: Json<RechargeRequest>,
) -> ApiResult<HttpResponse> {
    let notice = new_notice(&state, &principal, *id, &body, true).await?;
    let started = service::pay_online(
        &state.db,
        state.checkout.as_ref(),
        &principal,
        notice,
        &state.public_url,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(started))
}

/// The recharge notice asked for, registered with pagoPA; `online_only` for one online
/// payment attempt.
async fn new_notice(
    state: &AppState,
    principal: &Principal,
    service_id: i64,
    request: &RechargeRequest,
    online_only: bool,
) -> ApiResult<payment_notice::Model> {
    service::create_recharge_notice(
        &state.db,
        gateway(state)?,
        principal,
        service_id,
        &request.amount,
        online_only,
        state.now(),
    )
    .await
}

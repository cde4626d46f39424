//! The low-balance alert of the family's prepaid account (Avviso saldo basso).

use actix_web::{get, put, web, HttpResponse};
use sportello_model::low_balance::{LowBalanceAlert, LowBalanceSettings};
use sportello_model::Problem;

use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::Json;
use crate::payments::low_balance;
use crate::startup::AppState;

/// Avviso saldo basso: the threshold, the balance, the meal days ahead with what they
/// cost (what the balance covers) and the recharge notice the last alert carried.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Prepaid service id")),
    responses(
        (status = 200, body = LowBalanceAlert),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/payments/services/{id}/low-balance-alert")]
pub async fn get_low_balance_alert(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(low_balance::get(&state.db, &principal, *id, state.now()).await?))
}

/// Sets the threshold below which the family gets one alert (empty or `"0"`: off).
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Prepaid service id")),
    request_body = LowBalanceSettings,
    responses(
        (status = 200, body = LowBalanceAlert),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Threshold refused"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[put("/payments/services/{id}/low-balance-alert")]
pub async fn set_low_balance_alert(
    state: web::Data<AppState>,
    principal: Allowed<can::SetBalanceAlert>,
    id: web::Path<i64>,
    body: Json<LowBalanceSettings>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(low_balance::set(&state.db, &principal, *id, &body, state.now()).await?))
}

//! Paying several notices at once: a pagoPA Checkout cart of up to five open notices of
//! the family, and the cart as the return page follows it.

use actix_web::{get, post, web, HttpResponse};
use sportello_model::payments::{Cart, NewCart};
use sportello_model::Problem;

use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::{created_or_ok, Json};
use crate::payments::carts;
use crate::startup::AppState;

/// Paga selezionati: opens a pagoPA Checkout cart of one to five open notices of the
/// family (rette and recharge notices); send the browser to `checkout_url`. Checkout
/// brings it back with `esito` (`ok`, `annullato`, `errore`) and `carrello`, this cart's
/// id. The same `request_id` again answers the same cart (200).
#[utoipa::path(
    tag = "Pagamenti",
    request_body = NewCart,
    responses(
        (status = 201, body = Cart, description = "Opened"),
        (status = 200, body = Cart, description = "Opened before by the same request"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "No notice, more than five, one twice, or one that cannot be paid"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "A notice the family does not have"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Online payment not available, or refused by pagoPA Checkout"),
    ),
    security(("bearer" = []))
)]
#[post("/payments/carts")]
pub async fn pay_cart(
    state: web::Data<AppState>,
    principal: Allowed<can::Pay>,
    body: Json<NewCart>,
) -> ApiResult<HttpResponse> {
    let (created, cart) = carts::pay(
        &state.db,
        state.checkout.as_ref(),
        &principal,
        &body,
        &state.public_url,
        state.now(),
    )
    .await?;
    Ok(created_or_ok(created, cart))
}

/// A cart of the family with its notices' status now: paid once their receipts arrived.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Cart id")),
    responses(
        (status = 200, body = Cart),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/payments/carts/{id}")]
pub async fn get_cart(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(carts::find(&state.db, &principal, *id, state.now()).await?))
}

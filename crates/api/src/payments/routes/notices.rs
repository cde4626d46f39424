//! The guardian's payment notices (avvisi di pagamento): list, one, its PDF, paying it
//! online and withdrawing it.

use actix_web::{get, post, web, HttpResponse};
use sportello_model::payments::{CheckoutStarted, Notice};
use sportello_model::{Page, PageQuery, Problem};

use super::gateway;
use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::{file_response, Paging};
use crate::payments::{notices, receipt_polling, service};
use crate::startup::AppState;

/// Recharge notices (avvisi di pagamento) of a prepaid service, newest first.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Prepaid service id"), PageQuery),
    responses(
        (status = 200, body = Page<Notice>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/payments/services/{id}/notices")]
pub async fn list_notices(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    id: web::Path<i64>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(service::list_notices(&state.db, &principal, *id, *paging, state.now()).await?))
}

/// One notice of the guardian.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Notice id")),
    responses(
        (status = 200, body = Notice),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/payments/notices/{id}")]
pub async fn get_notice(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let notice =
        notices::find_for_guardian(&state.db, principal.ente_id, principal.user_id, *id).await?;
    Ok(HttpResponse::Ok().json(service::notice_dto(notice, state.now())))
}

/// Paga avviso: opens a pagoPA Checkout cart of one open notice; send the browser to
/// `checkout_url`. It comes back with `esito` and `carrello` (see `pay_cart`).
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Notice id")),
    responses(
        (status = 200, body = CheckoutStarted),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Already paid, expired or cancelled, or refused by pagoPA Checkout"),
    ),
    security(("bearer" = []))
)]
#[post("/payments/notices/{id}/checkout")]
pub async fn pay_notice(
    state: web::Data<AppState>,
    principal: Allowed<can::Pay>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let started = service::pay_notice(
        &state.db,
        state.checkout.as_ref(),
        &principal,
        *id,
        &state.public_url,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(started))
}

/// Annulla avviso: the family withdraws an open recharge notice it made, so that it can
/// no longer be paid online or at a counter. Cancelling it again answers the same.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Notice id")),
    responses(
        (status = 200, body = Notice, description = "Cancelled"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Already paid or expired, a retta's notice, or pagoPA did not withdraw it"),
    ),
    security(("bearer" = []))
)]
#[post("/payments/notices/{id}/cancel")]
pub async fn cancel_notice(
    state: web::Data<AppState>,
    principal: Allowed<can::Pay>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let notice =
        service::cancel_notice(&state.db, gateway(&state)?, &principal, *id, state.now()).await?;
    Ok(HttpResponse::Ok().json(notice))
}

/// The notice as PDF (avviso di pagamento) with the pagoPA QR code, to pay at any counter.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Notice id")),
    responses(
        (status = 200, description = "The notice", content_type = "application/pdf"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[get("/payments/notices/{id}/pdf")]
pub async fn notice_pdf(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let notice =
        notices::find_for_guardian(&state.db, principal.ente_id, principal.user_id, *id).await?;
    let file_name = format!("avviso-{}.pdf", notice.notice_number);
    let pdf = service::notice_pdf(&state.db, notice, state.now()).await?;
    Ok(file_response("application/pdf", file_name, false, pdf))
}

/// Verifica pagamento: on return from the pagoPA checkout, the notice as it is once
/// pagoPA has been asked for its receipt. For a comune that uses only GPD (no station of
/// its own) the receipt is fetched from GPD-payments now and processed like any other;
/// elsewhere the node delivers it and the notice is answered as it is. `status` stays
/// `open` while no receipt has arrived ("pagamento in verifica": call again after a few
/// seconds; pagoPA is asked at most every 10 seconds per notice).
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Notice id")),
    responses(
        (status = 200, body = Notice),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "pagoPA could not be asked now"),
    ),
    security(("bearer" = []))
)]
#[post("/payments/notices/{id}/verify")]
pub async fn verify_notice(
    state: web::Data<AppState>,
    principal: Allowed<can::Pay>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let notice = receipt_polling::verify(
        &state.db,
        state.gpd_receipts.as_deref(),
        &principal,
        *id,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(notice))
}

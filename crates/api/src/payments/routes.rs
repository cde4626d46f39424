//! `/api/v1/payments/...`: the guardian's money (`Action::ReadPayments`, `Action::Pay`), the
//! operators' family accounts and emissions. Another role gets 403, another family's record 404.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use sportello_model::payments::{
    AccountCorrection, CheckoutStarted, EmissionDetail, EmissionSummary, Movement, NewEmission,
    Notice, PaymentService, ReceiptSummary, RechargeRequest, Statement,
};
use sportello_model::{Page, PageQuery, Problem};
use sportello_pagopa::PaymentGateway;
use subtle::ConstantTimeEq;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{corrections, emissions, notices, receipts, service};
use crate::auth::{can, Allowed};
use crate::error::{ApiError, ApiResult};
use crate::http::{file_response, resolve_page, Json, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(overview)
        .service(statement)
        .service(list_notices)
        .service(create_notice)
        .service(recharge_online)
        .service(get_notice)
        .service(notice_pdf)
        .service(pay_notice)
        .service(cancel_notice)
        .service(receipt_callback)
        .service(create_emission)
        .service(list_emissions)
        .service(get_emission)
        .service(list_receipts)
        .service(receipt_pdf)
        .service(family_statement)
        .service(correct_account);
}

fn gateway(state: &AppState) -> ApiResult<&dyn PaymentGateway> {
    state
        .gateway
        .as_deref()
        .ok_or_else(notices::pagopa_unavailable)
}

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
    query: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (page, per_page) = resolve_page(&query)?;
    Ok(HttpResponse::Ok()
        .json(service::statement(&state.db, &principal, *id, page, per_page, state.now()).await?))
}

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
    query: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (page, per_page) = resolve_page(&query)?;
    Ok(HttpResponse::Ok().json(
        service::list_notices(&state.db, &principal, *id, page, per_page, state.now()).await?,
    ))
}

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
    let notice = service::create_recharge_notice(
        &state.db,
        gateway(&state)?,
        &principal,
        *id,
        &body.amount,
        false,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(service::notice_dto(notice, state.now())))
}

/// Ricarica online: creates the notice and opens the pagoPA checkout; send the browser
/// to `checkout_url`. It comes back to the service's payment page with `esito`.
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
    let notice = service::create_recharge_notice(
        &state.db,
        gateway(&state)?,
        &principal,
        *id,
        &body.amount,
        true,
        state.now(),
    )
    .await?;
    let started = service::pay_online(
        &state.db,
        &principal,
        notice,
        &state.public_url,
        state.config.pagopa_simulator,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(started))
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

/// Paga avviso: opens the pagoPA checkout for an open notice.
#[utoipa::path(
    tag = "Pagamenti",
    params(("id" = i64, Path, description = "Notice id")),
    responses(
        (status = 200, body = CheckoutStarted),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Already paid, expired or cancelled"),
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
        &principal,
        *id,
        &state.public_url,
        state.config.pagopa_simulator,
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
    let pdf = service::notice_pdf(&state.db, &principal, notice, state.now()).await?;
    Ok(file_response("application/pdf", file_name, false, pdf))
}

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
    if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(ApiError::Unauthorized(
            "Chiave di callback non valida.".into(),
        ));
    }
    let receipt = sportello_pagopa::parse_receipt_callback(&body)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let outcome = receipts::process(&state.db, &receipt, state.now()).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "esito": outcome })))
}

/// Issue an emission (retta) to a guardian: operators and integrators. With an
/// `external_ref` already used, answers 200 with the emission made the first time.
#[utoipa::path(
    tag = "Emissioni",
    request_body = NewEmission,
    responses(
        (status = 201, body = EmissionDetail, description = "Issued"),
        (status = 200, body = EmissionDetail, description = "Already issued with this external_ref"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/emissions")]
pub async fn create_emission(
    state: web::Data<AppState>,
    principal: Allowed<can::IssueEmissions>,
    body: Json<NewEmission>,
) -> ApiResult<HttpResponse> {
    let (detail, created) = emissions::create(
        &state.db,
        gateway(&state)?,
        &principal,
        body.into_inner(),
        state.now(),
    )
    .await?;
    Ok(if created {
        HttpResponse::Created().json(detail)
    } else {
        HttpResponse::Ok().json(detail)
    })
}

/// The guardian's emissions with DA PAGARE / PAGATO, latest due date first.
#[utoipa::path(
    tag = "Emissioni",
    params(PageQuery),
    responses(
        (status = 200, body = Page<EmissionSummary>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/payments/emissions")]
pub async fn list_emissions(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    query: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (page, per_page) = resolve_page(&query)?;
    Ok(HttpResponse::Ok()
        .json(emissions::list_for_guardian(&state.db, &principal, page, per_page).await?))
}

/// One emission: due date, IUV, amount, lines, payment document and receipt.
#[utoipa::path(
    tag = "Emissioni",
    params(("id" = i64, Path, description = "Emission id")),
    responses(
        (status = 200, body = EmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/payments/emissions/{id}")]
pub async fn get_emission(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadPayments>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(emissions::detail_for_guardian(&state.db, &principal, *id).await?))
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
    query: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (page, per_page) = resolve_page(&query)?;
    Ok(HttpResponse::Ok()
        .json(receipts::list_for_guardian(&state.db, &principal, page, per_page).await?))
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

/// A family's Stato contabile for a prepaid service (operators).
#[utoipa::path(
    tag = "Pagamenti",
    params(
        ("id" = i64, Path, description = "Prepaid service id"),
        ("guardian_id" = i64, Path, description = "The family's guardian (intestatario)"),
        PageQuery,
    ),
    responses(
        (status = 200, body = Statement),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/payments/services/{id}/families/{guardian_id}/statement")]
pub async fn family_statement(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadFamilyAccounts>,
    path: web::Path<(i64, i64)>,
    query: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (service_id, guardian_id) = path.into_inner();
    let (page, per_page) = resolve_page(&query)?;
    Ok(HttpResponse::Ok().json(
        corrections::family_statement(
            &state.db,
            &principal,
            service_id,
            guardian_id,
            page,
            per_page,
            state.now(),
        )
        .await?,
    ))
}

/// A refund or an adjustment with its reason on a family's prepaid account
/// (operators). Sending the same `request_id` again returns the movement already made
/// (200) instead of making another.
#[utoipa::path(
    tag = "Pagamenti",
    params(
        ("id" = i64, Path, description = "Prepaid service id"),
        ("guardian_id" = i64, Path, description = "The family's guardian (intestatario)"),
    ),
    request_body = AccountCorrection,
    responses(
        (status = 201, body = Movement, description = "Made"),
        (status = 200, body = Movement, description = "Made before by the same request"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "More than the balance, or a negative balance the comune does not allow"),
    ),
    security(("bearer" = []))
)]
#[post("/payments/services/{id}/families/{guardian_id}/movements")]
pub async fn correct_account(
    state: web::Data<AppState>,
    principal: Allowed<can::CorrectAccount>,
    path: web::Path<(i64, i64)>,
    body: Json<AccountCorrection>,
) -> ApiResult<HttpResponse> {
    let (service_id, guardian_id) = path.into_inner();
    let (movement, created) = corrections::correct(
        &state.db,
        &principal,
        service_id,
        guardian_id,
        &body,
        state.now(),
    )
    .await?;
    Ok(if created {
        HttpResponse::Created().json(movement)
    } else {
        HttpResponse::Ok().json(movement)
    })
}

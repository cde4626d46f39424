//! The operators' view of a family's prepaid account: its statement, refunds and
//! adjustments.

use actix_web::{get, post, web, HttpResponse};
use sportello_model::page::PageRequest;
use sportello_model::payments::{AccountCorrection, Movement, Statement};
use sportello_model::{PageQuery, Problem};

use crate::audit::record::Trail;
use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::{created_or_ok, Json, Paging};
use crate::payments::corrections;
use crate::startup::AppState;

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
    security(("bearer" = []), ("oauth2" = ["payments:read"]))
)]
#[get("/payments/services/{id}/families/{guardian_id}/statement")]
pub async fn family_statement(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadFamilyAccounts>,
    path: web::Path<(i64, i64)>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    let (service_id, guardian_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(
        corrections::family_statement(
            &state.db,
            &principal,
            service_id,
            guardian_id,
            *paging,
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
    security(("bearer" = []), ("oauth2" = ["payments:write"]))
)]
#[post("/payments/services/{id}/families/{guardian_id}/movements")]
pub async fn correct_account(
    state: web::Data<AppState>,
    principal: Allowed<can::CorrectAccount>,
    path: web::Path<(i64, i64)>,
    body: Json<AccountCorrection>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let (service_id, guardian_id) = path.into_inner();
    let first = PageRequest {
        page: 1,
        per_page: 1,
    };
    let before = corrections::family_statement(
        &state.db,
        &principal,
        service_id,
        guardian_id,
        first,
        state.now(),
    )
    .await?;
    trail.before(&before.account);
    let (movement, created) = corrections::correct(
        &state.db,
        &principal,
        service_id,
        guardian_id,
        &body,
        state.alerting(),
        state.now(),
    )
    .await?;
    Ok(created_or_ok(created, movement))
}

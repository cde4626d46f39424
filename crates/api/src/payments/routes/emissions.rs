//! Emissions (rette): issued by operators and integrators, one by one or a service's
//! month in one batch, cancelled by them with a reason, read by the guardian.

use actix_web::{get, post, web, HttpResponse};
use sportello_model::payments::{EmissionDetail, EmissionSummary, NewEmission};
use sportello_model::rette::{
    EmissionCancellation, NewRetteBatch, RetteBatchIssued, RetteBatchPreview, RetteBatchQuery,
};
use sportello_model::{Page, PageQuery};

use super::gateway;
use crate::audit::record::Trail;
use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::{created_or_ok, Json, Paging};
use crate::payments::{batches, emissions};
use crate::startup::AppState;

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
    security(("bearer" = []), ("oauth2" = ["payments:write"]))
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
    Ok(created_or_ok(created, detail))
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
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(
        HttpResponse::Ok()
            .json(emissions::list_for_guardian(&state.db, &principal, *paging).await?),
    )
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

/// What issuing a service's month of rette would do: every active enrolment with its
/// band's quota (pro rata when the service says so), the count and the total, and the
/// enrolments left out with why (zero quota, service not running, already issued).
#[utoipa::path(
    tag = "Emissioni",
    request_body = RetteBatchQuery,
    responses(
        (status = 200, body = RetteBatchPreview),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:write"]))
)]
#[post("/payments/emission-batches/preview")]
pub async fn preview_emission_batch(
    state: web::Data<AppState>,
    principal: Allowed<can::IssueEmissions>,
    body: Json<RetteBatchQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(batches::preview(&state.db, principal.ente_id, &body).await?))
}

/// Issues a service's month of rette, each with its pagoPA notice. A month is issued
/// once: asked again, it issues nothing new and says how many were issued before.
#[utoipa::path(
    tag = "Emissioni",
    request_body = NewRetteBatch,
    responses(
        (status = 200, body = RetteBatchIssued),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:write"]))
)]
#[post("/payments/emission-batches")]
pub async fn issue_emission_batch(
    state: web::Data<AppState>,
    principal: Allowed<can::IssueEmissions>,
    body: Json<NewRetteBatch>,
) -> ApiResult<HttpResponse> {
    let issued = batches::issue(
        &state.db,
        gateway(&state)?,
        principal.ente_id,
        &body,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(issued))
}

/// Cancels an unpaid retta and its pagoPA notice, with the reason the family reads on
/// it. A paid retta cannot be cancelled (409); cancelling again answers it as it is.
#[utoipa::path(
    tag = "Emissioni",
    params(("id" = i64, Path, description = "Emission id")),
    request_body = EmissionCancellation,
    responses(
        (status = 200, body = EmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:write"]))
)]
#[post("/payments/emissions/{id}/cancel")]
pub async fn cancel_emission(
    state: web::Data<AppState>,
    principal: Allowed<can::IssueEmissions>,
    id: web::Path<i64>,
    body: Json<EmissionCancellation>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let (family, before) = emissions::of_office(&state.db, principal.ente_id, *id).await?;
    trail.family(family);
    trail.before(&before.summary);
    Ok(HttpResponse::Ok().json(
        emissions::cancel(
            &state.db,
            gateway(&state)?,
            principal.ente_id,
            *id,
            &body,
            state.now(),
        )
        .await?,
    ))
}

//! `/api/v1/office/staff…`: Personale, the comune's staff accounts, for its administrators.

use actix_web::{get, post, put, web, HttpResponse};
use sportello_model::staff::{StaffChange, StaffInvite, StaffMember};
use utoipa_actix_web::service_config::ServiceConfig;

use super::staff;
use crate::audit::record::Trail;
use crate::auth::{can, Allowed};
use crate::entes::service::by_id as ente_by_id;
use crate::error::ApiResult;
use crate::http::Json;
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_staff)
        .service(invite_staff)
        .service(change_staff)
        .service(invite_staff_again);
}

/// The comune's staff accounts (administrators, operators, canteen staff), by name.
#[utoipa::path(
    tag = "Personale",
    responses(
        (status = 200, body = Vec<StaffMember>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/office/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageStaff>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(staff::list(&state.db, principal.ente_id).await?))
}

/// Invites a staff member: creates the account and e-mails the link to choose a
/// password, valid 7 days (SPID and CIE id work at once). A codice fiscale the comune
/// already has an account for is refused.
#[utoipa::path(
    tag = "Personale",
    request_body = StaffInvite,
    responses(
        (status = 201, body = StaffMember),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/office/staff")]
pub async fn invite_staff(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageStaff>,
    body: Json<StaffInvite>,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    let member = staff::invite(&state.db, &ente, &body, &state.public_url, state.now()).await?;
    Ok(HttpResponse::Created().json(member))
}

/// Changes a staff member's role, or turns the account off or on again. Turned off, the
/// account's sessions end and it can no longer log in. Administrators cannot turn off
/// their own account or take away their own role.
#[utoipa::path(
    tag = "Personale",
    params(("id" = i64, Path, description = "Staff account id")),
    request_body = StaffChange,
    responses(
        (status = 200, body = StaffMember),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[put("/office/staff/{id}")]
pub async fn change_staff(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageStaff>,
    id: web::Path<i64>,
    body: Json<StaffChange>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    trail.before(&staff::get(&state.db, principal.ente_id, *id).await?);
    Ok(HttpResponse::Ok()
        .json(staff::change(&state.db, &principal, *id, &body, state.now()).await?))
}

/// Sends the invitation again, with a new link.
#[utoipa::path(
    tag = "Personale",
    params(("id" = i64, Path, description = "Staff account id")),
    responses(
        (status = 200, body = StaffMember),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/office/staff/{id}/invitation")]
pub async fn invite_staff_again(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageStaff>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    let member = staff::invite_again(&state.db, &ente, *id, &state.public_url, state.now()).await?;
    Ok(HttpResponse::Ok().json(member))
}

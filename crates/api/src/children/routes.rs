//! `GET /api/v1/children`, `GET /api/v1/children/{id}`, and the office's enrolment
//! editor under `/api/v1/children/{id}/enrolments`.

use actix_web::{get, post, put, web, HttpResponse};
use sportello_model::children::{ChildDetail, ChildSummary, Enrolment};
use sportello_model::schools::EnrolmentForm;
use sportello_model::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{enrolments, service};
use crate::audit::record::Trail;
use crate::auth::{can, Allowed};
use crate::db::EnteId;
use crate::error::ApiResult;
use crate::http::{Json, Paging};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_children)
        .service(get_child)
        .service(add_enrolment)
        .service(update_enrolment)
        .service(end_enrolment);
}

/// Children visible to the user: a guardian's own, a delegate's delegated ones, every
/// child of the ente for operators. Canteen staff are refused: their roster is the
/// canteen's attendance.
#[utoipa::path(
    tag = "Utenti",
    params(PageQuery),
    responses(
        (status = 200, body = Page<ChildSummary>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["families:read"]))
)]
#[get("/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadChildren>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list(&state.db, &principal, *paging).await?))
}

/// Personal data of a child and the card of each service the child is enrolled in; the
/// fee band and quota only for the guardian and operators.
#[utoipa::path(
    tag = "Utenti",
    params(("id" = i64, Path, description = "Child id")),
    responses(
        (status = 200, body = ChildDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["families:read"]))
)]
#[get("/children/{id}")]
pub async fn get_child(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadChildren>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::detail(&state.db, &principal, *id).await?))
}

/// Adds a card of a service to the child (the office): school year, school and class,
/// fee band (its meal price and quota), diet, badge (another child's is refused).
#[utoipa::path(
    tag = "Utenti",
    params(("id" = i64, Path, description = "Child id")),
    request_body = EnrolmentForm,
    responses(
        (status = 201, body = Enrolment),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []), ("oauth2" = ["enrolments:write"]))
)]
#[post("/children/{id}/enrolments")]
pub async fn add_enrolment(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnrolments>,
    id: web::Path<i64>,
    body: Json<EnrolmentForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let card = enrolments::add(&state.db, principal.ente_id, *id, &body).await?;
    let (guardian, _) =
        enrolments::card_with_family(&state.db, principal.ente_id, *id, card.id).await?;
    trail.family(guardian);
    Ok(HttpResponse::Created().json(card))
}

/// Changes a card of the child; its service cannot change.
#[utoipa::path(
    tag = "Utenti",
    params(
        ("id" = i64, Path, description = "Child id"),
        ("enrolment_id" = i64, Path, description = "Card (enrolment) id"),
    ),
    request_body = EnrolmentForm,
    responses(
        (status = 200, body = Enrolment),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []), ("oauth2" = ["enrolments:write"]))
)]
#[put("/children/{id}/enrolments/{enrolment_id}")]
pub async fn update_enrolment(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnrolments>,
    path: web::Path<(i64, i64)>,
    body: Json<EnrolmentForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let (id, enrolment_id) = path.into_inner();
    remember_card(&state, principal.ente_id, id, enrolment_id, &trail).await?;
    Ok(HttpResponse::Ok()
        .json(enrolments::update(&state.db, principal.ente_id, id, enrolment_id, &body).await?))
}

/// The card as it was and its family, for the Registro attività.
async fn remember_card(
    state: &AppState,
    ente_id: EnteId,
    child_id: i64,
    id: i64,
    trail: &Trail,
) -> ApiResult<()> {
    let (guardian, card) = enrolments::card_with_family(&state.db, ente_id, child_id, id).await?;
    trail.family(guardian);
    trail.before(&card);
    Ok(())
}

/// Ends a card of the child at once: the family can no longer book the service, and
/// the roster, the kitchen counts and the daily charge no longer count the child.
#[utoipa::path(
    tag = "Utenti",
    params(
        ("id" = i64, Path, description = "Child id"),
        ("enrolment_id" = i64, Path, description = "Card (enrolment) id"),
    ),
    responses(
        (status = 200, body = Enrolment),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []), ("oauth2" = ["enrolments:write"]))
)]
#[post("/children/{id}/enrolments/{enrolment_id}/end")]
pub async fn end_enrolment(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnrolments>,
    path: web::Path<(i64, i64)>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let (id, enrolment_id) = path.into_inner();
    remember_card(&state, principal.ente_id, id, enrolment_id, &trail).await?;
    Ok(HttpResponse::Ok()
        .json(enrolments::end(&state.db, principal.ente_id, id, enrolment_id).await?))
}

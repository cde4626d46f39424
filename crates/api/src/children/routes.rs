//! `GET /api/v1/children`, `GET /api/v1/children/{id}`.

use actix_web::{get, web, HttpResponse};
use sportello_model::children::{ChildDetail, ChildSummary};
use sportello_model::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::service;
use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::Paging;
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_children).service(get_child);
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
    security(("bearer" = []))
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
    security(("bearer" = []))
)]
#[get("/children/{id}")]
pub async fn get_child(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadChildren>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::detail(&state.db, &principal, *id).await?))
}

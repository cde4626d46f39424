//! `GET /api/v1/entes`, `GET /api/v1/entes/{slug}`.

use actix_web::{get, web, HttpResponse};
use sportello_model::entes::{EnteDetail, EnteSummary};
use sportello_model::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::service;
use crate::error::ApiResult;
use crate::http::Paging;
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_entes).service(get_ente);
}

/// The comuni using this portal, to choose from.
#[utoipa::path(
    tag = "Enti",
    params(PageQuery),
    responses(
        (status = 200, body = Page<EnteSummary>),
    )
)]
#[get("/entes")]
pub async fn list_entes(state: web::Data<AppState>, paging: Paging) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list(&state.db, *paging).await?))
}

/// Public description of a comune: settings, services and the login methods it offers.
#[utoipa::path(
    tag = "Enti",
    params(("slug" = String, Path, description = "Short name of the comune, e.g. `demo`")),
    responses(
        (status = 200, body = EnteDetail),
    )
)]
#[get("/entes/{slug}")]
pub async fn get_ente(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let ente = service::by_slug(&state.db, &slug).await?;
    let detail = service::detail(&state.db, ente, state.oidc.login_providers()).await?;
    Ok(HttpResponse::Ok().json(detail))
}

//! `/api/v1/office/…`: the comune's set-up (Impostazioni del comune, Servizi e fasce),
//! changed by its administrators and read by its operators; and the comune's public
//! logo, `/api/v1/entes/{slug}/logo`.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use sportello_model::entes::{
    EnteSettingsForm, LogoSaved, Service, ServiceDetail, ServiceForm, LOGO_MAX_BYTES,
};
use sportello_model::fee_bands::{FeeBandRow, FeeBandsForm};
use sportello_model::forms::size_refusal;
use utoipa_actix_web::service_config::ServiceConfig;

use super::setup;
use crate::audit::record::Trail;
use crate::auth::{can, Allowed};
use crate::error::{ApiError, ApiResult};
use crate::http::Json;
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_settings)
        .service(save_settings)
        .service(upload_logo)
        .service(ente_logo)
        .service(list_services)
        .service(create_service)
        .service(get_service)
        .service(update_service)
        .service(save_bands);
}

/// The comune's settings: name and contacts, login, bookings, recharges, pagoPA.
#[utoipa::path(
    tag = "Impostazioni",
    responses(
        (status = 200, body = EnteSettingsForm),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/office/settings")]
pub async fn get_settings(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadEnteSetup>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(setup::settings_form(&state.db, principal.ente_id).await?))
}

/// Changes the comune's settings, every value checked (an Italian error on each field
/// that is not right). Families follow the new cutoff, weekdays and recharge rules at
/// once.
#[utoipa::path(
    tag = "Impostazioni",
    request_body = EnteSettingsForm,
    responses(
        (status = 200, body = EnteSettingsForm),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[put("/office/settings")]
pub async fn save_settings(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnteSetup>,
    body: Json<EnteSettingsForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    trail.before(&setup::settings_form(&state.db, principal.ente_id).await?);
    Ok(HttpResponse::Ok().json(setup::save_settings(&state.db, principal.ente_id, &body).await?))
}

/// Replaces the comune's logo, shown in the header of its pages: the body is the image
/// itself, PNG, JPEG or SVG (by its content) up to 512 KB.
#[utoipa::path(
    tag = "Impostazioni",
    request_body(content = String, content_type = "application/octet-stream", description = "The image"),
    responses(
        (status = 200, body = LogoSaved),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/logo")]
pub async fn upload_logo(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnteSetup>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let content = payload
        .to_bytes_limited(LOGO_MAX_BYTES as usize)
        .await
        .map_err(|_| ApiError::field("file", size_refusal(LOGO_MAX_BYTES)))?
        .map_err(|_| ApiError::BadRequest("Il file non è arrivato per intero: riprova.".into()))?;
    let saved =
        setup::save_logo(&state.db, principal.ente_id, content.to_vec(), state.now()).await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// The comune's logo (PNG, JPEG or SVG), or 404 when it has none.
#[utoipa::path(
    tag = "Enti",
    params(("slug" = String, Path, description = "Short name of the comune, e.g. `demo`")),
    responses(
        (status = 200, description = "The image", content_type = "image/png"),
    )
)]
#[get("/entes/{slug}/logo")]
pub async fn ente_logo(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (content_type, content) = setup::logo(&state.db, &slug).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        // An SVG opened on its own runs nothing and loads nothing.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ))
        // The address changes with each new logo.
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(content))
}

/// Every service of the comune (those no longer in force too).
#[utoipa::path(
    tag = "Impostazioni",
    responses(
        (status = 200, body = Vec<Service>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/office/services")]
pub async fn list_services(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadEnteSetup>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(setup::services(&state.db, principal.ente_id).await?))
}

/// Creates a service: a prepaid canteen or a service paid by rette (transport, nido,
/// pre and post scuola…), with no fee bands yet.
#[utoipa::path(
    tag = "Impostazioni",
    request_body = ServiceForm,
    responses(
        (status = 201, body = ServiceDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/services")]
pub async fn create_service(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnteSetup>,
    body: Json<ServiceForm>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(setup::create_service(&state.db, principal.ente_id, &body).await?))
}

/// A service with its fee bands and the bands some enrolment has.
#[utoipa::path(
    tag = "Impostazioni",
    params(("id" = i64, Path, description = "Service id")),
    responses(
        (status = 200, body = ServiceDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/office/services/{id}")]
pub async fn get_service(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadEnteSetup>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(setup::service_detail(&state.db, principal.ente_id, *id).await?))
}

/// Changes a service's code and name, or takes it out of force (`active: false`); its
/// kind cannot change.
#[utoipa::path(
    tag = "Impostazioni",
    params(("id" = i64, Path, description = "Service id")),
    request_body = ServiceForm,
    responses(
        (status = 200, body = ServiceDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[put("/office/services/{id}")]
pub async fn update_service(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnteSetup>,
    id: web::Path<i64>,
    body: Json<ServiceForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    trail.before(
        &setup::service_detail(&state.db, principal.ente_id, *id)
            .await?
            .service,
    );
    Ok(HttpResponse::Ok()
        .json(setup::update_service(&state.db, principal.ente_id, *id, &body).await?))
}

/// Saves the service's whole table of fee bands: from ISEE 0,00 € up with neither
/// overlaps nor gaps. A band left out is deleted, unless some enrolment has it (409).
#[utoipa::path(
    tag = "Impostazioni",
    params(("id" = i64, Path, description = "Service id")),
    request_body = FeeBandsForm,
    responses(
        (status = 200, body = ServiceDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[put("/office/services/{id}/bands")]
pub async fn save_bands(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnteSetup>,
    id: web::Path<i64>,
    body: Json<FeeBandsForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let detail = setup::service_detail(&state.db, principal.ente_id, *id).await?;
    trail.before(&FeeBandsForm {
        bands: detail.bands.iter().map(FeeBandRow::from).collect(),
    });
    Ok(HttpResponse::Ok().json(setup::save_bands(&state.db, principal.ente_id, *id, &body).await?))
}

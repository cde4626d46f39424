//! `/api/v1/office/schools…`: the comune's schools and classes (Scuole e classi), written
//! by its administrators and read by its operators (who enrol children in them).

use actix_web::{get, post, put, web, HttpResponse};
use sportello_model::schools::{School, SchoolClassForm, SchoolDetail, SchoolForm};
use utoipa_actix_web::service_config::ServiceConfig;

use super::service;
use crate::audit::record::Trail;
use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::Json;
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_schools)
        .service(create_school)
        .service(get_school)
        .service(update_school)
        .service(create_class)
        .service(update_class);
}

/// Every school of the comune (those no longer in use too), by name.
#[utoipa::path(
    tag = "Impostazioni",
    responses(
        (status = 200, body = Vec<School>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/office/schools")]
pub async fn list_schools(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadEnteSetup>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list(&state.db, principal.ente_id).await?))
}

/// Adds a school: name (unique in the comune), address, codice meccanografico, cycle.
#[utoipa::path(
    tag = "Impostazioni",
    request_body = SchoolForm,
    responses(
        (status = 201, body = SchoolDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/schools")]
pub async fn create_school(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnteSetup>,
    body: Json<SchoolForm>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create(&state.db, principal.ente_id, &body).await?))
}

/// A school with its classes, the latest school year first.
#[utoipa::path(
    tag = "Impostazioni",
    params(("id" = i64, Path, description = "School id")),
    responses(
        (status = 200, body = SchoolDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/office/schools/{id}")]
pub async fn get_school(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadEnteSetup>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::detail(&state.db, principal.ente_id, *id).await?))
}

/// Changes a school, or takes it out of use (`active: false`); its cycle only to one
/// with a year for each of its classes.
#[utoipa::path(
    tag = "Impostazioni",
    params(("id" = i64, Path, description = "School id")),
    request_body = SchoolForm,
    responses(
        (status = 200, body = SchoolDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[put("/office/schools/{id}")]
pub async fn update_school(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnteSetup>,
    id: web::Path<i64>,
    body: Json<SchoolForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    trail.before(
        &service::detail(&state.db, principal.ente_id, *id)
            .await?
            .school,
    );
    Ok(HttpResponse::Ok().json(service::update(&state.db, principal.ente_id, *id, &body).await?))
}

/// Adds a class to the school for a school year: its name (unique in the school and
/// year) and its year of the cycle.
#[utoipa::path(
    tag = "Impostazioni",
    params(("id" = i64, Path, description = "School id")),
    request_body = SchoolClassForm,
    responses(
        (status = 201, body = SchoolDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[post("/office/schools/{id}/classes")]
pub async fn create_class(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnteSetup>,
    id: web::Path<i64>,
    body: Json<SchoolClassForm>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(service::create_class(&state.db, principal.ente_id, *id, &body).await?))
}

/// Changes a class of the school: the new name shows at once on the cards, the roster
/// and the kitchen counts; its school year only while no card names it.
#[utoipa::path(
    tag = "Impostazioni",
    params(
        ("id" = i64, Path, description = "School id"),
        ("class_id" = i64, Path, description = "Class id"),
    ),
    request_body = SchoolClassForm,
    responses(
        (status = 200, body = SchoolDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[put("/office/schools/{id}/classes/{class_id}")]
pub async fn update_class(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageEnteSetup>,
    path: web::Path<(i64, i64)>,
    body: Json<SchoolClassForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let (id, class_id) = path.into_inner();
    let school = service::detail(&state.db, principal.ente_id, id).await?;
    trail.before(&school.classes.iter().find(|c| c.id == class_id));
    Ok(HttpResponse::Ok()
        .json(service::update_class(&state.db, principal.ente_id, id, class_id, &body).await?))
}

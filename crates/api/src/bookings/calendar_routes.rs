//! `/api/v1/services/{id}/calendar`: operators set the canteen's period, serving
//! weekdays and closures.

use actix_web::{delete, get, post, put, web, HttpResponse};
use sportello_model::bookings::{CalendarSettings, ClosureAdded, NewClosure, ServiceCalendar};
use sportello_model::rome;
use utoipa_actix_web::service_config::ServiceConfig;

use super::calendar;
use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::Json;
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_calendar)
        .service(set_calendar)
        .service(add_closure)
        .service(remove_closure);
}

/// The service's calendar: period, serving weekdays and closures (operators).
#[utoipa::path(
    tag = "Calendario",
    params(("service_id" = i64, Path, description = "Service id")),
    responses(
        (status = 200, body = ServiceCalendar),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["bookings:write"]))
)]
#[get("/services/{service_id}/calendar")]
pub async fn get_calendar(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageCalendar>,
    service_id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let today = rome::today(state.now());
    Ok(HttpResponse::Ok().json(calendar::get(&state.db, &principal, *service_id, today).await?))
}

/// Sets the service period and the weekdays the canteen serves; for an emissions
/// service, the period is what its rette pro rata pay for.
#[utoipa::path(
    tag = "Calendario",
    params(("service_id" = i64, Path, description = "Service id")),
    request_body = CalendarSettings,
    responses(
        (status = 200, body = ServiceCalendar),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["bookings:write"]))
)]
#[put("/services/{service_id}/calendar")]
pub async fn set_calendar(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageCalendar>,
    service_id: web::Path<i64>,
    body: Json<CalendarSettings>,
) -> ApiResult<HttpResponse> {
    let today = rome::today(state.now());
    Ok(HttpResponse::Ok()
        .json(calendar::set(&state.db, &principal, *service_id, &body, today).await?))
}

/// Closes the canteen from `from` to `to` (holidays, strikes, school trips), as one
/// closure. Meals already charged for its days are credited back in the same
/// transaction, one "Storno pasto" movement each; repeating the request credits nothing
/// more.
#[utoipa::path(
    tag = "Calendario",
    params(("service_id" = i64, Path, description = "Service id")),
    request_body = NewClosure,
    responses(
        (status = 200, body = ClosureAdded),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["bookings:write"]))
)]
#[post("/services/{service_id}/closures")]
pub async fn add_closure(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageCalendar>,
    service_id: web::Path<i64>,
    body: Json<NewClosure>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(calendar::add_closure(&state.db, &principal, *service_id, &body, state.now()).await?))
}

/// Reopens the days of a closure (the whole range it was added as). Meals credited back
/// stay credited; a reopened day that is over is charged again by the daily charging.
#[utoipa::path(
    tag = "Calendario",
    params(
        ("service_id" = i64, Path, description = "Service id"),
        ("closure_id" = i64, Path, description = "Closure id (`Closure.id`, the range)"),
    ),
    responses(
        (status = 200, body = ServiceCalendar),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["bookings:write"]))
)]
#[delete("/services/{service_id}/closures/{closure_id}")]
pub async fn remove_closure(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageCalendar>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (service_id, closure_id) = path.into_inner();
    let today = rome::today(state.now());
    Ok(HttpResponse::Ok().json(
        calendar::remove_closure(&state.db, &principal, service_id, closure_id, today).await?,
    ))
}

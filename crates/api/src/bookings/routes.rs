//! `/api/v1/bookings/...`: a child's month calendar and meal changes (guardian and
//! delegate, for their own children).

use actix_web::{get, post, put, web, HttpResponse};
use sportello_model::bookings::{BookingChange, BookingRange, BookingResult, MonthCalendar};
use sportello_model::{dates, Problem};
use time::{Date, Month};
use utoipa_actix_web::service_config::ServiceConfig;

use super::service;
use crate::auth::{can, Allowed};
use crate::error::{ApiError, ApiResult};
use crate::http::Json;
use crate::startup::{AppState, Arrival};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(month_calendar)
        .service(change_day)
        .service(change_range);
}

fn parse_month(value: &str) -> ApiResult<(i32, Month)> {
    dates::parse_month(value).map_err(|message| ApiError::field("month", message))
}

fn parse_day(value: &str) -> ApiResult<Date> {
    dates::parse_day(value).map_err(|message| ApiError::field("day", message))
}

/// The child's month for a service: each day's state, whether it can still be changed
/// and why not, the cutoff message and the choices the comune offers.
#[utoipa::path(
    tag = "Prenotazioni",
    params(
        ("child_id" = i64, Path, description = "Child id"),
        ("service_id" = i64, Path, description = "Prepaid service id (Refezione Scolastica)"),
        ("month" = String, Path, description = "`YYYY-MM`, 2000 to 2100", example = "2026-11", pattern = "^[0-9]{4}-[0-9]{2}$"),
    ),
    responses(
        (status = 200, body = MonthCalendar),
        (status = 400, response = crate::error::responses::BadRequest),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/bookings/children/{child_id}/services/{service_id}/months/{month}")]
pub async fn month_calendar(
    state: web::Data<AppState>,
    principal: Allowed<can::BookMeals>,
    path: web::Path<(i64, i64, String)>,
) -> ApiResult<HttpResponse> {
    let (child_id, service_id, month) = path.into_inner();
    let month = parse_month(&month)?;
    Ok(HttpResponse::Ok().json(
        service::month(
            &state.db,
            &state.meal_services,
            &principal,
            child_id,
            service_id,
            month,
            state.now(),
        )
        .await?,
    ))
}

/// Change one day's meal (absent, blank meal, personal meal, or back to present). The
/// cutoff is judged at the request's arrival.
#[utoipa::path(
    tag = "Prenotazioni",
    params(
        ("child_id" = i64, Path, description = "Child id"),
        ("day" = String, Path, description = "`YYYY-MM-DD`, 2000 to 2100", example = "2026-11-24", pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    ),
    request_body = BookingChange,
    responses(
        (status = 200, body = BookingResult),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Not changeable: after the cutoff, past, holiday or a weekday not bookable; `detail` says why"),
    ),
    security(("bearer" = []))
)]
#[put("/bookings/children/{child_id}/days/{day}")]
pub async fn change_day(
    state: web::Data<AppState>,
    Arrival(now): Arrival,
    principal: Allowed<can::BookMeals>,
    path: web::Path<(i64, String)>,
    body: Json<BookingChange>,
) -> ApiResult<HttpResponse> {
    let (child_id, day) = path.into_inner();
    let day = parse_day(&day)?;
    let request = BookingRange {
        service_id: body.service_id,
        from: day,
        to: day,
        choice: body.choice,
    };
    Ok(HttpResponse::Ok().json(
        service::change(
            &state.db,
            &state.meal_services,
            &principal,
            child_id,
            &request,
            now,
        )
        .await?,
    ))
}

/// Change every school day of a range that can still be changed, e.g. absent for a week
/// of illness; the school days that cannot are listed in `skipped` with the reason. When
/// none can, nothing changes and the answer is 409 saying why. The cutoff is judged at
/// the request's arrival.
#[utoipa::path(
    tag = "Prenotazioni",
    params(("child_id" = i64, Path, description = "Child id")),
    request_body = BookingRange,
    responses(
        (status = 200, body = BookingResult),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/bookings/children/{child_id}/range")]
pub async fn change_range(
    state: web::Data<AppState>,
    Arrival(now): Arrival,
    principal: Allowed<can::BookMeals>,
    child_id: web::Path<i64>,
    body: Json<BookingRange>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        service::change(
            &state.db,
            &state.meal_services,
            &principal,
            *child_id,
            &body,
            now,
        )
        .await?,
    ))
}

//! `/api/v1/canteen/...`: the canteen's day for staff: roster and attendance (tablet),
//! kitchen counts (JSON or CSV), meal charging (operators).

use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;
use sportello_model::bookings::{
    AttendanceMark, AttendanceRow, ChargeReport, ChargeRequest, KitchenCount,
};
use sportello_model::limits::{Limits, RequestLimits, FORMAT_MAX_CHARS, SCHOOL_MAX_CHARS};
use sportello_model::{FieldError, Problem};
use time::Date;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{attendance, charging};
use crate::auth::{can, Allowed};
use crate::error::{ApiError, ApiResult};
use crate::http::{file_response, Json, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(roster)
        .service(mark_attendance)
        .service(kitchen_counts)
        .service(charge);
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    pub service_id: i64,
    /// `YYYY-MM-DD`, 2000 to 2100.
    #[serde(deserialize_with = "sportello_model::dates::deserialize_day")]
    pub day: Date,
    /// Only this school (roster only).
    #[param(max_length = 200)]
    pub school: Option<String>,
    /// `csv` for a CSV file (kitchen counts only).
    #[param(max_length = 16)]
    pub format: Option<String>,
}

impl RequestLimits for DayQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .optional_text("school", self.school.as_deref(), SCHOOL_MAX_CHARS)
            .optional_text("format", self.format.as_deref(), FORMAT_MAX_CHARS)
            .errors()
    }
}

/// Children expected at the canteen on a day, per school and class, with diet and
/// whether they eat (staff's record, else the family's booking).
#[utoipa::path(
    tag = "Mensa",
    params(DayQuery),
    responses(
        (status = 200, body = Vec<AttendanceRow>),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Not a school day"),
    ),
    security(("bearer" = []), ("oauth2" = ["canteen:write"]))
)]
#[get("/canteen/roster")]
pub async fn roster(
    state: web::Data<AppState>,
    principal: Allowed<can::TakeAttendance>,
    query: Query<DayQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        attendance::roster(
            &state.db,
            &principal,
            query.service_id,
            query.day,
            query.school.as_deref(),
        )
        .await?,
    ))
}

/// Staff mark a child present or absent for the day; it overrides the booking.
#[utoipa::path(
    tag = "Mensa",
    params(("child_id" = i64, Path, description = "Child id")),
    request_body = AttendanceMark,
    responses(
        (status = 200, body = AttendanceRow),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Not a school day, or a day still to come"),
    ),
    security(("bearer" = []), ("oauth2" = ["canteen:write"]))
)]
#[put("/canteen/attendance/{child_id}")]
pub async fn mark_attendance(
    state: web::Data<AppState>,
    principal: Allowed<can::TakeAttendance>,
    child_id: web::Path<i64>,
    body: Json<AttendanceMark>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(attendance::mark(&state.db, &principal, *child_id, *body, state.now()).await?))
}

/// Meals of the day for the kitchen per school, class and meal type (JSON, or CSV with
/// `format=csv`).
#[utoipa::path(
    tag = "Mensa",
    params(DayQuery),
    responses(
        (status = 200, description = "JSON, or a CSV file with format=csv", content(
            (Vec<KitchenCount> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Not a school day"),
    ),
    security(("bearer" = []), ("oauth2" = ["canteen:write"]))
)]
#[get("/canteen/kitchen-counts")]
pub async fn kitchen_counts(
    state: web::Data<AppState>,
    principal: Allowed<can::TakeAttendance>,
    query: Query<DayQuery>,
) -> ApiResult<HttpResponse> {
    let counts =
        attendance::kitchen_counts(&state.db, &principal, query.service_id, query.day).await?;
    if query.format.as_deref() != Some("csv") {
        return Ok(HttpResponse::Ok().json(counts));
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    writer
        .write_record(["Scuola", "Classe", "Tipologia pasto", "Pasti"])
        .map_err(ApiError::internal)?;
    for c in &counts {
        writer
            .write_record([
                c.school.as_str(),
                c.class_name.as_str(),
                c.meal_type.as_str(),
                &c.meals.to_string(),
            ])
            .map_err(ApiError::internal)?;
    }
    let body = writer.into_inner().map_err(ApiError::internal)?;
    Ok(file_response(
        "text/csv; charset=utf-8",
        format!("pasti-{}.csv", query.day),
        false,
        body,
    ))
}

/// Charge the meals of a closed day now (the server also does it on its own schedule).
/// Idempotent: a day already charged charges nothing more.
#[utoipa::path(
    tag = "Mensa",
    request_body = ChargeRequest,
    responses(
        (status = 200, body = ChargeReport),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The day is not over, or not a school day"),
    ),
    security(("bearer" = []), ("oauth2" = ["canteen:write"]))
)]
#[post("/canteen/charges")]
pub async fn charge(
    state: web::Data<AppState>,
    principal: Allowed<can::ChargeMeals>,
    body: Json<ChargeRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        charging::charge_day(
            &state.db,
            state.alerting(),
            principal.ente_id,
            body.service_id,
            body.day,
            state.now(),
        )
        .await?,
    ))
}

//! `/api/v1/reports/...` (`Action::ReadReports`, the comune's operators): Incassi, Morosi,
//! the meals served and the balances at a date, each as JSON and as a CSV file.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use sportello_model::limits::RequestLimits;
use sportello_model::reports::{
    check_range, BalancesReport, DebtorsReport, MealsReport, ReceiptsReport,
};
use sportello_model::{rome, FieldError};
use time::{Date, Month};
use utoipa_actix_web::service_config::ServiceConfig;

use super::service;
use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::{file_response, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(receipts_report)
        .service(receipts_report_csv)
        .service(debtors_report)
        .service(debtors_report_csv)
        .service(meals_report)
        .service(meals_report_csv)
        .service(balances_report)
        .service(balances_report_csv);
}

/// The period of Incassi: at most a year, `from` not after `to`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD`.
    #[serde(deserialize_with = "sportello_model::dates::deserialize_day")]
    pub from: Date,
    /// Last day, `YYYY-MM-DD`, at most a year after `from`.
    #[serde(deserialize_with = "sportello_model::dates::deserialize_day")]
    pub to: Date,
}

impl RequestLimits for PeriodQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        check_range(self.from, self.to)
    }
}

/// The month of the meals served.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `YYYY-MM`, 2000 to 2100.
    #[serde(deserialize_with = "sportello_model::dates::deserialize_month")]
    #[param(value_type = String, pattern = r"^[0-9]{4}-[0-9]{2}$", example = "2026-11")]
    pub month: (i32, Month),
}

impl RequestLimits for MonthQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// The day of the balances.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// `YYYY-MM-DD`: the balances at the end of that day.
    #[serde(deserialize_with = "sportello_model::dates::deserialize_day")]
    pub on: Date,
}

impl RequestLimits for DayQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

fn csv_response((name, body): (String, Vec<u8>)) -> HttpResponse {
    file_response("text/csv; charset=utf-8", name, false, body)
}

/// Incassi: the accepted pagoPA receipts of the period per day (Europe/Rome), channel
/// (online or at a counter), method and PSP, with the totals per channel and overall, to
/// reconcile with the treasury.
#[utoipa::path(
    tag = "Report",
    params(PeriodQuery),
    responses(
        (status = 200, body = ReceiptsReport),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:read"]))
)]
#[get("/reports/receipts")]
pub async fn receipts_report(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadReports>,
    query: Query<PeriodQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(service::receipts(&state.db, principal.ente_id, query.from, query.to).await?))
}

/// Incassi as CSV (`;`, UTF-8 with BOM, amounts as `1234.50`): day, channel, method,
/// PSP, payments, amount.
#[utoipa::path(
    tag = "Report",
    params(PeriodQuery),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:read"]))
)]
#[get("/reports/receipts.csv")]
pub async fn receipts_report_csv(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadReports>,
    query: Query<PeriodQuery>,
) -> ApiResult<HttpResponse> {
    let report = service::receipts(&state.db, principal.ente_id, query.from, query.to).await?;
    Ok(csv_response(service::receipts_csv(&report)?))
}

/// Morosi: the families with a prepaid account below zero or a retta unpaid after its due
/// date, today, with the amounts, the days since the oldest debt and the latest reminder
/// step sent. The reminders themselves go through `POST /reminders/run`.
#[utoipa::path(
    tag = "Report",
    responses(
        (status = 200, body = DebtorsReport),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:read"]))
)]
#[get("/reports/debtors")]
pub async fn debtors_report(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadReports>,
) -> ApiResult<HttpResponse> {
    let today = rome::today(state.now());
    Ok(HttpResponse::Ok().json(service::debtors(&state.db, principal.ente_id, today).await?))
}

/// Morosi as CSV (`;`, UTF-8 with BOM, amounts as `1234.50`): guardian, codice fiscale,
/// negative balance, overdue rette, days overdue, latest reminder.
#[utoipa::path(
    tag = "Report",
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:read"]))
)]
#[get("/reports/debtors.csv")]
pub async fn debtors_report_csv(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadReports>,
) -> ApiResult<HttpResponse> {
    let today = rome::today(state.now());
    let report = service::debtors(&state.db, principal.ente_id, today).await?;
    Ok(csv_response(service::debtors_csv(&report)?))
}

/// Pasti serviti: the meals charged for the month's school days, net of those credited
/// back, per service, school and fee band, with totals.
#[utoipa::path(
    tag = "Report",
    params(MonthQuery),
    responses(
        (status = 200, body = MealsReport),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:read"]))
)]
#[get("/reports/meals")]
pub async fn meals_report(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadReports>,
    query: Query<MonthQuery>,
) -> ApiResult<HttpResponse> {
    let (year, month) = query.month;
    Ok(HttpResponse::Ok().json(service::meals(&state.db, principal.ente_id, year, month).await?))
}

/// Pasti serviti as CSV (`;`, UTF-8 with BOM, amounts as `1234.50`): service, school,
/// band, meals, amount.
#[utoipa::path(
    tag = "Report",
    params(MonthQuery),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:read"]))
)]
#[get("/reports/meals.csv")]
pub async fn meals_report_csv(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadReports>,
    query: Query<MonthQuery>,
) -> ApiResult<HttpResponse> {
    let (year, month) = query.month;
    let report = service::meals(&state.db, principal.ente_id, year, month).await?;
    Ok(csv_response(service::meals_csv(&report)?))
}

/// Saldi: every prepaid account's balance at the end of the day (the sum of its ledger's
/// movements dated up to it), with the total.
#[utoipa::path(
    tag = "Report",
    params(DayQuery),
    responses(
        (status = 200, body = BalancesReport),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:read"]))
)]
#[get("/reports/balances")]
pub async fn balances_report(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadReports>,
    query: Query<DayQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::balances(&state.db, principal.ente_id, query.on).await?))
}

/// Saldi as CSV (`;`, UTF-8 with BOM, amounts as `1234.50`): day, guardian, codice
/// fiscale, service, balance.
#[utoipa::path(
    tag = "Report",
    params(DayQuery),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["payments:read"]))
)]
#[get("/reports/balances.csv")]
pub async fn balances_report_csv(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadReports>,
    query: Query<DayQuery>,
) -> ApiResult<HttpResponse> {
    let report = service::balances(&state.db, principal.ente_id, query.on).await?;
    Ok(csv_response(service::balances_csv(&report)?))
}

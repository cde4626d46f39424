//! `/api/v1/audit` (`Action::ReadAudit`, the comune's administrators): the Registro
//! attività, page by page and as CSV.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use sportello_model::audit::{AuditEvent, AuditFilter};
use sportello_model::limits::RequestLimits;
use sportello_model::{FieldError, Page, PageQuery};
use time::Date;
use utoipa_actix_web::service_config::ServiceConfig;

use super::service;
use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::{file_response, Paging, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit).service(export_audit);
}

/// The filters, each optional: person, family, first and last day (Europe/Rome).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The staff account that made the changes.
    pub actor: Option<i64>,
    /// The family (its guardian's user id) the changes concern.
    pub family: Option<i64>,
    /// First day, `YYYY-MM-DD`.
    #[serde(
        default,
        deserialize_with = "sportello_model::dates::deserialize_optional_day"
    )]
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<Date>,
    /// Last day, `YYYY-MM-DD`, not before `from` and at most a year after it.
    #[serde(
        default,
        deserialize_with = "sportello_model::dates::deserialize_optional_day"
    )]
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<Date>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            actor: self.actor,
            family: self.family,
            from: self.from,
            to: self.to,
        }
    }
}

impl RequestLimits for AuditQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        self.filter().check()
    }
}

/// Registro attività: every change the comune's staff made (operators, administrators,
/// canteen staff, integrators), newest first: who, when, what, the family, the record
/// before (where kept) and the request after.
#[utoipa::path(
    tag = "Registro attività",
    params(AuditQuery, PageQuery),
    responses(
        (status = 200, body = Page<AuditEvent>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadAudit>,
    query: Query<AuditQuery>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(service::list(&state.db, principal.ente_id, query.filter(), *paging).await?))
}

/// The Registro attività as CSV (`;`, UTF-8 with BOM), with the same filters, newest
/// first.
#[utoipa::path(
    tag = "Registro attività",
    params(AuditQuery),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/audit.csv")]
pub async fn export_audit(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadAudit>,
    query: Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let (name, body) =
        service::csv(&state.db, principal.ente_id, query.filter(), state.now()).await?;
    Ok(file_response("text/csv; charset=utf-8", name, false, body))
}

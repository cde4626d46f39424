//! Fine anno scolastico: the office (`Action::CloseSchoolYear`) asks ahead in May,
//! closes a year, lists the credits left and records the refunds asked for; the family
//! (`Action::ChooseYearEndCredit`) reads its credits and chooses what happens to each.

use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;
use sportello_model::limits::RequestLimits;
use sportello_model::school_year::SchoolYear;
use sportello_model::year_end::{
    closable_year, CreditChoiceRequest, CreditStatus, FamilyCredit, OfficeCredit, YearEndSummary,
    YearEndTerms,
};
use sportello_model::{rome, FieldError, Page, PageQuery, Problem};

use crate::audit::record::Trail;
use crate::auth::{can, Allowed, Principal};
use crate::communications::letters::Sender;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};
use crate::http::{created_or_ok, Json, Paging, Query};
use crate::payments::year_end::{self, Letters};
use crate::startup::AppState;

/// The office's list of credits: all, or those of one status.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreditFilter {
    pub status: Option<CreditStatus>,
}

impl RequestLimits for CreditFilter {
    fn limit_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// The school year of the path (its first calendar year), up to the current one.
fn school_year(state: &AppState, start_year: i32) -> ApiResult<SchoolYear> {
    closable_year(start_year, rome::today(state.now())).map_err(ApiError::BadRequest)
}

/// A school year's end: its terms, when the families were asked ahead and when it was
/// closed, the credits by status, and before the closing what it would list.
#[utoipa::path(
    tag = "Fine anno scolastico",
    params(("year" = i32, Path, description = "The school year's first calendar year: 2026 for 2026/2027")),
    responses(
        (status = 200, body = YearEndSummary),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A school year not begun yet"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/year-end/{year}")]
pub async fn year_end_summary(
    state: web::Data<AppState>,
    principal: Allowed<can::CloseSchoolYear>,
    year: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let year = school_year(&state, *year)?;
    Ok(HttpResponse::Ok().json(year_end::summary(&state.db, principal.ente_id, year).await?))
}

/// The credits left at the end of a year, with the family's choice (the whole IBAN of a
/// refund, for the payment order), page by page.
#[utoipa::path(
    tag = "Fine anno scolastico",
    params(("year" = i32, Path, description = "The school year's first calendar year"), CreditFilter, PageQuery),
    responses(
        (status = 200, body = Page<OfficeCredit>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A school year not begun yet"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/year-end/{year}/credits")]
pub async fn list_year_end_credits(
    state: web::Data<AppState>,
    principal: Allowed<can::CloseSchoolYear>,
    year: web::Path<i32>,
    filter: Query<CreditFilter>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    let year = school_year(&state, *year)?;
    let page = year_end::list(&state.db, principal.ente_id, year, filter.status, *paging).await?;
    let items = year_end::office_rows(&state.db, principal.ente_id, page.items).await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// What the office does with the year's terms.
enum Step {
    AskAhead,
    Close,
}

/// Asks ahead or closes the year with `terms`, the comune's letters going out on its
/// channels; answers the year's summary.
async fn with_terms(
    state: &AppState,
    principal: &Principal,
    year: i32,
    terms: &YearEndTerms,
    step: Step,
) -> ApiResult<HttpResponse> {
    let year = school_year(state, year)?;
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    let sender = Sender::for_ente(&state.config.channel_settings, &ente);
    let letters = Letters {
        ente_name: &ente.name,
        sender: &sender,
    };
    let (db, now) = (&state.db, state.now());
    match step {
        Step::AskAhead => year_end::ask_ahead(db, principal, year, terms, &letters, now).await?,
        Step::Close => year_end::close(db, principal, year, terms, &letters, now).await?,
    };
    Ok(HttpResponse::Ok().json(year_end::summary(db, principal.ente_id, year).await?))
}

/// Chiedi in anticipo (May): the families of the children in the last class of their
/// school's order and not enrolled next year are asked what to do with the credit, the
/// refund pre-filled; each family once.
#[utoipa::path(
    tag = "Fine anno scolastico",
    params(("year" = i32, Path, description = "The current school year's first calendar year")),
    request_body = YearEndTerms,
    responses(
        (status = 200, body = YearEndSummary),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A school year not begun yet"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/year-end/{year}/ask-ahead")]
pub async fn ask_year_end_ahead(
    state: web::Data<AppState>,
    principal: Allowed<can::CloseSchoolYear>,
    year: web::Path<i32>,
    body: Json<YearEndTerms>,
) -> ApiResult<HttpResponse> {
    with_terms(&state, &principal, *year, &body, Step::AskAhead).await
}

/// Chiudi l'anno: every account with credit whose family has no child enrolled in the
/// service next year is listed with its credit and its family asked to choose; the
/// choices made ahead apply. A year is closed once: 409 after.
#[utoipa::path(
    tag = "Fine anno scolastico",
    params(("year" = i32, Path, description = "The school year's first calendar year")),
    request_body = YearEndTerms,
    responses(
        (status = 200, body = YearEndSummary),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A school year not begun yet"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/year-end/{year}/close")]
pub async fn close_school_year(
    state: web::Data<AppState>,
    principal: Allowed<can::CloseSchoolYear>,
    year: web::Path<i32>,
    body: Json<YearEndTerms>,
) -> ApiResult<HttpResponse> {
    with_terms(&state, &principal, *year, &body, Step::Close).await
}

/// Registra rimborso: the refund the family asked for, as a refund movement of the
/// credit on its account (201); recorded before, nothing more (200).
#[utoipa::path(
    tag = "Fine anno scolastico",
    params(("id" = i64, Path, description = "The credit's id")),
    responses(
        (status = 201, body = OfficeCredit, description = "Refund recorded"),
        (status = 200, body = OfficeCredit, description = "Recorded before: nothing more"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/year-end/credits/{id}/refund")]
pub async fn record_year_end_refund(
    state: web::Data<AppState>,
    principal: Allowed<can::CloseSchoolYear>,
    id: web::Path<i64>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let (credit, made) = year_end::record_refund(&state.db, &principal, *id, state.now()).await?;
    trail.family(credit.guardian_id);
    Ok(created_or_ok(made, credit))
}

/// The family's credits left at the end of a school year, with what it may still
/// choose.
#[utoipa::path(
    tag = "Fine anno scolastico",
    responses(
        (status = 200, body = Vec<FamilyCredit>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/year-end-credits")]
pub async fn my_year_end_credits(
    state: web::Data<AppState>,
    principal: Allowed<can::ChooseYearEndCredit>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(year_end::of_family(&state.db, &principal, state.now()).await?))
}

/// The family's choice for a credit, before the deadline: keep it, move it to a
/// sibling's service, or a refund to an IBAN in the guardian's name.
#[utoipa::path(
    tag = "Fine anno scolastico",
    params(("id" = i64, Path, description = "The credit's id")),
    request_body = CreditChoiceRequest,
    responses(
        (status = 200, body = FamilyCredit),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[put("/year-end-credits/{id}")]
pub async fn choose_year_end_credit(
    state: web::Data<AppState>,
    principal: Allowed<can::ChooseYearEndCredit>,
    id: web::Path<i64>,
    body: Json<CreditChoiceRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(year_end::choose(&state.db, &principal, *id, &body, state.now()).await?))
}

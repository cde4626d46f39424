//! Detrazione fiscale (`Action::CertifyTaxDeductions`, the comune's operators): a year's
//! summary with the receipts to check, «Genera attestazioni» for every family at once, and
//! the CSV per child for Agenzia delle Entrate and the CAF.

use actix_web::{get, post, web, HttpResponse};
use sportello_model::tax_deduction::{TaxDeductionGenerated, TaxDeductionReport};
use sportello_model::Problem;

use crate::auth::{can, Allowed};
use crate::communications::letters::Sender;
use crate::entes::service::by_id as ente_by_id;
use crate::error::ApiResult;
use crate::http::{created_or_ok, file_response};
use crate::payments::tax_deductions;
use crate::startup::AppState;

/// The year's pagoPA payments of the school services: families, children, totals net of
/// refunds, certificates already written, and the receipts whose payer is not the
/// account holder. The current year reads what has been paid so far.
#[utoipa::path(
    tag = "Detrazione fiscale",
    params(("year" = i32, Path, description = "Calendar year")),
    responses(
        (status = 200, body = TaxDeductionReport),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A year before the first one kept or not begun yet"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/tax-deductions/{year}")]
pub async fn tax_deduction_report(
    state: web::Data<AppState>,
    principal: Allowed<can::CertifyTaxDeductions>,
    year: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(tax_deductions::report(&state.db, principal.ente_id, *year, state.now()).await?))
}

/// Genera attestazioni: one certificate per family of a year that has ended, written to
/// the family's Comunicazioni (PDF, e-mail). Families whose certificate of the year was
/// written before get nothing new (200 when nothing was written).
#[utoipa::path(
    tag = "Detrazione fiscale",
    params(("year" = i32, Path, description = "Calendar year, ended")),
    responses(
        (status = 201, body = TaxDeductionGenerated, description = "Certificates written"),
        (status = 200, body = TaxDeductionGenerated, description = "Every family had its certificate: nothing written"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A year before the first one kept or not begun yet"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/tax-deductions/{year}/certificates")]
pub async fn generate_tax_certificates(
    state: web::Data<AppState>,
    principal: Allowed<can::CertifyTaxDeductions>,
    year: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let comune = ente_by_id(&state.db, principal.ente_id).await?;
    let sender = Sender::of(&state.db, &state.config.channel_settings, principal.ente_id).await?;
    let generated =
        tax_deductions::generate(&state.db, &principal, &comune, &sender, *year, state.now())
            .await?;
    Ok(created_or_ok(generated.written > 0, generated))
}

/// The year per child as CSV (`;`, UTF-8 with BOM, amounts as `1234.50`): anno, the
/// child's codice fiscale and name, the payer's (the account holder's) codice fiscale,
/// service, paid, refunded, net.
#[utoipa::path(
    tag = "Detrazione fiscale",
    params(("year" = i32, Path, description = "Calendar year")),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A year before the first one kept or not begun yet"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/tax-deductions/{year}/csv")]
pub async fn export_tax_deductions(
    state: web::Data<AppState>,
    principal: Allowed<can::CertifyTaxDeductions>,
    year: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let (name, body) =
        tax_deductions::export_csv(&state.db, principal.ente_id, *year, state.now()).await?;
    Ok(file_response("text/csv; charset=utf-8", name, false, body))
}

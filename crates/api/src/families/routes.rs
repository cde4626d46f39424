//! The office's families: `GET /families` (search), `GET /families/{id}` (the family
//! page), `POST /families/import/check` (the dry run of a registry file) and
//! `POST /families/import` (the import).

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use sportello_model::forms::size_refusal;
use sportello_model::limits::{Limits, RequestLimits};
use sportello_model::registry::{
    self, FamilyDetail, FamilyHit, ImportReport, IMPORT_MAX_BYTES, SEARCH_MAX_CHARS,
};
use sportello_model::{FieldError, Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{import, service};
use crate::auth::{can, Allowed, Principal};
use crate::error::{ApiError, ApiResult};
use crate::http::{Paging, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(find_families)
        .service(check_registry_import)
        .service(import_registry)
        .service(get_family);
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FamilySearch {
    /// Words of a name or surname (of the guardian or a child), a codice fiscale or a
    /// badge; every word must match.
    #[param(max_length = 100)]
    pub q: String,
}

impl RequestLimits for FamilySearch {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("q", &self.q, SEARCH_MAX_CHARS)
            .errors()
    }
}

/// Famiglie: the comune's families whose guardian's or child's name, surname or codice
/// fiscale, or child's badge, holds every word searched; by surname, page by page.
#[utoipa::path(
    tag = "Famiglie",
    params(FamilySearch, PageQuery),
    responses(
        (status = 200, body = Page<FamilyHit>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/families")]
pub async fn find_families(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadFamilies>,
    query: Query<FamilySearch>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(service::search(&state.db, principal.ente_id, &query.q, *paging).await?))
}

/// The family page: guardian, delegates with the children they act for, children with
/// their service cards, prepaid accounts and balances, the latest rette and letters.
#[utoipa::path(
    tag = "Famiglie",
    params(("id" = i64, Path, description = "The guardian's id")),
    responses(
        (status = 200, body = FamilyDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/families/{id}")]
pub async fn get_family(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadFamilies>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::family(&state.db, principal.ente_id, *id).await?))
}

/// The registry file, as UTF-8 text.
async fn file_text(payload: web::Payload) -> ApiResult<String> {
    let content = payload
        .to_bytes_limited(IMPORT_MAX_BYTES as usize)
        .await
        .map_err(|_| ApiError::field("file", size_refusal(IMPORT_MAX_BYTES)))?
        .map_err(|_| ApiError::BadRequest("Il file non è arrivato per intero: riprova.".into()))?;
    if content.trim_ascii().is_empty() {
        return Err(ApiError::field(
            "file",
            "Il file è vuoto: scegli il CSV esportato dal programma precedente.",
        ));
    }
    let text = String::from_utf8(content.to_vec()).map_err(|_| {
        ApiError::field(
            "file",
            "Il file deve essere un CSV in UTF-8: salvalo di nuovo scegliendo «CSV UTF-8».",
        )
    })?;
    if !registry::names_a_column(&text) {
        return Err(ApiError::field(
            "file",
            "Il file non è un'anagrafe in CSV: la prima riga deve avere i nomi delle colonne, come cf_intestatario e cf_alunno.",
        ));
    }
    Ok(text)
}

/// Reads the uploaded registry file and runs the import: a dry run, or with `apply` the
/// import itself.
async fn read_and_import(
    state: &AppState,
    principal: &Principal,
    payload: web::Payload,
    apply: bool,
) -> ApiResult<HttpResponse> {
    let text = file_text(payload).await?;
    let report = import::run(
        &state.db,
        principal.ente_id,
        principal.user_id,
        &text,
        apply,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Prova di importazione: reads a registry file (CSV with a header row; the columns are
/// those of `sportello_model::registry::ImportColumn`) and reports what the import would
/// add and every error by row and column. Nothing is changed.
#[utoipa::path(
    tag = "Famiglie",
    request_body(content = String, content_type = "text/csv", description = "The registry file"),
    responses(
        (status = 200, body = ImportReport),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/families/import/check")]
pub async fn check_registry_import(
    state: web::Data<AppState>,
    principal: Allowed<can::ImportRegistry>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    read_and_import(&state, &principal, payload, false).await
}

/// Importa anagrafe: imports a registry file in one transaction — the families,
/// children, enrolments and opening balances the registry does not have yet, matched by
/// codice fiscale, so that the same file imported again changes nothing. A file with
/// errors is refused (400, an error per row and column) and changes nothing.
#[utoipa::path(
    tag = "Famiglie",
    request_body(content = String, content_type = "text/csv", description = "The registry file"),
    responses(
        (status = 200, body = ImportReport),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/families/import")]
pub async fn import_registry(
    state: web::Data<AppState>,
    principal: Allowed<can::ImportRegistry>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    read_and_import(&state, &principal, payload, true).await
}

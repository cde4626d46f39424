//! The office's families: `GET /families` (search), `GET /families/{id}` (the family
//! page), `POST /families/import/check` (the dry run of a registry file),
//! `POST /families/import` (the import), and the edits of a family: `POST /families`
//! (a new family), `PUT /families/{id}` (the guardian), `POST`/`PUT
//! /families/{id}/children…` (a child), `POST`/`PUT`/`DELETE /families/{id}/delegates…`
//! (a delegate and the children they act for).

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::Deserialize;
use sportello_model::family_edit::{ChildForm, DelegateChildren, DelegateForm, PersonForm};
use sportello_model::forms::size_refusal;
use sportello_model::limits::{Limits, RequestLimits};
use sportello_model::registry::{
    self, FamilyDetail, FamilyHit, ImportReport, IMPORT_MAX_BYTES, SEARCH_MAX_CHARS,
};
use sportello_model::{FieldError, Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{edit, import, service};
use crate::audit::record::Trail;
use crate::auth::{can, Allowed, Principal};
use crate::db::EnteId;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Paging, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(find_families)
        .service(check_registry_import)
        .service(import_registry)
        .service(get_family)
        .service(create_family)
        .service(update_guardian)
        .service(add_child)
        .service(update_child)
        .service(add_delegate)
        .service(set_delegate_children)
        .service(remove_delegate);
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
    security(("bearer" = []), ("oauth2" = ["families:read"]))
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
    security(("bearer" = []), ("oauth2" = ["families:read"]))
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
    security(("bearer" = []), ("oauth2" = ["families:write"]))
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
    security(("bearer" = []), ("oauth2" = ["families:write"]))
)]
#[post("/families/import")]
pub async fn import_registry(
    state: web::Data<AppState>,
    principal: Allowed<can::ImportRegistry>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    read_and_import(&state, &principal, payload, true).await
}

/// The family page after an edit: 201 when something was added, 200 otherwise.
async fn family_page(
    state: &AppState,
    ente_id: EnteId,
    guardian_id: i64,
    created: bool,
) -> ApiResult<HttpResponse> {
    let family = service::family(&state.db, ente_id, guardian_id).await?;
    Ok(if created {
        HttpResponse::Created().json(family)
    } else {
        HttpResponse::Ok().json(family)
    })
}

/// The delegate as the family page showed them, for the Registro attività.
async fn delegate_before(
    state: &AppState,
    ente_id: EnteId,
    guardian_id: i64,
    delegate_id: i64,
    trail: &Trail,
) -> ApiResult<()> {
    let before = service::family(&state.db, ente_id, guardian_id).await?;
    trail.before(&before.delegates.iter().find(|d| d.person.id == delegate_id));
    Ok(())
}

/// Nuova famiglia: the guardian (intestatario), who logs in with SPID or CIE by codice
/// fiscale; with `send_invitation`, the e-mail with the link to choose a password. The
/// family gets the accounts of the comune's prepaid services. A codice fiscale the
/// comune already has is the field error of `fiscal_code`.
#[utoipa::path(
    tag = "Famiglie",
    request_body = PersonForm,
    responses(
        (status = 201, body = FamilyDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["families:write"]))
)]
#[post("/families")]
pub async fn create_family(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageFamilies>,
    body: Json<PersonForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    let id = edit::create_family(&state.db, &ente, &body, &state.public_url, state.now()).await?;
    trail.family(id);
    family_page(&state, principal.ente_id, id, true).await
}

/// Corrects the guardian's names, codice fiscale, e-mail and mobile number: the
/// office's word is final (no confirmation code); a channel the guardian can no longer
/// be reached on is turned off.
#[utoipa::path(
    tag = "Famiglie",
    params(("id" = i64, Path, description = "The guardian's id")),
    request_body = PersonForm,
    responses(
        (status = 200, body = FamilyDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["families:write"]))
)]
#[put("/families/{id}")]
pub async fn update_guardian(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageFamilies>,
    id: web::Path<i64>,
    body: Json<PersonForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let before = service::family(&state.db, principal.ente_id, *id).await?;
    trail.before(&before.guardian);
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    edit::update_guardian(&state.db, &ente, *id, &body, &state.public_url, state.now()).await?;
    family_page(&state, principal.ente_id, *id, false).await
}

/// Adds a child to the family; the birth date and sex must be those of the codice
/// fiscale, which no one else in the comune may have.
#[utoipa::path(
    tag = "Famiglie",
    params(("id" = i64, Path, description = "The guardian's id")),
    request_body = ChildForm,
    responses(
        (status = 201, body = FamilyDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["families:write"]))
)]
#[post("/families/{id}/children")]
pub async fn add_child(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageFamilies>,
    id: web::Path<i64>,
    body: Json<ChildForm>,
) -> ApiResult<HttpResponse> {
    edit::add_child(&state.db, principal.ente_id, *id, &body).await?;
    family_page(&state, principal.ente_id, *id, true).await
}

/// Corrects a child of the family.
#[utoipa::path(
    tag = "Famiglie",
    params(
        ("id" = i64, Path, description = "The guardian's id"),
        ("child_id" = i64, Path, description = "The child's id"),
    ),
    request_body = ChildForm,
    responses(
        (status = 200, body = FamilyDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["families:write"]))
)]
#[put("/families/{id}/children/{child_id}")]
pub async fn update_child(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageFamilies>,
    path: web::Path<(i64, i64)>,
    body: Json<ChildForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let (id, child_id) = path.into_inner();
    let before = service::family(&state.db, principal.ente_id, id).await?;
    trail.before(&before.children.iter().find(|c| c.id == child_id));
    edit::update_child(&state.db, principal.ente_id, id, child_id, &body).await?;
    family_page(&state, principal.ente_id, id, false).await
}

/// Adds a delegate (Delegato) for some of the family's children: a new account, or the
/// comune's delegate with the same codice fiscale, linked as they are.
#[utoipa::path(
    tag = "Famiglie",
    params(("id" = i64, Path, description = "The guardian's id")),
    request_body = DelegateForm,
    responses(
        (status = 201, body = FamilyDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["families:write"]))
)]
#[post("/families/{id}/delegates")]
pub async fn add_delegate(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageFamilies>,
    id: web::Path<i64>,
    body: Json<DelegateForm>,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    edit::add_delegate(&state.db, &ente, *id, &body, &state.public_url, state.now()).await?;
    family_page(&state, principal.ente_id, *id, true).await
}

/// Sets which of the family's children the delegate acts for.
#[utoipa::path(
    tag = "Famiglie",
    params(
        ("id" = i64, Path, description = "The guardian's id"),
        ("delegate_id" = i64, Path, description = "The delegate's id"),
    ),
    request_body = DelegateChildren,
    responses(
        (status = 200, body = FamilyDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["families:write"]))
)]
#[put("/families/{id}/delegates/{delegate_id}")]
pub async fn set_delegate_children(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageFamilies>,
    path: web::Path<(i64, i64)>,
    body: Json<DelegateChildren>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let (id, delegate_id) = path.into_inner();
    delegate_before(&state, principal.ente_id, id, delegate_id, &trail).await?;
    edit::set_delegate_children(&state.db, principal.ente_id, id, delegate_id, &body).await?;
    family_page(&state, principal.ente_id, id, false).await
}

/// Removes the delegate from the family's children; their account stays.
#[utoipa::path(
    tag = "Famiglie",
    params(
        ("id" = i64, Path, description = "The guardian's id"),
        ("delegate_id" = i64, Path, description = "The delegate's id"),
    ),
    responses(
        (status = 200, body = FamilyDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["families:write"]))
)]
#[delete("/families/{id}/delegates/{delegate_id}")]
pub async fn remove_delegate(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageFamilies>,
    path: web::Path<(i64, i64)>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let (id, delegate_id) = path.into_inner();
    delegate_before(&state, principal.ente_id, id, delegate_id, &trail).await?;
    edit::remove_delegate(&state.db, principal.ente_id, id, delegate_id).await?;
    family_page(&state, principal.ente_id, id, false).await
}

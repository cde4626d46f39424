//! Notizie e documenti (`Action::PublishContent`, the comune's operators): every news
//! item and document of the comune whatever its state, writing, scheduling, withdrawing
//! and publishing again, and the files.

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::Deserialize;
use sportello_model::content::{
    DocumentForm, NewsAttachment, NewsForm, OfficeDocument, OfficeNews, FILE_MAX_BYTES,
};
use sportello_model::forms::{size_refusal, FILE_NAME_MAX_CHARS};
use sportello_model::limits::{Limits, RequestLimits};
use sportello_model::{FieldError, Page, PageQuery};
use time::Date;
use utoipa_actix_web::service_config::ServiceConfig;

use super::service;
use crate::audit::record::Trail;
use crate::auth::{can, Allowed};
use crate::communications::routes::AttachmentQuery;
use crate::entes::entity::ente;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Paging, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(office_news)
        .service(create_news)
        .service(update_news)
        .service(unpublish_news)
        .service(republish_news)
        .service(upload_news_attachment)
        .service(delete_news_attachment)
        .service(office_documents)
        .service(create_document)
        .service(update_document)
        .service(replace_document_file)
        .service(unpublish_document)
        .service(republish_document);
}

/// The news item as it was, for the Registro attività.
async fn news_before(
    state: &AppState,
    ente: &ente::Model,
    id: i64,
    trail: &Trail,
) -> ApiResult<()> {
    trail.before(&service::news_as_office(&state.db, ente, id, state.now()).await?);
    Ok(())
}

/// The document as it was, for the Registro attività.
async fn document_before(
    state: &AppState,
    ente: &ente::Model,
    id: i64,
    trail: &Trail,
) -> ApiResult<()> {
    trail.before(&service::document_as_office(&state.db, ente, id, state.now()).await?);
    Ok(())
}

/// The file of an upload, the whole body, up to [`FILE_MAX_BYTES`].
async fn file_body(payload: web::Payload) -> ApiResult<Vec<u8>> {
    Ok(payload
        .to_bytes_limited(FILE_MAX_BYTES as usize)
        .await
        .map_err(|_| ApiError::field("file", size_refusal(FILE_MAX_BYTES)))?
        .map_err(|_| ApiError::BadRequest("Il file non è arrivato per intero: riprova.".into()))?
        .to_vec())
}

/// Every news item of the comune, newest first, with its state: Pubblicata,
/// Programmata (its day is still to come) or Ritirata.
#[utoipa::path(
    tag = "Contenuti",
    params(PageQuery),
    responses(
        (status = 200, body = Page<OfficeNews>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/office/news")]
pub async fn office_news(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    Ok(
        HttpResponse::Ok()
            .json(service::office_news(&state.db, &ente, state.now(), *paging).await?),
    )
}

/// Writes a news item, public from its day (today, or a later day to schedule it).
#[utoipa::path(
    tag = "Contenuti",
    request_body = NewsForm,
    responses(
        (status = 201, body = OfficeNews),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/news")]
pub async fn create_news(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    body: Json<NewsForm>,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    Ok(HttpResponse::Created()
        .json(service::create_news(&state.db, &ente, &body, state.now()).await?))
}

/// Changes a news item's title, summary, text and day.
#[utoipa::path(
    tag = "Contenuti",
    params(("id" = i64, Path, description = "News id")),
    request_body = NewsForm,
    responses(
        (status = 200, body = OfficeNews),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[put("/office/news/{id}")]
pub async fn update_news(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    id: web::Path<i64>,
    body: Json<NewsForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    news_before(&state, &ente, *id, &trail).await?;
    Ok(HttpResponse::Ok()
        .json(service::update_news(&state.db, &ente, *id, &body, state.now()).await?))
}

/// Ritira: the news item leaves the public pages.
#[utoipa::path(
    tag = "Contenuti",
    params(("id" = i64, Path, description = "News id")),
    responses(
        (status = 200, body = OfficeNews),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/news/{id}/unpublish")]
pub async fn unpublish_news(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    id: web::Path<i64>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    news_before(&state, &ente, *id, &trail).await?;
    Ok(HttpResponse::Ok()
        .json(service::withdraw_news(&state.db, &ente, *id, true, state.now()).await?))
}

/// Ripubblica: a withdrawn news item is public again from its day.
#[utoipa::path(
    tag = "Contenuti",
    params(("id" = i64, Path, description = "News id")),
    responses(
        (status = 200, body = OfficeNews),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/news/{id}/republish")]
pub async fn republish_news(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    id: web::Path<i64>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    news_before(&state, &ente, *id, &trail).await?;
    Ok(HttpResponse::Ok()
        .json(service::withdraw_news(&state.db, &ente, *id, false, state.now()).await?))
}

/// Attaches a file to a news item: the body is the file itself, a PDF, JPEG or PNG (by
/// its content, whatever its name) up to 5 MB.
#[utoipa::path(
    tag = "Contenuti",
    params(("id" = i64, Path, description = "News id"), AttachmentQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 201, body = NewsAttachment),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/news/{id}/attachments")]
pub async fn upload_news_attachment(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    id: web::Path<i64>,
    query: Query<AttachmentQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let content = file_body(payload).await?;
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    let saved =
        service::attach_to_news(&state.db, &ente, *id, &query.name, content, state.now()).await?;
    Ok(HttpResponse::Created().json(saved))
}

/// Removes an attachment of a news item; answers the item as it is now.
#[utoipa::path(
    tag = "Contenuti",
    params(
        ("id" = i64, Path, description = "News id"),
        ("attachment_id" = i64, Path, description = "Attachment id"),
    ),
    responses(
        (status = 200, body = OfficeNews),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[delete("/office/news/{id}/attachments/{attachment_id}")]
pub async fn delete_news_attachment(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (id, attachment_id) = *path;
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    Ok(HttpResponse::Ok().json(
        service::delete_news_attachment(&state.db, &ente, id, attachment_id, state.now()).await?,
    ))
}

/// Every document of the comune, newest first, with its state.
#[utoipa::path(
    tag = "Contenuti",
    params(PageQuery),
    responses(
        (status = 200, body = Page<OfficeDocument>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/office/documents")]
pub async fn office_documents(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    Ok(HttpResponse::Ok()
        .json(service::office_documents(&state.db, &ente, state.now(), *paging).await?))
}

/// A new document's details and file name; the file is the body.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NewDocumentQuery {
    #[param(max_length = 150)]
    pub title: String,
    #[serde(default)]
    #[param(max_length = 500)]
    pub description: String,
    /// The day it goes public, `YYYY-MM-DD` (a later day schedules it).
    #[serde(deserialize_with = "sportello_model::dates::deserialize_day")]
    pub published_on: Date,
    /// The file's name.
    #[param(max_length = 200)]
    pub name: String,
}

impl NewDocumentQuery {
    fn form(&self) -> DocumentForm {
        DocumentForm {
            title: self.title.clone(),
            description: self.description.clone(),
            published_on: self.published_on,
        }
    }
}

impl RequestLimits for NewDocumentQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        let mut errors = self.form().length_errors();
        errors.extend(
            Limits::default()
                .text("name", &self.name, FILE_NAME_MAX_CHARS)
                .errors(),
        );
        errors
    }
}

/// Publishes a document: its details in the query, the file as the body, a PDF, JPEG
/// or PNG (by its content, whatever its name) up to 5 MB; public from its day.
#[utoipa::path(
    tag = "Contenuti",
    params(NewDocumentQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 201, body = OfficeDocument),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/documents")]
pub async fn create_document(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    query: Query<NewDocumentQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let content = file_body(payload).await?;
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    let saved = service::create_document(
        &state.db,
        &ente,
        &query.form(),
        &query.name,
        content,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(saved))
}

/// Changes a document's title, description and day.
#[utoipa::path(
    tag = "Contenuti",
    params(("id" = i64, Path, description = "Document id")),
    request_body = DocumentForm,
    responses(
        (status = 200, body = OfficeDocument),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[put("/office/documents/{id}")]
pub async fn update_document(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    id: web::Path<i64>,
    body: Json<DocumentForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    document_before(&state, &ente, *id, &trail).await?;
    Ok(HttpResponse::Ok()
        .json(service::update_document(&state.db, &ente, *id, &body, state.now()).await?))
}

/// Replaces a document's file (a corrected PDF, the right one after a mistake): the
/// same checks as a new document's; the public pages serve the new file at once.
#[utoipa::path(
    tag = "Contenuti",
    params(("id" = i64, Path, description = "Document id"), AttachmentQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 200, body = OfficeDocument),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[put("/office/documents/{id}/file")]
pub async fn replace_document_file(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    id: web::Path<i64>,
    query: Query<AttachmentQuery>,
    payload: web::Payload,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let content = file_body(payload).await?;
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    document_before(&state, &ente, *id, &trail).await?;
    Ok(HttpResponse::Ok().json(
        service::replace_document_file(&state.db, &ente, *id, &query.name, content, state.now())
            .await?,
    ))
}

/// Ritira: the document leaves the public pages.
#[utoipa::path(
    tag = "Contenuti",
    params(("id" = i64, Path, description = "Document id")),
    responses(
        (status = 200, body = OfficeDocument),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/documents/{id}/unpublish")]
pub async fn unpublish_document(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    id: web::Path<i64>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    document_before(&state, &ente, *id, &trail).await?;
    Ok(HttpResponse::Ok()
        .json(service::withdraw_document(&state.db, &ente, *id, true, state.now()).await?))
}

/// Ripubblica: a withdrawn document is public again from its day.
#[utoipa::path(
    tag = "Contenuti",
    params(("id" = i64, Path, description = "Document id")),
    responses(
        (status = 200, body = OfficeDocument),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/documents/{id}/republish")]
pub async fn republish_document(
    state: web::Data<AppState>,
    principal: Allowed<can::PublishContent>,
    id: web::Path<i64>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    document_before(&state, &ente, *id, &trail).await?;
    Ok(HttpResponse::Ok()
        .json(service::withdraw_document(&state.db, &ente, *id, false, state.now()).await?))
}

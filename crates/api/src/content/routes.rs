//! Public news and documents of a comune: what is published on or before today (in
//! Rome) and not withdrawn.

use actix_web::{get, web, HttpResponse};
use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{office_routes, service};
use crate::entes::service as entes;
use crate::error::ApiResult;
use crate::http::{file_response, Paging};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_news)
        .service(get_news)
        .service(news_attachment)
        .service(list_documents)
        .service(download_document);
    office_routes::configure(cfg);
}

/// Published news of a comune, newest first.
#[utoipa::path(
    tag = "Contenuti",
    params(("slug" = String, Path, description = "Comune"), PageQuery),
    responses(
        (status = 200, body = Page<NewsItem>),
    )
)]
#[get("/entes/{slug}/news")]
pub async fn list_news(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    let ente = entes::by_slug(&state.db, &slug).await?;
    Ok(HttpResponse::Ok().json(service::list_news(&state.db, &ente, state.now(), *paging).await?))
}

/// One published news item, with its attachments.
#[utoipa::path(
    tag = "Contenuti",
    params(("slug" = String, Path, description = "Comune"), ("id" = i64, Path, description = "News id")),
    responses(
        (status = 200, body = NewsItem),
    )
)]
#[get("/entes/{slug}/news/{id}")]
pub async fn get_news(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> ApiResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let ente = entes::by_slug(&state.db, &slug).await?;
    Ok(HttpResponse::Ok().json(service::get_news(&state.db, &ente, id, state.now()).await?))
}

/// A file attached to a published news item (PDF, JPEG or PNG).
#[utoipa::path(
    tag = "Contenuti",
    params(
        ("slug" = String, Path, description = "Comune"),
        ("id" = i64, Path, description = "News id"),
        ("attachment_id" = i64, Path, description = "Attachment id"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/pdf"),
    )
)]
#[get("/entes/{slug}/news/{id}/attachments/{attachment_id}")]
pub async fn news_attachment(
    state: web::Data<AppState>,
    path: web::Path<(String, i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (slug, id, attachment_id) = path.into_inner();
    let ente = entes::by_slug(&state.db, &slug).await?;
    let file =
        service::news_attachment_file(&state.db, &ente, id, attachment_id, state.now()).await?;
    Ok(file_response(
        &file.content_type,
        file.file_name,
        true,
        file.content,
    ))
}

/// Published documents of a comune, newest first.
#[utoipa::path(
    tag = "Contenuti",
    params(("slug" = String, Path, description = "Comune"), PageQuery),
    responses(
        (status = 200, body = Page<DocumentItem>),
    )
)]
#[get("/entes/{slug}/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    let ente = entes::by_slug(&state.db, &slug).await?;
    Ok(HttpResponse::Ok()
        .json(service::list_documents(&state.db, &ente, state.now(), *paging).await?))
}

/// The published document's file, with its content type (e.g. `application/pdf`).
#[utoipa::path(
    tag = "Contenuti",
    params(("slug" = String, Path, description = "Comune"), ("id" = i64, Path, description = "Document id")),
    responses(
        (status = 200, description = "The file", content_type = "application/pdf"),
    )
)]
#[get("/entes/{slug}/documents/{id}/file")]
pub async fn download_document(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> ApiResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let ente = entes::by_slug(&state.db, &slug).await?;
    let doc = service::document_file(&state.db, &ente, id, state.now()).await?;
    Ok(file_response(
        &doc.content_type,
        doc.file_name,
        true,
        doc.content,
    ))
}

//! Public news and documents of a comune.

use actix_web::{get, web, HttpResponse};
use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::service;
use crate::entes::service as entes;
use crate::error::ApiResult;
use crate::http::{file_response, Paging};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_news)
        .service(get_news)
        .service(list_documents)
        .service(download_document);
}

/// News of a comune, newest first.
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
    Ok(HttpResponse::Ok().json(service::list_news(&state.db, &ente, *paging).await?))
}

/// One news item.
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
    Ok(HttpResponse::Ok().json(service::get_news(&state.db, &ente, id).await?))
}

/// Documents published by a comune, newest first.
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
    Ok(HttpResponse::Ok().json(service::list_documents(&state.db, &ente, *paging).await?))
}

/// The document's file, with its content type (e.g. `application/pdf`).
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
    let doc = service::document_file(&state.db, &ente, id).await?;
    Ok(file_response(
        &doc.content_type,
        doc.file_name,
        true,
        doc.content,
    ))
}

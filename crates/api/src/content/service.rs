//! News and documents of one ente.

use sea_orm::{
    ColumnTrait, DatabaseConnection, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::page::PageRequest;
use sportello_model::paths;
use sportello_model::Page;

use super::entity::{document, news};
use crate::db::{fetch_page, TenantScoped};
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};

fn news_dto(n: news::Model) -> NewsItem {
    NewsItem {
        id: n.id,
        title: n.title,
        summary: n.summary,
        body: n.body,
        published_on: n.published_on,
    }
}

pub async fn list_news(
    db: &DatabaseConnection,
    ente: &ente::Model,
    paging: PageRequest,
) -> ApiResult<Page<NewsItem>> {
    let paginator = news::Entity::find_in_ente(ente.ente_id())
        .order_by_desc(news::Column::PublishedOn)
        .order_by_desc(news::Column::Id)
        .paginate(db, paging.per_page);
    Ok(fetch_page(paginator, paging, news_dto).await?)
}

pub async fn get_news(db: &DatabaseConnection, ente: &ente::Model, id: i64) -> ApiResult<NewsItem> {
    news::Entity::find_in_ente(ente.ente_id())
        .filter(news::Column::Id.eq(id))
        .one(db)
        .await?
        .map(news_dto)
        .ok_or(ApiError::NotFound)
}

/// Metadata columns only: lists never load the files themselves.
#[derive(Debug, sea_orm::FromQueryResult)]
struct DocumentMeta {
    id: i64,
    title: String,
    description: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    published_on: time::Date,
}

pub async fn list_documents(
    db: &DatabaseConnection,
    ente: &ente::Model,
    paging: PageRequest,
) -> ApiResult<Page<DocumentItem>> {
    let paginator = document::Entity::find_in_ente(ente.ente_id())
        .select_only()
        .columns([
            document::Column::Id,
            document::Column::Title,
            document::Column::Description,
            document::Column::FileName,
            document::Column::ContentType,
            document::Column::SizeBytes,
            document::Column::PublishedOn,
        ])
        .order_by_desc(document::Column::PublishedOn)
        .order_by_desc(document::Column::Id)
        .into_model::<DocumentMeta>()
        .paginate(db, paging.per_page);
    Ok(fetch_page(paginator, paging, |d| DocumentItem {
        url: paths::absolute(&paths::document_file(&ente.slug, d.id)),
        id: d.id,
        title: d.title,
        description: d.description,
        file_name: d.file_name,
        content_type: d.content_type,
        size_bytes: d.size_bytes,
        published_on: d.published_on,
    })
    .await?)
}

pub async fn document_file(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
) -> ApiResult<document::Model> {
    document::Entity::find_in_ente(ente.ente_id())
        .filter(document::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

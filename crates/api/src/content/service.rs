//! News and documents of one ente: what the public pages show (published on or before
//! today in Rome, not withdrawn) and the office's publishing of them.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, IntoActiveModel,
    ModelTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use sportello_model::content::{
    publication_state, DocumentForm, DocumentItem, NewsAttachment, NewsForm, NewsItem,
    OfficeDocument, OfficeNews, FILE_MAX_BYTES,
};
use sportello_model::letters::body_html;
use sportello_model::page::PageRequest;
use sportello_model::{paths, rome, Page};
use time::{Date, OffsetDateTime};

use super::entity::{document, news, news_attachment};
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};
use crate::http::checked_upload;

/// The news the public pages show on `today`.
fn public_news(ente_id: EnteId, today: Date) -> Select<news::Entity> {
    news::Entity::find_in_ente(ente_id)
        .filter(news::Column::PublishedOn.lte(today))
        .filter(news::Column::UnpublishedAt.is_null())
}

/// The documents the public pages show on `today`.
fn public_documents(ente_id: EnteId, today: Date) -> Select<document::Entity> {
    document::Entity::find_in_ente(ente_id)
        .filter(document::Column::PublishedOn.lte(today))
        .filter(document::Column::UnpublishedAt.is_null())
}

/// Metadata columns only: lists never load the files themselves.
#[derive(Debug, sea_orm::FromQueryResult)]
struct AttachmentMeta {
    id: i64,
    news_id: i64,
    file_name: String,
    content_type: String,
    size_bytes: i64,
}

fn attachment_dto(slug: &str, a: AttachmentMeta) -> NewsAttachment {
    NewsAttachment {
        url: paths::absolute(&paths::news_attachment(slug, a.news_id, a.id)),
        id: a.id,
        file_name: a.file_name,
        content_type: a.content_type,
        size_bytes: a.size_bytes,
    }
}

/// The news items with their attachments, in their order.
async fn with_attachments(
    db: &DatabaseConnection,
    ente: &ente::Model,
    items: Vec<news::Model>,
) -> ApiResult<Vec<(news::Model, Vec<NewsAttachment>)>> {
    let ids: Vec<i64> = items.iter().map(|n| n.id).collect();
    let mut files: HashMap<i64, Vec<NewsAttachment>> = HashMap::new();
    if !ids.is_empty() {
        let metas = news_attachment::Entity::find_in_ente(ente.ente_id())
            .filter(news_attachment::Column::NewsId.is_in(ids))
            .select_only()
            .columns([
                news_attachment::Column::Id,
                news_attachment::Column::NewsId,
                news_attachment::Column::FileName,
                news_attachment::Column::ContentType,
                news_attachment::Column::SizeBytes,
            ])
            .order_by_asc(news_attachment::Column::Id)
            .into_model::<AttachmentMeta>()
            .all(db)
            .await?;
        for meta in metas {
            files
                .entry(meta.news_id)
                .or_default()
                .push(attachment_dto(&ente.slug, meta));
        }
    }
    Ok(items
        .into_iter()
        .map(|n| {
            let attachments = files.remove(&n.id).unwrap_or_default();
            (n, attachments)
        })
        .collect())
}

fn news_dto(n: news::Model, attachments: Vec<NewsAttachment>) -> NewsItem {
    NewsItem {
        id: n.id,
        body_html: body_html(&n.body),
        title: n.title,
        summary: n.summary,
        body: n.body,
        published_on: n.published_on,
        attachments,
    }
}

fn office_news_dto(n: news::Model, attachments: Vec<NewsAttachment>, today: Date) -> OfficeNews {
    let state = publication_state(n.published_on, n.unpublished_at.is_some(), today);
    OfficeNews {
        state,
        state_label: state.label().into(),
        updated_at: n.updated_at,
        item: news_dto(n, attachments),
    }
}

/// A page of news items, newest first, with their attachments.
async fn news_page<T>(
    db: &DatabaseConnection,
    ente: &ente::Model,
    query: Select<news::Entity>,
    paging: PageRequest,
    map: impl Fn(news::Model, Vec<NewsAttachment>) -> T,
) -> ApiResult<Page<T>> {
    let paginator = query
        .order_by_desc(news::Column::PublishedOn)
        .order_by_desc(news::Column::Id)
        .paginate(db, paging.per_page);
    let page = fetch_page(paginator, paging, |n| n).await?;
    let items = with_attachments(db, ente, page.items).await?;
    Ok(Page {
        items: items.into_iter().map(|(n, a)| map(n, a)).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

pub async fn list_news(
    db: &DatabaseConnection,
    ente: &ente::Model,
    now: OffsetDateTime,
    paging: PageRequest,
) -> ApiResult<Page<NewsItem>> {
    let query = public_news(ente.ente_id(), rome::today(now));
    news_page(db, ente, query, paging, news_dto).await
}

pub async fn get_news(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<NewsItem> {
    let item = public_news(ente.ente_id(), rome::today(now))
        .filter(news::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (item, attachments) = with_attachments(db, ente, vec![item])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(news_dto(item, attachments))
}

/// A published news item's attachment.
pub async fn news_attachment_file(
    db: &DatabaseConnection,
    ente: &ente::Model,
    news_id: i64,
    attachment_id: i64,
    now: OffsetDateTime,
) -> ApiResult<news_attachment::Model> {
    let item = public_news(ente.ente_id(), rome::today(now))
        .filter(news::Column::Id.eq(news_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    attachment_of(db, &item, attachment_id).await
}

async fn attachment_of(
    db: &DatabaseConnection,
    item: &news::Model,
    attachment_id: i64,
) -> ApiResult<news_attachment::Model> {
    news_attachment::Entity::find_in_ente(item.ente_id)
        .filter(news_attachment::Column::NewsId.eq(item.id))
        .filter(news_attachment::Column::Id.eq(attachment_id))
        .one(db)
        .await?
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
    unpublished_at: Option<OffsetDateTime>,
    updated_at: Option<OffsetDateTime>,
}

fn document_dto(slug: &str, d: DocumentMeta) -> DocumentItem {
    DocumentItem {
        url: paths::absolute(&paths::document_file(slug, d.id)),
        id: d.id,
        title: d.title,
        description: d.description,
        file_name: d.file_name,
        content_type: d.content_type,
        size_bytes: d.size_bytes,
        published_on: d.published_on,
    }
}

fn office_document_dto(slug: &str, d: DocumentMeta, today: Date) -> OfficeDocument {
    let state = publication_state(d.published_on, d.unpublished_at.is_some(), today);
    OfficeDocument {
        state,
        state_label: state.label().into(),
        updated_at: d.updated_at,
        item: document_dto(slug, d),
    }
}

/// A page of documents, newest first, without their files.
async fn documents_page<T>(
    db: &DatabaseConnection,
    query: Select<document::Entity>,
    paging: PageRequest,
    map: impl FnMut(DocumentMeta) -> T,
) -> ApiResult<Page<T>> {
    let paginator = query
        .select_only()
        .columns([
            document::Column::Id,
            document::Column::Title,
            document::Column::Description,
            document::Column::FileName,
            document::Column::ContentType,
            document::Column::SizeBytes,
            document::Column::PublishedOn,
            document::Column::UnpublishedAt,
            document::Column::UpdatedAt,
        ])
        .order_by_desc(document::Column::PublishedOn)
        .order_by_desc(document::Column::Id)
        .into_model::<DocumentMeta>()
        .paginate(db, paging.per_page);
    Ok(fetch_page(paginator, paging, map).await?)
}

pub async fn list_documents(
    db: &DatabaseConnection,
    ente: &ente::Model,
    now: OffsetDateTime,
    paging: PageRequest,
) -> ApiResult<Page<DocumentItem>> {
    let query = public_documents(ente.ente_id(), rome::today(now));
    documents_page(db, query, paging, |d| document_dto(&ente.slug, d)).await
}

/// A published document with its file.
pub async fn document_file(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<document::Model> {
    public_documents(ente.ente_id(), rome::today(now))
        .filter(document::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

// The office.

/// Every news item of the comune, whatever its state, newest first.
pub async fn office_news(
    db: &DatabaseConnection,
    ente: &ente::Model,
    now: OffsetDateTime,
    paging: PageRequest,
) -> ApiResult<Page<OfficeNews>> {
    let today = rome::today(now);
    let query = news::Entity::find_in_ente(ente.ente_id());
    news_page(db, ente, query, paging, |n, a| office_news_dto(n, a, today)).await
}

async fn news_of(db: &DatabaseConnection, ente: &ente::Model, id: i64) -> ApiResult<news::Model> {
    news::Entity::find_in_ente(ente.ente_id())
        .filter(news::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The news item `id` as the office sees it now.
pub async fn news_as_office(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<OfficeNews> {
    let item = news_of(db, ente, id).await?;
    office_news_item(db, ente, item, now).await
}

/// The item as the office sees it now.
async fn office_news_item(
    db: &DatabaseConnection,
    ente: &ente::Model,
    item: news::Model,
    now: OffsetDateTime,
) -> ApiResult<OfficeNews> {
    let (item, attachments) = with_attachments(db, ente, vec![item])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(office_news_dto(item, attachments, rome::today(now)))
}

/// Writes a new news item, public from its day.
pub async fn create_news(
    db: &DatabaseConnection,
    ente: &ente::Model,
    form: &NewsForm,
    now: OffsetDateTime,
) -> ApiResult<OfficeNews> {
    form.check(rome::today(now)).map_err(ApiError::Validation)?;
    let saved = news::ActiveModel {
        ente_id: Set(ente.ente_id()),
        title: Set(form.title.trim().into()),
        summary: Set(form.summary.trim().into()),
        body: Set(form.body.trim().into()),
        published_on: Set(form.published_on),
        updated_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    office_news_item(db, ente, saved, now).await
}

/// Changes a news item's text and day; a withdrawn one stays withdrawn.
pub async fn update_news(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    form: &NewsForm,
    now: OffsetDateTime,
) -> ApiResult<OfficeNews> {
    let mut item = news_of(db, ente, id).await?.into_active_model();
    form.check(rome::today(now)).map_err(ApiError::Validation)?;
    item.title = Set(form.title.trim().into());
    item.summary = Set(form.summary.trim().into());
    item.body = Set(form.body.trim().into());
    item.published_on = Set(form.published_on);
    item.updated_at = Set(Some(now));
    let saved = item.update(db).await?;
    office_news_item(db, ente, saved, now).await
}

/// Withdraws a news item from the public pages (`withdrawn`), or publishes it again
/// from its day; asked twice, the second changes nothing.
pub async fn withdraw_news(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    withdrawn: bool,
    now: OffsetDateTime,
) -> ApiResult<OfficeNews> {
    let item = news_of(db, ente, id).await?;
    if item.unpublished_at.is_some() == withdrawn {
        return office_news_item(db, ente, item, now).await;
    }
    let mut item = item.into_active_model();
    item.unpublished_at = Set(withdrawn.then_some(now));
    item.updated_at = Set(Some(now));
    let saved = item.update(db).await?;
    office_news_item(db, ente, saved, now).await
}

/// Attaches a file to a news item: PDF, JPEG or PNG by its content.
pub async fn attach_to_news(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    file_name: &str,
    content: Vec<u8>,
    now: OffsetDateTime,
) -> ApiResult<NewsAttachment> {
    let item = news_of(db, ente, id).await?;
    let (name, content_type) = checked_upload(file_name, &content, FILE_MAX_BYTES)?;
    let saved = news_attachment::ActiveModel {
        ente_id: Set(item.ente_id),
        news_id: Set(item.id),
        file_name: Set(name),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(content.len() as i64),
        content: Set(content),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let news_id = item.id;
    let mut item = item.into_active_model();
    item.updated_at = Set(Some(now));
    item.update(db).await?;
    Ok(NewsAttachment {
        url: paths::absolute(&paths::news_attachment(&ente.slug, news_id, saved.id)),
        id: saved.id,
        file_name: saved.file_name,
        content_type: saved.content_type,
        size_bytes: saved.size_bytes,
    })
}

/// Removes an attachment of a news item; returns the item.
pub async fn delete_news_attachment(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    attachment_id: i64,
    now: OffsetDateTime,
) -> ApiResult<OfficeNews> {
    let item = news_of(db, ente, id).await?;
    attachment_of(db, &item, attachment_id)
        .await?
        .delete(db)
        .await?;
    let mut item = item.into_active_model();
    item.updated_at = Set(Some(now));
    let saved = item.update(db).await?;
    office_news_item(db, ente, saved, now).await
}

/// Every document of the comune, whatever its state, newest first.
pub async fn office_documents(
    db: &DatabaseConnection,
    ente: &ente::Model,
    now: OffsetDateTime,
    paging: PageRequest,
) -> ApiResult<Page<OfficeDocument>> {
    let today = rome::today(now);
    let query = document::Entity::find_in_ente(ente.ente_id());
    documents_page(db, query, paging, |d| {
        office_document_dto(&ente.slug, d, today)
    })
    .await
}

fn office_document_of(
    ente: &ente::Model,
    d: document::Model,
    now: OffsetDateTime,
) -> OfficeDocument {
    let meta = DocumentMeta {
        id: d.id,
        title: d.title,
        description: d.description,
        file_name: d.file_name,
        content_type: d.content_type,
        size_bytes: d.size_bytes,
        published_on: d.published_on,
        unpublished_at: d.unpublished_at,
        updated_at: d.updated_at,
    };
    office_document_dto(&ente.slug, meta, rome::today(now))
}

/// The document `id` as the office sees it now.
pub async fn document_as_office(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<OfficeDocument> {
    Ok(office_document_of(
        ente,
        document_of(db, ente, id).await?,
        now,
    ))
}

async fn document_of(
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

/// Publishes a new document: its details and its file (PDF, JPEG or PNG by its
/// content), public from its day.
pub async fn create_document(
    db: &DatabaseConnection,
    ente: &ente::Model,
    form: &DocumentForm,
    file_name: &str,
    content: Vec<u8>,
    now: OffsetDateTime,
) -> ApiResult<OfficeDocument> {
    let checked = form.check(rome::today(now));
    let upload = checked_upload(file_name, &content, FILE_MAX_BYTES);
    let (name, content_type) = match (checked, upload) {
        (Ok(()), Ok(upload)) => upload,
        (Err(mut errors), Err(ApiError::Validation(more))) => {
            errors.extend(more);
            return Err(ApiError::Validation(errors));
        }
        (Err(errors), _) => return Err(ApiError::Validation(errors)),
        (Ok(()), Err(refusal)) => return Err(refusal),
    };
    let saved = document::ActiveModel {
        ente_id: Set(ente.ente_id()),
        title: Set(form.title.trim().into()),
        description: Set(form.description.trim().into()),
        file_name: Set(name),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(content.len() as i64),
        content: Set(content),
        published_on: Set(form.published_on),
        updated_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(office_document_of(ente, saved, now))
}

/// Changes a document's details and day; a withdrawn one stays withdrawn.
pub async fn update_document(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    form: &DocumentForm,
    now: OffsetDateTime,
) -> ApiResult<OfficeDocument> {
    let mut item = document_of(db, ente, id).await?.into_active_model();
    form.check(rome::today(now)).map_err(ApiError::Validation)?;
    item.title = Set(form.title.trim().into());
    item.description = Set(form.description.trim().into());
    item.published_on = Set(form.published_on);
    item.updated_at = Set(Some(now));
    let saved = item.update(db).await?;
    Ok(office_document_of(ente, saved, now))
}

/// Replaces a document's file (PDF, JPEG or PNG by its content); its details, day and
/// state stay.
pub async fn replace_document_file(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    file_name: &str,
    content: Vec<u8>,
    now: OffsetDateTime,
) -> ApiResult<OfficeDocument> {
    let item = document_of(db, ente, id).await?;
    let (name, content_type) = checked_upload(file_name, &content, FILE_MAX_BYTES)?;
    let mut item = item.into_active_model();
    item.file_name = Set(name);
    item.content_type = Set(content_type.to_owned());
    item.size_bytes = Set(content.len() as i64);
    item.content = Set(content);
    item.updated_at = Set(Some(now));
    let saved = item.update(db).await?;
    Ok(office_document_of(ente, saved, now))
}

/// Withdraws a document from the public pages (`withdrawn`), or publishes it again
/// from its day; asked twice, the second changes nothing.
pub async fn withdraw_document(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    withdrawn: bool,
    now: OffsetDateTime,
) -> ApiResult<OfficeDocument> {
    let item = document_of(db, ente, id).await?;
    if item.unpublished_at.is_some() == withdrawn {
        return Ok(office_document_of(ente, item, now));
    }
    let mut item = item.into_active_model();
    item.unpublished_at = Set(withdrawn.then_some(now));
    item.updated_at = Set(Some(now));
    let saved = item.update(db).await?;
    Ok(office_document_of(ente, saved, now))
}

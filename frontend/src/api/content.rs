//! A comune's public news and documents, and the office's publishing of them
//! (Notizie e documenti).

use gloo_net::http::Method;
use sportello_model::content::{
    DocumentForm, DocumentItem, NewsAttachment, NewsForm, NewsItem, OfficeDocument, OfficeNews,
};
use sportello_model::{paths, Page};

use super::client::{
    get, get_page, get_page_authed, post_authed, post_file_authed, put_authed, put_file_authed,
    url_encode, write_authed, ApiResult,
};
use crate::session::Session;

pub async fn news(slug: &str, page: u64, per_page: u64) -> ApiResult<Page<NewsItem>> {
    get_page(&paths::news(url_encode(slug)), page, per_page).await
}

pub async fn news_item(slug: &str, id: i64) -> ApiResult<NewsItem> {
    get(&paths::news_item(url_encode(slug), id), &[]).await
}

pub async fn documents(slug: &str, page: u64, per_page: u64) -> ApiResult<Page<DocumentItem>> {
    get_page(&paths::documents(url_encode(slug)), page, per_page).await
}

/// Every news item of the comune, whatever its state.
pub async fn office_news(
    session: Session,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<OfficeNews>> {
    get_page_authed(session, &paths::office_news(), page, per_page).await
}

/// A new news item, or the changes of the item `id`.
pub async fn save_news(
    session: Session,
    id: Option<i64>,
    form: &NewsForm,
) -> ApiResult<OfficeNews> {
    match id {
        Some(id) => put_authed(session, &paths::office_news_item(id), form).await,
        None => post_authed(session, &paths::office_news(), Some(form)).await,
    }
}

/// Ritira (`withdrawn`) or Ripubblica the news item `id`.
pub async fn withdraw_news(session: Session, id: i64, withdrawn: bool) -> ApiResult<OfficeNews> {
    let path = if withdrawn {
        paths::office_news_unpublish(id)
    } else {
        paths::office_news_republish(id)
    };
    post_authed::<(), _>(session, &path, None).await
}

/// Attaches `file` (named `name`) to the news item `id`.
pub async fn attach_to_news(
    session: Session,
    id: i64,
    name: &str,
    file: &web_sys::Blob,
) -> ApiResult<NewsAttachment> {
    let query = [("name", name.to_owned())];
    post_file_authed(session, &paths::office_news_attachments(id), &query, file).await
}

/// Removes the attachment `attachment` of the news item `id`.
pub async fn detach_from_news(session: Session, id: i64, attachment: i64) -> ApiResult<OfficeNews> {
    write_authed::<(), _>(
        session,
        Method::DELETE,
        &paths::office_news_attachment(id, attachment),
        None,
    )
    .await
}

/// Every document of the comune, whatever its state.
pub async fn office_documents(
    session: Session,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<OfficeDocument>> {
    get_page_authed(session, &paths::office_documents(), page, per_page).await
}

/// Publishes a new document: its details and `file` (named `name`).
pub async fn create_document(
    session: Session,
    form: &DocumentForm,
    name: &str,
    file: &web_sys::Blob,
) -> ApiResult<OfficeDocument> {
    let query = [
        ("title", form.title.clone()),
        ("description", form.description.clone()),
        ("published_on", form.published_on.to_string()),
        ("name", name.to_owned()),
    ];
    post_file_authed(session, &paths::office_documents(), &query, file).await
}

/// The changes of the document `id`'s details.
pub async fn update_document(
    session: Session,
    id: i64,
    form: &DocumentForm,
) -> ApiResult<OfficeDocument> {
    put_authed(session, &paths::office_document(id), form).await
}

/// Replaces the file of the document `id` with `file` (named `name`).
pub async fn replace_document_file(
    session: Session,
    id: i64,
    name: &str,
    file: &web_sys::Blob,
) -> ApiResult<OfficeDocument> {
    let query = [("name", name.to_owned())];
    put_file_authed(session, &paths::office_document_file(id), &query, file).await
}

/// Ritira (`withdrawn`) or Ripubblica the document `id`.
pub async fn withdraw_document(
    session: Session,
    id: i64,
    withdrawn: bool,
) -> ApiResult<OfficeDocument> {
    let path = if withdrawn {
        paths::office_document_unpublish(id)
    } else {
        paths::office_document_republish(id)
    };
    post_authed::<(), _>(session, &path, None).await
}

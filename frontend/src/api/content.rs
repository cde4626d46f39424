//! A comune's public news and documents.

use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::{paths, Page};

use super::client::{get, get_page, url_encode, ApiResult};

pub async fn news(slug: &str, page: u64, per_page: u64) -> ApiResult<Page<NewsItem>> {
    get_page(&paths::news(url_encode(slug)), page, per_page).await
}

pub async fn news_item(slug: &str, id: i64) -> ApiResult<NewsItem> {
    get(&paths::news_item(url_encode(slug), id), &[]).await
}

pub async fn documents(slug: &str, page: u64, per_page: u64) -> ApiResult<Page<DocumentItem>> {
    get_page(&paths::documents(url_encode(slug)), page, per_page).await
}

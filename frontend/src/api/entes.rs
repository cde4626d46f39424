//! The comuni: the public list to choose from and one comune's description.

use sportello_model::entes::{EnteDetail, EnteSummary};
use sportello_model::{paths, Page};

use super::client::{get, get_page, url_encode, ApiResult};

pub async fn entes(page: u64, per_page: u64) -> ApiResult<Page<EnteSummary>> {
    get_page(&paths::entes(), page, per_page).await
}

pub async fn ente(slug: &str) -> ApiResult<EnteDetail> {
    get(&paths::ente(url_encode(slug)), &[]).await
}

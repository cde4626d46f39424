//! The children registry (Utenti).

use sportello_model::children::{ChildDetail, ChildSummary};
use sportello_model::{paths, Page};

use super::client::{get_authed, get_page_authed, ApiResult};
use crate::session::Session;

pub async fn children(session: Session, page: u64, per_page: u64) -> ApiResult<Page<ChildSummary>> {
    get_page_authed(session, &paths::children(), page, per_page).await
}

pub async fn child(session: Session, id: i64) -> ApiResult<ChildDetail> {
    get_authed(session, &paths::child(id), &[]).await
}

//! Invii non riusciti: the outbox's messages that did not reach the families, and
//! sending a dead one again (operators).

use sportello_model::communications::{OutboxMessage, OutboxStatus};
use sportello_model::{paths, Page};

use super::client::{get_filtered_page_authed, get_page_authed, post_authed, ApiResult};
use crate::session::Session;

/// The messages with `status`, or all that did not go (failed and dead) without one.
pub async fn outbox(
    session: Session,
    status: Option<OutboxStatus>,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<OutboxMessage>> {
    match status {
        Some(status) => {
            let filter = [("status", status.as_str().to_string())];
            get_filtered_page_authed(session, &paths::outbox(), &filter, page, per_page).await
        }
        None => get_page_authed(session, &paths::outbox(), page, per_page).await,
    }
}

/// Invia di nuovo: a dead message is due at once with all its attempts again.
pub async fn retry_outbox_message(session: Session, id: i64) -> ApiResult<OutboxMessage> {
    post_authed::<(), _>(session, &paths::outbox_retry(id), None).await
}
